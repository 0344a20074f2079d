import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Prisma, PrismaService } from '@rejoinder/db';
import { closedAfter, LogEntry, webhookEventOf } from './webhook-events.js';
import type { WebhookRecord } from './webhooks.repository.js';

export interface DeliveryRecord {
  id: string;
  webhookId: string;
  articleId: string | null;
  seq: number | null;
  type: string;
  status: string;
  attempts: number;
  nextAttemptAt: Date;
  lastStatus: number | null;
  lastError: string | null;
  lastResponse: string | null;
  latencyMs: number | null;
  createdAt: Date;
  deliveredAt: Date | null;
}

// A Standard Webhooks message id: the same on every attempt of one delivery.
export const messageId = () => `msg_${randomUUID().replace(/-/g, '')}`;

// Only one node derives deliveries at a time (the rest skip the turn).
const DERIVE_LOCK = 0x7765_6268; // "webh"
const ARTICLES_PER_TURN = 200;
const EVENTS_PER_ARTICLE = 500;

@Injectable()
export class DeliveriesRepository {
  constructor(private readonly prisma: PrismaService) {}

  // Turns new events of the articles' logs into deliveries, and moves each
  // article's position past them, in one transaction: a crash before the
  // commit leaves both as they were (the events are read again), after it
  // leaves the deliveries to send. The number of deliveries made.
  deriveDeliveries(): Promise<number> {
    return this.prisma.$transaction(async (tx) => {
      const [{ locked }] = await tx.$queryRaw<
        { locked: boolean }[]
      >`SELECT pg_try_advisory_xact_lock(${DERIVE_LOCK}) AS locked`;
      if (!locked) return 0;
      await tx.$executeRaw`INSERT INTO webhook_epoch (id) VALUES (1) ON CONFLICT (id) DO NOTHING`;
      const hooks = await tx.webhook.findMany({ where: { enabled: true }, select: { id: true, events: true } });
      // Articles seen for the first time: those made before deliveries began
      // start where their log stands; newer ones from their first event.
      await tx.$executeRaw`
        INSERT INTO webhook_positions (article_id, seq, closed)
        SELECT a.id, CASE WHEN a.created_at < e.started_at THEN a.last_seq ELSE 0 END,
               a.created_at < e.started_at AND a.state = 'closed'
        FROM articles a CROSS JOIN webhook_epoch e
        WHERE NOT EXISTS (SELECT 1 FROM webhook_positions p WHERE p.article_id = a.id)
        ON CONFLICT (article_id) DO NOTHING`;
      const behind = await tx.$queryRaw<{ articleId: string; seq: number; closed: boolean }[]>`
        SELECT p.article_id AS "articleId", p.seq, p.closed
        FROM webhook_positions p JOIN articles a ON a.id = p.article_id
        WHERE a.last_seq > p.seq
        LIMIT ${ARTICLES_PER_TURN}`;
      let made = 0;
      for (const position of behind) {
        const entries = await tx.$queryRaw<LogEntry[]>`
          SELECT article_id AS "articleId", seq, type, audience::text AS audience, comment_id AS "commentId",
                 payload, created_at AS "createdAt"
          FROM article_events WHERE article_id = ${position.articleId}::uuid AND seq > ${position.seq}
          ORDER BY seq LIMIT ${EVENTS_PER_ARTICLE}`;
        if (entries.length === 0) continue;
        let closed = position.closed;
        const rows: Prisma.WebhookDeliveryCreateManyInput[] = [];
        for (const entry of entries) {
          const type = webhookEventOf(entry, closed);
          closed = closedAfter(entry, closed);
          if (!type) continue;
          for (const hook of hooks)
            if (hook.events.includes(type))
              rows.push({ id: messageId(), webhookId: hook.id, articleId: entry.articleId, seq: entry.seq, type });
        }
        if (rows.length > 0) await tx.webhookDelivery.createMany({ data: rows });
        made += rows.length;
        await tx.webhookPosition.update({
          where: { articleId: position.articleId },
          data: { seq: entries.at(-1)!.seq, closed },
        });
      }
      return made;
    });
  }

  // Deliveries again for one endpoint, from its events since a time or from
  // an article's event number (new message ids: a replay is a new delivery).
  replay(
    hook: Pick<WebhookRecord, 'id' | 'events'>,
    from: { since?: Date; articleId?: string; fromSeq?: number },
    limit: number,
  ) {
    return this.prisma.$transaction(async (tx) => {
      const where = from.articleId
        ? Prisma.sql`article_id = ${from.articleId}::uuid AND seq >= ${from.fromSeq ?? 1}`
        : Prisma.sql`created_at >= ${from.since}`;
      const entries = await tx.$queryRaw<LogEntry[]>`
        SELECT article_id AS "articleId", seq, type, audience::text AS audience, comment_id AS "commentId",
               payload, created_at AS "createdAt"
        FROM article_events WHERE ${where}
        ORDER BY created_at, article_id, seq LIMIT ${limit}`;
      const closed = new Map<string, boolean>();
      const rows: Prisma.WebhookDeliveryCreateManyInput[] = [];
      for (const entry of entries) {
        const before = closed.get(entry.articleId) ?? false;
        const type = webhookEventOf(entry, before);
        closed.set(entry.articleId, closedAfter(entry, before));
        if (type && hook.events.includes(type))
          rows.push({ id: messageId(), webhookId: hook.id, articleId: entry.articleId, seq: entry.seq, type });
      }
      if (rows.length > 0) await tx.webhookDelivery.createMany({ data: rows });
      return { events: entries.length, deliveries: rows.length, truncated: entries.length === limit };
    });
  }

  createTest(webhookId: string): Promise<DeliveryRecord> {
    return this.prisma.webhookDelivery.create({ data: { id: messageId(), webhookId, type: 'webhook.test' } });
  }

  // Due deliveries of enabled endpoints, held for `holdMs` by this worker.
  claimDue(limit: number, holdMs: number): Promise<(DeliveryRecord & { lockedUntil: Date })[]> {
    return this.prisma.$queryRaw`
      UPDATE webhook_deliveries d SET locked_until = now() + (${holdMs}::int * interval '1 millisecond')
      WHERE d.id IN (
        SELECT d2.id FROM webhook_deliveries d2 JOIN webhooks w ON w.id = d2.webhook_id
        WHERE d2.status = 'pending' AND d2.next_attempt_at <= now() AND w.enabled
          AND (d2.locked_until IS NULL OR d2.locked_until < now())
        ORDER BY d2.next_attempt_at LIMIT ${limit}
        FOR UPDATE OF d2 SKIP LOCKED)
      RETURNING d.id, d.webhook_id AS "webhookId", d.article_id AS "articleId", d.seq, d.type, d.status, d.attempts,
                d.next_attempt_at AS "nextAttemptAt", d.last_status AS "lastStatus", d.last_error AS "lastError",
                d.last_response AS "lastResponse", d.latency_ms AS "latencyMs", d.created_at AS "createdAt",
                d.delivered_at AS "deliveredAt", d.locked_until AS "lockedUntil"`;
  }

  entry(articleId: string, seq: number): Promise<LogEntry | null> {
    return this.prisma.$queryRaw<LogEntry[]>`
      SELECT article_id AS "articleId", seq, type, audience::text AS audience, comment_id AS "commentId",
             payload, created_at AS "createdAt"
      FROM article_events WHERE article_id = ${articleId}::uuid AND seq = ${seq}`.then((rows) => rows[0] ?? null);
  }

  // One attempt's outcome. A success clears the endpoint's failing streak;
  // a failure starts it (if not started).
  async record(
    delivery: Pick<DeliveryRecord, 'id' | 'webhookId'>,
    outcome: {
      ok: boolean;
      status: number | null;
      error: string | null;
      response: string | null;
      latencyMs: number;
      next: Date | null;
    },
  ): Promise<void> {
    await this.prisma.$transaction([
      this.prisma.webhookDelivery.update({
        where: { id: delivery.id },
        data: {
          attempts: { increment: 1 },
          status: outcome.ok ? 'succeeded' : outcome.next ? 'pending' : 'failed',
          nextAttemptAt: outcome.next ?? undefined,
          lockedUntil: null,
          lastStatus: outcome.status,
          lastError: outcome.error,
          lastResponse: outcome.response,
          latencyMs: outcome.latencyMs,
          deliveredAt: outcome.ok ? new Date() : undefined,
        },
      }),
      outcome.ok
        ? this.prisma.webhook.updateMany({ where: { id: delivery.webhookId }, data: { failingSince: null } })
        : this.prisma.webhook.updateMany({
            where: { id: delivery.webhookId, failingSince: null },
            data: { failingSince: new Date() },
          }),
    ]);
  }

  // Endpoints failing since before `before`: turned off, with the reason;
  // the ids turned off now (each once).
  async disableFailing(before: Date, reason: string): Promise<WebhookRecord[]> {
    return this.prisma.$queryRaw<WebhookRecord[]>`
      UPDATE webhooks SET enabled = false, disabled_reason = ${reason}, updated_at = now()
      WHERE enabled AND failing_since < ${before}
      RETURNING id, url, events, description, secret, previous_secret AS "previousSecret",
                previous_secret_until AS "previousSecretUntil", enabled, disabled_reason AS "disabledReason",
                failing_since AS "failingSince", created_at AS "createdAt", updated_at AS "updatedAt"`;
  }

  async recordDisabled(hook: WebhookRecord): Promise<void> {
    await this.prisma.moderationAction.create({
      data: {
        moderatorId: null,
        action: 'webhook_disabled',
        targetType: 'webhook',
        targetId: hook.id,
        reasonCode: 'failing',
        note: `${hook.url}: ${hook.disabledReason ?? ''}`,
      },
    });
  }

  list(webhookId: string, limit: number, before?: { createdAt: string; id: string }): Promise<DeliveryRecord[]> {
    return this.prisma.webhookDelivery.findMany({
      where: {
        webhookId,
        ...(before
          ? {
              OR: [
                { createdAt: { lt: new Date(before.createdAt) } },
                { createdAt: new Date(before.createdAt), id: { lt: before.id } },
              ],
            }
          : {}),
      },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: limit,
    });
  }
}
