import { z } from 'zod';
import {
  commentViewSchema,
  digestSchema,
  holdReasonSchema,
  slowModeSchema,
  threadHealthSchema,
} from './event-payloads.js';

// The one definition of every event a client can receive: its name, who
// receives it, and its payload. Types, the OpenAPI description, the protocol
// document's table and the tests' event list all derive from here.

const uuid = z.uuid();
const time = z.iso.datetime();

// How an event's comment reaches a reader. Only ids are kept in the event
// log; the comment is rendered again, as the reader may see it now, whenever
// the event is replayed (ADR 14).
//   view: the comment as the visibility policy shows it to this reader (an
//         event whose comment the reader may no longer see is not replayed);
//   tombstone: a placeholder while the comment is listed, else null.
export type CommentRendering = { key: 'comment' | 'tombstone'; mode: 'view' | 'tombstone' };

interface CatalogueEntry {
  // Who receives it, as the protocol document says.
  audience: string;
  data: z.ZodType;
  comment?: CommentRendering;
  // Also numbered in the moderators' feed across articles.
  feed?: boolean;
}

// Events numbered in an article's log (and replayed on catch-up).
export const ARTICLE_EVENTS = {
  'comment.created': {
    audience:
      "everyone following the article, for a new published comment or one a moderator approved or restored from rejected; a pending comment only to its author and moderators; a ghost-banned author's comment to its author (shown as published) and, as `shadowed`, to moderators",
    data: z.strictObject({ comment: commentViewSchema }),
    comment: { key: 'comment', mode: 'view' },
  },
  'comment.updated': {
    audience:
      'everyone: a comment edited (`editedAt`), featured, pinned, or restored from removed; an edit of a pending comment only to its author and moderators (of a shadowed one: to its author, shown as published, and to moderators)',
    data: z.strictObject({ comment: commentViewSchema }),
    comment: { key: 'comment', mode: 'view' },
  },
  'comment.deleted': {
    audience:
      "everyone: the author deleted it, or the author's account was erased; `tombstone` is the placeholder to show when it has replies, `null` when it leaves the thread (a pending comment: its author and moderators)",
    data: z.strictObject({ commentId: uuid, tombstone: commentViewSchema.nullable() }),
    comment: { key: 'tombstone', mode: 'tombstone' },
  },
  'comment.removed': {
    audience:
      '`status: "removed"`: everyone (show the placeholder in `comment`); `status: "pending"`: everyone (held back by reports, a suspect word or premoderation after an edit: hide it; `reasonCode` says why); `status: "rejected"`: the author only',
    data: z.strictObject({
      commentId: uuid,
      status: z.enum(['removed', 'pending', 'rejected']),
      reasonCode: z.string().nullable().describe("The moderator's reason code, or why the comment was held back"),
      comment: commentViewSchema.nullable(),
    }),
    comment: { key: 'comment', mode: 'tombstone' },
  },
  'comment.voted': {
    audience: 'everyone; coalesced: at most one per comment per 250 ms per node, carrying the counts at that moment',
    data: z.strictObject({
      commentId: uuid,
      score: z.number().int(),
      upvotes: z.number().int(),
      downvotes: z.number().int(),
      bestScore: z.number(),
    }),
  },
  'article.created': {
    audience: "everyone: the article was made (by the newsroom's API or its embed); the first event of its log",
    data: z.strictObject({
      article: z.strictObject({
        id: uuid,
        slug: z.string(),
        externalId: z.string().nullable().describe("The newsroom's own id"),
        title: z.string(),
        url: z.string().nullable().describe('The canonical URL'),
        author: z.string(),
        publishedAt: time,
        language: z.string(),
        section: z.string().nullable(),
        createdVia: z.enum(['api', 'embed']),
      }),
    }),
  },
  'article.updated': {
    audience: 'everyone',
    data: z.strictObject({
      article: z.strictObject({
        id: uuid,
        slug: z.string(),
        state: z.enum(['open', 'closed']),
        premoderation: z.boolean(),
        slowModeSeconds: z.number().int().describe('The same as `slowMode.seconds`'),
        slowMode: slowModeSchema,
      }),
    }),
  },
  'slow_mode.changed': {
    audience:
      "moderators (also in the moderators' feed): slow mode went on or off by itself, with the measured rate and the threshold, or a moderator changed its setting",
    data: z.strictObject({
      slug: z.string(),
      action: z.enum(['on', 'off', 'setting']),
      by: z.enum(['auto', 'moderator']),
      slowMode: slowModeSchema,
      rate: z
        .strictObject({
          commentsPerMinute: z.number(),
          reportsPerMinute: z.number(),
          windowSeconds: z.number().int(),
        })
        .nullable()
        .describe('What was measured when the service decided (null for a moderator’s change)'),
      threshold: z
        .strictObject({ commentsPerMinute: z.number(), reportsPerMinute: z.number(), quietSeconds: z.number().int() })
        .nullable(),
    }),
    feed: true,
  },
  'queue.added': {
    audience: "moderators (also in the moderators' feed)",
    data: z.strictObject({
      commentId: uuid,
      queue: z.enum(['pending', 'reported']),
      reason: holdReasonSchema.describe('The first of `reasons`'),
      reasons: z.array(holdReasonSchema).describe('Every rule that held the comment'),
      version: z.number().int(),
      comment: commentViewSchema,
    }),
    comment: { key: 'comment', mode: 'view' },
    feed: true,
  },
  'queue.resolved': {
    audience: "moderators (also in the moderators' feed)",
    data: z.strictObject({
      commentId: uuid,
      action: z
        .string()
        .describe(
          "The moderator's action, `delete` when the author deleted it, or `erase` when the author's account was erased",
        ),
      status: commentViewSchema.shape.status,
      version: z.number().int(),
    }),
    feed: true,
  },
} as const satisfies Record<string, CatalogueEntry>;

// Messages that are not numbered: not in any log, never replayed.
export const SESSION_EVENTS = {
  'notification.reply': {
    audience:
      "the parent's author (room `user:<id>`, on whichever node their sockets are), whether or not they follow the article",
    data: z.strictObject({ type: z.literal('reply'), articleId: uuid, comment: commentViewSchema }),
  },
  presence: {
    audience:
      'everyone following the article, at most once per `PRESENCE_INTERVAL_MS` and only when the number or `approximate` ' +
      'changed; `approximate` is true while the nodes cannot tell each other their counts (Redis down)',
    data: z.strictObject({ articleId: uuid, viewers: z.number().int(), approximate: z.boolean() }),
  },
  'account.updated': {
    audience: 'every socket of the account, within a second of a change to its role or sanctions (on any node)',
    data: z.strictObject({
      role: z.enum(['commenter', 'moderator', 'admin']),
      banned: z.boolean(),
      suspendedUntil: time.nullable(),
      premoderated: z.boolean(),
    }),
  },
  'auth.expired': {
    audience:
      'a socket whose token expired, or whose account signed out everywhere since (a password reset or change): it is anonymous from now on; send `auth` with a fresh token to sign in again',
    data: z.strictObject({ code: z.literal('TOKEN_EXPIRED') }),
  },
  resync: {
    audience:
      "everyone following the article live, when events up to `seq` are missing from the article's log (history pruned or erased, a manual repair): live events after `seq` keep coming; reload the article and its comments over HTTP",
    data: z.strictObject({ articleId: uuid, seq: z.number().int() }),
  },
  'thread.health': {
    audience:
      'moderators following the article (`subscribe` with `article`): once after subscribing, then every `THREAD_HEALTH_INTERVAL_MS` when it changed; the same body as GET /api/moderation/articles/:slug/health',
    data: threadHealthSchema,
  },
  digest: {
    audience:
      'a socket that subscribed to an article with `digest` set: once, after the catch-up and before the acknowledgement; what `GET /api/articles/:slug/digest` gives its account',
    data: digestSchema,
  },
  'subscription.ended': {
    audience: "a socket following the moderators' feed whose account may no longer (demoted, signed out by expiry)",
    data: z.strictObject({ feed: z.literal('moderation'), code: z.enum(['FORBIDDEN', 'UNAUTHENTICATED']) }),
  },
} as const satisfies Record<string, CatalogueEntry>;

export type ArticleEventName = keyof typeof ARTICLE_EVENTS;
export type SessionEventName = keyof typeof SESSION_EVENTS;
export type EventData<N extends ArticleEventName> = z.infer<(typeof ARTICLE_EVENTS)[N]['data']>;
export type SessionEventData<N extends SessionEventName> = z.infer<(typeof SESSION_EVENTS)[N]['data']>;

export const ARTICLE_EVENT_NAMES = Object.keys(ARTICLE_EVENTS) as ArticleEventName[];
export const SESSION_EVENT_NAMES = Object.keys(SESSION_EVENTS) as SessionEventName[];

export function commentRendering(type: string): CommentRendering | undefined {
  return (ARTICLE_EVENTS as Record<string, CatalogueEntry>)[type]?.comment;
}

export function inModerationFeed(type: string): boolean {
  return (ARTICLE_EVENTS as Record<string, CatalogueEntry>)[type]?.feed === true;
}

// What the event log keeps of an event's data: everything but the rendered
// comment, which is made again from the comment's current state on replay.
export function storedData(type: string, data: unknown): unknown {
  const rendering = commentRendering(type);
  if (!rendering || typeof data !== 'object' || data === null) return data;
  const { [rendering.key]: _rendered, ...kept } = data as Record<string, unknown>;
  return kept;
}

// The protocol document's table of numbered events, generated from the catalogue.
export function eventTableMarkdown(): string {
  const rows = ARTICLE_EVENT_NAMES.map(
    (name) => `| \`${name}\` | \`${dataShape(ARTICLE_EVENTS[name].data)}\` | ${ARTICLE_EVENTS[name].audience} |`,
  );
  const session = SESSION_EVENT_NAMES.map(
    (name) => `| \`${name}\` | \`${dataShape(SESSION_EVENTS[name].data)}\` | ${SESSION_EVENTS[name].audience} |`,
  );
  return [
    '| Event | `data` | Sent to |',
    '| --- | --- | --- |',
    ...rows,
    '',
    'Not numbered (never replayed; sent as the payload itself, without the envelope):',
    '',
    '| Event | Payload | Sent to |',
    '| --- | --- | --- |',
    ...session,
  ].join('\n');
}

// `{ comment, status? }`: the top-level fields of a payload, optional ones marked.
function dataShape(schema: z.ZodType): string {
  const shape = (schema as z.ZodObject).shape as Record<string, z.ZodType>;
  const fields = Object.entries(shape).map(([key, field]) => (field.safeParse(undefined).success ? `${key}?` : key));
  return `{ ${fields.join(', ')} }`;
}

const TABLE_BEGIN = /<!-- events:begin[^>]*-->/;
const TABLE_END = '<!-- events:end -->';

// The protocol document with its event table regenerated between its markers.
export function withEventTable(doc: string): string {
  const begin = TABLE_BEGIN.exec(doc);
  const end = doc.indexOf(TABLE_END);
  if (!begin || end < begin.index) throw new Error('docs/realtime.md has no events:begin/events:end markers');
  return `${doc.slice(0, begin.index + begin[0].length)}\n${eventTableMarkdown()}\n${doc.slice(end)}`;
}
