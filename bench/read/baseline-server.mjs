// The read benchmark's baseline: a bare node:http server with a pg pool that
// answers the same read URLs as the API with the same SQL, and no framework.
// It shows what the database and the driver cost on their own, so the API's
// figures can be read as "baseline + what NestJS/Fastify/Prisma add".
//
//   GET /api/articles/:slug/comments?sort=&limit=&cursor=
//       the article id by slug (cached per slug when CommentsService caches
//       it, else looked up per request), then the app's own tree statement
//       (treeQuery from dist, so the text and the values are identical to
//       the API's; pinned comments ride along on a first page, or follow in a
//       statement of their own in versions that did that)
//   GET /api/comments/:id
//       comment by id, then its ancestors and its first replies in parallel,
//       as CommentsService.permalink does
//
// Responses are the rows as JSON (no nesting into a tree, no view mapping).
// Env: DATABASE_URL (required), PORT (0 = any), HOST (127.0.0.1),
// DATABASE_POOL_SIZE (10, the API's default).
import http from 'node:http';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
// The statement's module only (not the forum package's index, which pulls in
// Nest modules the baseline does not need): thread-query.js, or in earlier
// versions the comments repository, which held it.
const THREAD_QUERY = join(ROOT, 'dist/libs/forum/src/comments/thread-query.js');
const REPOSITORY = join(ROOT, 'dist/libs/forum/src/comments/comments.repository.js');
const { CommentsRepository } = await import(REPOSITORY);
const { treeQuery } = await import(existsSync(THREAD_QUERY) ? THREAD_QUERY : REPOSITORY);
// Pinned comments above a first page: either rows of the tree statement
// (level -2, `withPinned`) or, in earlier versions, a statement of their own
// run after it (CommentsRepository.pinned).
const PINNED_STATEMENT = typeof CommentsRepository?.prototype?.pinned === 'function';
const { DEFAULT_TREE, CommentsService } = await import(join(ROOT, 'dist/libs/forum/src/comments/comments.service.js'));
const { ArticlesService } = await import(join(ROOT, 'dist/libs/forum/src/articles/articles.service.js'));
// This version of the service keeps slug -> article id in memory (one lookup
// per slug per process, not one per request; CommentsService.articleIdOf
// earlier, ArticlesService.idOf now): the baseline does the same.
const SLUG_CACHE =
  typeof CommentsService?.prototype?.articleIdOf === 'function' ||
  typeof ArticlesService?.prototype?.idOf === 'function';
const articleIds = new Map();

const pool = new pg.Pool({
  connectionString: process.env.DATABASE_URL,
  max: Number(process.env.DATABASE_POOL_SIZE || 10),
});

// The same columns CommentsRepository selects, taken from the tree
// statement's text (`SELECT <columns('c')>, u.username AS "authorName", ...`):
// the baseline follows the repository when the list changes.
const COLUMNS = (() => {
  const probe = treeQuery({
    articleId: '00000000-0000-0000-0000-000000000000',
    parentId: null,
    sort: 'newest',
    limit: 1,
    shape: DEFAULT_TREE,
  }).text;
  const end = probe.indexOf(', u.username AS "authorName"');
  const start = probe.lastIndexOf('SELECT ', end);
  const list = end > 0 && start >= 0 ? probe.slice(start + 'SELECT '.length, end) : '';
  if (!list.startsWith('c.id,'))
    throw new Error('Cannot find the comment columns in the tree statement: update bench/read/baseline-server.mjs');
  return list;
})();

// Prisma's findUnique({ where: { slug } }) selects every column of the model.
const ARTICLE_BY_SLUG = `SELECT * FROM articles WHERE slug = $1 LIMIT 1`;
const COMMENT_BY_ID = `SELECT ${COLUMNS}, c.path::text[] AS path, u.username AS "authorName", u.display_name AS "authorDisplayName"
  FROM comments c JOIN users u ON u.id = c.author_id
  WHERE c.id = $1::uuid`;
const PINNED = `SELECT ${COLUMNS}, u.username AS "authorName", u.display_name AS "authorDisplayName"
  FROM comments c JOIN users u ON u.id = c.author_id
  WHERE c.article_id = $1::uuid AND c.pinned AND c.listed
  ORDER BY c.created_at DESC LIMIT 10`;
const COMMENTS_BY_IDS = `SELECT ${COLUMNS}, u.username AS "authorName", u.display_name AS "authorDisplayName"
  FROM comments c JOIN users u ON u.id = c.author_id
  WHERE c.id = ANY($1::uuid[])`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SORTS = new Set(['newest', 'oldest', 'top']);

class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

function encodeCursor(kind, key) {
  return Buffer.from(JSON.stringify([kind, ...key])).toString('base64url');
}

function decodeKey(kind, sort, cursor) {
  let parsed;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new HttpError(400, 'invalid cursor');
  }
  if (!Array.isArray(parsed) || parsed[0] !== kind) throw new HttpError(400, 'invalid cursor');
  if (sort === 'top') {
    const [, score, createdAt, id] = parsed;
    if (typeof score !== 'number' || !UUID.test(id ?? '')) throw new HttpError(400, 'invalid cursor');
    return { sort, score, createdAt, id };
  }
  const [, createdAt, id] = parsed;
  if (typeof createdAt !== 'string' || !UUID.test(id ?? '')) throw new HttpError(400, 'invalid cursor');
  return { sort, createdAt, id };
}

async function thread(slug, params) {
  const sort = params.get('sort') ?? 'newest';
  const limit = Number(params.get('limit') ?? 20);
  if (!SORTS.has(sort) || !Number.isInteger(limit) || limit < 1 || limit > 100) throw new HttpError(400, 'bad query');
  let articleId = SLUG_CACHE ? articleIds.get(slug) : undefined;
  if (!articleId) {
    const { rows: articles } = await pool.query(ARTICLE_BY_SLUG, [slug]);
    if (!articles[0]) throw new HttpError(404, 'article not found');
    articleId = articles[0].id;
    if (SLUG_CACHE) articleIds.set(slug, articleId);
  }
  const kind = `t:${sort}:${articleId}`;
  const cursor = params.get('cursor');
  const after = cursor ? decodeKey(kind, sort, cursor) : undefined;
  const q = treeQuery({ articleId, parentId: null, sort, after, limit, shape: DEFAULT_TREE, withPinned: !after });
  const { rows } = /** @type {{ rows: any[] }} */ (await pool.query(q.text, q.values));
  const items = rows.filter((r) => r.level >= 0);
  const hasMore = rows.some((r) => r.level === -1);
  let nextCursor = null;
  if (hasMore) {
    let last = null;
    for (const r of items) if (r.level === 0 && (!last || r.ord > last.ord)) last = r;
    if (last) {
      const at = last.createdAt.toISOString();
      nextCursor = encodeCursor(kind, sort === 'top' ? [last.score, at, last.id] : [at, last.id]);
    }
  }
  // As CommentsService.thread: on the first page only.
  const pinned = after
    ? []
    : PINNED_STATEMENT
      ? (await pool.query(PINNED, [articleId])).rows
      : rows.filter((r) => r.level === -2);
  return { items, pinned, nextCursor };
}

async function permalink(id) {
  if (!UUID.test(id)) throw new HttpError(404, 'comment not found');
  const { rows } = await pool.query(COMMENT_BY_ID, [id]);
  const comment = rows[0];
  if (!comment || (comment.status !== 'published' && comment.status !== 'removed' && comment.status !== 'deleted')) {
    throw new HttpError(404, 'comment not found');
  }
  const ancestorIds = comment.path.slice(0, -1);
  const subtree = treeQuery({
    articleId: comment.articleId,
    parentId: comment.id,
    sort: 'oldest',
    limit: DEFAULT_TREE.repliesPerLevel,
    shape: { ...DEFAULT_TREE, levels: DEFAULT_TREE.levels - 1 },
  });
  const [ancestors, replies] = await Promise.all([
    ancestorIds.length === 0 ? { rows: [] } : pool.query(COMMENTS_BY_IDS, [ancestorIds]),
    pool.query(subtree.text, subtree.values),
  ]);
  const byId = new Map(ancestors.rows.map((r) => [r.id, r]));
  return {
    comment,
    ancestors: ancestorIds.map((a) => byId.get(a)).filter(Boolean),
    replies: replies.rows.filter((/** @type {any} */ r) => r.level !== -1),
  };
}

function send(res, status, body) {
  const json = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(json),
  });
  res.end(json);
}

const server = http.createServer(async (req, res) => {
  try {
    const url = new URL(req.url, 'http://localhost');
    const parts = url.pathname.split('/');
    if (req.method !== 'GET') throw new HttpError(405, 'method not allowed');
    if (url.pathname === '/health') return send(res, 200, { status: 'ok' });
    // ['', 'api', 'articles', slug, 'comments']
    if (parts.length === 5 && parts[1] === 'api' && parts[2] === 'articles' && parts[4] === 'comments') {
      return send(res, 200, await thread(decodeURIComponent(parts[3]), url.searchParams));
    }
    // ['', 'api', 'comments', id]
    if (parts.length === 4 && parts[1] === 'api' && parts[2] === 'comments') {
      return send(res, 200, await permalink(parts[3]));
    }
    throw new HttpError(404, 'not found');
  } catch (error) {
    const status = error instanceof HttpError ? error.status : 500;
    if (status === 500) console.error(error);
    send(res, status, { status, detail: error.message });
  }
});
server.keepAliveTimeout = 72_000;

server.listen(Number(process.env.PORT || 0), process.env.HOST || '127.0.0.1', () => {
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  console.log(JSON.stringify({ msg: `baseline listening on http://127.0.0.1:${port}` }));
});

const stop = () => {
  server.close();
  server.closeAllConnections?.();
  pool.end().finally(() => process.exit(0));
  setTimeout(() => process.exit(0), 3000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
