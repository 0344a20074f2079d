import { z } from 'zod';
import { describeJsonError } from './text-position.js';

// The file `npm run export` writes and `npm run import` reads: one article,
// its comments (parents before replies) and the public names of their
// authors. Versioned, so a later format can still read this one.
export const EXPORT_FORMAT = 'rejoinder.article';
export const EXPORT_VERSION = 1;

const isoDate = z.iso.datetime({ offset: true });
const uuid = z.uuid();

export const exportedAccountSchema = z.strictObject({
  id: uuid,
  username: z.string().min(1).max(30),
});

export const exportedCommentSchema = z.strictObject({
  id: uuid,
  parentId: uuid.nullable(),
  authorId: uuid,
  status: z.enum(['published', 'pending', 'rejected', 'removed', 'deleted', 'shadowed']),
  // Shown in lists (published, or a tombstone that keeps its replies in place).
  listed: z.boolean(),
  bodySource: z.string(),
  createdAt: isoDate,
  editedAt: isoDate.nullable(),
  upvotes: z.number().int().min(0),
  downvotes: z.number().int().min(0),
  featured: z.boolean(),
  pinned: z.boolean(),
  moderationReason: z.string().nullable(),
});

export const articleExportSchema = z.strictObject({
  format: z.literal(EXPORT_FORMAT),
  version: z.literal(EXPORT_VERSION),
  exportedAt: isoDate,
  article: z.strictObject({
    slug: z.string().min(1).max(200),
    title: z.string().min(1),
    byline: z.string(),
    publishedAt: isoDate,
    sourceUrl: z.string().nullable(),
    bodySource: z.string(),
    state: z.enum(['open', 'closed']),
    premoderation: z.boolean(),
    slowModeSeconds: z.number().int().min(0),
  }),
  accounts: z.array(exportedAccountSchema),
  comments: z.array(exportedCommentSchema),
});

export type ArticleExport = z.infer<typeof articleExportSchema>;
export type ExportedComment = z.infer<typeof exportedCommentSchema>;
export type ExportedAccount = z.infer<typeof exportedAccountSchema>;

export class TransferError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TransferError';
  }
}

// Reads an export file's text: a clear error naming the first problem, or the document.
export function parseArticleExport(text: string): ArticleExport {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new TransferError(describeJsonError(text, error as Error));
  }
  const format = (json as { format?: unknown; version?: unknown } | null) ?? {};
  if (format.format !== EXPORT_FORMAT)
    throw new TransferError(`Not a Rejoinder export (format must be "${EXPORT_FORMAT}")`);
  if (format.version !== EXPORT_VERSION) {
    throw new TransferError(
      `Export version ${String(format.version)} is not supported (this version reads ${EXPORT_VERSION})`,
    );
  }
  const result = articleExportSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new TransferError(`Invalid export at ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  checkThreads(result.data);
  return result.data;
}

// Every parent comes before its replies and every author is listed, so the
// import can write in file order.
function checkThreads(doc: ArticleExport): void {
  const accounts = new Set(doc.accounts.map((a) => a.id));
  const seen = new Set<string>();
  doc.comments.forEach((comment, i) => {
    if (seen.has(comment.id))
      throw new TransferError(`Invalid export at comments.${i}.id: ${comment.id} appears twice`);
    if (comment.parentId !== null && !seen.has(comment.parentId)) {
      throw new TransferError(
        `Invalid export at comments.${i}.parentId: ${comment.parentId} is not an earlier comment`,
      );
    }
    if (!accounts.has(comment.authorId)) {
      throw new TransferError(`Invalid export at comments.${i}.authorId: ${comment.authorId} is not in accounts`);
    }
    seen.add(comment.id);
  });
}
