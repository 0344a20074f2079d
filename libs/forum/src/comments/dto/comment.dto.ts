import { z } from 'zod';
import { THREAD_SORTS } from '../comment.types.js';

export const createCommentSchema = z.strictObject({
  // Length and emptiness are domain rules (checked in the service for every
  // door, REST and socket); the schema caps the raw size.
  body: z.string().max(100_000),
  parentId: z.uuid().optional(),
  // Chosen by the client to make retries safe.
  id: z.uuid().optional(),
});
export type CreateCommentInput = z.output<typeof createCommentSchema>;

const limit = (max: number, fallback: number) => z.coerce.number().int().min(1).max(max).default(fallback);

export const threadQuerySchema = z.object({
  sort: z.enum(THREAD_SORTS).default('newest'),
  limit: limit(100, 20),
  cursor: z.string().min(1).max(500).optional(),
});
export type ThreadQuery = z.output<typeof threadQuerySchema>;

export const repliesQuerySchema = z.object({
  limit: limit(100, 20),
  cursor: z.string().min(1).max(500).optional(),
});
export type RepliesQuery = z.output<typeof repliesQuerySchema>;

export const commentIdSchema = z.uuid();

export const voteSchema = z.strictObject({ value: z.union([z.literal(-1), z.literal(0), z.literal(1)]) });
export type VoteInput = z.output<typeof voteSchema>;

export const editCommentSchema = z.strictObject({ body: z.string().max(100_000) });
export type EditCommentInput = z.output<typeof editCommentSchema>;
