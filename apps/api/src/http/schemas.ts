import {
  ARTICLE_EVENT_NAMES,
  commentViewSchema,
  digestSchema,
  openApiSchema,
  slowModeSchema,
  threadHealthSchema,
} from '@rejoinder/common';
import { apiKeyViewSchema } from '@rejoinder/accounts';
import { adminArticleSchema, articleSummarySchema, articleViewSchema, HOLD_REASONS } from '@rejoinder/forum';
import { deliveryViewSchema, webhookViewSchema } from '@rejoinder/webhooks';
import { z } from 'zod';

// The responses' zod schemas: their JSON Schemas (2020-12) describe them in
// the OpenAPI document, and the named ones become its components (the types
// a generated client, the web app's included, is written against).
const uuid = z.uuid();
const time = z.iso.datetime();
const cursor = z.string().nullable().describe('Opaque keyset cursor for the next page; null on the last page');
const role = z.enum(['commenter', 'moderator', 'admin']);

export const accountSchema = z.strictObject({
  id: uuid,
  username: z.string(),
  email: z.email().nullable().describe("Null for an account from the publisher's login without an address"),
  emailVerified: z.boolean().describe('The address is confirmed; mail goes only to a confirmed address'),
  external: z.boolean().describe("Signs in with the publisher's login (no password here)"),
  role,
  createdAt: time,
  locale: z
    .string()
    .nullable()
    .describe("The reader's language for the pages and emails (a catalogue's BCP 47 tag); null follows the browser"),
});

export const localeSettingSchema = z.strictObject({
  locale: z
    .string()
    .max(35)
    .nullable()
    .describe('A language with a catalogue (see GET /api/locale), or null to follow the browser'),
});

export const localeSchema = z.strictObject({
  locale: z.string().describe('The language chosen for this request'),
  dir: z.enum(['ltr', 'rtl']).describe('Its writing direction'),
  available: z.array(z.string()).describe('The languages with a catalogue, the default first'),
  defaultLocale: z.string().describe('DEFAULT_LOCALE'),
});

export const sessionSchema = z.strictObject({
  user: accountSchema,
  accessToken: z.string().describe('JWT (HS256); send as `Authorization: Bearer <token>`'),
  tokenType: z.literal('Bearer'),
  expiresIn: z.number().int().describe('Seconds until the token expires'),
});

export const articleListSchema = z.strictObject({ items: z.array(articleSummarySchema), nextCursor: cursor });

// `replies` nests comment nodes; its items are pointed at the component
// itself when the document is built (a JSON Schema $ref can recurse).
export const commentNodeSchema = commentViewSchema.extend({
  replies: z.array(z.unknown()).describe('The first replies (oldest first), nested the same way to a bounded depth'),
  repliesCursor: z
    .string()
    .nullable()
    .describe('Pass to GET /api/comments/{id}/replies to load the replies not included; null when all are included'),
});

export const commentPageSchema = z.strictObject({ items: z.array(commentNodeSchema), nextCursor: cursor });

export const threadPageSchema = commentPageSchema.extend({
  pinned: z
    .array(commentViewSchema)
    .describe('Comments pinned by moderators, on the first page (empty on later pages)'),
  seq: z
    .number()
    .int()
    .describe(
      "The article's last event number when the page was read: the page is at least as new; subscribe with `after: seq` to follow it",
    ),
  viewer: z
    .strictObject({
      votes: z
        .record(z.string(), z.union([z.literal(-1), z.literal(1)]))
        .describe("The reader's votes on the page's comments, by comment id"),
      pending: z
        .array(commentViewSchema)
        .describe("The reader's own comments waiting for a moderator, newest first (first page only; at most 20)"),
    })
    .optional()
    .describe('Signed-in readers only: what only they see, on top of the page every reader shares'),
});

export const permalinkSchema = z.strictObject({
  comment: commentNodeSchema,
  ancestors: z.array(commentViewSchema).describe('From the top-level comment down to the parent'),
  seq: z
    .number()
    .int()
    .describe(
      "The article's last event number when the comment was read: it is at least as new; subscribe with `after: seq` to follow it",
    ),
});

export const eventsPageSchema = z.strictObject({
  events: z.array(
    z.strictObject({
      seq: z.number().int(),
      articleId: uuid,
      type: z
        .enum(ARTICLE_EVENT_NAMES)
        .describe('From the event catalogue; see docs/realtime.md and docs/asyncapi.json'),
      audience: z.enum(['public', 'moderators', 'user']),
      userId: uuid.nullable(),
      at: time,
      data: z
        .record(z.string(), z.unknown())
        .describe("The event's `data`, as in the event of that name over the socket"),
    }),
  ),
  seq: z.number().int().describe('Poll again with after=seq'),
  resync: z.boolean(),
});

export const notificationsPageSchema = z.strictObject({
  items: z.array(
    z.strictObject({
      id: uuid,
      type: z.literal('reply'),
      articleId: uuid,
      comment: commentViewSchema
        .nullable()
        .describe('The reply as you may see it now: null once it is hidden from you'),
      read: z.boolean(),
      createdAt: time,
    }),
  ),
  unreadCount: z.number().int(),
  nextCursor: cursor,
});

export const notificationsReadSchema = z.strictObject({
  marked: z.number().int().describe('Notifications marked read by this request'),
  unreadCount: z.number().int(),
});

export const voteResultSchema = z.strictObject({
  commentId: uuid,
  value: z.union([z.literal(-1), z.literal(0), z.literal(1)]).describe('Your vote now'),
  score: z.number().int(),
  upvotes: z.number().int(),
  downvotes: z.number().int(),
});

export const reportResultSchema = z.strictObject({ openReports: z.number().int() });

const revisionSchema = z.strictObject({ body: z.string(), html: z.string(), replacedAt: time });

export const revisionsSchema = z.strictObject({
  comment: commentViewSchema,
  revisions: z.array(revisionSchema).describe('Earlier bodies, oldest first (empty for those who may not read them)'),
});

// A reader's trust level as moderators see it (never shown to readers).
const trustSchema = z.strictObject({
  level: z.number().int().min(0).max(2).describe('0 new, 1 member, 2 regular'),
  name: z.string(),
  pinned: z.boolean().describe('A moderator pinned the level over the one computed from history'),
});

export const queueItemSchema = z.strictObject({
  comment: commentViewSchema,
  version: z.number().int().describe('Send it with an action: a stale version is refused (409 STALE_VERSION)'),
  openReports: z.number().int(),
  moderationReason: z.string().nullable().describe('Why it was held, removed or rejected'),
  holdReasons: z.array(z.enum(HOLD_REASONS)).describe('Every rule that held it, kept after a decision'),
  parent: commentViewSchema.nullable(),
  reports: z.array(z.strictObject({ reason: z.string(), note: z.string().nullable(), createdAt: time })),
  author: z.strictObject({
    id: uuid,
    username: z.string(),
    approved: z.number().int().describe('Published comments'),
    rejected: z.number().int().describe('Rejected or removed comments'),
    banned: z.boolean(),
    suspendedUntil: time.nullable(),
    premoderated: z.boolean(),
    ghostBanned: z.boolean(),
    trust: trustSchema,
  }),
});

export const queuePageSchema = z.strictObject({ items: z.array(queueItemSchema), nextCursor: cursor });

export const actionResultSchema = z.strictObject({ comment: commentViewSchema, version: z.number().int() });

export const sanctionsSchema = z.strictObject({
  id: uuid,
  username: z.string(),
  banned: z.boolean(),
  suspendedUntil: time.nullable(),
  premoderated: z.boolean(),
  ghostBanned: z.boolean(),
  trust: trustSchema,
});

// What a reader is emailed about (GET and PATCH /api/me/notification-settings).
export const notificationSettingsSchema = z.strictObject({
  onReply: z.boolean().describe('Email me when someone replies to my comment (default on)'),
  onStaffReply: z.boolean().describe('Email me when a moderator replies to my comment'),
  onModeration: z.boolean().describe('Email me when my held comment is published or rejected'),
  onFeatured: z.boolean().describe('Email me when my comment is featured'),
  digest: z.enum(['off', 'hourly', 'daily']).describe('Send notifications together (default off)'),
  moderation: z
    .strictObject({
      onReport: z.boolean().describe('Email me when a comment is reported'),
      queueAgeMinutes: z
        .number()
        .int()
        .nullable()
        .describe('Email me when the oldest comment in the queue has waited this long (null: never)'),
    })
    .nullable()
    .describe("Moderators' alerts; null for other readers"),
});

// A request taken, its work queued (the mail it owes is sent by the worker).
export const acceptedSchema = z.strictObject({ accepted: z.literal(true) });

export const mailDeliveriesSchema = z.strictObject({
  queued: z.number().int().describe('Messages waiting to be sent'),
  oldestQueuedSeconds: z.number().int().describe('Age of the oldest waiting message'),
  items: z.array(
    z.strictObject({
      id: z.string(),
      kind: z.string().describe('reply, published, rejected, featured, report, verify_email, password_reset, …'),
      status: z.enum(['queued', 'sent', 'skipped', 'failed']),
      recipient: z.strictObject({ id: uuid, username: z.string().nullable() }).nullable(),
      attempts: z.number().int(),
      messageId: z.string().nullable(),
      lastError: z.string().nullable(),
      createdAt: time,
      doneAt: time.nullable(),
    }),
  ),
});

export const emailDomainRuleViewSchema = z.strictObject({
  id: uuid,
  domain: z.string(),
  action: z.enum(['refuse', 'premoderate']),
  createdAt: time,
});

export const emailDomainRulesSchema = z.strictObject({ items: z.array(emailDomainRuleViewSchema) });

export const roleChangeSchema = z.strictObject({ id: uuid, username: z.string(), role });

export const moderationLogPageSchema = z.strictObject({
  items: z.array(
    z.strictObject({
      id: uuid,
      action: z.string(),
      moderator: z
        .strictObject({ id: uuid, username: z.string().nullable() })
        .nullable()
        .describe('null: the service acted by itself (automatic slow mode)'),
      apiKey: z
        .strictObject({ id: uuid, name: z.string() })
        .nullable()
        .describe('The service key that acted, when one did (then `moderator` is null)'),
      targetType: z.string().describe('`comment`, `user`, `article`, …'),
      targetId: z.string(),
      articleId: uuid.nullable(),
      reasonCode: z.string().nullable(),
      note: z.string().nullable(),
      at: time,
    }),
  ),
  nextCursor: cursor,
});

// What readers may know of moderation: what was removed, when and why; not by whom.
export const publicModerationLogPageSchema = z.strictObject({
  items: z.array(
    z.strictObject({
      id: uuid,
      action: z.string(),
      commentId: z.string(),
      reasonCode: z.string().nullable(),
      at: time,
    }),
  ),
  nextCursor: cursor,
});

export const wordRuleViewSchema = z.strictObject({
  id: uuid,
  pattern: z.string(),
  action: z.enum(['ban', 'suspect']),
  createdAt: time,
});

export const wordRulesSchema = z.strictObject({ items: z.array(wordRuleViewSchema) });

const maybeTime = time.nullable();
export const accountExportSchema = z.strictObject({
  format: z.literal('rejoinder.account-export'),
  version: z.literal(1),
  exportedAt: time,
  account: z.strictObject({
    id: uuid,
    username: z.string(),
    email: z.string().nullable(),
    role,
    createdAt: maybeTime,
    updatedAt: maybeTime,
    hasPassword: z.boolean(),
    externalIdentity: z.strictObject({ issuer: z.string(), subject: z.string().nullable() }).nullable(),
  }),
  comments: z.array(
    z.strictObject({
      id: uuid,
      article: z.strictObject({ id: uuid, slug: z.string() }),
      parentId: uuid.nullable(),
      status: commentViewSchema.shape.status,
      body: z.string(),
      html: z.string(),
      createdAt: maybeTime,
      editedAt: maybeTime,
      upvotes: z.number().int(),
      downvotes: z.number().int(),
      featured: z.boolean(),
      pinned: z.boolean(),
      moderationReason: z.string().nullable(),
      revisions: z.array(z.strictObject({ body: z.string(), html: z.string(), replacedAt: maybeTime })),
    }),
  ),
  votes: z.array(
    z.strictObject({ commentId: uuid, value: z.number().int(), createdAt: maybeTime, updatedAt: maybeTime }),
  ),
  reports: z.array(
    z.strictObject({
      commentId: uuid,
      reason: z.string(),
      note: z.string().nullable(),
      createdAt: maybeTime,
      resolvedAt: maybeTime,
    }),
  ),
  notifications: z.array(
    z.strictObject({
      id: uuid,
      type: z.string(),
      commentId: uuid.nullable(),
      articleId: uuid.nullable(),
      readAt: maybeTime,
      createdAt: maybeTime,
    }),
  ),
  sanctions: z.strictObject({
    current: z.strictObject({ bannedAt: maybeTime, suspendedUntil: maybeTime, premoderated: z.boolean() }),
    history: z.array(
      z.strictObject({
        action: z.string(),
        reasonCode: z.string().nullable(),
        note: z.string().nullable(),
        at: maybeTime,
      }),
    ),
  }),
});

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
