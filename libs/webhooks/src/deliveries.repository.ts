import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Prisma, PrismaService } from '@rejoinder/db';
import type { LogEntry } from './webhook-events.js';
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

// One attempt's outcome; `next`: when to try again (null: never, or sent).
export interface Outcome {
  id: string;
  webhookId: string;
  ok: boolean;
  status: number | null;
  error: string | null;
  response: string | null;
  latencyMs: number;
  next: Date | null;
}

// A Standard Webhooks message id (msg_ and 32 hex digits; deliveries made in
// SQL spell it the same way): the same on every attempt of one delivery.
export const messageId = () => `msg_${randomUUID().replace(/-/g, '')}`;

// A claimed delivery with what sending it needs (claimDueWithContext).
export interface ClaimedDelivery extends DeliveryRecord {
  hook: Pick<WebhookRecord, 'id' | 'url' | 'secret' | 'previousSecret' | 'previousSecretUntil'> | null;
  entry: LogEntry | null;
}

interface ClaimedRow {
  hookId: string | null;
  hookUrl: string | null;
  hookSecret: string | null;
  hookPreviousSecret: string | null;
  hookPreviousSecretUntil: Date | null;
  entrySeq: number | null;
  entryType: string | null;
  entryAudience: string | null;
  entryCommentId: string | null;
  entryPayload: unknown;
  entryCreatedAt: Date | null;
}

const EVENTS_PER_TURN = 1000;

function claimedDelivery(r: DeliveryRecord & ClaimedRow): ClaimedDelivery {
  return {
    id: r.id,
    webhookId: r.webhookId,
    articleId: r.articleId,
    seq: r.seq,
    type: r.type,
    status: r.status,
    attempts: r.attempts,
    nextAttemptAt: r.nextAttemptAt,
    lastStatus: r.lastStatus,
    lastError: r.lastError,
    lastResponse: r.lastResponse,
    latencyMs: r.latencyMs,
    createdAt: r.createdAt,
    deliveredAt: r.deliveredAt,
    hook:
      r.hookId === null
        ? null
        : {
            id: r.hookId,
            url: r.hookUrl!,
            secret: r.hookSecret!,
            previousSecret: r.hookPreviousSecret,
            previousSecretUntil: r.hookPreviousSecretUntil,
          },
    entry:
      r.entrySeq === null || r.articleId === null
        ? null
        : {
            articleId: r.articleId,
            seq: r.entrySeq,
            type: r.entryType!,
            audience: r.entryAudience!,
            commentId: r.entryCommentId,
            payload: r.entryPayload,
            createdAt: r.entryCreatedAt!,
          },
  };
}

// The webhook event an event of the log (alias `e`) is, or NULL: one
// definition for deriving and for replays. comment.published is a public
// comment.created (a pending comment's event is addressed to its author and
// moderators); article.closed is an article.updated that closes an article
// whose previous settings event left it open.
const webhookType = Prisma.sql`CASE e.type
    WHEN 'comment.created' THEN CASE WHEN e.audience = 'public' THEN 'comment.published' END
    WHEN 'comment.removed' THEN CASE WHEN e.payload->>'status' = 'removed' THEN 'comment.removed' END
    WHEN 'queue.added' THEN CASE WHEN e.payload->>'queue' = 'reported' THEN 'report.created' END
    WHEN 'article.created' THEN 'article.created'
    WHEN 'article.updated' THEN CASE
      WHEN e.payload->'article'->>'state' = 'closed'
        AND NOT coalesce((
          SELECT p.payload->'article'->>'state' = 'closed' FROM article_events p
          WHERE p.article_id = e.article_id AND p.seq < e.seq AND p.type = 'article.updated'
          ORDER BY p.seq DESC LIMIT 1), false)
      THEN 'article.closed' END
  END`;

@Injectable()
export class DeliveriesRepository {
  constructor(private readonly prisma: PrismaService) {}

  // Turns the next events of the log into deliveries and moves the cursor
  // past them, in one statement: a crash before its commit leaves both as
  // they were (the events are read again), after it leaves the deliveries to
  // send. The log is read in commit order (transaction id, article, seq) up
  // to the oldest transaction still running, so an event committed late is
  // never passed over, and a turn costs the same however many articles
  // there are. One node at a time: the others find the cursor locked and
  // skip the turn. The first `claim.limit` deliveries made are claimed by
  // this node at once (held for `claim.holdMs`, as claimDue holds them) and
  // returned with their endpoints and events, so fresh deliveries are sent
  // without a claim of their own; the rest wait for claimDue. The number of
  // events read and of deliveries made, and whether the batch was full (more
  // may follow at once).
  async deriveDeliveries(
    claim: { limit: number; holdMs: number } = { limit: 0, holdMs: 0 },
  ): Promise<{ events: number; deliveries: number; full: boolean; claimed: ClaimedDelivery[] }> {
    const rows = await this.prisma.$queryRaw<({ events: number; deliveries: number } & DeliveryRecord & ClaimedRow)[]>`
      WITH cursor AS (
        SELECT tx, article_id, seq FROM webhook_cursor WHERE id = 1 FOR UPDATE SKIP LOCKED
      ), batch AS (
        SELECT e.tx, e.article_id, e.seq, e.type, e.audience, e.comment_id, e.payload, e.created_at,
               ${webhookType} AS hook_type
        FROM article_events e
        -- The cursor as values (not a join), so the comparison bounds the index range.
        WHERE (e.tx, e.article_id, e.seq) > ((SELECT tx FROM cursor), (SELECT article_id FROM cursor), (SELECT seq FROM cursor))
          AND e.tx < pg_snapshot_xmin(pg_current_snapshot())
        ORDER BY e.tx, e.article_id, e.seq
        LIMIT ${EVENTS_PER_TURN}
      ), made AS (
        INSERT INTO webhook_deliveries (id, webhook_id, article_id, seq, type, locked_until)
        SELECT x.id, x.webhook_id, x.article_id, x.seq, x.hook_type,
               CASE WHEN x.n <= ${claim.limit} THEN now() + (${claim.holdMs}::int * interval '1 millisecond') END
        FROM (
          SELECT 'msg_' || replace(gen_random_uuid()::text, '-', '') AS id, w.id AS webhook_id, b.article_id, b.seq,
                 b.hook_type, b.tx, row_number() OVER (ORDER BY b.tx, b.article_id, b.seq, w.id) AS n
          FROM batch b JOIN webhooks w ON w.enabled AND b.hook_type = ANY (w.events)
        ) x
        ORDER BY x.n
        RETURNING *
      ), moved AS (
        UPDATE webhook_cursor c SET tx = last.tx, article_id = last.article_id, seq = last.seq
        FROM (SELECT tx, article_id, seq FROM batch ORDER BY tx DESC, article_id DESC, seq DESC LIMIT 1) last
        WHERE c.id = 1
        RETURNING 1
      ), counts AS (
        SELECT (SELECT count(*) FROM batch)::int AS events, (SELECT count(*) FROM made)::int AS deliveries
      ), claimed AS (
        SELECT d.id, d.webhook_id AS "webhookId", d.article_id AS "articleId", d.seq, d.type, d.status, d.attempts,
               d.next_attempt_at AS "nextAttemptAt", d.last_status AS "lastStatus", d.last_error AS "lastError",
               d.last_response AS "lastResponse", d.latency_ms AS "latencyMs", d.created_at AS "createdAt",
               d.delivered_at AS "deliveredAt",
               w.id AS "hookId", w.url AS "hookUrl", w.secret AS "hookSecret", w.previous_secret AS "hookPreviousSecret",
               w.previous_secret_until AS "hookPreviousSecretUntil",
               b.seq AS "entrySeq", b.type AS "entryType", b.audience::text AS "entryAudience",
               b.comment_id AS "entryCommentId", b.payload AS "entryPayload", b.created_at AS "entryCreatedAt"
        FROM made d
        JOIN webhooks w ON w.id = d.webhook_id
        JOIN batch b ON b.article_id = d.article_id AND b.seq = d.seq
        WHERE d.locked_until IS NOT NULL
      )
      SELECT counts.events, counts.deliveries, claimed.*
      FROM counts LEFT JOIN claimed ON true
      ORDER BY claimed."createdAt", claimed."articleId", claimed.seq`;
    const [first] = rows;
    return {
      events: first.events,
      deliveries: first.deliveries,
      full: first.events === EVENTS_PER_TURN,
      claimed: rows.filter((r) => r.id !== null).map((r) => claimedDelivery(r)),
    };
  }

  // Deliveries again for one endpoint, from its events since a time or from
  // an article's event number (new message ids: a replay is a new delivery).
  async replay(
    hook: Pick<WebhookRecord, 'id' | 'events'>,
    from: { since?: Date; articleId?: string; fromSeq?: number },
    limit: number,
  ): Promise<{ events: number; deliveries: number; truncated: boolean }> {
    const where = from.articleId
      ? Prisma.sql`e.article_id = ${from.articleId}::uuid AND e.seq >= ${from.fromSeq ?? 1}`
      : Prisma.sql`e.created_at >= ${from.since}`;
    const [row] = await this.prisma.$queryRaw<{ events: number; deliveries: number }[]>`
      WITH batch AS (
        SELECT e.created_at, e.article_id, e.seq, ${webhookType} AS hook_type
        FROM article_events e WHERE ${where}
        ORDER BY e.created_at, e.article_id, e.seq LIMIT ${limit}
      ), made AS (
        INSERT INTO webhook_deliveries (id, webhook_id, article_id, seq, type)
        SELECT 'msg_' || replace(gen_random_uuid()::text, '-', ''), ${hook.id}::uuid, b.article_id, b.seq, b.hook_type
        FROM batch b WHERE b.hook_type = ANY (${hook.events}::text[])
        ORDER BY b.created_at, b.article_id, b.seq
        RETURNING 1
      )
      SELECT (SELECT count(*) FROM batch)::int AS events, (SELECT count(*) FROM made)::int AS deliveries`;
    return { ...row, truncated: row.events === limit };
  }

  createTest(webhookId: string): Promise<DeliveryRecord> {
    return this.prisma.webhookDelivery.create({ data: { id: messageId(), webhookId, type: 'webhook.test' } });
  }

  // Due deliveries of enabled endpoints, held for `holdMs` by this worker,
  // each with its endpoint (its URL and secrets as they are now) and its log
  // entry (null: not an event of the log, or no longer kept): one statement.
  async claimDue(limit: number, holdMs: number): Promise<ClaimedDelivery[]> {
    const rows = await this.prisma.$queryRaw<(DeliveryRecord & ClaimedRow)[]>`
      WITH claimed AS (
        UPDATE webhook_deliveries d SET locked_until = now() + (${holdMs}::int * interval '1 millisecond')
        WHERE d.id IN (
          SELECT d2.id FROM webhook_deliveries d2 JOIN webhooks w ON w.id = d2.webhook_id
          WHERE d2.status = 'pending' AND d2.next_attempt_at <= now() AND w.enabled
            AND (d2.locked_until IS NULL OR d2.locked_until < now())
          ORDER BY d2.next_attempt_at LIMIT ${limit}
          FOR UPDATE OF d2 SKIP LOCKED)
        RETURNING d.*
      )
      SELECT d.id, d.webhook_id AS "webhookId", d.article_id AS "articleId", d.seq, d.type, d.status, d.attempts,
             d.next_attempt_at AS "nextAttemptAt", d.last_status AS "lastStatus", d.last_error AS "lastError",
             d.last_response AS "lastResponse", d.latency_ms AS "latencyMs", d.created_at AS "createdAt",
             d.delivered_at AS "deliveredAt", d.locked_until AS "lockedUntil",
             w.id AS "hookId", w.url AS "hookUrl", w.secret AS "hookSecret", w.previous_secret AS "hookPreviousSecret",
             w.previous_secret_until AS "hookPreviousSecretUntil",
             e.seq AS "entrySeq", e.type AS "entryType", e.audience::text AS "entryAudience",
             e.comment_id AS "entryCommentId", e.payload AS "entryPayload", e.created_at AS "entryCreatedAt"
      FROM claimed d
      LEFT JOIN webhooks w ON w.id = d.webhook_id
      LEFT JOIN article_events e ON e.article_id = d.article_id AND e.seq = d.seq
      ORDER BY d.next_attempt_at`;
    return rows.map(claimedDelivery);
  }

  // The log entries of these deliveries, in one read.
  entries(keys: { articleId: string; seq: number }[]): Promise<LogEntry[]> {
    if (keys.length === 0) return Promise.resolve([]);
    return this.prisma.$queryRaw<LogEntry[]>`
      SELECT e.article_id AS "articleId", e.seq, e.type, e.audience::text AS audience, e.comment_id AS "commentId",
             e.payload, e.created_at AS "createdAt"
      FROM article_events e
      JOIN unnest(${keys.map((k) => k.articleId)}::uuid[], ${keys.map((k) => k.seq)}::int[]) AS k(article_id, seq)
        ON e.article_id = k.article_id AND e.seq = k.seq`;
  }

  // The outcomes of a batch of attempts, in one statement. An endpoint
  // with a success among them is not failing; one whose every attempt failed
  // starts its failing streak (if not started).
  async record(outcomes: Outcome[]): Promise<void> {
    if (outcomes.length === 0) return;
    const rows = outcomes.map((o) => ({
      id: o.id,
      status: o.ok ? 'succeeded' : o.next ? 'pending' : 'failed',
      next: o.next?.toISOString() ?? null,
      delivered: o.ok,
      last_status: o.status,
      last_error: o.error,
      last_response: o.response,
      latency_ms: o.latencyMs,
    }));
    const succeeded = [...new Set(outcomes.filter((o) => o.ok).map((o) => o.webhookId))];
    const failing = [...new Set(outcomes.filter((o) => !o.ok).map((o) => o.webhookId))].filter(
      (id) => !succeeded.includes(id),
    );
    await this.prisma.$queryRaw`
      WITH o AS (
        SELECT * FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS o(
          id text, status text, next timestamptz, delivered boolean, last_status int, last_error text,
          last_response text, latency_ms int)
      ), recorded AS (
        UPDATE webhook_deliveries d
        SET attempts = d.attempts + 1, status = o.status, next_attempt_at = coalesce(o.next, d.next_attempt_at),
            locked_until = NULL, last_status = o.last_status, last_error = o.last_error,
            last_response = o.last_response, latency_ms = o.latency_ms,
            delivered_at = CASE WHEN o.delivered THEN now() ELSE d.delivered_at END
        FROM o WHERE d.id = o.id
        RETURNING 1
      ), answering AS (
        UPDATE webhooks SET failing_since = NULL, updated_at = now()
        WHERE id = ANY(${succeeded}::uuid[]) AND failing_since IS NOT NULL
        RETURNING 1
      ), failing AS (
        UPDATE webhooks SET failing_since = now(), updated_at = now()
        WHERE id = ANY(${failing}::uuid[]) AND failing_since IS NULL
        RETURNING 1
      )
      SELECT (SELECT count(*) FROM recorded)::int + (SELECT count(*) FROM answering)::int
             + (SELECT count(*) FROM failing)::int AS n`;
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
