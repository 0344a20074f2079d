import { commentViewSchema, ErrorCode, MODERATION_FEED, seqSchema, slugSchema } from '@rejoinder/common';
import { createCommentSchema } from '@rejoinder/forum';
import { z } from 'zod';

// The one definition of what a client may send over the socket and what each
// message's acknowledgement carries: the gateway parses with these schemas,
// and the AsyncAPI document describes them (with the event catalogue's
// server → client events).

// Either an article (by slug) or the moderators' feed across all articles.
const targetSchema = {
  article: slugSchema.optional().describe("The article's slug"),
  feed: z.literal(MODERATION_FEED).optional().describe("The moderators' feed across articles (moderators only)"),
};
const oneTarget = (t: { article?: string; feed?: string }) => (t.article === undefined) !== (t.feed === undefined);
// `digest`: also send what happened since `after` (true) or since an event
// number or time of its own, as one `digest` message (articles only).
const digestRequestSchema = z.union([
  z.literal(true),
  z.strictObject({ since: z.union([seqSchema, z.string().min(1).max(64)]) }),
]);

export const subscribeSchema = z
  .strictObject({
    ...targetSchema,
    after: seqSchema.optional().describe('Replay the events after this number first (the last `seq` received)'),
    digest: digestRequestSchema
      .optional()
      .describe('Also send one `digest`: since `after` (true), or since an event number or ISO 8601 time'),
  })
  .refine(oneTarget, { message: 'give either article or feed' })
  .refine((t) => t.digest === undefined || t.article !== undefined, {
    message: 'a digest is for an article',
    path: ['digest'],
  })
  .refine((t) => t.digest !== true || t.after !== undefined, {
    message: 'digest: true needs after (or give digest: { since })',
    path: ['digest'],
  })
  .describe('Either `article` or `feed`');

export const unsubscribeSchema = z
  .strictObject(targetSchema)
  .refine(oneTarget, { message: 'give either article or feed' })
  .describe('Either `article` or `feed`');

export const postSchema = createCommentSchema.extend({ article: slugSchema });

export const authSchema = z.strictObject({ token: z.string().min(1).max(4096).describe('A fresh bearer token') });

// The socket's twin of the problem document: the same codes and statuses.
export const errorAckSchema = z
  .strictObject({
    error: z
      .looseObject({
        code: z.enum(ErrorCode),
        status: z.number().int().describe('The HTTP status the same refusal has over HTTP'),
        title: z.string(),
        detail: z.string().optional(),
        requestId: z.string().optional(),
        retryAfterMs: z.number().int().optional().describe('On RATE_LIMITED and SERVICE_UNAVAILABLE: wait this long'),
        retryAfterSeconds: z.number().int().optional(),
        retryable: z.boolean().optional().describe('On SERVICE_UNAVAILABLE: nothing was done; send it again'),
        dependency: z.string().optional(),
        errors: z
          .array(z.strictObject({ path: z.string(), code: z.string(), message: z.string() }))
          .optional()
          .describe('The fields at fault, for VALIDATION_FAILED and UNKNOWN_FIELDS'),
      })
      .describe('Further members as in the problem document of the same code'),
  })
  .describe('A refusal: nothing was done');

const articleSubscribedSchema = z.strictObject({
  articleId: z.uuid(),
  seq: z.number().int().describe('Every event up to this number has been sent'),
  viewers: z.number().int().describe('Readers following the article, across nodes'),
  resync: z.boolean().describe('Too much was missed: nothing was replayed; reload over HTTP, then follow from there'),
});
const feedSubscribedSchema = z.strictObject({
  feed: z.literal(MODERATION_FEED),
  seq: z.number().int(),
  resync: z.boolean(),
});

export const CLIENT_MESSAGES = {
  subscribe: {
    summary: 'Follow an article (or the moderators’ feed), replaying what came after `after`',
    payload: subscribeSchema,
    ack: z.union([articleSubscribedSchema, feedSubscribedSchema]),
  },
  unsubscribe: {
    summary: 'Stop following an article or the moderators’ feed',
    payload: unsubscribeSchema,
    ack: z.strictObject({ ok: z.literal(true) }),
  },
  'comment.create': {
    summary:
      'Post a comment or a reply: the same rules, limits and idempotency (a client-chosen `id`) as POST /api/articles/{slug}/comments',
    payload: postSchema,
    ack: z.strictObject({
      comment: commentViewSchema,
      created: z.boolean().describe('false: a retry, answered with the comment stored earlier under this id'),
    }),
  },
  auth: {
    summary: 'Sign the socket in (again, after `auth.expired`) with a fresh token',
    payload: authSchema,
    ack: z.strictObject({
      user: z.strictObject({
        id: z.uuid(),
        username: z.string(),
        role: z.enum(['commenter', 'moderator', 'admin']),
      }),
      expiresAt: z.iso.datetime(),
    }),
  },
} as const satisfies Record<string, { summary: string; payload: z.ZodType; ack: z.ZodType }>;

export type ClientMessageName = keyof typeof CLIENT_MESSAGES;
export const CLIENT_EVENTS = Object.keys(CLIENT_MESSAGES) as ClientMessageName[];
