import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import pg from 'pg';
import { http, unique } from '../support/factories.js';
import { startServerProcess } from '../support/server-process.js';
import type { ServerProcess } from '../support/server-process.js';
import { holdArticleLock, untilLockWaiters } from '../support/locks.js';
import { connectSocket, waitUntil } from '../support/sockets.js';
import type { TestSocket } from '../support/sockets.js';
import { TEST_LIMITS } from '../support/test-app.js';
import { startWriters } from '../support/writers.js';

// Two nodes on one database; limits are shared through Redis when REDIS_URL
// is set (as in CI and the compose setup), which is where a mark left by a
// dead node could refuse a retry on the survivor.
const cluster = { REALTIME_ADAPTER: process.env.REDIS_URL ? 'redis' : 'postgres' };

const db = () => new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });

async function insertArticle(): Promise<{ id: string; slug: string }> {
  const client = db();
  await client.connect();
  try {
    const slug = unique('article');
    const { rows } = await client.query<{ id: string }>(
      `INSERT INTO articles (id, slug, title, byline, published_at, body_source, body_html, created_at, updated_at)
       VALUES (gen_random_uuid(), $1, $1, 'Test Author', now(), 'Body', '<p>Body</p>', now(), now()) RETURNING id`,
      [slug],
    );
    return { id: rows[0].id, slug };
  } finally {
    await client.end();
  }
}

async function register(url: string): Promise<string> {
  const username = unique('k').replace('-', '_');
  const res = await http({ url }, 'POST', '/api/auth/register', {
    body: { username, email: `${username}@example.test`, password: 'long enough password' },
  });
  if (res.status !== 201) throw new Error(`register: ${res.status}`);
  return res.body.accessToken as string;
}

async function storedCount(articleId: string, ids: string[]): Promise<{ total: number; matching: number }> {
  const client = db();
  await client.connect();
  try {
    const { rows } = await client.query<{ total: string; matching: string }>(
      'SELECT count(*) AS total, count(*) FILTER (WHERE id = ANY($2::uuid[])) AS matching FROM comments WHERE article_id = $1',
      [articleId, ids],
    );
    return { total: Number(rows[0].total), matching: Number(rows[0].matching) };
  } finally {
    await client.end();
  }
}

const servers: ServerProcess[] = [];
const sockets: TestSocket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.close();
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

// A published comment is one statement (ADR 26): one that was already waiting
// on the lock when its node died is not rolled back (PostgreSQL does not look
// at the client while a statement waits), so it is stored once the lock comes
// free, and the retry is answered 200 with it; a post that had not reached
// its statement is stored by the retry (201). Either way: once, and the retry
// is never refused by what the dead node took.
it('stores a post that was held on the lock when its node was killed, once, when retried on the other node', async () => {
  // The default limits: one comment per 30 s for a new account, duplicates refused for 5 minutes.
  const limits = {
    RATE_COMMENTS_PER_NEW_USER: '1',
    RATE_COMMENTS_PER_NEW_USER_WINDOW: '30',
    RATE_COMMENTS_PER_USER: '1',
    RATE_COMMENTS_PER_USER_WINDOW: '5',
    DATABASE_LOCK_TIMEOUT_MS: '20000',
  };
  const a = await startServerProcess({ ...cluster, ...limits });
  const b = await startServerProcess({ ...cluster, ...limits });
  servers.push(a, b);
  const article = await insertArticle();
  const tokens = await Promise.all(Array.from({ length: 5 }, () => register(a.url)));
  const posts = tokens.map((token, i) => ({ token, id: randomUUID(), body: `held post ${i}` }));

  // The article's row lock is held elsewhere, so the posts stop inside their
  // transaction, their limits and marks already taken.
  const lock = await holdArticleLock(article.id);
  const inFlight = posts.map((p) =>
    fetch(`${a.url}/api/articles/${article.slug}/comments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${p.token}` },
      body: JSON.stringify({ id: p.id, body: p.body }),
    }).then(
      (r) => r.status,
      () => 'network',
    ),
  );
  // Killed only once every post waits on the lock, inside its transaction.
  await untilLockWaiters(posts.length);
  const exited = once(a.child, 'exit');
  a.child.kill('SIGKILL');
  await exited;
  expect(await Promise.all(inFlight)).toEqual(Array(posts.length).fill('network'));
  await lock.release();

  const retries = await Promise.all(
    posts.map((p) =>
      http(b, 'POST', `/api/articles/${article.slug}/comments`, { token: p.token, body: { id: p.id, body: p.body } }),
    ),
  );
  expect(retries.map((r) => r.status).filter((status) => status !== 200 && status !== 201)).toEqual([]);
  expect(retries.map((r) => r.body.id)).toEqual(posts.map((p) => p.id));
  expect(retries.map((r) => r.body.body)).toEqual(posts.map((p) => p.body));
  expect(
    await storedCount(
      article.id,
      posts.map((p) => p.id),
    ),
  ).toEqual({ total: posts.length, matching: posts.length });
  console.log(
    `node kill: ${posts.length} posts held on the article's lock on a node killed with SIGKILL; retried on the other node ` +
      `(limits ${process.env.REDIS_URL ? 'in Redis' : 'in memory'}): ${retries.map((r) => r.status).join(', ')}`,
  );
}, 60_000);

it('loses nothing when one of two nodes is killed under writers: every post completes on the survivor, and its readers see each once', async () => {
  const a = await startServerProcess({ ...cluster, ...TEST_LIMITS });
  const b = await startServerProcess({ ...cluster, ...TEST_LIMITS });
  servers.push(a, b);
  const article = await insertArticle();
  const tokens = await Promise.all(Array.from({ length: 5 }, () => register(a.url)));
  for (let i = 0; i < 2; i++) {
    const reader = await connectSocket(b.url);
    sockets.push(reader);
    await reader.ack('subscribe', { article: article.slug, after: 0 });
  }
  let target = a.url;
  const writers = startWriters({ target: () => target, tokens, slug: article.slug });
  await new Promise((r) => setTimeout(r, 1500));
  const exited = once(a.child, 'exit');
  a.child.kill('SIGKILL');
  await exited;
  const killedAt = Date.now();
  target = b.url;
  const before = writers.stats.stored.length;
  await waitUntil(() => writers.stats.stored.length > before + 20, 20_000);
  const stats = await writers.stop();

  expect(Object.keys(stats.statuses).filter((s) => !['200', '201', '503', 'network'].includes(s))).toEqual([]);
  expect(await storedCount(article.id, stats.stored)).toEqual({
    total: stats.stored.length,
    matching: stats.stored.length,
  });
  for (const reader of sockets) {
    await waitUntil(() => new Set(reader.events.map((e) => e.data.comment?.id)).size >= stats.stored.length, 15_000);
    const seqs = reader.events.map((e) => e.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(new Set(reader.events.map((e) => e.data.comment.id))).toEqual(new Set(stats.stored));
  }
  console.log(
    `node kill: two nodes, one killed with SIGKILL under 5 writers; answers ${JSON.stringify(stats.statuses)}; ` +
      `${stats.stored.length} posts stored once each (${stats.retried} needed a retry), longest post ${stats.longestPostMs} ms; ` +
      `the survivor's readers had all of them ${Date.now() - killedAt} ms after the kill`,
  );
}, 60_000);
