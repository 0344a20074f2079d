import { Injectable } from '@nestjs/common';
import { keyPart, keysetAfter, Prisma, PrismaService } from '@rejoinder/db';

// A moderator's decision on a comment the spam check looked at.
export interface DecisionToReport {
  actionId: string;
  at: Date;
  action: string;
  verdict: string | null;
  userIp: string | null;
  userAgent: string | null;
  body: string | null;
  username: string | null;
  email: string | null;
}

// Decisions younger than this are left for the next round: a transaction
// that started earlier may still commit an action with an earlier time.
const SETTLE_SECONDS = 2;

@Injectable()
export class SpamRepository {
  constructor(private readonly prisma: PrismaService) {}

  async record(commentId: string, verdict: string, ip: string | null, userAgent: string | null): Promise<void> {
    await this.prisma.$executeRaw`
      INSERT INTO spam_checks (comment_id, verdict, user_ip, user_agent, checked_at)
      VALUES (${commentId}::uuid, ${verdict}, ${ip}, ${userAgent}, now())
      ON CONFLICT (comment_id) DO UPDATE SET verdict = EXCLUDED.verdict, checked_at = now()`;
  }

  verdictOf(commentId: string) {
    return this.prisma.spamCheck.findUnique({ where: { commentId } });
  }

  // The next moderation decisions after the cursor, read from the moderation
  // log (written in the transaction of each decision), handed to `send` one
  // by one; the cursor moves past what was handled, in the same transaction.
  // One node at a time: the cursor row is locked, and a node that finds it
  // locked skips the round.
  async feedbackRound(
    limit: number,
    send: (decision: DecisionToReport) => Promise<'done' | 'stop'>,
  ): Promise<{ read: number; handled: number }> {
    return this.prisma.$transaction(
      async (tx) => {
        await tx.$executeRaw`INSERT INTO spam_feedback_cursor (id) VALUES (1) ON CONFLICT (id) DO NOTHING`;
        const cursor = await tx.$queryRaw<{ lastAt: Date | null; lastId: string | null }[]>`
          SELECT last_at AS "lastAt", last_id AS "lastId" FROM spam_feedback_cursor WHERE id = 1 FOR UPDATE SKIP LOCKED`;
        if (!cursor[0]) return { read: 0, handled: 0 };
        const { lastAt, lastId } = cursor[0];
        const after =
          lastAt === null || lastId === null
            ? Prisma.sql`TRUE`
            : keysetAfter('asc', ['m.created_at', 'm.id'], [keyPart.time(lastAt), keyPart.id(lastId)]);
        const rows = await tx.$queryRaw<DecisionToReport[]>`
          SELECT m.id AS "actionId", m.created_at AS "at", m.action, s.verdict, s.user_ip AS "userIp",
                 s.user_agent AS "userAgent", c.body_source AS body, u.username, u.email
          FROM moderation_actions m
          LEFT JOIN spam_checks s ON s.comment_id = m.target_id AND m.target_type = 'comment'
          LEFT JOIN comments c ON c.id = s.comment_id
          LEFT JOIN users u ON u.id = c.author_id
          WHERE m.created_at < now() - make_interval(secs => ${SETTLE_SECONDS})
            AND ${after}
          ORDER BY m.created_at, m.id
          LIMIT ${limit}`;
        let handled = 0;
        let last: DecisionToReport | null = null;
        for (const row of rows) {
          if ((await send(row)) === 'stop') break;
          handled++;
          last = row;
        }
        if (last) {
          await tx.$executeRaw`
            UPDATE spam_feedback_cursor SET last_at = ${last.at}, last_id = ${last.actionId}::uuid WHERE id = 1`;
        }
        return { read: rows.length, handled };
      },
      { timeout: 60_000 },
    );
  }
}
