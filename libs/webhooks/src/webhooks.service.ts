import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  APP_CONFIG,
  cursorPart,
  DomainError,
  ErrorCode,
  Keyset,
  pageQuery,
  text,
  TIME_ID_KEY,
} from '@rejoinder/common';
import type { AppConfig, KeysetPage } from '@rejoinder/common';
import { z } from 'zod';
import { DeliveriesRepository, DeliveryRecord } from './deliveries.repository.js';
import { RefusedDestination, SafeHttp } from './safe-http.js';
import { WEBHOOK_EVENTS } from './webhook-events.js';
import { WebhookRecord, WebhooksRepository } from './webhooks.repository.js';

// After a rotation, the previous secret signs too for this long.
export const ROTATION_OVERLAP_MS = 24 * 3_600_000;
const REPLAY_MAX_EVENTS = 10_000;

const url = z.string().min(1).max(2000);
const events = z.array(z.enum(WEBHOOK_EVENTS)).min(1).max(WEBHOOK_EVENTS.length);

export const createWebhookSchema = z.strictObject({
  url,
  events,
  description: text(200).trim().min(1).optional(),
});
export type CreateWebhookInput = z.infer<typeof createWebhookSchema>;

export const updateWebhookSchema = z
  .strictObject({
    url: url.optional(),
    events: events.optional(),
    description: text(200).trim().min(1).nullable().optional(),
    enabled: z.boolean().optional(),
  })
  .refine((v) => Object.keys(v).length > 0, 'nothing to change');
export type UpdateWebhookInput = z.infer<typeof updateWebhookSchema>;

export const replaySchema = z
  .strictObject({
    since: cursorPart.time.optional().describe('Every event since this time'),
    article: z.uuid().optional().describe("An article's id, with fromSeq"),
    fromSeq: z
      .number()
      .int()
      .min(1)
      .max(2_147_483_647)
      .optional()
      .describe("From this event number of the article's log"),
  })
  .refine((v) => (v.since !== undefined) !== (v.article !== undefined), 'give since, or article with fromSeq')
  .refine((v) => v.article === undefined || v.fromSeq !== undefined, 'fromSeq goes with article');
export type ReplayInput = z.infer<typeof replaySchema>;

export const deliveriesQuerySchema = z.strictObject(pageQuery(100, 50));

export const webhookViewSchema = z.strictObject({
  id: z.uuid(),
  url: z.string(),
  events: z.array(z.enum(WEBHOOK_EVENTS)),
  description: z.string().nullable(),
  enabled: z.boolean(),
  disabledReason: z.string().nullable().describe('Why it was turned off by itself'),
  failingSince: z.iso.datetime().nullable().describe('Since when every delivery has failed'),
  rotating: z.boolean().describe('The previous secret still signs too'),
  createdAt: z.iso.datetime(),
});
export type WebhookView = z.infer<typeof webhookViewSchema>;

export const deliveryViewSchema = z.strictObject({
  id: z.string().describe('The webhook-id header of every attempt'),
  type: z.string(),
  articleId: z.uuid().nullable(),
  seq: z.number().int().nullable(),
  status: z.enum(['pending', 'succeeded', 'failed']),
  attempts: z.number().int(),
  nextAttemptAt: z.iso.datetime().nullable(),
  lastStatus: z.number().int().nullable().describe("The endpoint's last HTTP status"),
  lastError: z.string().nullable(),
  lastResponse: z.string().nullable().describe("The first kilobyte of the endpoint's last answer"),
  latencyMs: z.number().int().nullable(),
  createdAt: z.iso.datetime(),
  deliveredAt: z.iso.datetime().nullable(),
});

const HOOKS = new Keyset('webhooks', TIME_ID_KEY);
const DELIVERIES = new Keyset('webhook-deliveries', z.tuple([cursorPart.time, z.string().regex(/^msg_[0-9a-f]{32}$/)]));

export const newSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

function toView(h: WebhookRecord): WebhookView {
  return {
    id: h.id,
    url: h.url,
    events: h.events.filter((e): e is (typeof WEBHOOK_EVENTS)[number] =>
      (WEBHOOK_EVENTS as readonly string[]).includes(e),
    ),
    description: h.description,
    enabled: h.enabled,
    disabledReason: h.disabledReason,
    failingSince: h.failingSince?.toISOString() ?? null,
    rotating: h.previousSecret !== null && (h.previousSecretUntil?.getTime() ?? 0) > Date.now(),
    createdAt: h.createdAt.toISOString(),
  };
}

function deliveryView(d: DeliveryRecord) {
  return {
    id: d.id,
    type: d.type,
    articleId: d.articleId,
    seq: d.seq,
    status: d.status as 'pending' | 'succeeded' | 'failed',
    attempts: d.attempts,
    nextAttemptAt: d.status === 'pending' ? d.nextAttemptAt.toISOString() : null,
    lastStatus: d.lastStatus,
    lastError: d.lastError,
    lastResponse: d.lastResponse,
    latencyMs: d.latencyMs,
    createdAt: d.createdAt.toISOString(),
    deliveredAt: d.deliveredAt?.toISOString() ?? null,
  };
}

@Injectable()
export class WebhooksService {
  private readonly http: SafeHttp;

  constructor(
    private readonly hooks: WebhooksRepository,
    private readonly deliveries: DeliveriesRepository,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.http = new SafeHttp({ allowPrivate: config.WEBHOOK_ALLOW_PRIVATE });
  }

  async create(input: CreateWebhookInput): Promise<WebhookView & { secret: string }> {
    await this.checkUrl(input.url);
    const secret = newSecret();
    const hook = await this.hooks.create({
      url: input.url,
      events: [...new Set(input.events)],
      description: input.description ?? null,
      secret,
    });
    return { ...toView(hook), secret };
  }

  async list(query: { limit: number; cursor?: string }): Promise<KeysetPage<WebhookView>> {
    const before = HOOKS.decode(query.cursor);
    const rows = await this.hooks.list(query.limit + 1, before && { createdAt: before[0], id: before[1] });
    return HOOKS.page(rows, query.limit, (h) => [h.createdAt.toISOString(), h.id], toView);
  }

  async get(id: string): Promise<WebhookView> {
    return toView(await this.require(id));
  }

  async update(id: string, input: UpdateWebhookInput): Promise<WebhookView> {
    if (input.url !== undefined) await this.checkUrl(input.url);
    const hook = await this.hooks.update(id, {
      ...(input.url !== undefined ? { url: input.url } : {}),
      ...(input.events !== undefined ? { events: [...new Set(input.events)] } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
      // Turned on again by a person: its failing streak starts over.
      ...(input.enabled !== undefined
        ? { enabled: input.enabled, ...(input.enabled ? { disabledReason: null, failingSince: null } : {}) }
        : {}),
    });
    if (!hook) throw new DomainError(ErrorCode.WebhookNotFound);
    return toView(hook);
  }

  async remove(id: string): Promise<void> {
    if (!(await this.hooks.delete(id))) throw new DomainError(ErrorCode.WebhookNotFound);
  }

  // A new secret; the previous one signs too for ROTATION_OVERLAP_MS, so the
  // receiver can switch without missing a delivery.
  async rotate(id: string): Promise<WebhookView & { secret: string }> {
    const current = await this.require(id);
    const secret = newSecret();
    const hook = await this.hooks.update(id, {
      secret,
      previousSecret: current.secret,
      previousSecretUntil: new Date(Date.now() + ROTATION_OVERLAP_MS),
    });
    if (!hook) throw new DomainError(ErrorCode.WebhookNotFound);
    return { ...toView(hook), secret };
  }

  // A `webhook.test` delivery, sent like any other (and logged).
  async test(id: string) {
    await this.require(id);
    return deliveryView(await this.deliveries.createTest(id));
  }

  async replay(id: string, input: ReplayInput) {
    const hook = await this.require(id);
    return this.deliveries.replay(
      hook,
      { since: input.since ? new Date(input.since) : undefined, articleId: input.article, fromSeq: input.fromSeq },
      REPLAY_MAX_EVENTS,
    );
  }

  async deliveryLog(id: string, query: { limit: number; cursor?: string }) {
    await this.require(id);
    const before = DELIVERIES.decode(query.cursor);
    const rows = await this.deliveries.list(id, query.limit + 1, before && { createdAt: before[0], id: before[1] });
    return DELIVERIES.page(rows, query.limit, (d) => [d.createdAt.toISOString(), d.id], deliveryView);
  }

  private async require(id: string): Promise<WebhookRecord> {
    const hook = await this.hooks.find(id);
    if (!hook) throw new DomainError(ErrorCode.WebhookNotFound);
    return hook;
  }

  private async checkUrl(raw: string): Promise<void> {
    try {
      await this.http.check(raw);
    } catch (error) {
      const reason = error instanceof RefusedDestination ? error.message : 'its name does not resolve';
      throw new DomainError(ErrorCode.WebhookUrlRefused, `Refused: ${reason}`);
    }
  }
}
