import { createHmac } from 'node:crypto';
import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, DomainEventBus } from '@rejoinder/common';
import type { AppConfig } from '@rejoinder/common';
import { CommentsRepository } from '@rejoinder/forum';
import { ClaimedDelivery, DeliveriesRepository, DeliveryRecord, Outcome } from './deliveries.repository.js';
import { Resolver, SafeHttp } from './safe-http.js';
import { LogEntry, webhookPayload } from './webhook-events.js';
import type { WebhookRecord } from './webhooks.repository.js';

export const RETRY_FOR_MS = 24 * 3_600_000;
export const DISABLE_AFTER_MS = 3 * 24 * 3_600_000;
const MAX_DELAY_MS = 3_600_000;
const HOLD_MS = 30_000;
const TICK_MS = 500;

// When to try a failed delivery again: exponential backoff with jitter, or
// null once the next try would fall more than 24 hours after it was made.
export function nextAttempt(attempts: number, createdAt: Date, baseMs: number, now = Date.now()): Date | null {
  const delay = Math.min(baseMs * 2 ** Math.max(0, attempts - 1), MAX_DELAY_MS);
  const at = now + delay * (0.8 + Math.random() * 0.4);
  return at > createdAt.getTime() + RETRY_FOR_MS ? null : new Date(at);
}

// A secret's HMAC key (whsec_ and base64, as the standardwebhooks package
// reads it), decoded once per secret rather than once per request.
const keys = new Map<string, Buffer>();
function keyOf(secret: string): Buffer {
  let key = keys.get(secret);
  if (!key) {
    key = Buffer.from(secret.startsWith('whsec_') ? secret.slice(6) : secret, 'base64');
    if (keys.size >= 10_000) keys.clear();
    keys.set(secret, key);
  }
  return key;
}

// v1 and the base64 HMAC-SHA256 of "id.timestamp.body" (node:crypto, the
// same signature as the standardwebhooks package's sign(), a test keeps them
// in step).
export function sign(secret: string, id: string, timestamp: string, body: string): string {
  return `v1,${createHmac('sha256', keyOf(secret)).update(`${id}.${timestamp}.`).update(body).digest('base64')}`;
}

// The Standard Webhooks headers: webhook-id (the same on every retry),
// webhook-timestamp, and webhook-signature (v1, HMAC-SHA256 over
// "id.timestamp.body"; during a rotation one signature per secret).
export function signedHeaders(
  hook: Pick<WebhookRecord, 'secret' | 'previousSecret' | 'previousSecretUntil'>,
  id: string,
  at: Date,
  body: string,
) {
  const secrets = [hook.secret];
  if (hook.previousSecret && (hook.previousSecretUntil?.getTime() ?? 0) > at.getTime())
    secrets.push(hook.previousSecret);
  const timestamp = Math.floor(at.getTime() / 1000).toString();
  return {
    'content-type': 'application/json',
    'user-agent': 'Rejoinder-Webhooks/1',
    'webhook-id': id,
    'webhook-timestamp': timestamp,
    'webhook-signature': secrets.map((s) => sign(s, id, timestamp, body)).join(' '),
  };
}

// Sends the deliveries derived from the event log (libs/webhooks, its own
// tables): at least once, each attempt with the same webhook-id, backing off
// for up to 24 hours; an endpoint failing for 3 days is turned off and the
// admins are told (moderation log and the server log).
@Injectable()
export class WebhookSender implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Webhooks');
  private http: SafeHttp;
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private lastDisableCheck = 0;
  private lastTurn = 0;
  private lastClaim = 0;
  private waiting: NodeJS.Timeout | null = null;

  constructor(
    private readonly deliveries: DeliveriesRepository,
    private readonly comments: CommentsRepository,
    private readonly bus: DomainEventBus,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.http = new SafeHttp({ allowPrivate: config.WEBHOOK_ALLOW_PRIVATE });
  }

  // For tests: how names are resolved (a DNS answer that changes).
  useResolver(resolver: Resolver): void {
    this.http.close();
    this.http = new SafeHttp({ allowPrivate: this.config.WEBHOOK_ALLOW_PRIVATE, resolver });
  }

  onModuleInit(): void {
    if (!this.config.WEBHOOK_SENDER) return;
    // A committed event wakes the sender at once; the tick catches the rest
    // (other nodes' events, retries that came due).
    this.unsubscribe = this.bus.subscribe((event) => {
      if (!event.stream) this.wake();
    });
    this.timer = setInterval(() => this.wake(), TICK_MS).unref();
  }

  async onModuleDestroy(): Promise<void> {
    // A turn in flight gets a moment to finish before the pools close; a send
    // still waiting on its endpoint is left: its delivery stays held for 30 s,
    // then any node sends it again (at least once).
    this.stopped = true;
    this.unsubscribe?.();
    if (this.timer) clearInterval(this.timer);
    if (this.waiting) clearTimeout(this.waiting);
    if (this.running) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.running, new Promise((resolve) => (timer = setTimeout(resolve, 2000)))]);
      clearTimeout(timer);
    }
    this.http.close();
  }

  // Starts a turn, at most one at a time and one per WEBHOOK_BATCH_MS: the
  // commits of that window are derived, claimed and sent together, so a
  // burst of posts costs the database and the event loop a few statements,
  // not a few per post.
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.waiting) return;
    const wait = this.lastTurn + this.config.WEBHOOK_BATCH_MS - Date.now();
    if (wait > 0) {
      this.waiting = setTimeout(() => {
        this.waiting = null;
        this.wake();
      }, wait);
      return;
    }
    this.lastTurn = Date.now();
    this.running = this.turn(Date.now() - this.lastClaim >= TICK_MS)
      .catch((error: unknown) => this.logger.warn(`webhook turn failed: ${(error as Error).message}`))
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  // Derives, then sends what is due; for tests, resolves when done. The
  // deliveries a derive makes are claimed by it and sent at once, a batch
  // at a time (a backlog, from a sender that was down, too); what is left
  // (more than a batch, retries that came due, another node's held
  // deliveries whose hold ran out) is claimed after: in every turn a test
  // runs, at least once a tick in the sender's own.
  async turn(claimAll = true): Promise<void> {
    const limit = this.config.WEBHOOK_CONCURRENCY;
    let left = false;
    for (;;) {
      const derived = await this.deliveries.deriveDeliveries({ limit, holdMs: HOLD_MS });
      if (derived.claimed.length > 0) await this.sendBatch(derived.claimed);
      if (this.stopped) return;
      if (derived.deliveries > derived.claimed.length) left = true;
      if (!derived.full) break;
    }
    if (left || claimAll) {
      this.lastClaim = Date.now();
      for (;;) {
        const due = await this.deliveries.claimDue(limit, HOLD_MS);
        if (due.length > 0) await this.sendBatch(due);
        if (this.stopped) return;
        // A batch not full was the last one due (what comes due later, a
        // later turn claims).
        if (due.length < limit) break;
      }
    }
    if (Date.now() - this.lastDisableCheck > 10_000) {
      this.lastDisableCheck = Date.now();
      await this.disableFailing();
    }
  }

  // The bodies these deliveries carry if sent now, by delivery id: their
  // events (read at once unless claimed with them) and comments read at
  // once, each body made once per event and type. An event no longer kept
  // has no body (null).
  async render(due: (DeliveryRecord & { entry?: LogEntry | null })[]): Promise<Map<string, string | null>> {
    const keyOf = (articleId: string, seq: number) => `${articleId}:${seq}`;
    const entries = new Map<string, LogEntry>();
    for (const d of due) if (d.entry) entries.set(keyOf(d.entry.articleId, d.entry.seq), d.entry);
    const unread = due.flatMap((d) =>
      d.entry === undefined && d.articleId !== null && d.seq !== null ? [{ articleId: d.articleId, seq: d.seq }] : [],
    );
    for (const e of await this.deliveries.entries(unread)) entries.set(keyOf(e.articleId, e.seq), e);
    const commentIds = [...new Set([...entries.values()].flatMap((e) => (e.commentId ? [e.commentId] : [])))];
    const rows = new Map((await this.comments.findMany(commentIds)).map((r) => [r.id, r]));
    const made = new Map<string, string>();
    const bodies = new Map<string, string | null>();
    for (const delivery of due) {
      if (delivery.articleId === null || delivery.seq === null) {
        const data = { webhookId: delivery.webhookId };
        bodies.set(delivery.id, JSON.stringify({ type: delivery.type, timestamp: new Date().toISOString(), data }));
        continue;
      }
      const entry = entries.get(keyOf(delivery.articleId, delivery.seq));
      if (!entry) {
        bodies.set(delivery.id, null);
        continue;
      }
      const key = `${keyOf(entry.articleId, entry.seq)}:${delivery.type}`;
      const body =
        made.get(key) ??
        JSON.stringify(webhookPayload(delivery.type, entry, entry.commentId ? rows.get(entry.commentId) : undefined));
      made.set(key, body);
      bodies.set(delivery.id, body);
    }
    return bodies;
  }

  // One batch, claimed with its endpoints and events: its comments read at
  // once, the requests sent together, and the outcomes recorded in one
  // statement.
  private async sendBatch(due: ClaimedDelivery[]): Promise<void> {
    const bodies = await this.render(due);
    const outcomes = await Promise.all(
      due.map(async (delivery): Promise<Outcome | null> => {
        const hook = delivery.hook;
        if (!hook) return null;
        const body = bodies.get(delivery.id);
        if (!body)
          return {
            id: delivery.id,
            webhookId: hook.id,
            ok: false,
            status: null,
            error: 'the event is no longer kept',
            response: null,
            latencyMs: 0,
            next: null,
          };
        return this.send(delivery, hook, body);
      }),
    );
    await this.deliveries.record(outcomes.filter((o): o is Outcome => o !== null));
  }

  private async send(
    delivery: DeliveryRecord,
    hook: NonNullable<ClaimedDelivery['hook']>,
    body: string,
  ): Promise<Outcome> {
    const started = Date.now();
    const headers = signedHeaders(hook, delivery.id, new Date(), body);
    const retry = () => nextAttempt(delivery.attempts + 1, delivery.createdAt, this.config.WEBHOOK_RETRY_BASE_MS);
    try {
      const response = await this.http.post(hook.url, headers, body);
      const ok = response.status >= 200 && response.status < 300;
      return {
        id: delivery.id,
        webhookId: hook.id,
        ok,
        status: response.status,
        error: ok ? null : `HTTP ${response.status}`,
        response: response.body,
        latencyMs: Date.now() - started,
        next: ok ? null : retry(),
      };
    } catch (error) {
      return {
        id: delivery.id,
        webhookId: hook.id,
        ok: false,
        status: null,
        error: (error as Error).message.slice(0, 500),
        response: null,
        latencyMs: Date.now() - started,
        next: retry(),
      };
    }
  }

  async disableFailing(): Promise<void> {
    const disabled = await this.deliveries.disableFailing(
      new Date(Date.now() - DISABLE_AFTER_MS),
      'every delivery failed for 3 days',
    );
    for (const hook of disabled) {
      await this.deliveries.recordDisabled(hook);
      this.logger.warn(`webhook ${hook.id} (${hook.url}) turned off: every delivery failed for 3 days`);
    }
  }
}
