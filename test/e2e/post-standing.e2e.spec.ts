import { createArticle, createUser, http, TestUser } from '../support/factories.js';
import { startTestApp, TestApp } from '../support/test-app.js';

// A post over HTTP reads its author once: the authentication reads the
// account with its sanctions, trust and address, and the posting rules use
// that row (they read it again only to count published comments, when the
// new-commenter review is on). Every sanction still applies at once, to the
// next post after it is set.
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});

const post = (user: TestUser, slug: string, body: string) =>
  http(t, 'POST', `/api/articles/${slug}/comments`, { token: user.token, body: { body } });

describe('posting with the standing read by the authentication', () => {
  it('refuses a ban and a suspension set after an accepted post, and posts again once lifted', async () => {
    const article = await createArticle(t.prisma);
    const author = await createUser(t);
    expect((await post(author, article.slug, 'Before the ban')).status).toBe(201);

    await t.prisma.user.update({ where: { id: author.id }, data: { bannedAt: new Date() } });
    const banned = await post(author, article.slug, 'While banned');
    expect(banned.status).toBe(403);
    expect(banned.body.code).toBe('USER_BANNED');

    const until = new Date(Date.now() + 3_600_000);
    await t.prisma.user.update({ where: { id: author.id }, data: { bannedAt: null, suspendedUntil: until } });
    const suspended = await post(author, article.slug, 'While suspended');
    expect(suspended.status).toBe(403);
    expect(suspended.body).toMatchObject({ code: 'USER_SUSPENDED', suspendedUntil: until.toISOString() });

    await t.prisma.user.update({ where: { id: author.id }, data: { suspendedUntil: new Date(Date.now() - 1000) } });
    const after = await post(author, article.slug, 'After the suspension');
    expect(after.status).toBe(201);
    expect(after.body.status).toBe('published');
  });

  it('holds the post of a premoderated account and shadows that of a ghost-banned one', async () => {
    const article = await createArticle(t.prisma);
    const held = await createUser(t);
    await t.prisma.user.update({ where: { id: held.id }, data: { premoderated: true } });
    const pending = await post(held, article.slug, 'Held for review');
    expect(pending.status).toBe(201);
    expect(pending.body.status).toBe('pending');
    const row = await t.prisma.comment.findUniqueOrThrow({ where: { id: pending.body.id } });
    expect(row.status).toBe('pending');

    const ghost = await createUser(t);
    await t.prisma.user.update({ where: { id: ghost.id }, data: { ghostBannedAt: new Date() } });
    const shadowed = await post(ghost, article.slug, 'Nobody sees this');
    expect(shadowed.status).toBe(201);
    expect(shadowed.body.status).toBe('published');
    expect((await t.prisma.comment.findUniqueOrThrow({ where: { id: shadowed.body.id } })).status).toBe('shadowed');
  });

  it('counts published comments when the article asks for new-commenter review, and a pin lifts it', async () => {
    const article = await createArticle(t.prisma);
    await t.prisma.article.update({ where: { id: article.id }, data: { newCommenterReview: 1 } });
    const author = await createUser(t);
    const first = await post(author, article.slug, 'My first comment');
    expect(first.status).toBe(201);
    expect(first.body.status).toBe('pending');

    await t.prisma.user.update({ where: { id: author.id }, data: { trustLevelPinned: 1 } });
    const pinned = await post(author, article.slug, 'Pinned by a moderator');
    expect(pinned.status).toBe(201);
    expect(pinned.body.status).toBe('published');
  });

  it('refuses the token of an account that no longer exists', async () => {
    const article = await createArticle(t.prisma);
    const gone = await createUser(t);
    await t.prisma.user.delete({ where: { id: gone.id } });
    const res = await post(gone, article.slug, 'From nowhere');
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('INVALID_TOKEN');
  });
});
