import { commentViewSchema, digestSchema, openApiSchema, slowModeSchema, threadHealthSchema } from '@rejoinder/common';
import { apiKeyViewSchema } from '@rejoinder/accounts';
import { adminArticleSchema, articleSummarySchema, articleViewSchema } from '@rejoinder/forum';
import { deliveryViewSchema, webhookViewSchema } from '@rejoinder/webhooks';
import {
  accountSchema,
  localeSchema,
  sessionSchema,
  notificationsPageSchema,
  notificationSettingsSchema,
  mailDeliveriesSchema,
  accountExportSchema,
} from './schemas.accounts.js';
import {
  articleListSchema,
  commentNodeSchema,
  commentPageSchema,
  threadPageSchema,
  permalinkSchema,
  eventsPageSchema,
  voteResultSchema,
  revisionsSchema,
} from './schemas.comments.js';
import {
  queueItemSchema,
  queuePageSchema,
  actionResultSchema,
  sanctionsSchema,
  emailDomainRuleViewSchema,
  emailDomainRulesSchema,
  moderationLogPageSchema,
  publicModerationLogPageSchema,
  wordRuleViewSchema,
  wordRulesSchema,
} from './schemas.moderation.js';
import {
  adminArticlePageSchema,
  apiKeyPageSchema,
  webhookPageSchema,
  webhookDeliveryPageSchema,
} from './schemas.newsroom.js';
import { z } from 'zod';

// The responses' zod schemas: their JSON Schemas (2020-12) describe them in
// the OpenAPI document, and the named ones become its components (the types
// a generated client, the web app's included, is written against).

export * from './schemas.accounts.js';
export * from './schemas.comments.js';
export * from './schemas.moderation.js';
export * from './schemas.newsroom.js';

// The components of the document, each named once. A schema equal to one of
// them anywhere in the document becomes a $ref to it. Listed so that a
// component comes after those it contains.
export const NAMED_SCHEMAS: readonly (readonly [string, z.ZodType])[] = [
  ['CommentView', commentViewSchema],
  ['SlowMode', slowModeSchema],
  ['ArticleSummary', articleSummarySchema],
  ['Article', articleViewSchema],
  ['ArticleList', articleListSchema],
  ['Account', accountSchema],
  ['Session', sessionSchema],
  ['Locale', localeSchema],
  ['CommentNode', commentNodeSchema],
  ['CommentPage', commentPageSchema],
  ['ThreadPage', threadPageSchema],
  ['Permalink', permalinkSchema],
  ['EventsPage', eventsPageSchema],
  ['Digest', digestSchema],
  ['ThreadHealth', threadHealthSchema],
  ['NotificationsPage', notificationsPageSchema],
  ['VoteResult', voteResultSchema],
  ['QueueItem', queueItemSchema],
  ['QueuePage', queuePageSchema],
  ['ActionResult', actionResultSchema],
  ['Revisions', revisionsSchema],
  ['Sanctions', sanctionsSchema],
  ['EmailDomainRule', emailDomainRuleViewSchema],
  ['NotificationSettings', notificationSettingsSchema],
  ['MailDeliveries', mailDeliveriesSchema],
  ['EmailDomainRules', emailDomainRulesSchema],
  ['ModerationLogPage', moderationLogPageSchema],
  ['PublicModerationLogPage', publicModerationLogPageSchema],
  ['WordRule', wordRuleViewSchema],
  ['WordRules', wordRulesSchema],
  ['AccountExport', accountExportSchema],
  ['AdminArticle', adminArticleSchema],
  ['AdminArticlePage', adminArticlePageSchema],
  ['ApiKey', apiKeyViewSchema],
  ['ApiKeyPage', apiKeyPageSchema],
  ['Webhook', webhookViewSchema],
  ['WebhookPage', webhookPageSchema],
  ['WebhookDelivery', deliveryViewSchema],
  ['WebhookDeliveryPage', webhookDeliveryPageSchema],
];

// A response's JSON Schema: as the server writes it (`output`).
export const responseSchema = (schema: z.ZodType) => openApiSchema(schema, 'output');

export const ACCOUNT_SCHEMA = responseSchema(accountSchema);
export const LOCALE_SCHEMA = responseSchema(localeSchema);
export const SESSION_SCHEMA = responseSchema(sessionSchema);
export const ARTICLE_LIST_SCHEMA = responseSchema(articleListSchema);
export const ARTICLE_SCHEMA = responseSchema(articleViewSchema);
export const DIGEST_SCHEMA = responseSchema(digestSchema);
export const COMMENT_SCHEMA = responseSchema(commentViewSchema);
export const COMMENT_PAGE_SCHEMA = responseSchema(commentPageSchema);
export const THREAD_PAGE_SCHEMA = responseSchema(threadPageSchema);
export const PERMALINK_SCHEMA = responseSchema(permalinkSchema);
export const EVENTS_PAGE_SCHEMA = responseSchema(eventsPageSchema);
export const NOTIFICATIONS_PAGE_SCHEMA = responseSchema(notificationsPageSchema);
