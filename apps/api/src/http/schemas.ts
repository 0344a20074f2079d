import { ARTICLE_EVENT_NAMES, commentViewSchema, digestSchema, openApiSchema } from '@rejoinder/common';
import { articleSummarySchema, articleViewSchema } from '@rejoinder/forum';

// JSON Schemas of the responses, for the OpenAPI description.
const nullable = (type: string, extra: Record<string, unknown> = {}) => ({ type: [type, 'null'], ...extra });

export const ACCOUNT_SCHEMA = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    username: { type: 'string' },
    email: nullable('string', {
      format: 'email',
      description: "Null for an account from the publisher's login without an address",
    }),
    emailVerified: { type: 'boolean', description: 'The address is confirmed; mail goes only to a confirmed address' },
    external: { type: 'boolean', description: "Signs in with the publisher's login (no password here)" },
    role: { type: 'string', enum: ['commenter', 'moderator', 'admin'] },
    createdAt: { type: 'string', format: 'date-time' },
  },
};

export const SESSION_SCHEMA = {
  type: 'object',
  properties: {
    user: ACCOUNT_SCHEMA,
    accessToken: { type: 'string', description: 'JWT (HS256); send as `Authorization: Bearer <token>`' },
    tokenType: { type: 'string', enum: ['Bearer'] },
    expiresIn: { type: 'integer', description: 'Seconds until the token expires' },
  },
};

export const ARTICLE_LIST_SCHEMA = {
  type: 'object',
  properties: {
    items: { type: 'array', items: openApiSchema(articleSummarySchema) },
    nextCursor: nullable('string'),
  },
};

export const ARTICLE_SCHEMA = openApiSchema(articleViewSchema);

export const DIGEST_SCHEMA = openApiSchema(digestSchema);

// A comment's schema comes from the same zod schema as its type (CommentView)
// and as the comments in events.
export const COMMENT_SCHEMA = openApiSchema(commentViewSchema) as {
  properties: Record<string, unknown>;
  required: string[];
};

export const COMMENT_NODE_SCHEMA = {
  ...COMMENT_SCHEMA,
  required: [...COMMENT_SCHEMA.required, 'replies', 'repliesCursor'],
  properties: {
    ...COMMENT_SCHEMA.properties,
    replies: {
      type: 'array',
      description: 'The first replies (oldest first), nested the same way to a bounded depth',
      items: { type: 'object' },
    },
    repliesCursor: nullable('string', {
      description:
        'Pass to GET /api/comments/{id}/replies to load the replies not included; null when all are included',
    }),
  },
};

export const COMMENT_PAGE_SCHEMA = {
  type: 'object',
  properties: {
    items: { type: 'array', items: COMMENT_NODE_SCHEMA },
    nextCursor: nullable('string', { description: 'Opaque keyset cursor for the next page; null on the last page' }),
    pinned: {
      type: 'array',
      items: COMMENT_SCHEMA,
      description: 'Thread pages only: comments pinned by moderators, on the first page (empty on later pages)',
    },
  },
};

export const THREAD_PAGE_SCHEMA = {
  ...COMMENT_PAGE_SCHEMA,
  required: ['items', 'nextCursor', 'pinned', 'seq'],
  properties: {
    ...COMMENT_PAGE_SCHEMA.properties,
    seq: {
      type: 'integer',
      description:
        "The article's last event number when the page was read: the page is at least as new; subscribe with `after: seq` to follow it",
    },
    viewer: {
      type: 'object',
      description: 'Signed-in readers only: what only they see, on top of the page every reader shares',
      required: ['votes', 'pending'],
      properties: {
        votes: {
          type: 'object',
          additionalProperties: { type: 'integer', enum: [-1, 1] },
          description: "The reader's votes on the page's comments, by comment id",
        },
        pending: {
          type: 'array',
          items: COMMENT_SCHEMA,
          description: "The reader's own comments waiting for a moderator, newest first (first page only; at most 20)",
        },
      },
    },
  },
};

export const PERMALINK_SCHEMA = {
  type: 'object',
  properties: {
    comment: COMMENT_NODE_SCHEMA,
    ancestors: { type: 'array', items: COMMENT_SCHEMA, description: 'From the top-level comment down to the parent' },
    seq: {
      type: 'integer',
      description:
        "The article's last event number when the comment was read: it is at least as new; subscribe with `after: seq` to follow it",
    },
  },
  required: ['comment', 'ancestors', 'seq'],
};

export const EVENTS_PAGE_SCHEMA = {
  type: 'object',
  properties: {
    events: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          seq: { type: 'integer' },
          articleId: { type: 'string', format: 'uuid' },
          type: {
            type: 'string',
            enum: ARTICLE_EVENT_NAMES,
            description: 'From the event catalogue; see docs/realtime.md',
          },
          audience: { type: 'string', enum: ['public', 'moderators', 'user'] },
          userId: nullable('string', { format: 'uuid' }),
          at: { type: 'string', format: 'date-time' },
          data: { type: 'object', description: 'The event payload; see docs/realtime.md' },
        },
      },
    },
    seq: { type: 'integer', description: 'Poll again with after=seq' },
    resync: { type: 'boolean' },
  },
};

export const NOTIFICATIONS_PAGE_SCHEMA = {
  type: 'object',
  properties: {
    items: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'string', format: 'uuid' },
          type: { type: 'string', enum: ['reply'] },
          articleId: { type: 'string', format: 'uuid' },
          comment: {
            anyOf: [COMMENT_SCHEMA, { type: 'null' }],
            description: 'The reply as you may see it now: null once it is hidden from you',
          },
          read: { type: 'boolean' },
          createdAt: { type: 'string', format: 'date-time' },
        },
      },
    },
    unreadCount: { type: 'integer' },
    nextCursor: nullable('string'),
  },
};
