import { ARTICLE_EVENT_NAMES, commentViewSchema } from '@rejoinder/common';
import { articleSummarySchema } from '@rejoinder/forum';
import { cursor, time, uuid } from './schemas.shared.js';
import { z } from 'zod';

// Articles and their threads: pages of comments, permalinks, events, votes
// and revisions.

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
