import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../../libs/db/src/generated/prisma/client.js';
import { createArticle, unique } from '../support/factories.js';
import { startServerProcess, ServerProcess } from '../support/server-process.js';
import { connectSocket, TestSocket, waitUntil } from '../support/sockets.js';

// Two API processes on two ports against one database. The Postgres adapter
// runs everywhere; the Redis one where REDIS_URL is set (CI sets it).
const variants: [string, Record<string, string>][] = [['postgres', { REALTIME_ADAPTER: 'postgres' }]];
if (process.env.REDIS_URL) variants.push(['redis', { REALTIME_ADAPTER: 'redis', REDIS_URL: process.env.REDIS_URL }]);

describe.each(variants)('two API nodes sharing rooms through %s', (_name, env) => {
  let a: ServerProcess;
  let b: ServerProcess;
  let prisma: PrismaClient;
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: process.env.TEST_DATABASE_URL! }) });
    [a, b] = await Promise.all([startServerProcess(env), startServerProcess(env)]);
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.close();
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await prisma.$disconnect();
  });

  async function register(url: string): Promise<string> {
    const username = unique('node').replace('-', '_');
    const res = await fetch(`${url}/api/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, email: `${username}@example.test`, password: 'long enough password' }),
    });
    return ((await res.json()) as { accessToken: string }).accessToken;
  }

  it('delivers on node B, once and in order, what is posted on node A', async () => {
    const article = await createArticle(prisma as never);
    const token = await register(a.url);
    const readerOnB = await connectSocket(b.url);
    sockets.push(readerOnB);
    await readerOnB.ack('subscribe', { article: article.slug });
    const writerOnA = await connectSocket(a.url, { token });
    sockets.push(writerOnA);

    const count = 40;
    await Promise.all(
      Array.from({ length: count }, (_, i) => writerOnA.ack('comment.create', { article: article.slug, body: `from A ${i}` })),
    );
    await readerOnB.waitFor((events) => events.length >= count, 15_000);
    await new Promise((r) => setTimeout(r, 500));
    expect(readerOnB.events.map((e) => e.seq)).toEqual(Array.from({ length: count }, (_, i) => i + 1));
    expect(new Set(readerOnB.events.map((e) => e.data.comment.id)).size).toBe(count);
  });

  it('counts viewers across both nodes', async () => {
    const article = await createArticle(prisma as never);
    const onA = await connectSocket(a.url);
    const onB = await connectSocket(b.url);
    sockets.push(onA, onB);
    await onA.ack('subscribe', { article: article.slug });
    await onB.ack('subscribe', { article: article.slug });
    await waitUntil(() => onA.presence.some((p) => p.articleId === article.id && p.viewers === 2), 8000);
    await waitUntil(() => onB.presence.some((p) => p.articleId === article.id && p.viewers === 2), 8000);
  });
});
