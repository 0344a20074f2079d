import { Injectable } from '@nestjs/common';
import { keyPart, keysetAfter, Prisma, PrismaService, Role, WordRuleAction } from '@rejoinder/db';

export const SANCTION_STATE = `SELECT id, username, role::text AS role, banned_at AS "bannedAt",
  suspended_until AS "suspendedUntil", premoderated,
  email IS NOT NULL AND email_verified_at IS NOT NULL AS "emailVerified" FROM users WHERE id = $1::uuid`;

export interface SanctionState {
  id: string;
  username: string;
  role: string;
  bannedAt: Date | null;
  suspendedUntil: Date | null;
  premoderated: boolean;
  // Read with the sanctions for REQUIRE_VERIFIED_EMAIL_TO_POST (absent where
  // only the sanctions were asked for).
  emailVerified?: boolean;
}

// What the posting rules read about the author, in the one read a post makes
// of its author (ADR "trust levels"): sanctions, trust, the address's domain,
// and how many of its comments are published (counted up to $2 only: the
// new-commenter rule needs no more).
export const AUTHOR_STATE = `SELECT u.id, u.username, u.role::text AS role, u.banned_at AS "bannedAt",
  u.suspended_until AS "suspendedUntil", u.premoderated, u.ghost_banned_at AS "ghostBannedAt",
  u.created_at AS "createdAt", u.email, u.trust_level AS "trustLevel", u.trust_level_pinned AS "trustLevelPinned",
  u.trust_computed_at AS "trustComputedAt",
  u.email IS NOT NULL AND u.email_verified_at IS NOT NULL AS "emailVerified",
  (SELECT count(*)::int FROM (SELECT 1 FROM comments c WHERE c.author_id = u.id AND c.status = 'published'
     LIMIT $2::int) p) AS "publishedUpTo"
  FROM users u WHERE u.id = $1::uuid`;

export interface AuthorState extends SanctionState {
  emailVerified: boolean;
  ghostBannedAt: Date | null;
  createdAt: Date;
  email: string | null;
  trustLevel: number;
  trustLevelPinned: number | null;
  trustComputedAt: Date | null;
  publishedUpTo: number;
}

const USER_SANCTIONS = {
  id: true,
  username: true,
  role: true,
  bannedAt: true,
  suspendedUntil: true,
  premoderated: true,
  ghostBannedAt: true,
  trustLevel: true,
  trustLevelPinned: true,
} satisfies Prisma.UserSelect;

export interface UserSanctions extends SanctionState {
  ghostBannedAt: Date | null;
  trustLevel: number;
  trustLevelPinned: number | null;
}

export interface AuditRow {
  id: string;
  moderatorId: string | null;
  moderatorName: string | null;
  // The service key that acted (its id is in moderator_id), if one did.
  apiKeyName: string | null;
  action: string;
  targetType: string;
  targetId: string;
  articleId: string | null;
  reasonCode: string | null;
  note: string | null;
  createdAt: Date;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@Injectable()
export class ModerationRepository {
  constructor(private readonly prisma: PrismaService) {}

  // Read for every new comment: one statement on the driver (ADR 26).
  async sanctionState(userId: string): Promise<SanctionState | null> {
    if (!UUID.test(userId)) return null;
    const { rows } = await this.prisma.read<SanctionState>({ text: SANCTION_STATE, values: [userId] });
    return rows[0] ?? null;
  }

  // Read for every new comment instead of sanctionState: one statement.
  async authorState(userId: string, countPublishedUpTo: number): Promise<AuthorState | null> {
    if (!UUID.test(userId)) return null;
    const { rows } = await this.prisma.read<AuthorState>({ text: AUTHOR_STATE, values: [userId, countPublishedUpTo] });
    return rows[0] ?? null;
  }

  // Sets the user's sanctions and records the action, together.
  async setSanctions(
    userId: string,
    data: {
      bannedAt?: Date | null;
      suspendedUntil?: Date | null;
      premoderated?: boolean;
      trustLevelPinned?: number | null;
      ghostBannedAt?: Date | null;
    },
    audit: { moderatorId: string; action: string; reasonCode?: string | null; note?: string | null },
  ): Promise<UserSanctions> {
    const [user] = await this.prisma.$transaction([
      this.prisma.user.update({
        where: { id: userId },
        data,
        select: USER_SANCTIONS,
      }),
      this.prisma.moderationAction.create({
        data: {
          ...audit,
          targetType: 'user',
          targetId: userId,
          reasonCode: audit.reasonCode ?? null,
          note: audit.note ?? null,
        },
      }),
    ]);
    return user;
  }

  // Gives the user a role and records who did it, together.
  async setRole(
    userId: string,
    role: Role,
    audit: { moderatorId: string },
  ): Promise<{ id: string; username: string; role: Role }> {
    const [user] = await this.prisma.$transaction([
      this.prisma.user.update({
        where: { id: userId },
        data: { role },
        select: { id: true, username: true, role: true },
      }),
      this.prisma.moderationAction.create({
        data: {
          moderatorId: audit.moderatorId,
          action: 'set_role',
          targetType: 'user',
          targetId: userId,
          reasonCode: null,
          note: role,
        },
      }),
    ]);
    return user;
  }

  // Returns false when this reader had reported the comment already.
  openReportCount(commentId: string): Promise<number> {
    return this.prisma.report.count({ where: { commentId, resolvedAt: null } });
  }

  openReports(commentIds: string[]) {
    return this.prisma.report.findMany({
      where: { commentId: { in: commentIds }, resolvedAt: null },
      select: { commentId: true, reason: true, note: true, createdAt: true },
      orderBy: { createdAt: 'asc' },
    });
  }

  // How many comments each queue holds (two index range scans).
  async queueDepth(): Promise<{ pending: number; reported: number }> {
    const [row] = await this.prisma.$queryRaw<{ pending: number; reported: number }[]>`
      SELECT (SELECT count(*)::int FROM comments WHERE status = 'pending') AS pending,
             (SELECT count(*)::int FROM comments WHERE open_reports > 0 AND status IN ('published', 'pending')) AS reported`;
    return row;
  }

  // Ids of a page of a moderation queue, oldest first.
  async queuePage(args: {
    status: 'pending' | 'reported' | 'rejected';
    articleId?: string;
    after?: { createdAt: string; id: string };
    limit: number;
  }): Promise<string[]> {
    const filter =
      args.status === 'reported'
        ? Prisma.sql`c.open_reports > 0 AND c.status IN ('published', 'pending')`
        : Prisma.sql`c.status = ${args.status}::"CommentStatus"`;
    const article = args.articleId ? Prisma.sql`AND c.article_id = ${args.articleId}::uuid` : Prisma.empty;
    const after = args.after
      ? Prisma.sql`AND ${keysetAfter('asc', ['c.created_at', 'c.id'], [keyPart.time(args.after.createdAt), keyPart.id(args.after.id)])}`
      : Prisma.empty;
    const rows = await this.prisma.$queryRaw<{ id: string }[]>`
      SELECT c.id FROM comments c
      WHERE ${filter} ${article} ${after}
      ORDER BY c.created_at, c.id
      LIMIT ${args.limit}`;
    return rows.map((r) => r.id);
  }

  // Each author's record: how many of their comments are published and rejected.
  async authorRecords(authorIds: string[]) {
    if (authorIds.length === 0) return new Map<string, { approved: number; rejected: number }>();
    const rows = await this.prisma.comment.groupBy({
      by: ['authorId', 'status'],
      where: { authorId: { in: authorIds }, status: { in: ['published', 'rejected'] } },
      _count: { _all: true },
    });
    const records = new Map<string, { approved: number; rejected: number }>();
    for (const id of authorIds) records.set(id, { approved: 0, rejected: 0 });
    for (const row of rows) {
      const record = records.get(row.authorId)!;
      if (row.status === 'published') record.approved = row._count._all;
      else record.rejected = row._count._all;
    }
    return records;
  }

  sanctionStates(userIds: string[]): Promise<UserSanctions[]> {
    return this.prisma.user.findMany({ where: { id: { in: userIds } }, select: USER_SANCTIONS });
  }

  // Reports on the comment not yet resolved, weighed (a regular's counts more).
  async openReportWeight(commentId: string): Promise<{ count: number; weight: number }> {
    const [row] = await this.prisma.$queryRaw<{ count: number; weight: number }[]>`
      SELECT count(*)::int AS count, coalesce(sum(weight), 0)::int AS weight
      FROM reports WHERE comment_id = ${commentId}::uuid AND resolved_at IS NULL`;
    return row;
  }

  // Why each of these comments was held (the rules named at the time).
  async holdReasons(commentIds: string[]): Promise<Map<string, string[]>> {
    if (commentIds.length === 0) return new Map();
    const rows = await this.prisma.comment.findMany({
      where: { id: { in: commentIds } },
      select: { id: true, holdReasons: true },
    });
    return new Map(rows.map((r) => [r.id, r.holdReasons]));
  }

  wordRules() {
    return this.prisma.wordRule.findMany({ orderBy: { createdAt: 'asc' } });
  }

  async addWordRule(pattern: string, action: WordRuleAction) {
    try {
      return await this.prisma.wordRule.create({ data: { pattern, action } });
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') return null;
      throw error;
    }
  }

  async deleteWordRule(id: string): Promise<boolean> {
    const { count } = await this.prisma.wordRule.deleteMany({ where: { id } });
    return count > 0;
  }

  // The moderation log, newest first; `publicOnly` keeps the removals and
  // rejections of one article's comments.
  async log(args: {
    articleId?: string;
    publicOnly: boolean;
    before?: { createdAt: string; id: string };
    limit: number;
  }) {
    const article = args.articleId ? Prisma.sql`AND m.article_id = ${args.articleId}::uuid` : Prisma.empty;
    const publicOnly = args.publicOnly
      ? Prisma.sql`AND m.target_type = 'comment' AND m.action IN ('remove', 'reject')`
      : Prisma.empty;
    const before = args.before
      ? Prisma.sql`AND ${keysetAfter('desc', ['m.created_at', 'm.id'], [keyPart.time(args.before.createdAt), keyPart.id(args.before.id)])}`
      : Prisma.empty;
    return this.prisma.$queryRaw<AuditRow[]>`
      SELECT m.id, m.moderator_id AS "moderatorId", u.username AS "moderatorName", k.name AS "apiKeyName", m.action, m.target_type AS "targetType",
             m.target_id AS "targetId", m.article_id AS "articleId", m.reason_code AS "reasonCode", m.note, m.created_at AS "createdAt"
      FROM moderation_actions m LEFT JOIN users u ON u.id = m.moderator_id LEFT JOIN api_keys k ON k.id = m.moderator_id
      WHERE true ${article} ${publicOnly} ${before}
      ORDER BY m.created_at DESC, m.id DESC
      LIMIT ${args.limit}`;
  }
}
