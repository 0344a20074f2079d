import { PrismaPg } from '@prisma/adapter-pg';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ReadCache } from '@rejoinder/forum';
import { PrismaClient } from '../../libs/db/src/generated/prisma/client.js';
import { createArticle, createUser, http, postComment, TestUser, unique } from '../support/factories.js';
import { startServerProcess, ServerProcess } from '../support/server-process.js';
import { connectSocket, TestSocket, waitUntil } from '../support/sockets.js';
import { startTestApp, TestApp } from '../support/test-app.js';

const SORTS = ['newest', 'oldest', 'top', 'best', 'controversial', 'replies'] as const;

let t: TestApp;
let author: TestUser;
let other: TestUser;
let moderator: TestUser;
const sockets: TestSocket[] = [];

beforeAll(async () => {
  t = await startTestApp();
  [author, other, moderator] = await Promise.all([createUser(t), createUser(t), createUser(t, 'moderator')]);
});
afterEach(() => {
  for (const s of sockets.splice(0)) s.close();
});
afterAll(async () => {
  await t.close();
});

const thread = (slug: string, sort = 'newest', headers: Record<string, string> = {}) =>
  http(t, 'GET', `/api/articles/${slug}/comments?sort=${sort}`, { headers });

// Every page every reader may ask for first: each sort and the article.
async function readAll(slug: string): Promise<string> {
  const pages = await Promise.all([
    ...SORTS.map((sort) => thread(slug, sort)),
    http(t, 'GET', `/api/articles/${slug}`),
  ]);
  for (const page of pages) expect(page.status).toBe(200);
  return pages.map((page) => JSON.stringify(page.body)).join('\n');
}

async function act(commentId: string, action: Record<string, unknown>) {
  const { version } = await t.prisma.comment.findUniqueOrThrow({ where: { id: commentId }, select: { version: true } });
  const res = await http(t, 'POST', `/api/moderation/comments/${commentId}/actions`, {
    token: moderator.token,
    body: { version, ...action },
  });
  expect(res.status).toBe(200);
}

async function follow(url: string, slug: string, after?: number): Promise<TestSocket> {
  const socket = await connectSocket(url);
  sockets.push(socket);
  await socket.ack('subscribe', after === undefined ? { article: slug } : { article: slug, after });
  return socket;
}

describe('thread pages and articles from the read cache', () => {
  it('serves the same bytes from memory with a strong ETag, its seq, and 304 for a reader who has them', async () => {
    const article = await createArticle(t.prisma);
    await postComment(t, author, article.slug, 'first');
    const cache = t.app.get(ReadCache);

    const first = await thread(article.slug);
    const before = cache.stats();
    const second = await thread(article.slug);
    expect(cache.stats().hits).toBe(before.hits + 1);
    expect(second.body).toEqual(first.body);
    expect(first.body.seq).toBe(1);
    expect(first.headers.get('etag')).toMatch(/^"[\w-]+"$/);
    expect(second.headers.get('etag')).toBe(first.headers.get('etag'));
    expect(first.headers.get('cache-control')).toBe('public, max-age=1, stale-while-revalidate=2');
    expect(first.headers.get('vary')).toContain('Authorization');
    expect(first.headers.get('surrogate-key')).toBe(`article-${article.id}`);

    const notModified = await thread(article.slug, 'newest', { 'if-none-match': first.headers.get('etag')! });
    expect(notModified.status).toBe(304);
    expect(notModified.body).toBeNull();
    expect(notModified.headers.get('etag')).toBe(first.headers.get('etag'));

    const articleView = await http(t, 'GET', `/api/articles/${article.slug}`);
    const articleAgain = await http(t, 'GET', `/api/articles/${article.slug}`, {
      headers: { 'if-none-match': `W/"x", ${articleView.headers.get('etag')}` },
    });
    expect(articleAgain.status).toBe(304);

    // A change makes the reader's copy out of date: the full page again.
    await postComment(t, other, article.slug, 'second');
    const changed = await thread(article.slug, 'newest', { 'if-none-match': first.headers.get('etag')! });
    expect(changed.status).toBe(200);
    expect(changed.body.seq).toBe(2);
    expect(changed.headers.get('etag')).not.toBe(first.headers.get('etag'));
    expect(changed.body.items.map((c: { body: string }) => c.body)).toEqual(['second', 'first']);
  });

  it('tells signed-in readers that only their own browser may keep the page', async () => {
    const article = await createArticle(t.prisma);
    const res = await http(t, 'GET', `/api/articles/${article.slug}/comments`, { token: other.token });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('private, no-cache');
    const bad = await http(t, 'GET', `/api/articles/${article.slug}/comments`, {
      headers: { authorization: 'Bearer nonsense' },
    });
    expect(bad.status).toBe(401);
  });

  it("adds a signed-in reader's own votes and pending comments on top of the shared page", async () => {
    const article = await createArticle(t.prisma);
    const root = await postComment(t, author, article.slug, 'root');
    const reply = await postComment(t, author, article.slug, 'reply', { parentId: root.id });
    const watcher = await follow(t.url, article.slug);
    expect(
      (await http(t, 'PUT', `/api/comments/${reply.id}/vote`, { token: other.token, body: { value: -1 } })).status,
    ).toBe(200);
    // The vote's event is coalesced: once it is in, nothing more changes the page.
    await watcher.waitFor((events) => events.some((e) => e.type === 'comment.voted'));
    expect(
      (
        await http(t, 'PATCH', `/api/moderation/users/${other.id}`, {
          token: moderator.token,
          body: { premoderated: true },
        })
      ).status,
    ).toBe(200);
    const held = await http(t, 'POST', `/api/articles/${article.slug}/comments`, {
      token: other.token,
      body: { body: 'waiting for a moderator' },
    });
    expect(held.body.status).toBe('pending');
    expect(
      (
        await http(t, 'PATCH', `/api/moderation/users/${other.id}`, {
          token: moderator.token,
          body: { premoderated: false },
        })
      ).status,
    ).toBe(200);

    const anonymous = await thread(article.slug);
    expect(anonymous.body.viewer).toBeUndefined();
    expect(JSON.stringify(anonymous.body)).not.toContain('waiting for a moderator');

    const cache = t.app.get(ReadCache);
    const before = cache.stats();
    const mine = await http(t, 'GET', `/api/articles/${article.slug}/comments`, { token: other.token });
    expect(cache.stats().hits).toBe(before.hits + 1);
    expect(mine.body.items).toEqual(anonymous.body.items);
    expect(mine.body.seq).toBe(anonymous.body.seq);
    expect(mine.body.viewer).toEqual({
      votes: { [reply.id]: -1 },
      pending: [expect.objectContaining({ id: held.body.id, body: 'waiting for a moderator', status: 'pending' })],
    });
    expect(mine.headers.get('etag')).not.toBe(anonymous.headers.get('etag'));
    const again = await http(t, 'GET', `/api/articles/${article.slug}/comments`, {
      token: other.token,
      headers: { 'if-none-match': mine.headers.get('etag')! },
    });
    expect(again.status).toBe(304);

    const authorsView = await http(t, 'GET', `/api/articles/${article.slug}/comments`, { token: author.token });
    expect(authorsView.body.viewer).toEqual({ votes: {}, pending: [] });
  });

  it('never serves a page older than the last change, whatever the change, in any sort', async () => {
    const article = await createArticle(t.prisma);
    const root = await postComment(t, author, article.slug, 'root');
    const reply = await postComment(t, other, article.slug, 'reply', { parentId: root.id });
    await readAll(article.slug);
    const page = (sort = 'newest') => thread(article.slug, sort).then((res) => res.body);

    // Each write answers after its event reached this node's cache.
    const posted = await postComment(t, other, article.slug, 'posted later');
    for (const sort of SORTS) expect((await page(sort)).items.map((c: { id: string }) => c.id)).toContain(posted.id);
    expect((await http(t, 'GET', `/api/articles/${article.slug}`)).body.commentCount).toBe(3);

    await readAll(article.slug);
    expect(
      (await http(t, 'PATCH', `/api/comments/${root.id}`, { token: author.token, body: { body: 'root, edited' } }))
        .status,
    ).toBe(200);
    for (const sort of SORTS)
      expect((await page(sort)).items.find((c: { id: string }) => c.id === root.id).body).toBe('root, edited');

    // A vote's event follows it within the coalescing window; once a
    // follower has it, no page is older.
    const watcher = await follow(t.url, article.slug);
    await readAll(article.slug);
    expect(
      (await http(t, 'PUT', `/api/comments/${root.id}/vote`, { token: other.token, body: { value: 1 } })).status,
    ).toBe(200);
    const [voted] = await watcher
      .waitFor((events) => events.some((e) => e.type === 'comment.voted'))
      .then((events) => events.filter((e) => e.type === 'comment.voted'));
    for (const sort of SORTS) {
      const current = await page(sort);
      expect(current.seq).toBeGreaterThanOrEqual(voted.seq);
      expect(current.items.find((c: { id: string }) => c.id === root.id).score).toBe(1);
    }

    await readAll(article.slug);
    expect((await http(t, 'DELETE', `/api/comments/${reply.id}`, { token: other.token })).status).toBe(204);
    const deleted = (await page()).items.find((c: { id: string }) => c.id === root.id).replies;
    expect(deleted).toEqual([]);

    await readAll(article.slug);
    const closing = await http(t, 'PATCH', `/api/moderation/articles/${article.slug}`, {
      token: moderator.token,
      body: { state: 'closed' },
    });
    expect(closing.status).toBe(200);
    expect((await http(t, 'GET', `/api/articles/${article.slug}`)).body.state).toBe('closed');
  });

  it('never serves a comment from memory after it was removed or held back', async () => {
    const article = await createArticle(t.prisma);
    const removedSecret = `removed-${unique('s')}`;
    const heldSecret = `held-${unique('s')}`;
    const removed = await postComment(t, author, article.slug, removedSecret);
    const held = await postComment(t, author, article.slug, heldSecret);
    expect(await readAll(article.slug)).toContain(removedSecret);

    await act(removed.id, { action: 'remove', reason: 'personal_information' });
    expect(await readAll(article.slug)).not.toContain(removedSecret);

    // Enough reports hold a comment back until a moderator decides.
    const reporters = await Promise.all([createUser(t), createUser(t), createUser(t)]);
    for (const reporter of reporters) {
      expect(
        (
          await http(t, 'POST', `/api/comments/${held.id}/reports`, {
            token: reporter.token,
            body: { reason: 'abuse' },
          })
        ).status,
      ).toBe(201);
    }
    expect(await readAll(article.slug)).not.toContain(heldSecret);
  });

  it('serves permalinks and pages of replies from memory, and never one older than the last change', async () => {
    const article = await createArticle(t.prisma);
    const root = await postComment(t, author, article.slug, 'root');
    const secret = `secret-${unique('s')}`;
    const reply = await postComment(t, other, article.slug, secret, { parentId: root.id });
    const deep = await postComment(t, author, article.slug, 'deep', { parentId: reply.id });
    const read = async () => {
      const pages = await Promise.all([
        http(t, 'GET', `/api/comments/${root.id}`),
        http(t, 'GET', `/api/comments/${deep.id}`),
        http(t, 'GET', `/api/comments/${root.id}/replies`),
      ]);
      return pages;
    };

    const [first] = await read();
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-control')).toContain('public');
    expect(first.headers.get('x-event-seq')).toBe(String(first.body.seq));
    const again = await http(t, 'GET', `/api/comments/${root.id}`);
    expect(again.headers.get('etag')).toBe(first.headers.get('etag'));
    const notModified = await http(t, 'GET', `/api/comments/${root.id}`, {
      headers: { 'if-none-match': first.headers.get('etag')! },
    });
    expect(notModified.status).toBe(304);

    // A new reply is on the pages read after it.
    const [before] = await read();
    const later = await postComment(t, other, article.slug, 'later reply', { parentId: root.id });
    const [permalink, , replies] = await read();
    expect(permalink.headers.get('etag')).not.toBe(before.headers.get('etag'));
    expect(permalink.body.seq).toBeGreaterThan(before.body.seq);
    expect(permalink.body.comment.replies.map((c: { id: string }) => c.id)).toContain(later.id);
    expect(replies.body.items.map((c: { id: string }) => c.id)).toContain(later.id);

    // An edit shows at once; a removal takes the words out of every page,
    // the removed comment's own permalink included.
    await read();
    expect(
      (await http(t, 'PATCH', `/api/comments/${root.id}`, { token: author.token, body: { body: 'root, edited' } }))
        .status,
    ).toBe(200);
    const [edited, deepAfterEdit] = await read();
    expect(edited.body.comment.body).toBe('root, edited');
    expect(deepAfterEdit.body.ancestors[0].body).toBe('root, edited');

    expect(JSON.stringify((await read()).map((page) => page.body))).toContain(secret);
    await act(reply.id, { action: 'remove', reason: 'personal_information' });
    const afterRemoval = await read();
    expect(JSON.stringify(afterRemoval.map((page) => page.body))).not.toContain(secret);
    // The removed reply keeps its place (it has a reply) without its words.
    const removedPermalink = await http(t, 'GET', `/api/comments/${reply.id}`);
    expect(removedPermalink.status).toBe(200);
    expect(removedPermalink.body.comment.status).toBe('removed');
    expect(JSON.stringify(removedPermalink.body)).not.toContain(secret);
  });

  it('shows a signed-in author their own comment waiting for review, and anonymous readers a 404', async () => {
    const article = await createArticle(t.prisma, { premoderation: true });
    const pending = await postComment(t, author, article.slug, 'waiting for a moderator');
    expect(pending.status).toBe('pending');
    expect((await http(t, 'GET', `/api/comments/${pending.id}`)).status).toBe(404);
    const own = await http(t, 'GET', `/api/comments/${pending.id}`, { token: author.token });
    expect(own.status).toBe(200);
    expect(own.body.comment.body).toBe('waiting for a moderator');
    expect(own.headers.get('cache-control')).toBe('private, no-cache');
    expect((await http(t, 'GET', `/api/comments/${pending.id}`, { token: other.token })).status).toBe(404);
  });

  it('reports a seq from which a subscription misses nothing', async () => {
    const article = await createArticle(t.prisma);
    await postComment(t, author, article.slug, 'before');
    const { seq, items } = (await thread(article.slug)).body;
    expect(items).toHaveLength(1);
    const later = await postComment(t, other, article.slug, 'after the page');
    const socket = await follow(t.url, article.slug, seq);
    await socket.waitFor((events) => events.some((e) => e.data.comment?.id === later.id));
    expect(socket.events.map((e) => e.seq)).toEqual([seq + 1]);
  });
});

describe('a CDN in front of the API', () => {
  let cdn: Server;
  let withCdn: TestApp;
  const purges: { authorization?: string; body: unknown }[] = [];

  beforeAll(async () => {
    // The CDN's purge API, outside the system: it records what it is asked.
    cdn = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        purges.push({ authorization: req.headers.authorization, body: JSON.parse(body) });
        res.writeHead(200).end('{"success":true}');
      });
    });
    await new Promise<void>((resolve) => cdn.listen(0, '127.0.0.1', resolve));
    const { port } = cdn.address() as AddressInfo;
    withCdn = await startTestApp({ CDN_PURGE_URL: `http://127.0.0.1:${port}/purge`, CDN_PURGE_TOKEN: 'cdn-token' });
  });
  afterAll(async () => {
    await withCdn.close();
    await new Promise((resolve) => cdn.close(resolve));
  });

  it("is asked to drop an article's pages when a comment is taken down, not when one is posted", async () => {
    const article = await createArticle(t.prisma);
    const posted = await postComment(withCdn, author, article.slug, 'to be removed');
    const page = await http(withCdn, 'GET', `/api/articles/${article.slug}/comments`);
    expect(page.headers.get('cache-tag')).toBe(`article-${article.id}`);
    const { version } = await t.prisma.comment.findUniqueOrThrow({
      where: { id: posted.id },
      select: { version: true },
    });
    const removal = await http(withCdn, 'POST', `/api/moderation/comments/${posted.id}/actions`, {
      token: moderator.token,
      body: { version, action: 'remove', reason: 'personal_information' },
    });
    expect(removal.status).toBe(200);
    await waitUntil(() => purges.length > 0);
    expect(purges).toEqual([{ authorization: 'Bearer cdn-token', body: { tags: [`article-${article.id}`] } }]);
  });
});

// Two API processes against one database: a change on one node reaches the
// other's cache with its event, before any reader there can see the event.
const variants: [string, Record<string, string>][] = [['postgres', { REALTIME_ADAPTER: 'postgres' }]];
if (process.env.REDIS_URL) variants.push(['redis', { REALTIME_ADAPTER: 'redis', REDIS_URL: process.env.REDIS_URL }]);

describe.each(variants)('the read cache on two nodes sharing events through %s', (_name, env) => {
  let a: ServerProcess;
  let b: ServerProcess;
  let prisma: PrismaClient;

  beforeAll(async () => {
    prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: process.env.TEST_DATABASE_URL! }) });
    [a, b] = await Promise.all([startServerProcess(env), startServerProcess(env)]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await prisma.$disconnect();
  });

  it('drops a page on node B as soon as B learns of a change made on node A', async () => {
    const article = await createArticle(prisma as never);
    const onB = (path: string) => http(b, 'GET', path).then((res) => res.body);
    const secret = `secret-${unique('s')}`;
    const first = await http(a, 'POST', `/api/articles/${article.slug}/comments`, {
      token: author.token,
      body: { body: secret },
    });
    expect(first.status).toBe(201);
    const watcher = await follow(b.url, article.slug);
    for (let i = 0; i < 2; i++)
      expect(JSON.stringify(await onB(`/api/articles/${article.slug}/comments`))).toContain(secret);

    const second = await http(a, 'POST', `/api/articles/${article.slug}/comments`, {
      token: other.token,
      body: { body: 'from A' },
    });
    const [created] = await watcher.waitFor((events) => events.length > 0);
    const page = await onB(`/api/articles/${article.slug}/comments`);
    expect(page.seq).toBeGreaterThanOrEqual(created.seq);
    expect(page.items[0].id).toBe(second.body.id);
    expect((await onB(`/api/articles/${article.slug}`)).commentCount).toBe(2);

    const { version } = await prisma.comment.findUniqueOrThrow({
      where: { id: first.body.id },
      select: { version: true },
    });
    const removal = await http(a, 'POST', `/api/moderation/comments/${first.body.id}/actions`, {
      token: moderator.token,
      body: { version, action: 'remove', reason: 'personal_information' },
    });
    expect(removal.status).toBe(200);
    await watcher.waitFor((events) => events.some((e) => e.type === 'comment.removed'));
    expect(JSON.stringify(await onB(`/api/articles/${article.slug}/comments`))).not.toContain(secret);
  });
});
