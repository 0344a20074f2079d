import { Injectable } from '@nestjs/common';
import { PrismaService } from '@rejoinder/db';
import { ACTIONS_HIDDEN_FROM_THEIR_TARGET } from '@rejoinder/forum';

@Injectable()
export class PrivacyRepository {
  constructor(private readonly prisma: PrismaService) {}

  // Everything stored about one account, table by table, oldest first.
  async everything(userId: string) {
    const [user, comments, votes, reports, notifications, sanctions] = await Promise.all([
      this.prisma.user.findUnique({
        where: { id: userId },
        select: {
          id: true,
          username: true,
          email: true,
          role: true,
          createdAt: true,
          updatedAt: true,
          externalIssuer: true,
          externalSubject: true,
          bannedAt: true,
          suspendedUntil: true,
          premoderated: true,
          passwordHash: true,
        },
      }),
      this.prisma.comment.findMany({
        where: { authorId: userId },
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        select: {
          id: true,
          articleId: true,
          parentId: true,
          status: true,
          bodySource: true,
          bodyHtml: true,
          createdAt: true,
          editedAt: true,
          upvotes: true,
          downvotes: true,
          featured: true,
          pinned: true,
          moderationReason: true,
          article: { select: { slug: true } },
          revisions: { orderBy: { replacedAt: 'asc' }, select: { bodySource: true, bodyHtml: true, replacedAt: true } },
        },
      }),
      this.prisma.vote.findMany({
        where: { userId },
        orderBy: { createdAt: 'asc' },
        select: { commentId: true, value: true, createdAt: true, updatedAt: true },
      }),
      this.prisma.report.findMany({
        where: { reporterId: userId },
        orderBy: { createdAt: 'asc' },
        select: { commentId: true, reason: true, note: true, createdAt: true, resolvedAt: true },
      }),
      this.prisma.notification.findMany({
        where: { userId },
        orderBy: { createdAt: 'asc' },
        select: { id: true, type: true, commentId: true, articleId: true, readAt: true, createdAt: true },
      }),
      this.prisma.moderationAction.findMany({
        where: {
          targetType: 'user',
          targetId: userId,
          action: { notIn: [...ACTIONS_HIDDEN_FROM_THEIR_TARGET] },
        },
        orderBy: { createdAt: 'asc' },
        select: { action: true, reasonCode: true, note: true, createdAt: true },
      }),
    ]);
    return { user, comments, votes, reports, notifications, sanctions };
  }

  // Deletes the account and what only it holds, after its comments have been
  // erased; records that the erasure happened. Returns false when the account
  // wrote a comment in the meantime (erase its comments again, then retry).
  async deleteAccount(userId: string, audit: { actorId: string }): Promise<boolean> {
    return this.prisma.$transaction(async (tx) => {
      const left = await tx.comment.count({ where: { authorId: userId } });
      if (left > 0) return false;
      // Its open reports stop counting towards holding a comment back.
      await tx.$executeRaw`
        UPDATE comments c SET open_reports = GREATEST(c.open_reports - 1, 0)
        FROM reports r WHERE r.comment_id = c.id AND r.reporter_id = ${userId}::uuid AND r.resolved_at IS NULL`;
      await tx.$executeRaw`DELETE FROM notifications WHERE user_id = ${userId}::uuid OR actor_id = ${userId}::uuid`;
      // Its private feed of replies ends with it.
      await tx.$executeRaw`DELETE FROM reader_feed_tokens WHERE user_id = ${userId}::uuid`;
      await tx.$executeRaw`UPDATE moderation_actions SET note = NULL WHERE target_type = 'user' AND target_id = ${userId}::uuid`;
      // Events addressed to the account alone (on other comments) reach no one now.
      await tx.$executeRaw`UPDATE article_events SET user_id = NULL WHERE user_id = ${userId}::uuid`;
      // Votes and reports go with the account (foreign keys cascade).
      await tx.$executeRaw`DELETE FROM users WHERE id = ${userId}::uuid`;
      await tx.$executeRaw`
        INSERT INTO moderation_actions (id, moderator_id, action, target_type, target_id, created_at)
        VALUES (gen_random_uuid(), ${audit.actorId}::uuid, 'erase', 'user', ${userId}::uuid, now())`;
      return true;
    });
  }
}
