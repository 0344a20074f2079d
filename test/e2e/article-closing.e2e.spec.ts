import { ArticleClosingService } from '@rejoinder/moderation';
import { freshDatabase } from '../support/databases.js';
import { createUser, http, TestUser, unique } from '../support/factories.js';
import { connectSocket } from '../support/sockets.js';
import { startTestApp, TestApp } from '../support/test-app.js';

const DAY = 86_400_000;
let t: TestApp;
let db: Awaited<ReturnType<typeof freshDatabase>>;
let admin: TestUser;
let mod: TestUser;
let reader: TestUser;

// A database of its own: the sweep closes every article older than
// ARTICLE_AUTO_CLOSE_DAYS, and other test files' articles are old too.
beforeAll(async () => {
  db = await freshDatabase();
  t = await startTestApp({
    DATABASE_URL: db.url,
    ARTICLE_AUTO_CLOSE_DAYS: '2',
    ARTICLE_AUTO_CLOSE_INTERVAL_SECONDS: '1',
  });
  [admin, mod, reader] = await Promise.all([createUser(t, 'admin'), createUser(t, 'moderator'), createUser(t)]);
});
afterAll(async () => {
  await t.close();
  await db.drop();
});

async function article(fields: { publishedAt: Date; closesAt?: string | null }) {
  const id = unique('cms');
  const res = await http(t, 'PUT', `/api/admin/articles/${id}`, {
    token: admin.token,
    body: {
      title: `Closing ${id}`,
      url: `https://news.example.test/${id}`,
      author: 'A. Writer',
      publishedAt: fields.publishedAt.toISOString(),
      ...(fields.closesAt !== undefined ? { closesAt: fields.closesAt } : {}),
    },
  });
  expect(res.status).toBe(201);
  return res.body as { id: string; slug: string; seq: number; closesAt: string | null };
}

describe('closing on schedule', () => {
  it('closes at the article’s own time, live, and refuses comments after', async () => {
    const a = await article({ publishedAt: new Date(), closesAt: new Date(Date.now() + 1500).toISOString() });
    const watcher = await connectSocket(t.url);
    await watcher.ack('subscribe', { article: a.slug, after: a.seq });
    const before = await http(t, 'GET', `/api/articles/${a.slug}`);
    expect(before.body).toMatchObject({ state: 'open', closesAt: a.closesAt });
    // The node's own sweep (every second here) closes it: no call from the test.
    const events = await watcher.waitFor((e) => e.some((x) => x.type === 'article.updated'), 20_000);
    watcher.close();
    expect(events.find((e) => e.type === 'article.updated')).toMatchObject({
      data: { article: { id: a.id, state: 'closed' } },
    });
    const post = await http(t, 'POST', `/api/articles/${a.slug}/comments`, {
      token: reader.token,
      body: { body: 'late' },
    });
    expect(post.body.code).toBe('ARTICLE_CLOSED');
    const after = await http(t, 'GET', `/api/articles/${a.slug}`);
    expect(after.body).toMatchObject({ state: 'closed', closesAt: null });
    const log = await http(t, 'GET', `/api/moderation/log?article=${a.slug}`, { token: mod.token });
    expect(log.body.items).toEqual([
      expect.objectContaining({ action: 'auto_close', moderator: null, reasonCode: 'schedule', targetId: a.id }),
    ]);
  });

  it('closes ARTICLE_AUTO_CLOSE_DAYS after publication, shows readers when before, and never twice', async () => {
    const young = await article({ publishedAt: new Date(Date.now() - DAY) });
    const old = await article({ publishedAt: new Date(Date.now() - 2 * DAY - 60_000) });
    const never = await article({ publishedAt: new Date(Date.now() - 30 * DAY), closesAt: null });
    const youngPublished = (await t.prisma.article.findUniqueOrThrow({ where: { id: young.id } })).publishedAt;
    expect(young.closesAt).toBe(new Date(youngPublished.getTime() + 2 * DAY).toISOString());
    await t.app.get(ArticleClosingService).sweep();
    const state = async (slug: string) => (await http(t, 'GET', `/api/articles/${slug}`)).body;
    expect(await state(young.slug)).toMatchObject({ state: 'open', closesAt: young.closesAt });
    expect(await state(old.slug)).toMatchObject({ state: 'closed' });
    expect(await state(never.slug)).toMatchObject({ state: 'open', closesAt: null });

    // A moderator reopens it: the schedule does not close it again.
    const reopened = await http(t, 'PATCH', `/api/moderation/articles/${old.slug}`, {
      token: mod.token,
      body: { state: 'open' },
    });
    expect(reopened.body).toMatchObject({ state: 'open', closesAt: null });
    await t.app.get(ArticleClosingService).sweep();
    expect(await state(old.slug)).toMatchObject({ state: 'open' });
    expect(await t.prisma.moderationAction.count({ where: { targetId: old.id, action: 'auto_close' } })).toBe(1);
  });
});
