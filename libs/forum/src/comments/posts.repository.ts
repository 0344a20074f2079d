import { Injectable } from '@nestjs/common';
import { inModerationFeed, storedData } from '@rejoinder/common';
import type { ArticleEvent } from '@rejoinder/common';
import { CommentStatus, PrismaService } from '@rejoinder/db';
import type { PassageAnchor } from '../articles/passages.js';
import { appendCommentEvents, bumpAncestors, lockArticle, notifyReply } from '../event-log/event-log.repository.js';
import type { EventRow } from '../event-log/event-rows.js';
import { CommentRow, Stance } from './comment.types.js';
import { readComment } from './comment-rows.js';
import { withComment } from './visibility.js';
import { insertPublished, isCommentIdTaken, postContext } from './post-statements.js';
import type { PostContextRow } from './post-statements.js';

// Storing a new comment with its events: what a post reads first, and the two
// ways it is written (one statement for a published comment, a transaction
// for one that is held or shadowed), which must write the same rows; the
// post-paths integration test holds them to it for every state.

export interface NewComment {
  id: string;
  articleId: string;
  parentId: string | null;
  authorId: string;
  path: string[];
  depth: number;
  status: CommentStatus;
  bodySource: string;
  bodyHtml: string;
  anchor: PassageAnchor | null;
  stance: Stance | null;
  // The language the reader chose for the page, if any (BCP 47).
  lang: string | null;
  // Why it is held (empty when published).
  holdReasons: string[];
}

export type InsertOutcome =
  { kind: 'inserted'; comment: CommentRow; events: ArticleEvent[] } | { kind: 'article-closed' } | { kind: 'id-taken' };

@Injectable()
export class PostsRepository {
  constructor(private readonly prisma: PrismaService) {}

  // Inserts the comment, adjusts the counters of the article and of every
  // ancestor, and appends the article's next events, all in one transaction.
  // The article row's lock (taken first) orders concurrent writers, so event
  // numbers become visible in commit order with no gaps.
  async insertWithEvents(comment: NewComment, events: EventRow[]): Promise<InsertOutcome> {
    const listed = comment.status === CommentStatus.published;
    try {
      return await this.prisma.$transaction(async (tx) => {
        const tally = { paragraph: comment.anchor?.paragraph ?? null, stance: comment.stance };
        const head = await lockArticle(tx, comment.articleId, events.length, listed ? 1 : 0, true, tally);
        if (!head) return { kind: 'article-closed' as const };
        const { anchor } = comment;
        const inserted = await tx.$executeRaw`
          INSERT INTO comments (id, article_id, parent_id, author_id, path, depth, status, listed,
                                body_source, body_html, created_at, updated_at,
                                anchor_paragraph, anchor_quote, anchor_prefix, anchor_suffix, stance, lang, hold_reasons)
          VALUES (${comment.id}::uuid, ${comment.articleId}::uuid, ${comment.parentId}::uuid, ${comment.authorId}::uuid,
                  ${comment.path}::uuid[], ${comment.depth}, ${comment.status}::"CommentStatus", ${listed},
                  ${comment.bodySource}, ${comment.bodyHtml}, ${head.at}, ${head.at},
                  ${anchor?.paragraph ?? null}::int, ${anchor?.quote ?? null}, ${anchor?.prefix ?? null}, ${anchor?.suffix ?? null},
                  ${comment.stance}::"Stance", ${comment.lang}, ${comment.holdReasons}::text[])
          ON CONFLICT (id) DO NOTHING`;
        if (inserted === 0) throw new IdTaken();
        if (listed) {
          await bumpAncestors(tx, comment.path, comment.parentId, 1);
          if (comment.parentId)
            await notifyReply(tx, comment.parentId, comment.id, comment.articleId, comment.authorId);
        }
        const stored = await readComment(tx, comment.id);
        const committed = await appendCommentEvents(tx, comment.articleId, head, comment.id, events, stored);
        return { kind: 'inserted' as const, comment: stored, events: committed };
      });
    } catch (error) {
      if (error instanceof IdTaken) return { kind: 'id-taken' };
      throw error;
    }
  }

  // A published comment with its one public event, in one statement on the
  // driver (post-statements.ts): the same rows as insertWithEvents, with the
  // article's lock held for one statement instead of a transaction's round
  // trips.
  async insertPublished(comment: NewComment, event: EventRow): Promise<InsertOutcome> {
    const fits = event.audience === 'public' && event.userId === null && !inModerationFeed(event.type);
    if (comment.status !== CommentStatus.published || !fits) {
      return this.insertWithEvents(comment, [event]);
    }
    // The log's payload never holds the comment (ADR 14): built from the row
    // as it will be stored, before it is.
    const planned: CommentRow = {
      ...comment,
      authorName: '',
      authorDisplayName: null,
      listed: true,
      replyCount: 0,
      descendantCount: 0,
      upvotes: 0,
      downvotes: 0,
      score: 0,
      createdAt: new Date(),
      editedAt: null,
      version: 1,
      openReports: 0,
      featured: false,
      pinned: false,
      moderationReason: null,
      bestScore: 0,
      controversy: 0,
      anchorParagraph: comment.anchor?.paragraph ?? null,
      anchorQuote: comment.anchor?.quote ?? null,
      anchorPrefix: comment.anchor?.prefix ?? null,
      anchorSuffix: comment.anchor?.suffix ?? null,
    };
    const payload = JSON.stringify(storedData(event.type, withComment(event.type, event.payload(planned), planned)));
    let rows: (CommentRow & { eventSeq: number; eventAt: Date })[];
    try {
      ({ rows } = await this.prisma.write<CommentRow & { eventSeq: number; eventAt: Date }>(
        insertPublished(comment, { type: event.type, payload }),
      ));
    } catch (error) {
      if (isCommentIdTaken(error)) return { kind: 'id-taken' };
      throw error;
    }
    const row = rows[0];
    if (!row) return { kind: 'article-closed' };
    const { eventSeq: seq, eventAt: at, ...stored } = row;
    const data = withComment(event.type, event.payload(stored), stored);
    return {
      kind: 'inserted',
      comment: stored,
      events: [
        {
          articleId: comment.articleId,
          seq,
          type: event.type,
          audience: event.audience,
          userId: event.userId,
          at: at.toISOString(),
          data,
        } as ArticleEvent,
      ],
    };
  }

  // What a post needs to know (its article, whether its id is taken, its
  // parent), in one read on the driver (ADR 26); null: no such article.
  async postContext(slug: string, id: string | null, parentId: string | null): Promise<PostContextRow | null> {
    const { rows } = await this.prisma.read<PostContextRow>(postContext(slug, id, parentId));
    return rows[0] ?? null;
  }
}

class IdTaken extends Error {}
