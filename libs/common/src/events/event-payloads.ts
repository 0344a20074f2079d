import { z } from 'zod';

// The payloads the event catalogue (event-catalogue.ts) and the HTTP API share:
// a comment as readers receive it, slow mode, thread health, the digest, and
// why a comment is held.

const uuid = z.uuid();
const time = z.iso.datetime();

// A comment as a reader receives it, from the HTTP API and in events alike.
export const commentViewSchema = z.strictObject({
  id: uuid,
  articleId: uuid,
  parentId: uuid.nullable(),
  depth: z.number().int().describe('0 for a top-level comment'),
  status: z
    .enum(['published', 'pending', 'rejected', 'removed', 'deleted', 'shadowed'])
    .describe('`shadowed`: written under a ghost ban, seen by moderators only (its author is shown `published`)'),
  author: z
    .strictObject({
      id: uuid,
      username: z.string(),
      displayName: z
        .string()
        .nullable()
        .describe('The name to show, where it differs from the username (an account brought in by an import)'),
    })
    .nullable()
    .describe('null on a placeholder: a comment the reader may not see (removed, deleted, or an ancestor held back)'),
  body: z.string().nullable().describe('Markdown source; null on a placeholder'),
  html: z.string().nullable().describe('Sanitised HTML; null on a placeholder'),
  createdAt: time,
  editedAt: time.nullable(),
  score: z.number().int(),
  upvotes: z.number().int(),
  downvotes: z.number().int(),
  replyCount: z.number().int().describe('Listed direct replies'),
  descendantCount: z.number().int().describe('Listed replies at any depth'),
  featured: z.boolean().describe('Highlighted by a moderator'),
  pinned: z.boolean().describe('Pinned to the top of the thread by a moderator'),
  bestScore: z.number().describe('Lower bound of the Wilson score interval of the votes (sort=best)'),
  controversy: z.number().describe('How many and how evenly split the votes are (sort=controversial)'),
  anchor: z
    .strictObject({
      paragraph: z
        .number()
        .int()
        .nullable()
        .describe(
          "Index of the passage among the article's passages (GET /api/articles/:slug); null when an edit of the article removed the quote",
        ),
      quote: z.string(),
    })
    .nullable()
    .describe(
      'The passage of the article a top-level comment answers; kept on a placeholder, so a page can update its per-passage counts',
    ),
  stance: z
    .enum(['agree', 'disagree', 'question', 'other'])
    .nullable()
    .describe("A top-level comment's declared stance toward the article"),
  lang: z
    .string()
    .nullable()
    .describe('The language it was written in (BCP 47), when the reader chose one for the page; null when unknown'),
});
export type CommentViewData = z.infer<typeof commentViewSchema>;

// The slow mode in force on an article and why; in the article (HTTP) and in
// `article.updated`, so readers know it and moderators see who set it.
export const slowModeSchema = z
  .strictObject({
    seconds: z.number().int().describe("Least seconds between one reader's comments on the article; 0: no slow mode"),
    source: z
      .enum(['manual', 'auto'])
      .nullable()
      .describe('Who set the slow mode in force: a moderator, or the service when the thread ran hot; null: none'),
    reason: z
      .enum(['comments', 'reports'])
      .nullable()
      .describe('For automatic slow mode: the rate that passed its threshold'),
    since: time.nullable().describe('When the slow mode in force began'),
    setting: z
      .enum(['auto', 'off', 'manual'])
      .describe("The moderators' choice: automatic (the default), never automatic, or a fixed interval"),
  })
  .describe('Slow mode on the article');
export type SlowModeData = z.infer<typeof slowModeSchema>;

const perMinute = z.strictObject({ last1m: z.number(), last5m: z.number() });

// What moderators see of a thread's heat (GET /api/moderation/articles/:slug/health, `thread.health`).
export const threadHealthSchema = z.strictObject({
  articleId: uuid,
  slug: z.string(),
  at: time,
  commentsPerMinute: perMinute.describe('Comments posted (any status) per minute over the last 1 and 5 minutes'),
  reportsPerMinute: perMinute.describe("Reports on the article's comments per minute over the last 1 and 5 minutes"),
  recent: z
    .strictObject({
      minutes: z.number().int(),
      comments: z.number().int(),
      held: z.number().int().describe('Still held for review (pending)'),
      removed: z.number().int().describe('Removed or rejected by a moderator'),
      newAccounts: z.number().int().describe('Posted by accounts younger than NEW_ACCOUNT_HOURS'),
      heldShare: z.number(),
      removedShare: z.number(),
      newAccountShare: z.number(),
      holdsByReason: z
        .record(z.string(), z.number().int())
        .describe(
          'How many of these comments each rule held (new_commenter, links, spam, ...), still held or decided since; a comment held for two reasons counts under both',
        ),
    })
    .describe('Comments of the last hour and the share of them held, removed, and posted by new accounts (0 to 1)'),
  hottest: z
    .array(
      z.strictObject({
        rootId: uuid.describe('The top-level comment the subthread hangs from'),
        replies: z.number().int().describe('Replies in the subthread in the last 5 minutes'),
        repliesPerMinute: z.number(),
        maxDepth: z.number().int().describe('Deepest reply in the subthread'),
        comments: z.number().int().describe('Comments in the subthread, its root included'),
        reported: z.number().int().describe('Comments in the subthread that were reported'),
        reportedShare: z.number(),
      }),
    )
    .describe('The subthreads with the most replies in the last 5 minutes, hottest first (at most 5)'),
  slowMode: slowModeSchema,
});
export type ThreadHealthData = z.infer<typeof threadHealthSchema>;
// "Catch me up": what happened in an article since a reader's last visit
// (GET /api/articles/:slug/digest, and the `digest` message after a
// subscribe that asks for it). Every comment in it went through the
// visibility policy for its reader; a removal is a notice, never the text.
const DIGEST_CLAMPS = ['max-age', 'log-start', 'max-events'] as const;
export const digestSchema = z.strictObject({
  articleId: uuid,
  seq: z
    .number()
    .int()
    .describe("The article's last event number when the digest was made: follow live with `after` set to it"),
  since: z
    .strictObject({
      requested: z.string().describe('`since` as the reader sent it (an event number or an ISO 8601 time)'),
      seq: z.number().int().describe('The digest covers the events after this one, up to `seq`'),
      at: time
        .nullable()
        .describe(
          'When the event `since.seq` happened (null for 0, the start of the article, or when the log no longer keeps it)',
        ),
      clamped: z
        .enum(DIGEST_CLAMPS)
        .nullable()
        .describe(
          'Why the window starts later than asked, or null: `max-age` (older than DIGEST_MAX_AGE_DAYS), ' +
            '`log-start` (before the oldest event kept), `max-events` (more than DIGEST_MAX_EVENTS events ago)',
        ),
    })
    .describe('The window the digest covers'),
  counts: z.strictObject({
    comments: z.number().int().describe('New published comments in the window, top-level and replies'),
    topLevel: z.number().int(),
    replies: z.number().int(),
    byStance: z
      .strictObject({
        agree: z.number().int(),
        disagree: z.number().int(),
        question: z.number().int(),
        other: z.number().int(),
        none: z.number().int(),
      })
      .describe('New published top-level comments per declared stance (`none`: no stance declared)'),
    repliesToYou: z.number().int().nullable().describe('New published replies to the reader (null when anonymous)'),
    removals: z.number().int().nullable().describe('Removal notices in the reader’s subthreads (null when anonymous)'),
  }),
  repliesToYou: z
    .array(commentViewSchema)
    .nullable()
    .describe("The newest replies to the reader's comments (at most 10; null when anonymous)"),
  best: z
    .array(commentViewSchema)
    .describe('The best new top-level comments by others: Wilson lower bound, then score (at most 5)'),
  busiest: z
    .array(
      z.strictObject({
        root: commentViewSchema.describe('The top-level comment (a placeholder when the reader may not see it)'),
        newReplies: z.number().int().describe('New published replies under it in the window, at any depth'),
        lastReplyAt: time,
      }),
    )
    .describe('The subthreads with the most new replies (at most 3)'),
  removals: z
    .array(
      z.strictObject({
        commentId: uuid,
        parentId: uuid.nullable(),
        rootId: uuid.describe('The top-level comment of the subthread'),
        status: z
          .enum(['removed', 'pending', 'rejected'])
          .describe('`pending`: held for a moderator (shown to its author only)'),
        reasonCode: z.string().nullable(),
        at: time,
        yours: z.boolean().describe('The reader wrote it'),
      }),
    )
    .nullable()
    .describe(
      'Comments taken down or held in the window, in the subthreads the reader took part in, newest first (at most 10; null when anonymous); never their text',
    ),
});
export type DigestData = z.infer<typeof digestSchema>;
export type DigestClamp = (typeof DIGEST_CLAMPS)[number];

export const holdReasonSchema = z.enum([
  'premoderation',
  'user_premoderated',
  'suspect_word',
  'reports',
  'new_commenter',
  'links',
  'email_domain',
  'spam',
]);
