import { Inject, Injectable, Optional } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { randomUUID } from 'node:crypto';
import { assertPerson, AuthUser, isModerator } from '@rejoinder/accounts';
import type { AppConfig, LimitName, SessionEventData } from '@rejoinder/common';
import {
  APP_CONFIG,
  bodyFingerprint,
  cursorPart,
  hasVisibleCharacter,
  PostMarks,
  RateLimits,
  DomainError,
  DomainEventBus,
  ErrorCode,
  Keyset,
  TIME_ID_KEY,
} from '@rejoinder/common';
import { z } from 'zod';
import { ArticleState, CommentStatus } from '@rejoinder/db';
import { ArticlesRepository } from '../articles/articles.repository.js';
import { ArticlesService } from '../articles/articles.service.js';
import { ReadCache } from '../read-cache/read-cache.js';
import { personalise } from '../read-cache/read-cache.js';
import type { CachedBody } from '../read-cache/read-cache.js';
import { renderCommentMarkdown } from '../markdown/markdown-renderer.js';
import { CommentRow, RankedSort, SiblingKey, ThreadSort, TreeShape } from './comment.types.js';
import { CommentNode, CommentView, fullView } from './comment.view.js';
import { COMMENT_POLICY } from './comment-policy.js';
import type { CommentPolicy, HoldReason, Screening } from './comment-policy.js';
import { BALANCED_GROUPS, CommentsRepository, eventRow, RANK_COLUMN } from './comments.repository.js';
import type { ArticleRecord, PostArticle } from '../articles/articles.repository.js';
import { makeAnchor, passagesOf } from '../articles/passages.js';
import type { PassageAnchor } from '../articles/passages.js';
import type { EventRow } from './comments.repository.js';
import type { PostContextRow } from './post-statements.js';
import { mayReadRevisions, publicView, viewComment, viewInChain } from './visibility.js';
import type { Viewer } from './visibility.js';
import { CreateCommentInput } from './dto/comment.dto.js';

export const DEFAULT_TREE: TreeShape = { levels: 3, repliesPerLevel: 3 };

// What an author may still edit or delete.
const EDITABLE = new Set<CommentStatus>([CommentStatus.published, CommentStatus.pending, CommentStatus.shadowed]);

const EPOCH = new Date(0).toISOString();
const NIL_UUID = '00000000-0000-0000-0000-000000000000';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface ThreadPage extends Page<CommentNode> {
  // Comments pinned by moderators, on the first page only.
  pinned: CommentView[];
  // The article's last event number when the page was read: the page is at
  // least as new; subscribe with `after: seq` to follow it.
  seq: number;
}

// A signed-in reader's own part of a thread page.
export interface ViewerPart {
  // Their votes on the page's comments (+1 or -1; absent: none).
  votes: Record<string, number>;
  // Their own comments in the article waiting for a moderator (first page).
  pending: CommentView[];
}

// Most of a reader's own pending comments shown above the first page.
const OWN_PENDING_ON_PAGE = 20;

export interface Permalink {
  comment: CommentNode;
  ancestors: CommentView[];
  // The article's last event number when it was read (as on a thread page).
  seq: number;
}

// Comments whose article is remembered (an id and its article never change).
const KNOWN_COMMENT_ARTICLES = 50_000;

export interface CreateResult {
  comment: CommentView;
  created: boolean;
}

@Injectable()
export class CommentsService {
  private readonly articleOfComment = new LRUCache<string, string>({ max: KNOWN_COMMENT_ARTICLES });

  constructor(
    private readonly comments: CommentsRepository,
    private readonly articles: ArticlesRepository,
    private readonly articleService: ArticlesService,
    private readonly cache: ReadCache,
    private readonly events: DomainEventBus,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() @Inject(COMMENT_POLICY) private readonly policy?: CommentPolicy,
    @Optional() private readonly limits?: RateLimits,
    @Optional() private readonly marks?: PostMarks,
  ) {}

  // One statement per page (pinned comments included on the first page),
  // after the article's seq: the page is at least as new as the seq it
  // reports, so following from that seq misses nothing. `paragraph` narrows
  // the page to the comments on one passage (pinned comments then stay out:
  // they belong to the whole thread).
  async thread(
    slug: string,
    query: { sort: ThreadSort; limit: number; cursor?: string; paragraph?: number },
  ): Promise<ThreadPage> {
    let articleId: string;
    if (query.paragraph === undefined) {
      articleId = await this.articleService.idOf(slug);
    } else {
      const article = await this.requireArticle(slug);
      if (query.paragraph >= passagesOf(article).length) throw new DomainError(ErrorCode.ParagraphNotFound);
      articleId = article.id;
    }
    const kind = `t:${query.sort}:${articleId}${query.paragraph === undefined ? '' : `:p${query.paragraph}`}`;
    const after = query.cursor ? decodeSiblingKey(kind, query.sort, query.cursor) : undefined;
    const seq = await this.articles.lastSeq(articleId);
    const { rows, hasMore, pinned } = await this.comments.tree({
      articleId,
      parentId: null,
      sort: query.sort,
      after,
      limit: query.limit,
      shape: DEFAULT_TREE,
      withPinned: !after && query.paragraph === undefined,
      paragraph: query.paragraph,
    });
    const roots = assemble(rows);
    const last = roots.at(-1);
    let nextCursor: string | null = null;
    if (hasMore && last) {
      nextCursor =
        query.sort === 'balanced' ? encodeBalancedKey(kind, after, roots) : encodeSiblingKey(kind, query.sort, last);
    }
    return { items: roots, pinned: pinned.map(publicView), nextCursor, seq };
  }

  // The page as every reader sees it, rendered once per event of the
  // article's log and per page readers ask for.
  async cachedThread(
    slug: string,
    query: { sort: ThreadSort; limit: number; cursor?: string; paragraph?: number },
  ): Promise<CachedBody> {
    const articleId = await this.articleService.idOf(slug);
    return this.cache.get(
      articleId,
      `thread|${query.sort}|${query.paragraph ?? ''}|${query.limit}|${query.cursor ?? ''}`,
      async () => {
        const page = await this.thread(slug, query);
        return { value: page, seq: page.seq, commentIds: [...page.pinned.map((c) => c.id), ...nodeIds(page.items)] };
      },
    );
  }

  // The shared page with what only this reader sees added as `viewer`: their
  // votes on its comments and, on the first page, their own comments waiting
  // for a moderator (as the visibility policy shows them to their author).
  async personalise(viewer: AuthUser, page: CachedBody, firstPage: boolean): Promise<CachedBody> {
    const [votes, pending] = await Promise.all([
      this.comments.votesOf(viewer.id, page.commentIds),
      firstPage ? this.comments.pendingOf(viewer.id, page.articleId, OWN_PENDING_ON_PAGE) : [],
    ]);
    const part: ViewerPart = {
      votes: Object.fromEntries(votes),
      pending: pending.map((row) => viewComment(row, viewer)).filter((view): view is CommentView => view !== null),
    };
    return personalise(page, 'viewer', part);
  }

  async replies(commentId: string, query: { limit: number; cursor?: string }): Promise<Page<CommentNode>> {
    const parent = await this.comments.findById(commentId);
    if (!parent || !viewComment(parent, null)) throw new DomainError(ErrorCode.CommentNotFound);
    const kind = repliesKind(parent.id);
    const after = query.cursor ? decodeSiblingKey(kind, 'oldest', query.cursor) : undefined;
    const { rows, hasMore } = await this.comments.tree({
      articleId: parent.articleId,
      parentId: parent.id,
      sort: 'oldest',
      after,
      limit: query.limit,
      shape: DEFAULT_TREE,
    });
    const items = assemble(rows);
    const last = items.at(-1);
    return { items, nextCursor: hasMore && last ? encodeSiblingKey(kind, 'oldest', last) : null };
  }

  // A page of replies as every reader sees it, kept until the article's next
  // event like a thread page.
  async cachedReplies(commentId: string, query: { limit: number; cursor?: string }): Promise<CachedBody> {
    const articleId = await this.articleIdOf(commentId);
    return this.cache.get(articleId, `replies|${commentId}|${query.limit}|${query.cursor ?? ''}`, async () => {
      const seq = await this.articles.lastSeq(articleId);
      const page = await this.replies(commentId, query);
      return { value: page, seq, commentIds: nodeIds(page.items) };
    });
  }

  // A comment with its ancestor chain and its first replies, as the
  // visibility policy shows them to this viewer: a comment hidden from them
  // is not found; an ancestor hidden from them is a placeholder.
  async permalink(commentId: string, viewer: Viewer): Promise<Permalink> {
    // The seq is read before the comments, so they are at least as new.
    const seq = await this.articles.lastSeq(await this.articleIdOf(commentId));
    const row = await this.comments.findById(commentId);
    const view = row ? viewComment(row, viewer) : null;
    if (!row || !view) throw new DomainError(ErrorCode.CommentNotFound);
    const [ancestors, subtree] = await Promise.all([
      this.comments.ancestors(row.path),
      this.comments.tree({
        articleId: row.articleId,
        parentId: row.id,
        sort: 'oldest',
        limit: DEFAULT_TREE.repliesPerLevel,
        shape: { ...DEFAULT_TREE, levels: DEFAULT_TREE.levels - 1 },
      }),
    ]);
    const root: CommentNode = { ...view, replies: [], repliesCursor: null };
    const children = assemble(subtree.rows);
    root.replies = children;
    root.repliesCursor = moreRepliesCursor(row, children);
    return { comment: root, ancestors: ancestors.map((a) => viewInChain(a, viewer)), seq };
  }

  // The permalink as an anonymous reader sees it, rendered once per event of
  // the article's log.
  async cachedPermalink(commentId: string): Promise<CachedBody> {
    const articleId = await this.articleIdOf(commentId);
    return this.cache.get(articleId, `permalink|${commentId}`, async () => {
      const page = await this.permalink(commentId, null);
      return {
        value: page,
        seq: page.seq,
        commentIds: [page.comment.id, ...page.ancestors.map((a) => a.id), ...nodeIds(page.comment.replies)],
      };
    });
  }

  private async articleIdOf(commentId: string): Promise<string> {
    const known = this.articleOfComment.get(commentId);
    if (known) return known;
    const articleId = await this.comments.articleIdOf(commentId);
    if (!articleId) throw new DomainError(ErrorCode.CommentNotFound);
    this.articleOfComment.set(commentId, articleId);
    return articleId;
  }

  async create(
    actor: AuthUser,
    slug: string,
    input: CreateCommentInput,
    context: { ip?: string; userAgent?: string } = {},
  ): Promise<CreateResult> {
    assertPerson(actor);
    const body = this.checkBody(input.body);
    if (input.parentId && (input.anchor || input.stance)) throw new DomainError(ErrorCode.TopLevelOnly);
    // One read: the article (without its body), whether the id is taken, the parent.
    const found = await this.comments.postContext(slug, input.id ?? null, input.parentId ?? null);
    if (!found) throw new DomainError(ErrorCode.ArticleNotFound);
    // The article's body only for a comment that quotes a passage of it.
    const article = input.anchor ? await this.requireArticle(slug) : found;
    if (found.idTaken) {
      // A retry is answered before any limit: it writes nothing.
      const replay = await this.replay(actor, article.id, input, body);
      if (replay) return replay;
    }
    const undo = await this.admit(actor, article.id, input, body, context.ip);
    try {
      return await this.store(actor, article, input, body, found, context);
    } catch (error) {
      // Only stored comments use up quota.
      await undo();
      throw error;
    }
  }

  // The limits a post must pass; returns what gives the quota back if the
  // post is not stored. A post with a client id pays once: the id is marked
  // as paid with its quota, and the duplicate-body mark holds the id that made
  // it, so a retry of that id (after a 503, or on another node after this one
  // died mid-transaction) is never refused by its own first attempt.
  private async admit(
    actor: AuthUser,
    articleId: string,
    input: CreateCommentInput,
    body: string,
    ip?: string,
  ): Promise<() => Promise<void>> {
    const { limits, marks } = this;
    const undo: (() => Promise<void>)[] = [];
    const undoAll = async () => {
      for (const step of undo.splice(0).reverse()) await step();
    };
    if (!limits || !marks) return undoAll;
    const paid = input.id ? `paid:${actor.id}:${input.id}` : null;
    try {
      if (!isModerator(actor)) {
        // New accounts, and accounts that have not earned a trust level yet,
        // get the stricter limit.
        const young =
          (actor.createdAt !== undefined && Date.now() - actor.createdAt.getTime() < 86_400_000) ||
          actor.trustLevel === 0;
        const take = async (name: LimitName, key: string) => {
          await limits.consume(name, key);
          undo.push(() => limits.refund(name, key));
        };
        try {
          // Every account pays the ordinary limit; a new one the stricter
          // one too (first, so its wait is the one reported). An account whose
          // level becomes known mid-window keeps what it already used.
          if (young) await take('comment-new-user', actor.id);
          await take('comment-user', actor.id);
          if (ip) await take('comment-ip', ip);
        } catch (error) {
          const refused = error instanceof DomainError && error.code === ErrorCode.RateLimited;
          // Its own first attempt (or the same id sent twice at once) took the quota.
          if (!(paid && refused && (await marks.holds(paid, actor.id)))) throw error;
          await undoAll();
        }
      }
      const paying = paid !== null && undo.length > 0;
      const fingerprint = `dup:${bodyFingerprint(actor.id, articleId, input.parentId ?? '', body)}`;
      const owner = input.id ?? randomUUID();
      // Sent together: one round trip to Redis, which pipelines them.
      const [claimed, marked] = await Promise.allSettled([
        marks.claim(fingerprint, owner, this.config.DUPLICATE_COMMENT_WINDOW * 1000),
        paying ? marks.set(paid, actor.id, this.markTtlMs()) : Promise.resolve(),
      ]);
      if (paying && marked.status === 'fulfilled') undo.push(() => marks.release(paid, actor.id));
      if (claimed.status === 'fulfilled') undo.push(() => marks.release(fingerprint, owner));
      for (const result of [claimed, marked]) if (result.status === 'rejected') throw result.reason;
    } catch (error) {
      await undoAll();
      throw error;
    }
    return undoAll;
  }

  // A paid mark outlives every window it stands for.
  private markTtlMs(): number {
    const c = this.config;
    return (
      1000 *
      Math.max(
        c.RATE_COMMENTS_PER_USER_WINDOW,
        c.RATE_COMMENTS_PER_NEW_USER_WINDOW,
        c.RATE_COMMENTS_PER_IP_WINDOW,
        c.DUPLICATE_COMMENT_WINDOW,
      )
    );
  }

  private async store(
    actor: AuthUser,
    article: PostArticle | ArticleRecord,
    input: CreateCommentInput,
    body: string,
    context: PostContextRow,
    client: { ip?: string; userAgent?: string },
  ): Promise<CreateResult> {
    const id = input.id ?? randomUUID();
    if (article.state === ArticleState.closed) throw new DomainError(ErrorCode.ArticleClosed);

    let path = [id];
    let depth = 0;
    let parentAuthorId: string | null = null;
    if (input.parentId) {
      const parent = context.parentArticleId
        ? {
            articleId: context.parentArticleId,
            authorId: context.parentAuthorId!,
            status: context.parentStatus,
            depth: context.parentDepth!,
            path: context.parentPath!,
          }
        : null;
      if (!parent) throw new DomainError(ErrorCode.ParentNotFound);
      if (parent.articleId !== article.id) throw new DomainError(ErrorCode.ParentInOtherArticle);
      // A shadowed comment takes replies from its author only (to whom it is
      // published); to anyone else it does not exist.
      if (parent.status === CommentStatus.shadowed && parent.authorId !== actor.id) {
        throw new DomainError(ErrorCode.ParentNotFound);
      }
      if (parent.status !== CommentStatus.published && parent.status !== CommentStatus.shadowed) {
        throw new DomainError(ErrorCode.ParentNotReplyable);
      }
      if (parent.depth + 1 >= this.config.COMMENT_MAX_DEPTH) {
        throw new DomainError(
          ErrorCode.ThreadTooDeep,
          `Threads are at most ${this.config.COMMENT_MAX_DEPTH} levels deep`,
          {
            maxDepth: this.config.COMMENT_MAX_DEPTH,
          },
        );
      }
      path = [...parent.path, id];
      depth = parent.depth + 1;
      parentAuthorId = parent.authorId;
    }

    const anchor = input.anchor && 'bodySource' in article ? anchorIn(article, input.anchor) : null;
    // Rendered and sanitised before the statement, never inside it.
    const bodyHtml = renderCommentMarkdown(body);
    const screening: Screening = this.policy
      ? await this.policy.review({ author: actor, article, body, html: bodyHtml, client })
      : { hold: article.premoderation && !isModerator(actor) ? ['premoderation'] : [] };
    const ghost = screening.ghost === true;
    const hold = !ghost && screening.hold.length > 0 ? screening.hold : null;
    const status = ghost ? CommentStatus.shadowed : hold ? CommentStatus.pending : CommentStatus.published;
    const comment = {
      id,
      articleId: article.id,
      parentId: input.parentId ?? null,
      authorId: actor.id,
      path,
      depth,
      status,
      bodySource: body,
      bodyHtml,
      anchor,
      stance: input.stance ?? null,
      holdReasons: screening.hold,
    };
    const outcome = ghost
      ? await this.comments.insertWithEvents(comment, [
          // Its author hears of it as published; moderators as it is; nobody
          // else at all (no queue: the sanction decided).
          eventRow('comment.created').to('user', actor.id, () => ({})),
          eventRow('comment.created').to('moderators', null, () => ({})),
        ])
      : hold
        ? await this.comments.insertWithEvents(comment, [
            // A pending comment is news only to moderators and to its author.
            eventRow('comment.created').to('moderators', actor.id, () => ({})),
            eventRow('queue.added').to('moderators', null, (c) => ({
              commentId: c.id,
              queue: 'pending',
              reason: hold[0],
              reasons: hold,
              version: c.version,
            })),
          ])
        : await this.comments.insertPublished(
            comment,
            eventRow('comment.created').to('public', null, () => ({})),
          );
    switch (outcome.kind) {
      case 'article-closed':
        throw new DomainError(ErrorCode.ArticleClosed);
      case 'id-taken': {
        // A concurrent retry with the same id won the race.
        const replay = await this.replay(actor, article.id, input, body);
        if (replay) return replay;
        throw new DomainError(ErrorCode.CommentIdConflict);
      }
      case 'inserted': {
        if (this.policy?.stored) await this.policy.stored(outcome.comment.id, screening);
        for (const event of outcome.events) this.events.publish(event);
        const comment = viewComment(outcome.comment, actor) ?? fullView(outcome.comment);
        if (status === CommentStatus.published && parentAuthorId) this.notifyReply(parentAuthorId, comment);
        return { comment, created: true };
      }
    }
  }

  // The parent's author hears of a published reply at once (the same note is
  // stored, for GET /api/me/notifications).
  notifyReply(parentAuthorId: string, reply: CommentView): void {
    if (reply.author && reply.author.id === parentAuthorId) return;
    const data: SessionEventData<'notification.reply'> = { type: 'reply', articleId: reply.articleId, comment: reply };
    this.events.notify({ userId: parentAuthorId, type: 'notification.reply', data });
  }

  // The author edits within the edit window; the old body is kept as a
  // revision. An edit is screened as a new comment would be (sanctions, word
  // lists, premoderation of the author or of the article): one that needs
  // review takes the comment back to the queue, hidden from readers, until a
  // moderator approves it again (docs/moderation.md).
  async edit(actor: AuthUser, commentId: string, rawBody: string): Promise<CommentView> {
    assertPerson(actor);
    const body = this.checkBody(rawBody);
    const current = await this.comments.findById(commentId);
    if (!current || !EDITABLE.has(current.status) || !viewComment(current, actor)) {
      throw new DomainError(ErrorCode.CommentNotFound);
    }
    if (current.authorId !== actor.id) throw new DomainError(ErrorCode.NotYourComment);
    const windowMs = this.config.EDIT_WINDOW_SECONDS * 1000;
    if (Date.now() - current.createdAt.getTime() > windowMs) {
      throw new DomainError(
        ErrorCode.EditWindowClosed,
        `Comments can be edited for ${this.config.EDIT_WINDOW_SECONDS} s`,
        {
          editWindowSeconds: this.config.EDIT_WINDOW_SECONDS,
        },
      );
    }
    if (body === current.bodySource) return viewComment(current, actor) ?? fullView(current);
    const article = await this.articles.findById(current.articleId);
    if (!article) throw new DomainError(ErrorCode.CommentNotFound);
    const html = renderCommentMarkdown(body);
    const screened: HoldReason[] = this.policy
      ? (await this.policy.screen({ author: actor, article, body, html })).hold
      : article.premoderation && !isModerator(actor)
        ? ['premoderation']
        : [];
    const hold = screened.length > 0 ? screened : null;
    const outcome = await this.comments.changeState({
      commentId,
      decide: (row) => {
        if (Date.now() - row.createdAt.getTime() > windowMs) throw new DomainError(ErrorCode.EditWindowClosed);
        if (hold && row.status === CommentStatus.published) {
          return { body: { source: body, html }, status: CommentStatus.pending, listed: false, holdReasons: hold };
        }
        return { body: { source: body, html } };
      },
      events: (before, after) => {
        if (after.status === CommentStatus.published)
          return [eventRow('comment.updated').to('public', null, () => ({}))];
        if (after.status === CommentStatus.shadowed) {
          return [
            eventRow('comment.updated').to('user', before.authorId, () => ({})),
            eventRow('comment.updated').to('moderators', null, () => ({})),
          ];
        }
        const events: EventRow[] = [eventRow('comment.updated').to('moderators', before.authorId, () => ({}))];
        if (before.status === CommentStatus.published && hold) {
          events.unshift(
            eventRow('comment.removed').to('public', null, (c) => ({
              commentId: c.id,
              status: 'pending',
              reasonCode: hold[0],
            })),
          );
          events.push(
            eventRow('queue.added').to('moderators', null, (c) => ({
              commentId: c.id,
              queue: 'pending',
              reason: hold[0],
              reasons: hold,
              version: c.version,
            })),
          );
        }
        return events;
      },
    });
    for (const event of outcome.events) this.events.publish(event);
    return viewComment(outcome.comment, actor) ?? fullView(outcome.comment);
  }

  // The author deletes: a tombstone keeps the replies in place; without
  // replies the comment leaves the thread.
  async delete(actor: AuthUser, commentId: string): Promise<void> {
    assertPerson(actor);
    const current = await this.comments.findById(commentId);
    if (!current || !EDITABLE.has(current.status) || !viewComment(current, actor)) {
      throw new DomainError(ErrorCode.CommentNotFound);
    }
    if (current.authorId !== actor.id) throw new DomainError(ErrorCode.NotYourComment);
    const outcome = await this.comments.changeState({
      commentId,
      decide: (row) => {
        if (!EDITABLE.has(row.status)) throw new DomainError(ErrorCode.CommentNotFound);
        return {
          status: CommentStatus.deleted,
          listed: row.status === CommentStatus.published && row.descendantCount > 0,
          featured: false,
          pinned: false,
          resolveReports: true,
        };
      },
      events: (before) =>
        before.status === CommentStatus.published
          ? [eventRow('comment.deleted').to('public', null, (c) => ({ commentId: c.id }))]
          : before.status === CommentStatus.shadowed
            ? [eventRow('comment.deleted').to('moderators', before.authorId, (c) => ({ commentId: c.id }))]
            : [
                eventRow('comment.deleted').to('moderators', before.authorId, (c) => ({ commentId: c.id })),
                eventRow('queue.resolved').to('moderators', null, (c) => ({
                  commentId: c.id,
                  action: 'delete',
                  status: c.status,
                  version: c.version,
                })),
              ],
    });
    for (const event of outcome.events) this.events.publish(event);
  }

  // The current body and the earlier ones, for those the policy lets read
  // them (moderators; nobody once the author deleted the comment).
  async revisions(commentId: string, viewer: Viewer) {
    const current = await this.comments.findById(commentId);
    if (!current) throw new DomainError(ErrorCode.CommentNotFound);
    if (!mayReadRevisions(current, viewer)) return { comment: viewInChain(current, viewer), revisions: [] };
    const revisions = await this.comments.revisions(commentId);
    return {
      comment: fullView(current),
      revisions: revisions.map((r) => ({
        body: r.bodySource,
        html: r.bodyHtml,
        replacedAt: r.replacedAt.toISOString(),
      })),
    };
  }

  private checkBody(raw: string): string {
    const body = raw.trim();
    // Zero-width and direction marks alone look empty, and are.
    if (!hasVisibleCharacter(body)) throw new DomainError(ErrorCode.CommentBodyEmpty);
    const length = [...body].length;
    if (length > this.config.COMMENT_MAX_LENGTH) {
      throw new DomainError(
        ErrorCode.CommentBodyTooLong,
        `${length} characters; at most ${this.config.COMMENT_MAX_LENGTH}`,
        {
          maxLength: this.config.COMMENT_MAX_LENGTH,
        },
      );
    }
    return body;
  }

  // The same id again: the stored comment when it is the same request, a
  // conflict when the id belongs to something else.
  private async replay(
    actor: AuthUser,
    articleId: string,
    input: CreateCommentInput,
    body: string,
  ): Promise<CreateResult | null> {
    const existing = input.id ? await this.comments.findById(input.id) : null;
    if (!existing) return null;
    const same =
      existing.authorId === actor.id &&
      existing.articleId === articleId &&
      existing.parentId === (input.parentId ?? null) &&
      existing.bodySource === body;
    if (!same) throw new DomainError(ErrorCode.CommentIdConflict);
    return { comment: viewComment(existing, actor) ?? fullView(existing), created: false };
  }

  private async requireArticle(slug: string) {
    const article = await this.articles.findBySlug(slug);
    if (!article) throw new DomainError(ErrorCode.ArticleNotFound);
    return article;
  }
}

function repliesKind(parentId: string): string {
  return `r:${parentId}`;
}

// The passage a new comment quotes, checked against the article as it is.
function anchorIn(article: ArticleRecord, input: { paragraph: number; quote: string }): PassageAnchor {
  const anchor = makeAnchor(passagesOf(article), input.paragraph, input.quote);
  if (anchor === 'no-paragraph')
    throw new DomainError(
      ErrorCode.ParagraphNotFound,
      `The article has ${passagesOf(article).length} passages, numbered from 0`,
    );
  if (anchor === 'not-in-paragraph') throw new DomainError(ErrorCode.QuoteNotInParagraph);
  return anchor;
}

// sort=balanced: whose turn is next, then where each stance group stopped
// (a group not started yet holds a key above every comment).
const GROUP_KEY = [cursorPart.float, cursorPart.time, cursorPart.id] as const;
const BALANCED_KEY = z.tuple([
  z
    .number()
    .int()
    .min(0)
    .max(BALANCED_GROUPS.length - 1),
  ...GROUP_KEY,
  ...GROUP_KEY,
  ...GROUP_KEY,
  ...GROUP_KEY,
  ...GROUP_KEY,
]);
const BALANCED_START = { rank: 2, createdAt: '9999-12-31T00:00:00.000Z', id: 'ffffffff-ffff-ffff-ffff-ffffffffffff' };

function encodeBalancedKey(kind: string, previous: SiblingKey | undefined, roots: CommentView[]): string {
  const keys = previous?.sort === 'balanced' ? [...previous.keys] : BALANCED_GROUPS.map(() => null);
  let next = previous?.sort === 'balanced' ? previous.next : 0;
  for (const root of roots) {
    const group = BALANCED_GROUPS.indexOf(root.stance);
    keys[group] = { rank: root.bestScore, createdAt: root.createdAt, id: root.id };
    next = (group + 1) % BALANCED_GROUPS.length;
  }
  const flat = keys.flatMap((k) => {
    const key = k ?? BALANCED_START;
    return [key.rank, key.createdAt, key.id];
  });
  return new Keyset(kind, BALANCED_KEY).encode([next, ...flat] as z.output<typeof BALANCED_KEY>);
}

function decodeBalancedKey(kind: string, cursor: string): SiblingKey {
  const [next, ...flat] = new Keyset(kind, BALANCED_KEY).decode(cursor)!;
  const keys = BALANCED_GROUPS.map((_, group) => {
    const [rank, createdAt, id] = flat.slice(group * 3, group * 3 + 3) as [number, string, string];
    return id === BALANCED_START.id ? null : { rank, createdAt, id };
  });
  return { sort: 'balanced', next, keys };
}

function rankOf(sort: RankedSort, row: CommentView): number {
  switch (sort) {
    case 'top':
      return row.score;
    case 'best':
      return row.bestScore;
    case 'controversial':
      return row.controversy;
    case 'replies':
      return row.replyCount;
  }
}

// A ranked sort's key: the rank, within its column's type, then time and id.
const RANK_KEYS = {
  int: z.tuple([cursorPart.int, cursorPart.time, cursorPart.id]),
  float8: z.tuple([cursorPart.float, cursorPart.time, cursorPart.id]),
};

function encodeSiblingKey(kind: string, sort: Exclude<ThreadSort, 'balanced'>, row: CommentView): string {
  return sort === 'newest' || sort === 'oldest'
    ? new Keyset(kind, TIME_ID_KEY).encode([row.createdAt, row.id])
    : new Keyset(kind, RANK_KEYS[RANK_COLUMN[sort].type]).encode([rankOf(sort, row), row.createdAt, row.id]);
}

function decodeSiblingKey(kind: string, sort: ThreadSort, cursor: string): SiblingKey {
  if (sort === 'balanced') return decodeBalancedKey(kind, cursor);
  if (sort === 'newest' || sort === 'oldest') {
    const [createdAt, id] = new Keyset(kind, TIME_ID_KEY).decode(cursor)!;
    return { sort, createdAt, id };
  }
  const [rank, createdAt, id] = new Keyset(kind, RANK_KEYS[RANK_COLUMN[sort].type]).decode(cursor)!;
  return { sort, rank, createdAt, id };
}

// Cursor for the replies of `parent` that `shown` leaves out, or null.
function moreRepliesCursor(parent: CommentRow | CommentView, shown: CommentView[]): string | null {
  if (parent.replyCount <= shown.length) return null;
  const last = shown.at(-1);
  return new Keyset(repliesKind(parent.id), TIME_ID_KEY).encode(last ? [last.createdAt, last.id] : [EPOCH, NIL_UUID]);
}

// Rows of a tree query (ordered by level, page order, then age) -> nested
// nodes in one pass: roots in page order, replies oldest first.
function assemble(rows: CommentRow[]): CommentNode[] {
  const nodes = new Map<string, CommentNode>();
  const roots: CommentNode[] = [];
  for (const row of rows) {
    const node: CommentNode = { ...publicView(row), replies: [], repliesCursor: null };
    nodes.set(row.id, node);
    if (row.level === 0) roots.push(node);
    else nodes.get(row.parentId!)?.replies.push(node);
  }
  for (const node of nodes.values()) node.repliesCursor = moreRepliesCursor(node, node.replies);
  return roots;
}

// Every comment of nested nodes, depth first.
function nodeIds(nodes: CommentNode[]): string[] {
  return nodes.flatMap((node) => [node.id, ...nodeIds(node.replies)]);
}
