import { Injectable } from '@nestjs/common';
import { PrismaService } from '@rejoinder/db';
import type { TrustHistory, TrustLevel } from './trust-level.js';

// One aggregate over the account's comments (comments_author_idx), run only
// when the stored level is stale: at most once per TRUST_RECOMPUTE_SECONDS per
// account, or after a moderator decided on one of its comments.
const HISTORY = `SELECT
    extract(epoch FROM now() - u.created_at)::float8 / 86400 AS "ageDays",
    (SELECT count(*)::int FROM comments c WHERE c.author_id = u.id AND c.status = 'published') AS published,
    (SELECT coalesce(sum(c.upvotes), 0)::int FROM comments c
      WHERE c.author_id = u.id AND c.status = 'published') AS "upvotesReceived",
    (SELECT count(*)::int FROM comments c
      WHERE c.author_id = u.id AND c.status IN ('rejected', 'removed')
        AND c.updated_at > now() - make_interval(secs => $2::float8)) AS "recentRejections",
    (SELECT count(*)::int FROM reports r JOIN comments c ON c.id = r.comment_id
      WHERE c.author_id = u.id AND c.status IN ('rejected', 'removed') AND r.resolved_at IS NOT NULL
        AND r.resolved_at > now() - make_interval(secs => $2::float8)) AS "recentUpheldReports"
  FROM users u WHERE u.id = $1::uuid`;

@Injectable()
export class TrustRepository {
  constructor(private readonly prisma: PrismaService) {}

  async history(userId: string, recentDays: number): Promise<TrustHistory | null> {
    const { rows } = await this.prisma.read<TrustHistory>({ text: HISTORY, values: [userId, recentDays * 86400] });
    return rows[0] ?? null;
  }

  async store(userId: string, level: TrustLevel): Promise<void> {
    await this.prisma.$executeRaw`
      UPDATE users SET trust_level = ${level}::smallint, trust_computed_at = now() WHERE id = ${userId}::uuid`;
  }

  // A moderator decided on one of the account's comments: computed again at
  // its next post.
  async invalidate(userId: string): Promise<void> {
    await this.prisma.$executeRaw`UPDATE users SET trust_computed_at = NULL WHERE id = ${userId}::uuid`;
  }
}
