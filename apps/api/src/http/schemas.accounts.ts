import { commentViewSchema } from '@rejoinder/common';
import { cursor, maybeTime, role, time, uuid } from './schemas.shared.js';
import { z } from 'zod';

// The reader's account: the session, the language, the notifications and
// the mail settings, and the export of everything held about them.

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
