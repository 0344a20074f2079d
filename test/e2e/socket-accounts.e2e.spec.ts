import { SignJWT } from 'jose';
import { createArticle, createUser, http, postComment, TestUser } from '../support/factories.js';
import { connectSocket, TestSocket } from '../support/sockets.js';
import { startTestApp, TEST_JWT_SECRET, TestApp } from '../support/test-app.js';

// An open socket follows its account as it is now: role, ban, suspension,
// premoderation, and the token's expiry.

let t: TestApp;
let staff: TestUser;
const open: TestSocket[] = [];
const track = (s: TestSocket) => (open.push(s), s);

beforeAll(async () => {
  t = await startTestApp();
  staff = await createUser(t, 'moderator');
});
afterEach(() => {
  for (const s of open.splice(0)) s.close();
});
afterAll(async () => {
  await t.close();
});

// Posts by staff are never held: once one arrives, every earlier event has.
async function sentinel(slug: string, ...readers: TestSocket[]) {
  const c = await postComment(t, staff, slug, 'sentinel');
  for (const r of readers) await r.waitFor((e) => e.some((x) => x.data.comment?.id === c.id));
}

const session = (s: TestSocket, type: string) =>
  s.waitFor(() => s.session.some((m) => m.type === type)).then(() => s.session.filter((m) => m.type === type));

function sign(userId: string, expiresInSeconds: number): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(userId)
    .setIssuer('rejoinder')
    .setAudience('rejoinder')
    .setIssuedAt(now)
    .setExpirationTime(now + expiresInSeconds)
    .sign(new TextEncoder().encode(TEST_JWT_SECRET));
}

describe('a moderator demoted while connected', () => {
  it("loses the moderators' feed and events, and no longer skips premoderation", async () => {
    const article = await createArticle(t.prisma, { premoderation: true });
    const mod = await createUser(t, 'moderator');
    const writer = await createUser(t);
    const s = track(await connectSocket(t.url, { token: mod.token }));
    expect(await s.ack('subscribe', { feed: 'moderation' })).toMatchObject({ feed: 'moderation' });
    await s.ack('subscribe', { article: article.slug });

    await t.prisma.user.update({ where: { id: mod.id }, data: { role: 'commenter' } });
    const [ended] = await session(s, 'subscription.ended');
    expect(ended.data).toEqual({ feed: 'moderation', code: 'FORBIDDEN' });
    expect((await session(s, 'account.updated')).at(-1)!.data).toMatchObject({ role: 'commenter' });

    // Someone else's pending comment: not for a commenter.
    const pending = await postComment(t, writer, article.slug, 'waiting for review');
    expect(pending.status).toBe('pending');
    await sentinel(article.slug, s);
    // Only the sentinel: neither the pending comment nor its queue event.
    expect(s.events.map((e) => e.type)).toEqual(['comment.created']);
    expect(s.events[0].data.comment.id).not.toBe(pending.id);

    expect(await s.ack('subscribe', { feed: 'moderation' })).toMatchObject({ error: { code: 'FORBIDDEN' } });
    const own = await s.ack('comment.create', { article: article.slug, body: 'now reviewed like anyone' });
    expect(own.comment.status).toBe('pending');
  });
});

describe('a commenter promoted while connected', () => {
  it("receives the moderators' events and may follow the feed and skip premoderation", async () => {
    const article = await createArticle(t.prisma, { premoderation: true });
    const promoted = await createUser(t);
    const writer = await createUser(t);
    const s = track(await connectSocket(t.url, { token: promoted.token }));
    await s.ack('subscribe', { article: article.slug });
    expect(await s.ack('subscribe', { feed: 'moderation' })).toMatchObject({ error: { code: 'FORBIDDEN' } });

    await t.prisma.user.update({ where: { id: promoted.id }, data: { role: 'moderator' } });
    expect((await session(s, 'account.updated')).at(-1)!.data).toMatchObject({ role: 'moderator' });

    const pending = await postComment(t, writer, article.slug, 'waiting for review');
    await s.waitFor((e) => e.some((x) => x.type === 'queue.added' && x.data.comment.id === pending.id));
    expect(s.events.find((x) => x.type === 'comment.created')!.data.comment).toMatchObject({
      id: pending.id,
      body: 'waiting for review',
    });
    expect(await s.ack('subscribe', { feed: 'moderation' })).toMatchObject({ feed: 'moderation' });
    const own = await s.ack('comment.create', { article: article.slug, body: 'moderators are not held' });
    expect(own.comment.status).toBe('published');
  });
});

describe('a token that expires while connected', () => {
  it('signs the socket out with auth.expired, keeps it following, and lets it sign in again', async () => {
    const article = await createArticle(t.prisma);
    const user = await createUser(t);
    const s = track(await connectSocket(t.url, { token: await sign(user.id, 2) }));
    await s.ack('subscribe', { article: article.slug });
    expect((await s.ack('comment.create', { article: article.slug, body: 'before expiry' })).comment.status).toBe(
      'published',
    );

    const [expired] = await session(s, 'auth.expired');
    expect(expired.data).toEqual({ code: 'TOKEN_EXPIRED' });
    expect(await s.ack('comment.create', { article: article.slug, body: 'after expiry' })).toMatchObject({
      error: { code: 'TOKEN_EXPIRED', status: 401 },
    });
    // Still an anonymous reader of the article.
    await sentinel(article.slug, s);

    expect(await s.ack('auth', { token: 'not a token' })).toMatchObject({ error: { code: 'INVALID_TOKEN' } });
    expect(await s.ack('auth', { token: await sign(user.id, -10) })).toMatchObject({
      error: { code: 'TOKEN_EXPIRED' },
    });
    expect(await s.ack('auth', { token: user.token, extra: 1 })).toMatchObject({ error: { code: 'UNKNOWN_FIELDS' } });
    const again = await s.ack('auth', { token: user.token });
    expect(again).toMatchObject({
      user: { id: user.id, username: user.username, role: 'commenter' },
      expiresAt: expect.any(String),
    });
    expect((await s.ack('comment.create', { article: article.slug, body: 'signed in again' })).comment.status).toBe(
      'published',
    );
    expect(await t.prisma.comment.count({ where: { authorId: user.id } })).toBe(2);
  });

  it("ends a moderator's feed at expiry", async () => {
    const mod = await createUser(t, 'moderator');
    const s = track(await connectSocket(t.url, { token: await sign(mod.id, 2) }));
    expect(await s.ack('subscribe', { feed: 'moderation' })).toMatchObject({ feed: 'moderation' });
    const [ended] = await session(s, 'subscription.ended');
    expect(ended.data).toEqual({ feed: 'moderation', code: 'UNAUTHENTICATED' });
    expect(await s.ack('subscribe', { feed: 'moderation' })).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
  });
});

describe('sanctions on an open socket', () => {
  const sanction = (userId: string, body: Record<string, unknown>) =>
    http(t, 'PATCH', `/api/moderation/users/${userId}`, { token: staff.token, body });

  it('a ban reaches the socket and refuses its writes', async () => {
    const article = await createArticle(t.prisma);
    const user = await createUser(t);
    const s = track(await connectSocket(t.url, { token: user.token }));
    expect((await sanction(user.id, { banned: true, reason: 'abuse' })).status).toBe(200);
    expect((await session(s, 'account.updated')).at(-1)!.data).toMatchObject({ banned: true });
    expect(await s.ack('comment.create', { article: article.slug, body: 'banned' })).toMatchObject({
      error: { code: 'USER_BANNED', status: 403 },
    });
    expect(await t.prisma.comment.count({ where: { authorId: user.id } })).toBe(0);
  });

  it('a suspension reaches the socket and refuses its writes until it ends', async () => {
    const article = await createArticle(t.prisma);
    const user = await createUser(t);
    const s = track(await connectSocket(t.url, { token: user.token }));
    const until = new Date(Date.now() + 3_600_000).toISOString();
    expect((await sanction(user.id, { suspendedUntil: until, reason: 'abuse' })).status).toBe(200);
    expect((await session(s, 'account.updated')).at(-1)!.data).toMatchObject({ suspendedUntil: until });
    expect(await s.ack('comment.create', { article: article.slug, body: 'suspended' })).toMatchObject({
      error: { code: 'USER_SUSPENDED', suspendedUntil: until },
    });
    expect((await sanction(user.id, { suspendedUntil: null })).status).toBe(200);
    await s.waitFor(() => s.session.filter((m) => m.type === 'account.updated').at(-1)!.data.suspendedUntil === null);
    expect((await s.ack('comment.create', { article: article.slug, body: 'back' })).comment.status).toBe('published');
  });

  it('premoderation reaches the socket: its next comment waits for review', async () => {
    const article = await createArticle(t.prisma);
    const user = await createUser(t);
    const s = track(await connectSocket(t.url, { token: user.token }));
    expect((await sanction(user.id, { premoderated: true })).status).toBe(200);
    expect((await session(s, 'account.updated')).at(-1)!.data).toMatchObject({ premoderated: true });
    expect((await s.ack('comment.create', { article: article.slug, body: 'reviewed first' })).comment.status).toBe(
      'pending',
    );
  });
});
