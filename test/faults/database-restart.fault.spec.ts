import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../../libs/db/src/generated/prisma/client.js';
import { createArticle, http, unique } from '../support/factories.js';
import { startCuttableProxy } from '../support/cuttable-proxy.js';
import { startOwnPostgres } from '../support/own-postgres.js';
import type { OwnPostgres } from '../support/own-postgres.js';
import { startServerProcess } from '../support/server-process.js';
import type { ServerProcess } from '../support/server-process.js';
import { connectSocket, waitUntil } from '../support/sockets.js';
import type { TestSocket } from '../support/sockets.js';
import { startWriters } from '../support/writers.js';

const RESTARTS = 3;

let postgres: OwnPostgres;
let server: ServerProcess;
const sockets: TestSocket[] = [];

beforeAll(async () => {
  postgres = await startOwnPostgres(0);
  server = await startServerProcess({ DATABASE_URL: postgres.url });
}, 60_000);

afterAll(async () => {
  for (const socket of sockets) socket.close();
  await server?.stop();
  await postgres?.close();
}, 60_000);

async function register(url: string): Promise<{ token: string }> {
  const username = unique('w').replace('-', '_');
  const res = await http({ url }, 'POST', '/api/auth/register', {
    body: { username, email: `${username}@example.test`, password: 'long enough password' },
  });
  return { token: res.body.accessToken };
}

async function readyStatus(url: string): Promise<number> {
  return (await fetch(`${url}/ready`, { signal: AbortSignal.timeout(5000) })).status;
}

// Time until `check` holds, polled every 10 ms.
async function timeUntil(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<number> {
  const started = Date.now();
  while (!(await check().catch(() => false))) {
    if (Date.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return Date.now() - started;
}

it('stays up through repeated PostgreSQL restarts under writers and readers, answering 503 with Retry-After meanwhile', async () => {
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: postgres.url }) });
  const article = await createArticle(prisma as never).finally(() => prisma.$disconnect());
  const users = await Promise.all(Array.from({ length: 6 }, () => register(server.url)));
  for (let i = 0; i < 3; i++) {
    const reader = await connectSocket(server.url);
    sockets.push(reader);
    expect(await reader.ack('subscribe', { article: article.slug, after: 0 })).toMatchObject({ seq: 0 });
  }
  const socketWriter = await connectSocket(server.url, { token: users[5].token });
  sockets.push(socketWriter);

  const writers = startWriters({
    target: () => server.url,
    tokens: users.slice(0, 5).map((u) => u.token),
    slug: article.slug,
  });
  const measured: { readyDownMs: number; readyUpMs: number; writeUpMs: number }[] = [];
  const socketAcks: any[] = [];
  for (let restart = 0; restart < RESTARTS; restart++) {
    await new Promise((r) => setTimeout(r, 700));
    const stoppedAt = Date.now();
    await postgres.stop();
    await timeUntil(async () => (await readyStatus(server.url)) === 503);
    const readyDownMs = Date.now() - stoppedAt;
    // A post over the socket while the database is down: a retryable error ack.
    const id = crypto.randomUUID();
    socketAcks.push(await socketWriter.ack('comment.create', { article: article.slug, id, body: `socket post ${id}` }));
    await new Promise((r) => setTimeout(r, 500));
    await postgres.start();
    const startedAt = Date.now();
    const before = writers.stats.stored.length;
    const readyUpMs = await timeUntil(async () => (await readyStatus(server.url)) === 200);
    await timeUntil(() => Promise.resolve(writers.stats.stored.length > before));
    measured.push({ readyDownMs, readyUpMs, writeUpMs: Date.now() - startedAt });
    // The same id again, now that the database is back: stored once.
    socketAcks.push(await socketWriter.ack('comment.create', { article: article.slug, id, body: `socket post ${id}` }));
  }
  const stats = await writers.stop();

  expect(server.child.exitCode).toBeNull();
  expect(await readyStatus(server.url)).toBe(200);
  // Every answer was a success or a 503 with Retry-After; every post was stored in the end.
  expect(Object.keys(stats.statuses).filter((s) => !['200', '201', '503', 'network'].includes(s))).toEqual([]);
  expect(stats.statuses['503']).toBeGreaterThan(0);
  expect(stats.malformed503).toBe(0);
  for (const [i, ack] of socketAcks.entries()) {
    if (i % 2 === 0)
      expect(ack.error).toMatchObject({
        code: 'SERVICE_UNAVAILABLE',
        status: 503,
        retryable: true,
        retryAfterMs: 1000,
      });
    else expect(ack).toMatchObject({ created: true });
  }
  // Readers saw every stored comment once, in order, over the same sockets.
  const expected = new Set([...stats.stored, ...socketAcks.filter((a) => a.comment).map((a) => a.comment.id)]);
  for (const reader of sockets.slice(0, 3)) {
    await waitUntil(() => new Set(reader.events.map((e) => e.data.comment?.id)).size >= expected.size, 15_000);
    const seqs = reader.events.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(new Set(reader.events.map((e) => e.data.comment.id))).toEqual(expected);
  }
  const counts = await http(server, 'GET', `/api/articles/${article.slug}`);
  expect(counts.body.commentCount).toBe(expected.size);

  console.log(
    `database restarts: ${RESTARTS}; answers ${JSON.stringify(stats.statuses)}; posts stored ${expected.size}, ` +
      `retried ${stats.retried}, longest post ${stats.longestPostMs} ms; per restart ` +
      measured
        .map(
          (m) =>
            `/ready 503 ${m.readyDownMs} ms after stop, 200 ${m.readyUpMs} ms after start, writes back ${m.writeUpMs} ms after start`,
        )
        .join('; '),
  );
}, 120_000);

it('stays up through network cuts between it and PostgreSQL under writers, and resumes by itself', async () => {
  const proxy = await startCuttableProxy(postgres.port);
  const url = new URL(postgres.url);
  url.port = String(proxy.port);
  const viaProxy = await startServerProcess({ DATABASE_URL: url.toString() });
  try {
    const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: postgres.url }) });
    const article = await createArticle(prisma as never).finally(() => prisma.$disconnect());
    const users = await Promise.all(Array.from({ length: 5 }, () => register(viaProxy.url)));
    const writers = startWriters({ target: () => viaProxy.url, tokens: users.map((u) => u.token), slug: article.slug });
    const backMs: number[] = [];
    for (let cut = 0; cut < RESTARTS; cut++) {
      await new Promise((r) => setTimeout(r, 700));
      proxy.cut();
      await timeUntil(async () => (await readyStatus(viaProxy.url)) === 503);
      await new Promise((r) => setTimeout(r, 500));
      proxy.restore();
      const restoredAt = Date.now();
      const before = writers.stats.stored.length;
      await timeUntil(() => Promise.resolve(writers.stats.stored.length > before));
      backMs.push(Date.now() - restoredAt);
    }
    const stats = await writers.stop();
    expect(viaProxy.child.exitCode).toBeNull();
    expect(Object.keys(stats.statuses).filter((s) => !['200', '201', '503', 'network'].includes(s))).toEqual([]);
    expect(stats.malformed503).toBe(0);
    const counts = await http(viaProxy, 'GET', `/api/articles/${article.slug}`);
    expect(counts.body.commentCount).toBe(stats.stored.length);
    console.log(
      `network cuts: ${RESTARTS}; answers ${JSON.stringify(stats.statuses)}; posts stored ${stats.stored.length}, ` +
        `retried ${stats.retried}; writes back ${backMs.join(', ')} ms after each cut ended`,
    );
  } finally {
    await viaProxy.stop();
    await proxy.close();
  }
}, 120_000);
