import { apiKeyViewSchema } from '@rejoinder/accounts';
import { adminArticleSchema } from '@rejoinder/forum';
import { deliveryViewSchema, webhookViewSchema } from '@rejoinder/webhooks';
import { cursor } from './schemas.shared.js';
import { z } from 'zod';

// The newsroom's routes: its articles, service keys, webhooks and feeds.

export const adminArticlePageSchema = z.strictObject({ items: z.array(adminArticleSchema), nextCursor: cursor });
export const apiKeyWithSecretSchema = apiKeyViewSchema.extend({
  key: z.string().describe('The secret, shown once'),
});
export const apiKeyPageSchema = z.strictObject({ items: z.array(apiKeyViewSchema), nextCursor: cursor });
export const webhookWithSecretSchema = webhookViewSchema.extend({
  secret: z.string().describe('whsec_…: verifies webhook-signature (Standard Webhooks); shown here only'),
});
export const webhookPageSchema = z.strictObject({ items: z.array(webhookViewSchema), nextCursor: cursor });
export const webhookDeliveryPageSchema = z.strictObject({ items: z.array(deliveryViewSchema), nextCursor: cursor });
export const replayResultSchema = z.strictObject({
  events: z.number().int().describe('Events read'),
  deliveries: z.number().int().describe('Deliveries queued (events this endpoint subscribes to)'),
  truncated: z.boolean().describe('More events follow: call again from the last one'),
});
export const readerFeedUrlSchema = z.strictObject({
  url: z.string().describe('The private feed; anyone with it reads your replies until you revoke it'),
});
