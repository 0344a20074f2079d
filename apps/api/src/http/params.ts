import { DomainError, ErrorCode, slugSchema } from '@rejoinder/common';
import { z } from 'zod';

const uuid = z.uuid();

// A malformed id or slug in a path names nothing: the answer is the same 404
// a well-formed one that matches nothing gets, and nothing reaches the database.
export function uuidParam(id: string, notFound: ErrorCode): string {
  if (!uuid.safeParse(id).success) throw new DomainError(notFound);
  return id;
}

export function slugParam(slug: string): string {
  if (!slugSchema.safeParse(slug).success) throw new DomainError(ErrorCode.ArticleNotFound);
  return slug;
}
