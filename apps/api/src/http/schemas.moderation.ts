import { commentViewSchema } from '@rejoinder/common';
import { HOLD_REASONS } from '@rejoinder/forum';
import { cursor, role, time, uuid } from './schemas.shared.js';
import { z } from 'zod';

// The moderators' routes: the queue and its actions, sanctions, the log,
// word and email-domain rules.

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
