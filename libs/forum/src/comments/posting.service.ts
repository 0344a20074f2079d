import { Inject, Injectable, Optional } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { assertPerson, AuthUser, isModerator } from '@rejoinder/accounts';
import type { AppConfig, LimitName, SessionEventData } from '@rejoinder/common';
import {
  APP_CONFIG,
  bodyFingerprint,
  PostMarks,
  RateLimits,
  DomainError,
  DomainEventBus,
  ErrorCode,
} from '@rejoinder/common';
import { ArticleState, CommentStatus } from '@rejoinder/db';
import { ArticlesRepository } from '../articles/articles.repository.js';
import type { ArticleRecord, PostArticle } from '../articles/articles.repository.js';
import { makeAnchor, passagesOf } from '../articles/passages.js';
import type { PassageAnchor } from '../articles/passages.js';
import { renderCommentMarkdown } from '../markdown/markdown-renderer.js';
import { eventRow } from '../event-log/event-rows.js';
import { CommentView, fullView } from './comment.view.js';
import { COMMENT_POLICY } from './comment-policy.js';
import type { CommentPolicy, Screening } from './comment-policy.js';
import { checkCommentBody } from './comment-body.js';
import { CommentsRepository } from './comments.repository.js';
import { PostsRepository } from './posts.repository.js';
import type { PostContextRow } from './post-statements.js';
import { viewComment } from './visibility.js';
import { CreateCommentInput } from './dto/comment.dto.js';

export interface CreateResult {
  comment: CommentView;
  created: boolean;
}

// Posting a comment, over HTTP and over sockets alike: the one read of its
// context, retries by client id, the limits, the comment policy, and the
// statement that stores it with its events (docs/architecture.md, the write path).
@Injectable()
export class PostingService {
  constructor(
    private readonly posts: PostsRepository,
    private readonly comments: CommentsRepository,
    private readonly articles: ArticlesRepository,
    private readonly events: DomainEventBus,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() @Inject(COMMENT_POLICY) private readonly policy?: CommentPolicy,
    @Optional() private readonly limits?: RateLimits,
    @Optional() private readonly marks?: PostMarks,
  ) {}

  async create(
    actor: AuthUser,
    slug: string,
    input: CreateCommentInput,
    context: { ip?: string; userAgent?: string } = {},
  ): Promise<CreateResult> {
    assertPerson(actor);
    const body = checkCommentBody(input.body, this.config);
    if (input.parentId && (input.anchor || input.stance)) throw new DomainError(ErrorCode.TopLevelOnly);
    // One read: the article (without its body), whether the id is taken, the parent.
    const found = await this.posts.postContext(slug, input.id ?? null, input.parentId ?? null);
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
      lang: input.lang ?? null,
      holdReasons: screening.hold,
    };
    const outcome = ghost
      ? await this.posts.insertWithEvents(comment, [
          // Its author hears of it as published; moderators as it is; nobody
          // else at all (no queue: the sanction decided).
          eventRow('comment.created').to('user', actor.id, () => ({})),
          eventRow('comment.created').to('moderators', null, () => ({})),
        ])
      : hold
        ? await this.posts.insertWithEvents(comment, [
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
        : await this.posts.insertPublished(
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
        // Committed: its events go out first (the live readers' first send
        // waits on nothing after the commit), then what the policy records.
        for (const event of outcome.events) this.events.publish(event);
        if (this.policy?.stored) await this.policy.stored(outcome.comment.id, screening);
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
