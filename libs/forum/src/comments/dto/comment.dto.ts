import { isLocaleTag, pageQuery, text } from '@rejoinder/common';
import { z } from 'zod';
import { STANCES, THREAD_SORTS } from '../comment.types.js';

export const createCommentSchema = z.strictObject({
  // Length and emptiness are domain rules (checked in the service for every
  // door, REST and socket); the schema caps the raw size.
  body: text(100_000),
  parentId: z.uuid().optional(),
  // Chosen by the client to make retries safe.
  id: z.uuid().optional(),
  // Top-level comments only: the passage of the article it answers (its
  // index among the article's passages, and the quoted text, found in it).
  anchor: z
    .strictObject({ paragraph: z.number().int().min(0).max(100_000), quote: z.string().min(1).max(1000) })
    .optional()
    .describe('Top-level comments only: the passage this comment answers, and the words quoted from it'),
  stance: z.enum(STANCES).optional().describe('Top-level comments only: where the comment stands toward the article'),
  lang: z
    .string()
    .max(35)
    .refine(isLocaleTag, 'Not a BCP 47 language tag')
    .optional()
    .describe('The language it is written in (BCP 47, e.g. `ru`): the page sends the language its reader chose'),
});
export type CreateCommentInput = z.output<typeof createCommentSchema>;

export const threadQuerySchema = z.object({
  sort: z.enum(THREAD_SORTS).default('newest'),
  ...pageQuery(100, 20),
  // A balanced page's cursor holds a key for each stance.
  cursor: z.string().min(1).max(1000).optional(),
  // Only the comments anchored to this passage.
  paragraph: z.coerce.number().int().min(0).max(100_000).optional(),
});
export type ThreadQuery = z.output<typeof threadQuerySchema>;

export const repliesQuerySchema = z.object(pageQuery(100, 20));
export type RepliesQuery = z.output<typeof repliesQuerySchema>;

export const voteSchema = z.strictObject({ value: z.union([z.literal(-1), z.literal(0), z.literal(1)]) });
export type VoteInput = z.output<typeof voteSchema>;

export const editCommentSchema = z.strictObject({ body: text(100_000) });
export type EditCommentInput = z.output<typeof editCommentSchema>;
