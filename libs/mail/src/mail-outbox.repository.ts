import { Injectable } from '@nestjs/common';
import { PrismaService } from '@rejoinder/db';

export interface OutboxRow {
  id: string;
  kind: string;
  recipientId: string;
  cause: string;
  commentId: string | null;
  articleId: string | null;
  data: Record<string, unknown>;
  attempts: number;
  messageId: string | null;
  createdAt: Date;
}

export interface Recipient {
  id: string;
  username: string;
  email: string | null;
  role: 'commenter' | 'moderator' | 'admin';
  createdAt: Date;
  emailVerifiedAt: Date | null;
  emailUndeliverableAt: Date | null;
  external: boolean;
  // The language the recipient chose; null: DEFAULT_LOCALE.
  locale: string | null;
}

export interface DeliveryRow {
  id: string;
  kind: string;
  status: string;
  recipientId: string;
  username: string | null;
  attempts: number;
  messageId: string | null;
  lastError: string | null;
  createdAt: Date;
  doneAt: Date | null;
}

// Kinds that are about the account itself: sent alone, at once, to any
// address on file (the confirmation goes to an unconfirmed one by nature).
export const ACCOUNT_KINDS = ['verify_email', 'password_reset', 'email_changed'];

const row = (m: string) => `${m}.id, ${m}.kind, ${m}.recipient_id AS "recipientId", ${m}.cause,
  ${m}.comment_id AS "commentId", ${m}.article_id AS "articleId", ${m}.data, ${m}.attempts,
  ${m}.message_id AS "messageId", ${m}.created_at AS "createdAt"`;

// The mail outbox (mail_outbox), and what the worker reads to write a message.
@Injectable()
export class MailOutboxRepository {
  constructor(private readonly prisma: PrismaService) {}

  // Takes due rows for this node for `leaseMs`: rows another node holds are
  // skipped (FOR UPDATE SKIP LOCKED, then the lease), so each row is worked
  // by one node at a time; a node that dies mid-send leaves its rows to the
  // others once the lease ends. A notification waits `coalesceSeconds` after
  // the first one owed to its recipient, so those of one window go together.
  async claim(limit: number, leaseMs: number, coalesceSeconds: number): Promise<OutboxRow[]> {
    const { rows } = await this.prisma.write<OutboxRow>({
      text: `WITH due AS (
          SELECT m.id FROM mail_outbox m
          WHERE m.status = 'queued' AND m.next_attempt_at <= now()
            AND (m.leased_until IS NULL OR m.leased_until < now())
            AND (m.kind = ANY($4::text[]) OR m.message_id IS NOT NULL OR EXISTS (
              SELECT 1 FROM mail_outbox o
              WHERE o.recipient_id = m.recipient_id AND o.status = 'queued' AND o.next_attempt_at <= now()
                AND o.created_at <= now() - make_interval(secs => $3::int)))
          ORDER BY m.next_attempt_at, m.id
          LIMIT $1::int
          FOR UPDATE SKIP LOCKED
        )
        UPDATE mail_outbox m SET leased_until = now() + make_interval(secs => $2::float8 / 1000), attempts = attempts + 1
        FROM due WHERE m.id = due.id
        RETURNING ${row('m')}`,
      values: [limit, leaseMs, coalesceSeconds, ACCOUNT_KINDS],
    });
    return rows;
  }

  // The rows' Message-ID, fixed before the first attempt so every retry
  // carries the same one.
  async setMessageId(ids: string[], messageId: string): Promise<void> {
    await this.prisma.$executeRaw`UPDATE mail_outbox SET message_id = ${messageId} WHERE id = ANY(${ids}::bigint[])`;
  }

  async finish(ids: string[], status: 'sent' | 'skipped' | 'failed', note: string | null): Promise<void> {
    if (ids.length === 0) return;
    await this.prisma.$executeRaw`
      UPDATE mail_outbox SET status = ${status}, done_at = now(), leased_until = NULL, last_error = ${note}
      WHERE id = ANY(${ids}::bigint[])`;
  }

  // Back to the queue, to be tried again at `at`.
  async retryAt(ids: string[], at: Date, error: string): Promise<void> {
    await this.prisma.$executeRaw`
      UPDATE mail_outbox SET next_attempt_at = ${at}, leased_until = NULL, last_error = ${error}
      WHERE id = ANY(${ids}::bigint[])`;
  }

  // Held for the recipient's digest: not an attempt.
  async defer(ids: string[], at: Date): Promise<void> {
    await this.prisma.$executeRaw`
      UPDATE mail_outbox SET next_attempt_at = ${at}, leased_until = NULL, attempts = greatest(attempts - 1, 0),
        data = data || '{"digest": true}'::jsonb
      WHERE id = ANY(${ids}::bigint[])`;
  }

  async recipients(ids: string[]): Promise<Recipient[]> {
    if (ids.length === 0) return [];
    return this.prisma.$queryRaw<Recipient[]>`
      SELECT id, username, email, role::text AS role, created_at AS "createdAt", email_verified_at AS "emailVerifiedAt", locale,
        email_undeliverable_at AS "emailUndeliverableAt", external_issuer IS NOT NULL AS external
      FROM users WHERE id = ANY(${ids}::uuid[])`;
  }

  async articles(ids: string[]): Promise<{ id: string; slug: string; title: string }[]> {
    if (ids.length === 0) return [];
    return this.prisma.$queryRaw`SELECT id, slug, title FROM articles WHERE id = ANY(${ids}::uuid[])`;
  }

  // A hard rejection: mail to this address stops until it is changed or
  // confirmed again.
  async markUndeliverable(userId: string, email: string): Promise<void> {
    await this.prisma.$executeRaw`
      UPDATE users SET email_undeliverable_at = now() WHERE id = ${userId}::uuid AND email = ${email}`;
  }

  // A single-use link's token, minted when its message is written: only the
  // hash is stored, and nothing in the outbox can be used as the link.
  async storeLinkToken(data: {
    userId: string;
    purpose: 'verify_email' | 'password_reset';
    hash: string;
    email: string;
    expiresAt: Date;
  }): Promise<void> {
    await this.prisma.accountToken.create({
      data: {
        userId: data.userId,
        purpose: data.purpose,
        tokenHash: data.hash,
        email: data.email,
        expiresAt: data.expiresAt,
      },
    });
  }

  async stats(): Promise<{ queued: number; oldestSeconds: number }> {
    const [row] = await this.prisma.$queryRaw<{ queued: bigint; oldest: number | null }[]>`
      SELECT count(*) AS queued, extract(epoch FROM now() - min(created_at))::float8 AS oldest
      FROM mail_outbox WHERE status = 'queued'`;
    return { queued: Number(row.queued), oldestSeconds: row.oldest ?? 0 };
  }

  async recent(limit: number, status?: string): Promise<DeliveryRow[]> {
    return this.prisma.$queryRaw<DeliveryRow[]>`
      SELECT m.id::text AS id, m.kind, m.status, m.recipient_id AS "recipientId", u.username, m.attempts,
        m.message_id AS "messageId", m.last_error AS "lastError", m.created_at AS "createdAt", m.done_at AS "doneAt"
      FROM mail_outbox m LEFT JOIN users u ON u.id = m.recipient_id
      WHERE (${status ?? null}::text IS NULL OR m.status = ${status ?? null}::text)
      ORDER BY m.id DESC LIMIT ${limit}`;
  }

  // Moderators who asked to hear when the queue waits too long, with the
  // oldest comment in it now (pending, or published with open reports).
  async queueAlerts(): Promise<{ userId: string; commentId: string; articleId: string }[]> {
    return this.prisma.$queryRaw`
      WITH oldest AS (
        SELECT id, article_id, created_at FROM comments
        WHERE status = 'pending' OR (status = 'published' AND open_reports > 0)
        ORDER BY created_at LIMIT 1
      )
      SELECT s.user_id AS "userId", o.id AS "commentId", o.article_id AS "articleId"
      FROM mail_settings s JOIN users u ON u.id = s.user_id, oldest o
      WHERE s.queue_age_minutes IS NOT NULL AND u.role IN ('moderator', 'admin')
        AND o.created_at <= now() - make_interval(mins => s.queue_age_minutes)`;
  }

  // A reset link owed to the account with this address, if there is one: one
  // statement whether or not there is, so the answer takes as long either way.
  async enqueuePasswordReset(email: string): Promise<void> {
    await this.prisma.$executeRaw`
      INSERT INTO mail_outbox (kind, recipient_id, cause)
      SELECT 'password_reset', id, gen_random_uuid()::text FROM users WHERE email = ${email}`;
  }

  async enqueue(
    rows: {
      kind: string;
      recipientId: string;
      cause: string;
      commentId?: string | null;
      articleId?: string | null;
      data?: object;
    }[],
  ): Promise<void> {
    for (const row of rows) {
      await this.prisma.$executeRaw`
        INSERT INTO mail_outbox (kind, recipient_id, cause, comment_id, article_id, data)
        VALUES (${row.kind}, ${row.recipientId}::uuid, ${row.cause}, ${row.commentId ?? null}::uuid,
                ${row.articleId ?? null}::uuid, ${JSON.stringify(row.data ?? {})}::jsonb)
        ON CONFLICT DO NOTHING`;
    }
  }
}
