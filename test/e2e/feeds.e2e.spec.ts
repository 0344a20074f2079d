import { parseFeed } from '@rowanmanning/feed-parser';
import { createArticle, createUser, http, postComment, TestUser } from '../support/factories.js';
import { startTestApp, TestApp } from '../support/test-app.js';

let t: TestApp;
let mod: TestUser;
let reader: TestUser;
let other: TestUser;

beforeAll(async () => {
  t = await startTestApp();
  [mod, reader, other] = await Promise.all([createUser(t, 'moderator'), createUser(t), createUser(t)]);
});
afterAll(async () => {
  await t.close();
});

const remove = async (id: string) => {
  const { version } = await t.prisma.comment.findUniqueOrThrow({ where: { id } });
  const res = await http(t, 'POST', `/api/moderation/comments/${id}/actions`, {
    token: mod.token,
    body: { action: 'remove', version, reason: 'abuse' },
  });
  expect(res.status).toBe(200);
};

describe('Atom feeds', () => {
  it("gives an article's latest published comments, without removed or pending ones, with ETag and Cache-Control", async () => {
    const article = await createArticle(t.prisma, { title: 'Feeds & <things>' });
    const kept = await postComment(t, reader, article.slug, 'A *kept* comment');
    const gone = await postComment(t, reader, article.slug, 'A removed comment');
    await remove(gone.id);
    const res = await http(t, 'GET', `/api/articles/${article.slug}/comments.atom`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/atom+xml; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('public, max-age=60');
    const feed = parseFeed(res.body as string);
    expect(feed.title).toBe('Comments on Feeds & <things>');
    expect(feed.items).toHaveLength(1);
    expect(feed.items[0].id).toBe(`urn:uuid:${kept.id}`);
    expect(feed.items[0].content).toContain('<em>kept</em>');
    expect(feed.items[0].url).toMatch(new RegExp(`/articles/${article.slug}\\?comment=${kept.id}$`));
    expect(feed.items[0].authors[0].name).toBe(reader.username);
    expect(res.body).not.toContain('A removed comment');

    const etag = res.headers.get('etag')!;
    const again = await http(t, 'GET', `/api/articles/${article.slug}/comments.atom`, {
      headers: { 'if-none-match': etag },
    });
    expect(again.status).toBe(304);
    await postComment(t, other, article.slug, 'Something new');
    const changed = await http(t, 'GET', `/api/articles/${article.slug}/comments.atom`, {
      headers: { 'if-none-match': etag },
    });
    expect(changed.status).toBe(200);
    expect(parseFeed(changed.body as string).items.map((i) => i.id)).toHaveLength(2);

    const premod = await createArticle(t.prisma, { premoderation: true });
    await postComment(t, reader, premod.slug, 'Waiting for a moderator');
    const waiting = await http(t, 'GET', `/api/articles/${premod.slug}/comments.atom`);
    expect(parseFeed(waiting.body as string).items).toHaveLength(0);

    expect((await http(t, 'GET', '/api/articles/no-such-article/comments.atom')).body.code).toBe('ARTICLE_NOT_FOUND');
  });

  it("gives the site's latest comments", async () => {
    const article = await createArticle(t.prisma);
    const c = await postComment(t, other, article.slug, 'Site-wide news');
    const res = await http(t, 'GET', '/api/comments.atom');
    expect(res.status).toBe(200);
    const feed = parseFeed(res.body as string);
    expect(feed.title).toBe('Latest comments');
    expect(feed.items.map((i) => i.id)).toContain(`urn:uuid:${c.id}`);
    expect(feed.items.length).toBeLessThanOrEqual(50);
  });

  it('gives a reader a private feed of replies at a secret URL they can replace and revoke', async () => {
    const article = await createArticle(t.prisma);
    const mine = await postComment(t, reader, article.slug, 'My comment');
    const answer = await postComment(t, other, article.slug, 'An answer to you', { parentId: mine.id });
    const removed = await postComment(t, other, article.slug, 'A rude answer', { parentId: mine.id });
    await remove(removed.id);

    expect((await http(t, 'POST', '/api/me/feeds/replies')).status).toBe(401);
    const made = await http(t, 'POST', '/api/me/feeds/replies', { token: reader.token });
    expect(made.status).toBe(201);
    const url = new URL(made.body.url as string);
    const res = await http(t, 'GET', url.pathname);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('private, max-age=60');
    const feed = parseFeed(res.body as string);
    expect(feed.title).toBe(`Replies to ${reader.username}`);
    expect(feed.items.map((i) => i.id)).toEqual([`urn:uuid:${answer.id}`]);
    expect(res.body).not.toContain('A rude answer');

    // Another reader's feed is another secret; a new URL retires the old one; revoking ends it.
    const others = await http(t, 'POST', '/api/me/feeds/replies', { token: other.token });
    expect(
      parseFeed((await http(t, 'GET', new URL(others.body.url as string).pathname)).body as string).items,
    ).toHaveLength(0);
    const replaced = await http(t, 'POST', '/api/me/feeds/replies', { token: reader.token });
    expect((await http(t, 'GET', url.pathname)).status).toBe(404);
    const newPath = new URL(replaced.body.url as string).pathname;
    expect((await http(t, 'GET', newPath)).status).toBe(200);
    expect((await http(t, 'DELETE', '/api/me/feeds/replies', { token: reader.token })).status).toBe(204);
    expect((await http(t, 'GET', newPath)).status).toBe(404);
    expect((await http(t, 'GET', '/api/feeds/replies/made-up')).status).toBe(404);
  });

  it("ends with the reader's account", async () => {
    const leaving = await createUser(t);
    const made = await http(t, 'POST', '/api/me/feeds/replies', { token: leaving.token });
    const path = new URL(made.body.url as string).pathname;
    expect((await http(t, 'GET', path)).status).toBe(200);
    const erased = await http(t, 'DELETE', '/api/me', { token: leaving.token, body: { password: leaving.password } });
    expect(erased.status).toBeLessThan(300);
    expect((await http(t, 'GET', path)).status).toBe(404);
    expect(await t.prisma.readerFeedToken.count({ where: { userId: leaving.id } })).toBe(0);
  });
});
