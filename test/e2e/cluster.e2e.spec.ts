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
    return (await account(url)).token;
  }

  async function account(url: string): Promise<{ id: string; token: string }> {
    const username = unique('node').replace('-', '_');
    const res = await fetch(`${url}/api/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, email: `${username}@example.test`, password: 'long enough password' }),
    });
    const body = (await res.json()) as { accessToken: string; user: { id: string } };
    return { id: body.user.id, token: body.accessToken };
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
      Array.from({ length: count }, (_, i) =>
        writerOnA.ack('comment.create', { article: article.slug, body: `from A ${i}` }),
      ),
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

  it('brings a change of account made on node A, or in the database, to sockets on node B', async () => {
    const mod = await account(a.url);
    await prisma.user.update({ where: { id: mod.id }, data: { role: 'moderator' } });
    const user = await account(a.url);
    const modOnB = await connectSocket(b.url, { token: mod.token });
    const userOnB = await connectSocket(b.url, { token: user.token });
    sockets.push(modOnB, userOnB);
    expect(await modOnB.ack('subscribe', { feed: 'moderation' })).toMatchObject({ feed: 'moderation' });

    // A ban through node A's API.
    const ban = await fetch(`${a.url}/api/moderation/users/${user.id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${mod.token}` },
      body: JSON.stringify({ banned: true }),
    });
    expect(ban.status).toBe(200);
    await waitUntil(() => userOnB.session.some((m) => m.type === 'account.updated' && m.data.banned === true), 5000);
    const article = await createArticle(prisma as never);
    expect(await userOnB.ack('comment.create', { article: article.slug, body: 'banned' })).toMatchObject({
      error: { code: 'USER_BANNED' },
    });

    // A demotion straight in the database (as the CLI makes it).
    await prisma.user.update({ where: { id: mod.id }, data: { role: 'commenter' } });
    await waitUntil(
      () => modOnB.session.some((m) => m.type === 'subscription.ended' && m.data.code === 'FORBIDDEN'),
      5000,
    );
  });
});
