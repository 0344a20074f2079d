import { Injectable } from '@nestjs/common';
import type { AuthUser } from '@rejoinder/accounts';
import { canSeeSql } from '@rejoinder/forum';
import { MODERATION_FEED } from '@rejoinder/common';
import type { CommittedEvent, EventAudience } from '@rejoinder/common';
import { Prisma, PrismaService } from '@rejoinder/db';

interface EventRow {
  articleId: string;
  seq: number;
  type: string;
  audience: EventAudience;
  userId: string | null;
  commentId: string | null;
  payload: unknown;
  createdAt: Date;
}

// An event as the log keeps it: ids, not the comment (ADR 14). `commentId`
// says which comment to render into it, as the reader may see it now.
export interface LoggedEvent extends CommittedEvent {
  commentId: string | null;
}

const toEvent = (row: EventRow): LoggedEvent => ({
  articleId: row.articleId,
  seq: row.seq,
  type: row.type,
  audience: row.audience,
  userId: row.userId,
  at: row.createdAt.toISOString(),
  data: row.payload,
  commentId: row.commentId,
});

@Injectable()
export class ArticleEventsRepository {
  constructor(private readonly prisma: PrismaService) {}

  // Events after `after`, in order; only those `viewer` may see when a viewer
  // filter is given (undefined: every audience, for the node's own stream).
  async after(articleId: string, after: number, limit: number, viewer?: AuthUser | null): Promise<LoggedEvent[]> {
    if (articleId === MODERATION_FEED) return this.feedAfter(after, limit);
    const visible = viewer === undefined ? Prisma.empty : Prisma.sql`AND ${canSeeSql(viewer)}`;
    const rows = await this.prisma.$queryRaw<EventRow[]>`
      SELECT e.article_id AS "articleId", e.seq, e.type, e.audience::text AS audience, e.user_id AS "userId",
             e.comment_id AS "commentId", e.payload, e.created_at AS "createdAt"
      FROM article_events e
      WHERE e.article_id = ${articleId}::uuid AND e.seq > ${after} ${visible}
      ORDER BY e.seq
      LIMIT ${limit}`;
    return rows.map(toEvent);
  }

  async heads(articleIds: string[]): Promise<Map<string, number>> {
    const heads = new Map<string, number>();
    const ids = articleIds.filter((id) => id !== MODERATION_FEED);
    if (ids.length > 0) {
      const rows = await this.prisma.article.findMany({
        where: { id: { in: ids } },
        select: { id: true, lastSeq: true },
      });
      for (const row of rows) heads.set(row.id, row.lastSeq);
    }
    if (ids.length < articleIds.length) {
      const feed = await this.prisma.moderationFeed.findUnique({ where: { id: 1 } });
      heads.set(MODERATION_FEED, feed?.lastSeq ?? 0);
    }
    return heads;
  }

  private async feedAfter(after: number, limit: number): Promise<LoggedEvent[]> {
    const rows = await this.prisma.moderationEvent.findMany({
      where: { seq: { gt: after } },
      orderBy: { seq: 'asc' },
      take: limit,
    });
    return rows.map((row) => ({
      articleId: row.articleId,
      stream: MODERATION_FEED,
      seq: row.seq,
      type: row.type,
      audience: 'moderators',
      userId: null,
      at: row.createdAt.toISOString(),
      data: row.payload,
      commentId: (row.payload as { commentId?: string } | null)?.commentId ?? null,
    }));
  }

  async head(articleId: string): Promise<number | null> {
    return (await this.heads([articleId])).get(articleId) ?? null;
  }
}
