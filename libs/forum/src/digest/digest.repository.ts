import { Injectable } from '@nestjs/common';
import { Prisma, PrismaService } from '@rejoinder/db';
import type { WindowComment } from './digest.summary.js';

const { sql, empty } = Prisma;

// A `comment.removed` event in the window that concerns the reader, with its
// comment as it is now (never its text).
export interface RemovalRow {
  commentId: string;
  parentId: string | null;
  rootId: string;
  authorId: string;
  status: string;
  reasonCode: string | null;
  seq: number;
  at: Date;
}

// Reads for "catch me up". Each is bounded by the window of the article's
// log (at most DIGEST_MAX_EVENTS events, read through its primary key) or by
// one reader's own comments, never by the size of the thread.
@Injectable()
export class DigestRepository {
  constructor(private readonly prisma: PrismaService) {}

  async article(slug: string): Promise<{ id: string; head: number } | null> {
    const rows = await this.prisma.$queryRaw<{ id: string; head: number }[]>`
      SELECT id, last_seq AS head FROM articles WHERE slug = ${slug}`;
    return rows[0] ?? null;
  }

  // What bounds the window: the oldest event kept, the last event older than
  // `cutoff`, and (for a time `since`) the last event at or before it.
  // Index scans on article_events (article_id, created_at, seq), one row each.
  async floors(
    articleId: string,
    cutoff: Date,
    at: Date | null,
  ): Promise<{ oldest: number | null; ageFloor: number | null; atTime: number | null }> {
    const lastBefore = (bound: Prisma.Sql) => sql`(SELECT e.seq FROM article_events e
        WHERE e.article_id = ${articleId}::uuid AND ${bound}
        ORDER BY e.created_at DESC, e.seq DESC LIMIT 1)`;
    const rows = await this.prisma.$queryRaw<
      { oldest: number | null; ageFloor: number | null; atTime: number | null }[]
    >`
      SELECT (SELECT min(e.seq) FROM article_events e WHERE e.article_id = ${articleId}::uuid) AS oldest,
             ${lastBefore(sql`e.created_at < ${cutoff}::timestamptz`)} AS "ageFloor",
             ${at ? lastBefore(sql`e.created_at <= ${at}::timestamptz`) : sql`NULL::int`} AS "atTime"`;
    return rows[0];
  }

  // When an event happened (null when the log does not keep it).
  async eventTime(articleId: string, seq: number): Promise<Date | null> {
    const rows = await this.prisma.$queryRaw<{ at: Date }[]>`
      SELECT created_at AS at FROM article_events WHERE article_id = ${articleId}::uuid AND seq = ${seq}`;
    return rows[0]?.at ?? null;
  }

  // The comments that came into the window (a `comment.created` event in
  // it: posted, or approved or restored from rejected), as they are now.
  // One primary-key lookup per event (the LIMIT keeps the planner from
  // trading them for a scan of the article's comments when the window is
  // large), so the cost follows the window, not the thread.
  windowComments(articleId: string, after: number, head: number): Promise<WindowComment[]> {
    return this.prisma.$queryRaw<WindowComment[]>`
      SELECT DISTINCT w.* FROM article_events e
      CROSS JOIN LATERAL (
        SELECT c.id, c.parent_id AS "parentId", c.path[1] AS "rootId", c.depth, c.status::text AS status,
               c.author_id AS "authorId",
               (SELECT p.author_id FROM comments p WHERE p.id = c.parent_id) AS "parentAuthorId",
               c.stance::text AS stance, c.best_score AS "bestScore", c.score, c.created_at AS "createdAt"
        FROM comments c WHERE c.id = e.comment_id LIMIT 1
      ) w
      WHERE e.article_id = ${articleId}::uuid AND e.seq > ${after} AND e.seq <= ${head}
        AND e.type = 'comment.created'`;
  }

  // Comments taken down or held back in the window (their latest such event
  // each) that the reader wrote or that lie in a subthread they wrote in,
  // among the events the reader may receive.
  removals(
    articleId: string,
    after: number,
    head: number,
    viewer: { id: string; staff: boolean },
  ): Promise<RemovalRow[]> {
    const staff = viewer.staff ? sql`OR e.audience = 'moderators'` : empty;
    return this.prisma.$queryRaw<RemovalRow[]>`
      SELECT * FROM (
        SELECT DISTINCT ON (e.comment_id)
               e.comment_id AS "commentId", c.parent_id AS "parentId", c.path[1] AS "rootId",
               c.author_id AS "authorId", c.status::text AS status, e.payload->>'reasonCode' AS "reasonCode",
               e.seq, e.created_at AS at
        FROM article_events e
        JOIN comments c ON c.id = e.comment_id
        WHERE e.article_id = ${articleId}::uuid AND e.seq > ${after} AND e.seq <= ${head}
          AND e.type = 'comment.removed'
          AND (e.audience = 'public' OR e.user_id = ${viewer.id}::uuid ${staff})
          AND (c.author_id = ${viewer.id}::uuid
               OR c.path[1] IN (SELECT m.path[1] FROM comments m
                                WHERE m.author_id = ${viewer.id}::uuid AND m.article_id = ${articleId}::uuid))
        ORDER BY e.comment_id, e.seq DESC
      ) r
      ORDER BY r.seq DESC`;
  }
}
