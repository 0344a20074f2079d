import { pageQuery, slugSchema, text } from '@rejoinder/common';
import { z } from 'zod';

export const MODERATION_REASONS = ['spam', 'abuse', 'off_topic', 'illegal', 'personal_information', 'other'] as const;
export type ModerationReason = (typeof MODERATION_REASONS)[number];

export const MODERATION_ACTIONS = [
  'approve',
  'reject',
  'remove',
  'restore',
  'feature',
  'unfeature',
  'pin',
  'unpin',
] as const;
export type ModerationActionName = (typeof MODERATION_ACTIONS)[number];

export const actionSchema = z
  .strictObject({
    action: z.enum(MODERATION_ACTIONS),
    // The version the moderator saw; a stale one is refused.
    version: z.number().int().min(1),
    reason: z.enum(MODERATION_REASONS).optional(),
    note: text(1000).optional(),
  })
  .refine((a) => (a.action === 'reject' || a.action === 'remove' ? a.reason !== undefined : true), {
    message: 'reject and remove need a reason',
    path: ['reason'],
  });
export type ActionInput = z.output<typeof actionSchema>;

export const queueQuerySchema = z.object({
  status: z.enum(['pending', 'reported', 'rejected']).default('pending'),
  article: slugSchema.optional(),
  ...pageQuery(100, 20),
});
export type QueueQuery = z.output<typeof queueQuerySchema>;

export const REPORT_REASONS = ['spam', 'abuse', 'off_topic', 'illegal', 'other'] as const;
export const reportSchema = z.strictObject({
  reason: z.enum(REPORT_REASONS),
  note: text(500).trim().optional(),
});
export type ReportInput = z.output<typeof reportSchema>;

export const SLOW_MODE_SETTINGS = ['auto', 'off', 'manual'] as const;

export const slowModeSettingSchema = z
  .strictObject({
    // auto: on by itself when the thread runs hot (the default); off: never
    // automatic; manual: this interval until a moderator changes it.
    setting: z.enum(SLOW_MODE_SETTINGS),
    seconds: z.number().int().min(1).max(86_400).optional(),
  })
  .refine((s) => (s.setting === 'manual') === (s.seconds !== undefined), {
    message: 'manual takes seconds (1 to 86400); auto and off take none',
    path: ['seconds'],
  });
export type SlowModeSettingInput = z.output<typeof slowModeSettingSchema>;

export const articleSettingsSchema = z
  .strictObject({
    state: z.enum(['open', 'closed']).optional(),
    premoderation: z.boolean().optional(),
    // The first N comments of an account wait for review (0: none; null:
    // the newsroom's NEW_COMMENTER_REVIEW).
    newCommenterReview: z.number().int().min(0).max(1000).nullable().optional(),
    slowMode: slowModeSettingSchema.optional(),
    // Older clients: N > 0 is { setting: 'manual', seconds: N }, 0 is { setting: 'off' }.
    slowModeSeconds: z.number().int().min(0).max(86_400).optional(),
  })
  .refine((s) => Object.keys(s).length > 0, { message: 'change at least one setting' })
  .refine((s) => s.slowMode === undefined || s.slowModeSeconds === undefined, {
    message: 'give slowMode or slowModeSeconds, not both',
    path: ['slowModeSeconds'],
  });
export type ArticleSettingsInput = z.output<typeof articleSettingsSchema>;

export const sanctionSchema = z
  .strictObject({
    banned: z.boolean().optional(),
    // An ISO time in the future suspends until then; null lifts a suspension.
    suspendedUntil: z.iso.datetime({ offset: true }).nullable().optional(),
    premoderated: z.boolean().optional(),
    // Ghost ban: the account's new comments are seen by its author (as
    // published) and moderators only; the author is never told.
    ghostBanned: z.boolean().optional(),
    // Pins the account's trust level (0 new, 1 member, 2 regular); null
    // goes back to the level computed from its history.
    trustLevel: z
      .union([z.literal(0), z.literal(1), z.literal(2)])
      .nullable()
      .optional(),
    reason: z.enum(MODERATION_REASONS).optional(),
    note: text(1000).optional(),
  })
  .refine(
    (s) =>
      s.banned !== undefined ||
      s.suspendedUntil !== undefined ||
      s.premoderated !== undefined ||
      s.ghostBanned !== undefined ||
      s.trustLevel !== undefined,
    { message: 'set banned, suspendedUntil, premoderated, ghostBanned or trustLevel' },
  );
export type SanctionInput = z.output<typeof sanctionSchema>;

export const roleSchema = z.strictObject({ role: z.enum(['commenter', 'moderator', 'admin']) });
export type RoleInput = z.output<typeof roleSchema>;

export const wordRuleSchema = z.strictObject({
  pattern: text(100).trim().min(1),
  action: z.enum(['ban', 'suspect']),
});
export type WordRuleInput = z.output<typeof wordRuleSchema>;

export const logQuerySchema = z.object({
  article: slugSchema.optional(),
  ...pageQuery(100, 50),
});
export type LogQuery = z.output<typeof logQuerySchema>;

export const EMAIL_DOMAIN_ACTIONS = ['refuse', 'premoderate'] as const;
export const emailDomainRuleSchema = z.strictObject({
  // A domain covers its subdomains; "@" and a trailing dot are dropped.
  domain: text(253).trim().min(1),
  action: z.enum(EMAIL_DOMAIN_ACTIONS),
});
export type EmailDomainRuleInput = z.output<typeof emailDomainRuleSchema>;
