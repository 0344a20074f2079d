import { Injectable } from '@nestjs/common';
import type { AuthUser } from '@rejoinder/accounts';
import { isModerator } from '@rejoinder/accounts';
import type { CommittedEvent, EventAudience } from '@rejoinder/common';
import { Prisma, PrismaService } from '@rejoinder/db';

interface EventRow {
  articleId: string;
  seq: number;
  type: string;
  audience: EventAudience;
  userId: string | null;
  payload: unknown;
  createdAt: Date;
}

const toEvent = (row: EventRow): CommittedEvent => ({
  articleId: row.articleId,
  seq: row.seq,
  type: row.type,
  audience: row.audience,
  userId: row.userId,
  at: row.createdAt.toISOString(),
  data: row.payload,
});

@Injectable()
export class ArticleEventsRepository {
  constructor(private readonly prisma: PrismaService) {}

  // Events after `after`, in order; only those `viewer` may see when a viewer
  // filter is given (undefined: every audience, for the node's own stream).
  async after(articleId: string, after: number, limit: number, viewer?: AuthUser | null): Promise<CommittedEvent[]> {
    const visible =
      viewer === undefined
        ? Prisma.empty
        : Prisma.sql`AND (e.audience = 'public' OR e.user_id = ${viewer?.id ?? null}::uuid
                          OR (e.audience = 'moderators' AND ${isModerator(viewer)}))`;
    const rows = await this.prisma.$queryRaw<EventRow[]>`
      SELECT e.article_id AS "articleId", e.seq, e.type, e.audience::text AS audience, e.user_id AS "userId",
             e.payload, e.created_at AS "createdAt"
      FROM article_events e
      WHERE e.article_id = ${articleId}::uuid AND e.seq > ${after} ${visible}
      ORDER BY e.seq
      LIMIT ${limit}`;
    return rows.map(toEvent);
  }

  async heads(articleIds: string[]): Promise<Map<string, number>> {
    if (articleIds.length === 0) return new Map();
    const rows = await this.prisma.article.findMany({
      where: { id: { in: articleIds } },
      select: { id: true, lastSeq: true },
    });
    return new Map(rows.map((r) => [r.id, r.lastSeq]));
  }

  async head(articleId: string): Promise<number | null> {
    return (await this.heads([articleId])).get(articleId) ?? null;
  }
}
