// The write benchmark's baseline: a bare node:http server with a pg pool that
// takes the API's posting URL and runs the statements the API runs for a
// post, in the same order, with no framework and no ORM. It shows what the
// database and the driver cost on their own, so the API's figures read as
// "baseline + what NestJS, Fastify, Prisma and the checks add".
//
//   POST /api/articles/:slug/comments   { id?, body, parentId? }
//     1. the bearer token, verified as the API does (jose, HS256, issuer,
//        audience; like the API, once per token), then the account by id
//        with its standing: sanctions, trust, address (USER_WITH_STANDING_BY_ID,
//        from dist; the API's authentication of a post)
//     2. the article, whether the id is taken and the parent, in one read
//        (postContext, from dist)
//     3. only where the new-commenter review is on (the article's review,
//        else NEW_COMMENTER_REVIEW, default 0): the author's state again with
//        its published comments counted up to it (AUTHOR_STATE, from dist,
//        with the same parameters), as the API
//     4. the post itself: insertPublished from dist (identical text and values)
//   and answers 201 with the stored row as JSON.
//
// It does not render Markdown (the body is stored HTML-escaped), keeps no
// rate limits, duplicate marks or word lists, and does not publish the event
// to sockets. The write benchmark checks, with bench/write/sql-log.mjs, that
// the statement texts it sends for a post are the API's.
// Env: DATABASE_URL (required), JWT_SECRET (required), PORT (0 = any),
// HOST (127.0.0.1), DATABASE_POOL_SIZE (10, the API's default).
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jwtVerify } from 'jose';
import pg from 'pg';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
// The statement modules only (not the packages' indexes, which pull in Nest).
const { postContext, insertPublished, isCommentIdTaken } = await import(
  join(ROOT, 'dist/libs/forum/src/comments/post-statements.js')
);
const { USER_WITH_STANDING_BY_ID } = await import(join(ROOT, 'dist/libs/accounts/src/users.repository.js'));
const { AUTHOR_STATE } = await import(join(ROOT, 'dist/libs/moderation/src/moderation.repository.js'));

// As in the API: reads on one pool, the post (a write that may wait on the
// article's lock) on another of the same size.
const settings = { connectionString: process.env.DATABASE_URL, max: Number(process.env.DATABASE_POOL_SIZE || 10) };
const pool = new pg.Pool(settings);
const writes = new pg.Pool(settings);
// The API's default (libs/common config): the article's own, else this.
const NEW_COMMENTER_REVIEW = Number(process.env.NEW_COMMENTER_REVIEW || 0);
const key = new TextEncoder().encode(process.env.JWT_SECRET);
const verified = new Map();

async function verify(token) {
  const known = verified.get(token);
  if (known && known.exp * 1000 > Date.now()) return known;
  const { payload } = await jwtVerify(token, key, {
    algorithms: ['HS256'],
    issuer: 'rejoinder',
    audience: 'rejoinder',
    requiredClaims: ['sub', 'exp', 'iat'],
  });
  verified.set(token, payload);
  return payload;
}

const escape = (s) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function send(res, status, value) {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

async function post(req, res, slug, raw) {
  const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  if (!token) return send(res, 401, { code: 'UNAUTHENTICATED' });
  const payload = await verify(token);
  const user = (await pool.query(/** @type {string} */ (USER_WITH_STANDING_BY_ID), [payload.sub])).rows[0];
  if (!user) return send(res, 401, { code: 'INVALID_TOKEN' });
  const input = JSON.parse(raw);
  const body = String(input.body ?? '').trim();
  const article = (await pool.query(postContext(slug, input.id ?? null, input.parentId ?? null))).rows[0];
  if (!article) return send(res, 404, { code: 'ARTICLE_NOT_FOUND' });
  if (article.idTaken) return send(res, 409, { code: 'COMMENT_ID_CONFLICT' });
  const id = input.id ?? randomUUID();
  let path = [id];
  let depth = 0;
  if (input.parentId) {
    if (article.parentArticleId !== article.id || article.parentStatus !== 'published') {
      return send(res, 422, { code: 'PARENT_NOT_REPLYABLE' });
    }
    path = [...article.parentPath, id];
    depth = article.parentDepth + 1;
  }
  const review = article.newCommenterReview ?? NEW_COMMENTER_REVIEW;
  const author =
    review === 0 ? user : (await pool.query(/** @type {string} */ (AUTHOR_STATE), [user.id, review])).rows[0];
  if (author.bannedAt || author.premoderated || author.ghostBannedAt) return send(res, 403, { code: 'SANCTIONED' });
  try {
    const statement = insertPublished(
      {
        id,
        articleId: article.id,
        parentId: input.parentId ?? null,
        authorId: user.id,
        path,
        depth,
        bodySource: body,
        // As markdown-it ends a paragraph (the API's rendering of this text).
        bodyHtml: `<p>${escape(body)}</p>\n`,
        anchor: null,
        stance: null,
      },
      { type: 'comment.created', payload: '{}' },
    );
    const row = (await writes.query(statement)).rows[0];
    if (!row) return send(res, 409, { code: 'ARTICLE_CLOSED' });
    return send(res, 201, row);
  } catch (error) {
    if (isCommentIdTaken(error)) return send(res, 409, { code: 'COMMENT_ID_CONFLICT' });
    throw error;
  }
}

const server = http.createServer((req, res) => {
  const match = req.method === 'POST' && /^\/api\/articles\/([^/?]+)\/comments$/.exec(req.url ?? '');
  if (!match) return send(res, 404, { code: 'NOT_FOUND' });
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    post(req, res, decodeURIComponent(match[1]), Buffer.concat(chunks).toString()).catch((error) => {
      // Pool acquire timeouts never happen here (no timeout is set): any
      // error is a failure, and counted as one.
      if (!res.headersSent) send(res, 500, { code: 'INTERNAL', message: String(error?.message ?? error) });
    });
  });
});

server.listen(Number(process.env.PORT || 0), process.env.HOST || '127.0.0.1', () => {
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  console.log(JSON.stringify({ listening: port }));
});

process.on('SIGTERM', () => {
  server.close();
  Promise.all([pool.end(), writes.end()]).then(() => process.exit(0));
});
