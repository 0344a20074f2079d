import { Injectable } from '@nestjs/common';
import { PrismaService } from '@rejoinder/db';
import type { MeasuredCounts } from '../slow-mode/slow-mode.decision.js';

export interface HealthCounts {
  comments1m: number;
  comments5m: number;
  reports1m: number;
  reports5m: number;
  recentComments: number;
  recentHeld: number;
  recentRemoved: number;
  recentNewAccounts: number;
}

export interface SubthreadCounts {
  rootId: string;
  replies: number;
  maxDepth: number;
  comments: number;
  reported: number;
}

// Rates and shares of one article's thread, measured in the database so that
// every API node sees the same numbers. Comments are found by
// (article_id, created_at) and reports by created_at (both indexed).
@Injectable()
export class ThreadHealthRepository {
  constructor(private readonly prisma: PrismaService) {}

  // Comments and reports in the window that ends now, and the most in any
  // window that ended in the last `quietSeconds` (a sliding count over the
  // rows of that period, plus the window that ended just as it began).
  async measure(articleId: string, windowSeconds: number, quietSeconds: number): Promise<MeasuredCounts> {
    const [row] = await this.prisma.$queryRaw<MeasuredCounts[]>`
      WITH c AS (
        SELECT created_at FROM comments
        WHERE article_id = ${articleId}::uuid
          AND created_at > now() - make_interval(secs => ${windowSeconds + quietSeconds}::int)
      ), r AS (
        SELECT r.created_at FROM reports r JOIN comments c ON c.id = r.comment_id
        WHERE c.article_id = ${articleId}::uuid
          AND r.created_at > now() - make_interval(secs => ${windowSeconds + quietSeconds}::int)
      ), cw AS (
        SELECT created_at, count(*) OVER (ORDER BY created_at
          RANGE BETWEEN make_interval(secs => ${windowSeconds}::int) PRECEDING AND CURRENT ROW) AS n FROM c
      ), rw AS (
        SELECT created_at, count(*) OVER (ORDER BY created_at
          RANGE BETWEEN make_interval(secs => ${windowSeconds}::int) PRECEDING AND CURRENT ROW) AS n FROM r
      )
      SELECT
        (SELECT count(*) FROM c WHERE created_at > now() - make_interval(secs => ${windowSeconds}::int))::int AS comments,
        (SELECT count(*) FROM r WHERE created_at > now() - make_interval(secs => ${windowSeconds}::int))::int AS reports,
        GREATEST(
          (SELECT max(n) FROM cw WHERE created_at > now() - make_interval(secs => ${quietSeconds}::int)),
          (SELECT count(*) FROM c WHERE created_at <= now() - make_interval(secs => ${quietSeconds}::int)),
          0)::int AS "peakComments",
        GREATEST(
          (SELECT max(n) FROM rw WHERE created_at > now() - make_interval(secs => ${quietSeconds}::int)),
          (SELECT count(*) FROM r WHERE created_at <= now() - make_interval(secs => ${quietSeconds}::int)),
          0)::int AS "peakReports"`;
    return row;
  }

  // Articles in automatic slow mode: the sweep looks at them so it lifts
  // when nobody posts.
  async inAutoSlowMode(): Promise<string[]> {
    const rows = await this.prisma.$queryRaw<{ id: string }[]>`
      SELECT id FROM articles WHERE slow_mode_source = 'auto' AND slow_mode_setting = 'auto' LIMIT 1000`;
    return rows.map((r) => r.id);
  }

  async counts(articleId: string, recentMinutes: number, newAccountHours: number): Promise<HealthCounts> {
    const [row] = await this.prisma.$queryRaw<HealthCounts[]>`
      WITH c AS (
        SELECT c.created_at, c.status, u.created_at AS joined FROM comments c JOIN users u ON u.id = c.author_id
        WHERE c.article_id = ${articleId}::uuid
          AND c.created_at > now() - make_interval(mins => ${recentMinutes}::int)
      ), r AS (
        SELECT r.created_at FROM reports r JOIN comments c ON c.id = r.comment_id
        WHERE c.article_id = ${articleId}::uuid AND r.created_at > now() - interval '5 minutes'
      )
      SELECT
        (SELECT count(*) FROM c WHERE created_at > now() - interval '1 minute')::int AS "comments1m",
        (SELECT count(*) FROM c WHERE created_at > now() - interval '5 minutes')::int AS "comments5m",
        (SELECT count(*) FROM r WHERE created_at > now() - interval '1 minute')::int AS "reports1m",
        (SELECT count(*) FROM r)::int AS "reports5m",
        (SELECT count(*) FROM c)::int AS "recentComments",
        (SELECT count(*) FROM c WHERE status = 'pending')::int AS "recentHeld",
        (SELECT count(*) FROM c WHERE status IN ('removed', 'rejected'))::int AS "recentRemoved",
        (SELECT count(*) FROM c
          WHERE joined > now() - make_interval(secs => ${Math.round(newAccountHours * 3600)}::int))::int AS "recentNewAccounts"`;
    return row;
  }

  // Of the period's comments, how many each rule held (a comment held for
  // two reasons counts under both), whether still held or decided since.
  holdsByReason(articleId: string, recentMinutes: number): Promise<{ reason: string; count: number }[]> {
    return this.prisma.$queryRaw<{ reason: string; count: number }[]>`
      SELECT r.reason, count(*)::int AS count
      FROM comments c CROSS JOIN LATERAL unnest(c.hold_reasons) AS r(reason)
      WHERE c.article_id = ${articleId}::uuid
        AND c.created_at > now() - make_interval(mins => ${recentMinutes}::int)
      GROUP BY r.reason ORDER BY r.reason`;
  }

  // The subthreads (by top-level comment) with the most replies in the last
  // five minutes, and for each the whole subthread's size, depth and how many
  // of its comments were reported.
  async hottest(articleId: string, limit: number): Promise<SubthreadCounts[]> {
    return this.prisma.$queryRaw<SubthreadCounts[]>`
      WITH hot AS (
        SELECT path[1] AS root, count(*)::int AS replies FROM comments
        WHERE article_id = ${articleId}::uuid AND depth > 0 AND created_at > now() - interval '5 minutes'
        GROUP BY path[1] ORDER BY replies DESC, root LIMIT ${limit}
      )
      SELECT h.root AS "rootId", h.replies,
             max(c.depth)::int AS "maxDepth", count(*)::int AS comments,
             count(*) FILTER (WHERE EXISTS (SELECT 1 FROM reports r WHERE r.comment_id = c.id))::int AS reported
      FROM hot h JOIN comments c ON c.path @> ARRAY[h.root]::uuid[] AND c.article_id = ${articleId}::uuid
      GROUP BY h.root, h.replies
      ORDER BY h.replies DESC, h.root`;
  }
}
