import { Inject, Injectable, Optional } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { AuthUser, assertPerson, isModerator } from '@rejoinder/accounts';
import type { AppConfig } from '@rejoinder/common';
import { APP_CONFIG, DomainError, DomainEventBus, ErrorCode } from '@rejoinder/common';
import { CommentStatus } from '@rejoinder/db';
import { ArticlesRepository } from '../articles/articles.repository.js';
import { ArticlesService } from '../articles/articles.service.js';
import { ReadCache } from '../read-cache/read-cache.js';
import { personalise } from '../read-cache/read-cache.js';
import type { CachedBody } from '../read-cache/read-cache.js';
import { renderCommentMarkdown } from '../markdown/markdown-renderer.js';
import { passagesOf } from '../articles/passages.js';
import { eventRow } from '../event-log/event-rows.js';
import type { EventRow } from '../event-log/event-rows.js';
import { ThreadSort, TreeShape } from './comment.types.js';
import { CommentNode, CommentView, fullView } from './comment.view.js';
import { COMMENT_POLICY } from './comment-policy.js';
import type { CommentPolicy, HoldReason } from './comment-policy.js';
import { checkCommentBody } from './comment-body.js';
import { CommentsRepository } from './comments.repository.js';
import { VotesRepository } from './votes.repository.js';
import {
  assemble,
  decodeSiblingKey,
  encodeBalancedKey,
  encodeSiblingKey,
  moreRepliesCursor,
  nodeIds,
  repliesKind,
  threadKind,
} from './thread-cursors.js';
import { mayReadRevisions, publicView, viewComment, viewInChain } from './visibility.js';
import type { Viewer } from './visibility.js';

export const DEFAULT_TREE: TreeShape = { levels: 3, repliesPerLevel: 3 };

// What an author may still edit or delete.
const EDITABLE = new Set<CommentStatus>([CommentStatus.published, CommentStatus.pending, CommentStatus.shadowed]);

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

// What a thread page is kept under in the read cache, next to its article.
const threadCacheKey = (query: { sort: ThreadSort; limit: number; cursor?: string; paragraph?: number }) =>
  `thread|${query.sort}|${query.paragraph ?? ''}|${query.limit}|${query.cursor ?? ''}`;

export interface Permalink {
  comment: CommentNode;
  ancestors: CommentView[];
  // The article's last event number when it was read (as on a thread page).
  seq: number;
}

// Comments whose article is remembered (an id and its article never change).
const KNOWN_COMMENT_ARTICLES = 50_000;

@Injectable()
export class CommentsService {
  private readonly articleOfComment = new LRUCache<string, string>({ max: KNOWN_COMMENT_ARTICLES });

  constructor(
    private readonly comments: CommentsRepository,
    private readonly votes: VotesRepository,
    private readonly articles: ArticlesRepository,
    private readonly articleService: ArticlesService,
    private readonly cache: ReadCache,
    private readonly events: DomainEventBus,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() @Inject(COMMENT_POLICY) private readonly policy?: CommentPolicy,
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
    const kind = threadKind(query.sort, articleId, query.paragraph);
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
    return this.cache.get(articleId, threadCacheKey(query), async () => {
      const page = await this.thread(slug, query);
      return { value: page, seq: page.seq, commentIds: [...page.pinned.map((c) => c.id), ...nodeIds(page.items)] };
    });
  }

  // The page as cachedThread() would answer it, when memory holds it now
  // (no query, no wait); undefined otherwise.
  cachedThreadNow(
    slug: string,
    query: { sort: ThreadSort; limit: number; cursor?: string; paragraph?: number },
  ): CachedBody | undefined {
    const articleId = this.articleService.knownId(slug);
    return articleId === undefined ? undefined : this.cache.peek(articleId, threadCacheKey(query));
  }

  // The shared page with what only this reader sees added as `viewer`: their
  // votes on its comments and, on the first page, their own comments waiting
  // for a moderator (as the visibility policy shows them to their author).
  async personalise(viewer: AuthUser, page: CachedBody, firstPage: boolean): Promise<CachedBody> {
    const [votes, pending] = await Promise.all([
      this.votes.votesOf(viewer.id, page.commentIds),
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

  // The author edits within the edit window; the old body is kept as a
  // revision. An edit is screened as a new comment would be (sanctions, word
  // lists, premoderation of the author or of the article): one that needs
  // review takes the comment back to the queue, hidden from readers, until a
  // moderator approves it again (docs/moderation.md).
  async edit(actor: AuthUser, commentId: string, rawBody: string): Promise<CommentView> {
    assertPerson(actor);
    const body = checkCommentBody(rawBody, this.config);
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

  private async requireArticle(slug: string) {
    const article = await this.articles.findBySlug(slug);
    if (!article) throw new DomainError(ErrorCode.ArticleNotFound);
    return article;
  }
}
