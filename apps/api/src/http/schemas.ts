// JSON Schemas of the responses, for the OpenAPI description.
const nullable = (type: string, extra: Record<string, unknown> = {}) => ({ type: [type, 'null'], ...extra });

export const ACCOUNT_SCHEMA = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    username: { type: 'string' },
    email: { type: 'string', format: 'email' },
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

const ARTICLE_SUMMARY_PROPERTIES = {
  id: { type: 'string', format: 'uuid' },
  slug: { type: 'string' },
  title: { type: 'string' },
  author: { type: 'string' },
  publishedAt: { type: 'string', format: 'date-time' },
  sourceUrl: nullable('string', { format: 'uri' }),
  state: { type: 'string', enum: ['open', 'closed'] },
  commentCount: { type: 'integer', description: 'Published comments' },
};

export const ARTICLE_LIST_SCHEMA = {
  type: 'object',
  properties: {
    items: { type: 'array', items: { type: 'object', properties: ARTICLE_SUMMARY_PROPERTIES } },
    nextCursor: nullable('string'),
  },
};

export const ARTICLE_SCHEMA = {
  type: 'object',
  properties: {
    ...ARTICLE_SUMMARY_PROPERTIES,
    body: { type: 'string', description: 'Markdown source' },
    html: { type: 'string', description: 'Sanitised HTML' },
    premoderation: { type: 'boolean' },
    slowModeSeconds: { type: 'integer' },
    seq: { type: 'integer', description: "The article's last event number" },
  },
};

const COMMENT_PROPERTIES = {
  id: { type: 'string', format: 'uuid' },
  articleId: { type: 'string', format: 'uuid' },
  parentId: nullable('string', { format: 'uuid' }),
  depth: { type: 'integer', description: '0 for a top-level comment' },
  status: { type: 'string', enum: ['published', 'pending', 'rejected', 'removed', 'deleted'] },
  author: {
    type: ['object', 'null'],
    description: 'null on the tombstone of a removed or deleted comment',
    properties: { id: { type: 'string', format: 'uuid' }, username: { type: 'string' } },
  },
  body: nullable('string', { description: 'Markdown source; null on a tombstone' }),
  html: nullable('string', { description: 'Sanitised HTML; null on a tombstone' }),
  createdAt: { type: 'string', format: 'date-time' },
  editedAt: nullable('string', { format: 'date-time' }),
  score: { type: 'integer' },
  upvotes: { type: 'integer' },
  downvotes: { type: 'integer' },
  replyCount: { type: 'integer', description: 'Listed direct replies' },
  descendantCount: { type: 'integer', description: 'Listed replies at any depth' },
  featured: { type: 'boolean', description: "Highlighted by a moderator" },
  pinned: { type: 'boolean', description: 'Pinned to the top of the thread by a moderator' },
};

export const COMMENT_SCHEMA = { type: 'object', properties: COMMENT_PROPERTIES };

export const COMMENT_NODE_SCHEMA = {
  type: 'object',
  properties: {
    ...COMMENT_PROPERTIES,
    replies: {
      type: 'array',
      description: 'The first replies (oldest first), nested the same way to a bounded depth',
      items: { type: 'object' },
    },
    repliesCursor: nullable('string', {
      description: 'Pass to GET /api/comments/{id}/replies to load the replies not included; null when all are included',
    }),
  },
};

export const COMMENT_PAGE_SCHEMA = {
  type: 'object',
  properties: {
    items: { type: 'array', items: COMMENT_NODE_SCHEMA },
    nextCursor: nullable('string', { description: 'Opaque keyset cursor for the next page; null on the last page' }),
    pinned: { type: 'array', items: COMMENT_SCHEMA, description: 'Thread pages only: comments pinned by moderators, on the first page (empty on later pages)' },
  },
};

export const PERMALINK_SCHEMA = {
  type: 'object',
  properties: {
    comment: COMMENT_NODE_SCHEMA,
    ancestors: { type: 'array', items: COMMENT_SCHEMA, description: 'From the top-level comment down to the parent' },
  },
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
            enum: ['comment.created', 'comment.updated', 'comment.deleted', 'comment.removed', 'comment.voted', 'article.updated'],
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
