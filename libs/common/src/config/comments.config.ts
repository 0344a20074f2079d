import { z } from 'zod';

// Comments and articles: sizes, editing, digests, retention, closing.
export const commentsConfig = {
  COMMENT_MAX_LENGTH: z.coerce.number().int().min(1).max(100_000).default(10_000),
  COMMENT_MAX_DEPTH: z.coerce.number().int().min(1).max(200).default(50),
  EDIT_WINDOW_SECONDS: z.coerce
    .number()
    .int()
    .min(0)
    .max(86_400 * 30)
    .default(300),
  // "Catch me up" (GET /api/articles/:slug/digest) looks back at most this
  // far, and over at most this many of the article's latest events, so one
  // digest costs the same however long the reader was away.
  DIGEST_MAX_AGE_DAYS: z.coerce.number().int().min(1).max(365).default(14),
  DIGEST_MAX_EVENTS: z.coerce.number().int().min(10).max(100_000).default(5000),
  // Retention: days after which the bodies and revisions of rejected, of
  // removed and of author-deleted comments are purged (0 keeps them), and how
  // often the job runs (minutes; 0 turns the schedule off).
  RETENTION_REJECTED_DAYS: z.coerce.number().int().min(0).max(36_500).default(30),
  RETENTION_REMOVED_DAYS: z.coerce.number().int().min(0).max(36_500).default(180),
  RETENTION_DELETED_DAYS: z.coerce.number().int().min(0).max(36_500).default(30),
  RETENTION_INTERVAL_MINUTES: z.coerce.number().int().min(0).max(10_080).default(60),
  // Commenting closes this many days after an article's publication (unset:
  // never), unless the article sets its own time; checked every
  // ARTICLE_AUTO_CLOSE_INTERVAL_SECONDS.
  ARTICLE_AUTO_CLOSE_DAYS: z.coerce.number().int().min(1).max(36_500).optional(),
  ARTICLE_AUTO_CLOSE_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  // The newsroom's own sites (comma-separated origins): an embed on one of
  // their pages creates its article on first load. Unset: only the API does.
  ARTICLE_ORIGINS: z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((o) => o.trim())
        .filter((o) => o.length > 0),
    )
    .pipe(z.array(z.url({ protocol: /^https?$/ }))),
};
