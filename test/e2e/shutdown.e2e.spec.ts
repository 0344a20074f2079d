import { request } from 'node:http';
import { once } from 'node:events';
import { startServerProcess } from '../support/server-process.js';
import { createArticle, unique } from '../support/factories.js';
import { PrismaClient } from '../../libs/db/src/generated/prisma/client.js';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { connectSocket, waitUntil } from '../support/sockets.js';

it('finishes a request that is in flight when SIGTERM arrives, then exits cleanly', async () => {
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: process.env.TEST_DATABASE_URL! }) });
  try {
    const article = await createArticle(prisma as never);
    const { child, url, logs } = await startServerProcess();
    const stopped = () => logs.some((line) => line.includes('"msg":"Stopped"'));
    const exited = once(child, 'close');

    const username = unique('sig').replace('-', '_');
    const registered = await fetch(`${url}/api/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, email: `${username}@example.test`, password: 'long enough password' }),
    }).then((r) => r.json() as Promise<{ accessToken: string }>);

    // Send the headers and half the body, so the request is in flight.
    const body = JSON.stringify({ body: 'posted while the server shuts down' });
    const { port } = new URL(url);
    const req = request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: `/api/articles/${article.slug}/comments`,
      headers: {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        authorization: `Bearer ${registered.accessToken}`,
      },
    });
    const response = new Promise<{ status: number; body: any }>((resolve, reject) => {
      req.on('response', (res) => {
        let text = '';
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
      });
      req.on('error', reject);
    });
    req.write(body.slice(0, 10));
    await new Promise((r) => setTimeout(r, 200));

    child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    // Still running: it waits for the request in flight.
    expect(child.exitCode).toBeNull();
    // New connections are no longer accepted.
    await expect(fetch(`${url}/health`)).rejects.toThrow();

    req.end(body.slice(10));
    const result = await response;
    expect(result.status).toBe(201);
    expect(result.body.body).toBe('posted while the server shuts down');
    const [code] = await exited;
    expect(code).toBe(0);
    expect(stopped()).toBe(true);
    expect(await prisma.comment.count({ where: { articleId: article.id } })).toBe(1);
  } finally {
    await prisma.$disconnect();
  }
});

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
    const arrived = () => logs.filter((line) => line.includes('"msg":"incoming request"') && line.includes('/comments')).length;
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
    console.log(`shutdown: 2 open sockets and ${posts.length} posts in flight whose clients left; exit 0 ${drainMs} ms after SIGTERM (limit 10000 ms)`);
  } finally {
    await lock.end().catch(() => undefined);
    await prisma.$disconnect();
  }
});
