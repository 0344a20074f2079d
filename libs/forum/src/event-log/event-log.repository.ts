import { inModerationFeed, MODERATION_FEED, storedData } from '@rejoinder/common';
import type { ArticleEvent, ArticleEventName, EventAudience, EventData } from '@rejoinder/common';
import { Prisma } from '@rejoinder/db';
import type { PrismaService } from '@rejoinder/db';
import type { CommentRow } from '../comments/comment.types.js';
import { withComment } from '../comments/visibility.js';
import type { EventRow } from './event-rows.js';

// The article's event log has one owner: every writer locks the article's row
// here first (its event counter orders all writers of one article, so event
// numbers become visible in commit order without gaps), appends its events
// here, and adjusts the counts that ride along (published comments, replies,
// the moderators' feed, reply notifications). The one-statement post
// (post-statements.ts) does the same steps in SQL; test/integration pins the two.

const { sql, raw, empty } = Prisma;

export type Tx = Parameters<Parameters<PrismaService['$transaction']>[0]>[0];

// An event about the article itself, as appendEvents takes it.
export type ArticleEventRow = { [K in ArticleEventName]: [K, EventAudience, EventData<K>] }[ArticleEventName];

// Where a writer's events start in the article's log, and their time.
export interface LogHead {
  first: number;
  at: Date;
}

// Takes the article's row lock without numbering anything yet (writers that
// read before they decide); the numbering follows with lockArticle.
export async function holdArticle(tx: Tx, articleId: string): Promise<void> {
  await tx.$queryRaw`SELECT id FROM articles WHERE id = ${articleId}::uuid FOR UPDATE`;
}

// Bumps the article's event counter by `count` (taking its row lock) and its
// published-comment count by `published`, with the counts of the comment's
// passage and stance. Returns the first new seq, or null when `requireOpen`
// and the article is closed.
export async function lockArticle(
  tx: Tx,
  articleId: string,
  count: number,
  published: number,
  requireOpen: boolean,
  tally: { paragraph: number | null; stance: string | null } = { paragraph: null, stance: null },
): Promise<LogHead | null> {
  const open = requireOpen ? sql`AND state = 'open'` : empty;
  const bump = (column: string, key: string | null) =>
    key === null || published === 0
      ? empty
      : sql`, ${raw(column)} = jsonb_set(${raw(column)}, ARRAY[${key}::text], to_jsonb(COALESCE((${raw(column)}->>${key}::text)::int, 0) + ${published}::int))`;
  const rows = await tx.$queryRaw<{ last: number; at: Date }[]>`
    UPDATE articles SET last_seq = last_seq + ${count}::int, comment_count = comment_count + ${published}::int
      ${bump('passage_counts', tally.paragraph === null ? null : String(tally.paragraph))} ${bump('stance_counts', tally.stance)}
    WHERE id = ${articleId}::uuid ${open}
    RETURNING last_seq AS last, now() AS at`;
  const row = rows[0];
  return row ? { first: row.last - count + 1, at: row.at } : null;
}

// Appends a comment's events at `head` (from lockArticle), rendered from the
// stored comment; queue events also go to the moderators' feed.
export async function appendCommentEvents(
  tx: Tx,
  articleId: string,
  head: LogHead,
  commentId: string,
  events: EventRow[],
  comment: CommentRow,
): Promise<ArticleEvent[]> {
  const committed: ArticleEvent[] = [];
  for (const [i, event] of events.entries()) {
    const seq = head.first + i;
    // The log keeps ids, never the comment's text: a replay renders the
    // comment as it is then (ADR 14); the live event carries it now.
    const data = withComment(event.type, event.payload(comment), comment, event);
    const stored = storedData(event.type, data);
    await tx.$executeRaw`
      INSERT INTO article_events (article_id, seq, type, audience, user_id, comment_id, payload, created_at)
      VALUES (${articleId}::uuid, ${seq}, ${event.type}, ${event.audience}::"EventAudience",
              ${event.userId}::uuid, ${commentId}::uuid, ${JSON.stringify(stored)}::jsonb, ${head.at})`;
    // Typed where it was built (eventRow's payload, the catalogue's rendering).
    committed.push({
      articleId,
      seq,
      type: event.type,
      audience: event.audience,
      userId: event.userId,
      at: head.at.toISOString(),
      data,
    } as ArticleEvent);
    if (inModerationFeed(event.type))
      committed.push(await appendToModerationFeed(tx, articleId, event.type, data, stored, head.at));
  }
  return committed;
}

// Appends events about the article itself (no comment), numbered after its
// last one, in the caller's transaction (which then holds the article's lock).
export async function appendEvents(
  tx: Tx,
  articleId: string,
  rows: ArticleEventRow[],
): Promise<{ committed: ArticleEvent[]; last: number }> {
  const count = rows.length;
  const [{ last, at }] = await tx.$queryRaw<{ last: number; at: Date }[]>`
    UPDATE articles SET last_seq = last_seq + ${count}::int WHERE id = ${articleId}::uuid
    RETURNING last_seq AS last, now() AS at`;
  const first = last - count + 1;
  const committed: ArticleEvent[] = [];
  for (const [i, [type, audience, data]] of rows.entries()) {
    const seq = first + i;
    await tx.$executeRaw`
      INSERT INTO article_events (article_id, seq, type, audience, payload, created_at)
      VALUES (${articleId}::uuid, ${seq}, ${type}, ${audience}::"EventAudience", ${JSON.stringify(data)}::jsonb, ${at})`;
    committed.push({ articleId, seq, type, audience, userId: null, at: at.toISOString(), data } as ArticleEvent);
    if (inModerationFeed(type)) committed.push(await appendToModerationFeed(tx, articleId, type, data, data, at));
  }
  return { committed, last };
}

// Queue events also go to the moderators' feed across articles. Its counter
// row is locked after the article's, as by every writer, so no deadlock.
export async function appendToModerationFeed(
  tx: Tx,
  articleId: string,
  type: ArticleEventName,
  data: unknown,
  stored: unknown,
  at: Date,
): Promise<ArticleEvent> {
  const rows = await tx.$queryRaw<{ seq: number }[]>`
    INSERT INTO moderation_feed (id, last_seq) VALUES (1, 1)
    ON CONFLICT (id) DO UPDATE SET last_seq = moderation_feed.last_seq + 1
    RETURNING last_seq AS seq`;
  const seq = rows[0].seq;
  await tx.$executeRaw`
    INSERT INTO moderation_events (seq, article_id, type, payload, created_at)
    VALUES (${seq}, ${articleId}::uuid, ${type}, ${JSON.stringify(stored)}::jsonb, ${at})`;
  return {
    articleId,
    stream: MODERATION_FEED,
    seq,
    type,
    audience: 'moderators',
    userId: null,
    at: at.toISOString(),
    data,
  } as ArticleEvent;
}

// Tells the parent's author of a published reply (not when replying to oneself).
export async function notifyReply(
  tx: Tx,
  parentId: string,
  commentId: string,
  articleId: string,
  actorId: string,
): Promise<void> {
  await tx.$executeRaw`
    INSERT INTO notifications (id, user_id, type, comment_id, article_id, actor_id, created_at)
    SELECT gen_random_uuid(), p.author_id, 'reply', ${commentId}::uuid, ${articleId}::uuid, ${actorId}::uuid, now()
    FROM comments p WHERE p.id = ${parentId}::uuid AND p.author_id <> ${actorId}::uuid`;
}

// A listed comment came (delta 1) or went (-1): its parent's reply count and
// every ancestor's descendant count follow.
export async function bumpAncestors(tx: Tx, path: string[], parentId: string | null, delta: number): Promise<void> {
  const ancestors = path.slice(0, -1);
  if (ancestors.length === 0) return;
  await tx.$executeRaw`
    UPDATE comments
    SET descendant_count = descendant_count + ${delta}::int,
        reply_count = reply_count + CASE WHEN id = ${parentId}::uuid THEN ${delta}::int ELSE 0 END
    WHERE id = ANY(${ancestors}::uuid[])`;
}
