import { once } from 'node:events';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from '../../libs/db/src/generated/prisma/client.js';
import { createArticle, unique } from '../support/factories.js';
import { startServerProcess } from '../support/server-process.js';
import { connectSocket, waitUntil } from '../support/sockets.js';

it('drains with open sockets and posts whose clients went away: sockets are sent to reconnect, the posts finish, exit 0', async () => {
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: process.env.TEST_DATABASE_URL! }) });
  const lock = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  try {
    const article = await createArticle(prisma as never);
    const { child, url, logs } = await startServerProcess({ SHUTDOWN_TIMEOUT_MS: '10000' });
    const exited = once(child, 'close');
    const readers = await Promise.all([connectSocket(url), connectSocket(url)]);
    const reasons: string[] = [];
    for (const reader of readers) {
      await reader.ack('subscribe', { article: article.slug, after: 0 });
      reader.socket.on('disconnect', (reason) => reasons.push(reason));
    }
    const username = unique('drain').replace('-', '_');
    const { accessToken } = await fetch(`${url}/api/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, email: `${username}@example.test`, password: 'long enough password' }),
    }).then((r) => r.json() as Promise<{ accessToken: string }>);

    // The posts wait on the article's lock, held here, so they are in flight
    // when SIGTERM arrives; then their clients give up and disconnect.
    await lock.connect();
    await lock.query('BEGIN');
    await lock.query('SELECT id FROM articles WHERE id = $1 FOR UPDATE', [article.id]);
    const posts = Array.from({ length: 8 }, (_, i) => {
      const controller = new AbortController();
      const sent = fetch(`${url}/api/articles/${article.slug}/comments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
        body: JSON.stringify({ body: `posted before shutdown ${i}` }),
        signal: controller.signal,
      }).catch(() => 'aborted');
      return { controller, sent };
    });
    const arrived = () =>
      logs.filter((line) => line.includes('"msg":"incoming request"') && line.includes('/comments')).length;
    await waitUntil(() => arrived() === posts.length);
    const signalledAt = Date.now();
    child.kill('SIGTERM');
    for (const post of posts) post.controller.abort();
    expect(await Promise.all(posts.map((p) => p.sent))).toEqual(Array(posts.length).fill('aborted'));
    await waitUntil(() => reasons.length === readers.length);
    // A closed transport, not a socket.io disconnect: clients reconnect by themselves.
    expect(reasons).toEqual(['transport close', 'transport close']);
    await new Promise((r) => setTimeout(r, 200));
    expect(child.exitCode).toBeNull();
    await lock.query('ROLLBACK');

    const [code] = await exited;
    const drainMs = Date.now() - signalledAt;
    expect(code).toBe(0);
    expect(logs.some((line) => line.includes('"msg":"Stopped"'))).toBe(true);
    expect(logs.filter((line) => /Unhandled|timed out/.test(line))).toEqual([]);
    // The handlers ran to their end before the database closed: every post is stored.
    expect(await prisma.comment.count({ where: { articleId: article.id } })).toBe(posts.length);
    console.log(
      `shutdown: 2 open sockets and ${posts.length} posts in flight whose clients left; exit 0 ${drainMs} ms after SIGTERM (limit 10000 ms)`,
    );
  } finally {
    await lock.end().catch(() => undefined);
    await prisma.$disconnect();
  }
});
