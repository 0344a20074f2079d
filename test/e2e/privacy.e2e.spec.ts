import { createArticle, createUser, http, postComment, unique } from '../support/factories.js';
import type { TestUser } from '../support/factories.js';
import { connectSocket } from '../support/sockets.js';
import { startTestApp, TestApp } from '../support/test-app.js';
import { signSso, SSO_AUDIENCE, SSO_ISSUER, SSO_SECRET } from '../support/sso.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ SSO_JWT_SECRET: SSO_SECRET, SSO_ISSUER, SSO_AUDIENCE });
});
afterAll(async () => {
  await t.close();
});

// Every row of every table, as text, that contains `needle`.
async function rowsContaining(needle: string): Promise<{ table: string; count: number }[]> {
  const tables = await t.prisma.$queryRawUnsafe<{ name: string }[]>(
    `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
  );
  const found: { table: string; count: number }[] = [];
  for (const { name } of tables) {
    const [row] = await t.prisma.$queryRawUnsafe<{ count: number }[]>(
      `SELECT count(*)::int AS count FROM "${name}" t WHERE t::text ILIKE '%' || $1 || '%'`,
      needle,
    );
    if (row.count > 0) found.push({ table: name, count: row.count });
  }
  return found;
}

async function act(moderator: TestUser, commentId: string, action: string, extra: Record<string, unknown> = {}) {
  const current = await t.prisma.comment.findUniqueOrThrow({ where: { id: commentId } });
  const res = await http(t, 'POST', `/api/moderation/comments/${commentId}/actions`, {
    token: moderator.token,
    body: { action, version: current.version, ...extra },
  });
  expect(res.status).toBe(200);
}

describe('export', () => {
  it('gives a reader everything held about them, and only theirs', async () => {
    const article = await createArticle(t.prisma);
    const reader = await createUser(t);
    const other = await createUser(t);
    const moderator = await createUser(t, 'moderator');
    const mine = await postComment(t, reader, article.slug, 'My first draft');
    await http(t, 'PATCH', `/api/comments/${mine.id}`, { token: reader.token, body: { body: 'My second thought' } });
    const theirs = await postComment(t, other, article.slug, 'Their view');
    await postComment(t, other, article.slug, 'A reply to you', { parentId: mine.id });
    await http(t, 'PUT', `/api/comments/${theirs.id}/vote`, { token: reader.token, body: { value: -1 } });
    await http(t, 'POST', `/api/comments/${theirs.id}/reports`, {
      token: reader.token,
      body: { reason: 'off_topic', note: 'not about the article' },
    });
    await http(t, 'PATCH', `/api/moderation/users/${reader.id}`, {
      token: moderator.token,
      body: { premoderated: true, reason: 'spam', note: 'watch' },
    });

    const res = await http(t, 'GET', '/api/me/export', { token: reader.token });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toContain('attachment');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const data = res.body;
    expect(data).toMatchObject({ format: 'rejoinder.account-export', version: 1 });
    expect(data.account).toMatchObject({
      id: reader.id,
      username: reader.username,
      email: reader.email,
      hasPassword: true,
      externalIdentity: null,
    });
    expect(JSON.stringify(data)).not.toMatch(/argon2/);
    expect(data.comments).toHaveLength(1);
    expect(data.comments[0]).toMatchObject({
      id: mine.id,
      article: { slug: article.slug },
      status: 'published',
      body: 'My second thought',
      revisions: [{ body: 'My first draft' }],
    });
    expect(data.votes).toEqual([expect.objectContaining({ commentId: theirs.id, value: -1 })]);
    expect(data.reports).toEqual([
      expect.objectContaining({ commentId: theirs.id, reason: 'off_topic', note: 'not about the article' }),
    ]);
    expect(data.notifications).toEqual([expect.objectContaining({ type: 'reply', articleId: article.id })]);
    expect(data.sanctions.current.premoderated).toBe(true);
    expect(data.sanctions.history).toEqual([expect.objectContaining({ reasonCode: 'spam', note: 'watch' })]);
    expect(JSON.stringify(data)).not.toContain('Their view');
    expect(JSON.stringify(data)).not.toContain(moderator.id);
  });

  it('refuses without a token', async () => {
    const res = await http(t, 'GET', '/api/me/export');
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('UNAUTHENTICATED');
  });
});

describe('erasure', () => {
  it('refuses without confirmation, with a wrong password, or with a token for someone else, and erases nothing', async () => {
    const reader = await createUser(t);
    for (const body of [undefined, {}]) {
      const res = await http(t, 'DELETE', '/api/me', { token: reader.token, body });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('ERASURE_NOT_CONFIRMED');
    }
    const wrong = await http(t, 'DELETE', '/api/me', { token: reader.token, body: { password: 'not my password' } });
    expect(wrong.body.code).toBe('INVALID_CREDENTIALS');
    const extra = await http(t, 'DELETE', '/api/me', {
      token: reader.token,
      body: { password: reader.password, userId: 'x' },
    });
    expect(extra.body.code).toBe('UNKNOWN_FIELDS');
    const someone = await http(t, 'DELETE', '/api/me', {
      token: reader.token,
      body: { token: await signSso({ sub: unique('someone') }) },
    });
    expect(someone.status).toBe(403);
    expect(someone.body.code).toBe('SIGN_IN_WRONG_ACCOUNT');
    expect(await t.prisma.user.count({ where: { id: reader.id } })).toBe(1);
  });

  it('lets an account from the host erase itself with a fresh token, not a stale one', async () => {
    const sub = unique('sso');
    const session = await http(t, 'POST', '/api/auth/sso', {
      body: { token: await signSso({ sub, name: 'Leaving' }) },
    });
    const token = session.body.accessToken;
    const stale = await http(t, 'DELETE', '/api/me', {
      token,
      body: { token: await signSso({ sub, iat: Math.floor(Date.now() / 1000) - 3600 }) },
    });
    expect(stale.body.code).toBe('SSO_TOKEN_AGE');
    const noPassword = await http(t, 'DELETE', '/api/me', { token, body: { password: 'anything' } });
    expect(noPassword.body.code).toBe('INVALID_CREDENTIALS');
    const res = await http(t, 'DELETE', '/api/me', { token, body: { token: await signSso({ sub }) } });
    expect(res.status).toBe(200);
    expect(await t.prisma.user.count({ where: { externalSubject: sub } })).toBe(0);
  });

  it('leaves nothing of the account readable through any door, the event log and its replays included', async () => {
    const marker = unique('ERASEME').toUpperCase();
    const open = await createArticle(t.prisma);
    const held = await createArticle(t.prisma, { premoderation: true });
    const leaving = await createUser(t);
    const other = await createUser(t);
    const moderator = await createUser(t, 'moderator');
    const admin = await createUser(t, 'admin');

    // Where the moderators' feed stands before any of it.
    const feedBefore = await connectSocket(t.url, { token: moderator.token });
    const feedStart = (await feedBefore.ack('subscribe', { feed: 'moderation' })).seq as number;
    feedBefore.close();

    // What the leaving reader wrote: an edited comment with a reply under it,
    // a reply to someone else, a rejected one, a removed one, a pending one.
    const edited = await postComment(t, leaving, open.slug, `${marker} first version`);
    await http(t, 'PATCH', `/api/comments/${edited.id}`, {
      token: leaving.token,
      body: { body: `${marker} edited version` },
    });
    const reply = await postComment(t, other, open.slug, 'A reply that stays', { parentId: edited.id });
    const othersTop = await postComment(t, other, open.slug, 'Someone else speaks');
    const answer = await postComment(t, leaving, open.slug, `${marker} my answer`, { parentId: othersTop.id });
    const removed = await postComment(t, leaving, open.slug, `${marker} removed words`);
    await act(moderator, removed.id, 'remove', { reason: 'abuse', note: `${marker} quoted in a note` });
    const pending = await postComment(t, leaving, held.slug, `${marker} waiting words`);
    const rejected = await postComment(t, leaving, held.slug, `${marker} rejected words`);
    await act(moderator, rejected.id, 'reject', { reason: 'spam' });
    await http(t, 'PUT', `/api/comments/${othersTop.id}/vote`, { token: leaving.token, body: { value: 1 } });
    await http(t, 'POST', `/api/comments/${othersTop.id}/reports`, {
      token: leaving.token,
      body: { reason: 'other', note: `${marker} report note` },
    });
    await http(t, 'PATCH', `/api/moderation/users/${leaving.id}`, {
      token: moderator.token,
      body: { premoderated: true, reason: 'other', note: `${marker} sanction note` },
    });
    expect((await rowsContaining(marker)).length).toBeGreaterThan(0);

    // A reader following the article live sees the erasure happen.
    const live = await connectSocket(t.url);
    await live.ack('subscribe', { article: open.slug });

    const res = await http(t, 'DELETE', '/api/me', { token: leaving.token, body: { password: leaving.password } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ userId: leaving.id, comments: 5 });
    await live.waitFor((events) => events.filter((e) => e.type === 'comment.deleted').length >= 2);
    live.close();

    // Storage: no row of any table holds the bodies, notes, name or address.
    expect(await rowsContaining(marker)).toEqual([]);
    expect(await rowsContaining(leaving.username)).toEqual([]);
    expect(await rowsContaining(leaving.email)).toEqual([]);
    // The account id survives only where the moderation log says an erasure
    // (and the earlier sanction) happened, with no note.
    const traces = await rowsContaining(leaving.id);
    expect(traces).toEqual([{ table: 'moderation_actions', count: 2 }]);
    const log = await http(t, 'GET', '/api/moderation/log', { token: moderator.token });
    const erasure = log.body.items.find((i: any) => i.targetId === leaving.id && i.action === 'erase');
    expect(erasure).toMatchObject({ targetType: 'user', note: null });

    const leaks = (value: unknown) => {
      const text = JSON.stringify(value);
      return text.includes(marker) || text.includes(leaving.username) || text.includes(leaving.id);
    };
    const tombstone = { status: 'deleted', author: null, body: null, html: null };

    // Thread pages, replies, permalinks and their ancestors.
    const thread = await http(t, 'GET', `/api/articles/${open.slug}/comments?sort=oldest`);
    expect(leaks(thread.body)).toBe(false);
    const top = thread.body.items.find((c: any) => c.id === edited.id);
    expect(top).toMatchObject(tombstone);
    expect(top.replies.map((r: any) => r.id)).toContain(reply.id);
    const permalink = await http(t, 'GET', `/api/comments/${reply.id}`);
    expect(leaks(permalink.body)).toBe(false);
    const replies = await http(t, 'GET', `/api/comments/${othersTop.id}/replies`);
    expect(leaks(replies.body)).toBe(false);
    for (const id of [edited.id, answer.id, removed.id, pending.id, rejected.id]) {
      const one = await http(t, 'GET', `/api/comments/${id}`, { token: moderator.token });
      expect(leaks(one.body)).toBe(false);
      const revisions = await http(t, 'GET', `/api/moderation/comments/${id}/revisions`, { token: moderator.token });
      expect(leaks(revisions.body)).toBe(false);
      expect(revisions.body.revisions).toEqual([]);
    }

    // Event log over HTTP, for anyone and for a moderator; socket replays.
    for (const slug of [open.slug, held.slug]) {
      for (const token of [undefined, moderator.token, admin.token]) {
        const events = await http(t, 'GET', `/api/articles/${slug}/events?after=0&limit=1000`, { token });
        expect(events.status).toBe(200);
        expect(leaks(events.body)).toBe(false);
      }
      const head = (await http(t, 'GET', `/api/articles/${slug}/events?after=0&limit=1000`, { token: moderator.token }))
        .body.seq;
      const replay = await connectSocket(t.url, { token: moderator.token });
      await replay.ack('subscribe', { article: slug, after: 0 });
      await replay.waitFor((events) => events.some((e) => e.seq === head));
      expect(leaks(replay.events)).toBe(false);
      replay.close();
    }

    // The moderators' feed across articles, replayed from before it all.
    const feed = await connectSocket(t.url, { token: moderator.token });
    const feedAck = await feed.ack('subscribe', { feed: 'moderation', after: feedStart });
    expect(feedAck.resync).toBe(false);
    await feed.waitFor((events) => events.some((e) => e.seq === feedAck.seq));
    expect(feed.events.some((e) => e.data?.comment?.id === pending.id)).toBe(true);
    expect(leaks(feed.events)).toBe(false);
    feed.close();

    // Queues, moderation logs, notifications.
    for (const status of ['pending', 'reported', 'rejected']) {
      const queue = await http(t, 'GET', `/api/moderation/queue?status=${status}`, { token: moderator.token });
      expect(leaks(queue.body)).toBe(false);
    }
    expect(leaks((await http(t, 'GET', `/api/articles/${open.slug}/moderation-log`)).body)).toBe(false);
    const notes = await http(t, 'GET', '/api/me/notifications', { token: other.token });
    expect(leaks(notes.body)).toBe(false);

    // The account itself.
    expect((await http(t, 'GET', '/api/me', { token: leaving.token })).body.code).toBe('INVALID_TOKEN');
    const login = await http(t, 'POST', '/api/auth/login', {
      body: { login: leaving.username, password: leaving.password },
    });
    expect(login.body.code).toBe('INVALID_CREDENTIALS');
    // The comment counts follow: only the two published comments of others remain.
    expect((await t.prisma.article.findUniqueOrThrow({ where: { id: open.id } })).commentCount).toBe(2);
    // Their open report no longer counts.
    expect((await t.prisma.comment.findUniqueOrThrow({ where: { id: othersTop.id } })).openReports).toBe(0);
  });

  it('lets an admin erase an account, confirming with its username', async () => {
    const admin = await createUser(t, 'admin');
    const moderator = await createUser(t, 'moderator');
    const reader = await createUser(t);
    const article = await createArticle(t.prisma);
    await postComment(t, reader, article.slug, 'Soon gone');
    const path = `/api/admin/users/${reader.id}`;
    expect((await http(t, 'DELETE', path, { token: moderator.token, body: { confirm: reader.username } })).status).toBe(
      403,
    );
    const unconfirmed = await http(t, 'DELETE', path, { token: admin.token });
    expect(unconfirmed.body.code).toBe('ERASURE_NOT_CONFIRMED');
    const wrong = await http(t, 'DELETE', path, { token: admin.token, body: { confirm: 'someone-else' } });
    expect(wrong.body.code).toBe('ERASURE_NOT_CONFIRMED');
    expect(
      (await http(t, 'DELETE', '/api/admin/users/not-a-uuid', { token: admin.token, body: { confirm: 'x' } })).body
        .code,
    ).toBe('USER_NOT_FOUND');
    const res = await http(t, 'DELETE', path, { token: admin.token, body: { confirm: reader.username } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ userId: reader.id, comments: 1 });
    expect((await http(t, 'DELETE', path, { token: admin.token, body: { confirm: reader.username } })).body.code).toBe(
      'USER_NOT_FOUND',
    );
    const log = await http(t, 'GET', '/api/moderation/log', { token: admin.token });
    expect(log.body.items.find((i: any) => i.targetId === reader.id)).toMatchObject({
      action: 'erase',
      moderator: { id: admin.id },
    });
  });
});

describe('retention', () => {
  it('reports in a dry run, then purges the bodies and revisions of rejected, removed and deleted comments past their period', async () => {
    const admin = await createUser(t, 'admin');
    const moderator = await createUser(t, 'moderator');
    const author = await createUser(t);
    const article = await createArticle(t.prisma);
    const marker = unique('RETAIN').toUpperCase();
    const old = await postComment(t, author, article.slug, `${marker} old draft`);
    await http(t, 'PATCH', `/api/comments/${old.id}`, { token: author.token, body: { body: `${marker} old removed` } });
    await act(moderator, old.id, 'remove', { reason: 'abuse' });
    const recent = await postComment(t, author, article.slug, 'recently removed');
    await act(moderator, recent.id, 'remove', { reason: 'abuse' });
    const kept = await postComment(t, author, article.slug, 'published and old');
    const deleted = await postComment(t, author, article.slug, `${marker} deleted by its author`);
    await http(t, 'DELETE', `/api/comments/${deleted.id}`, { token: author.token });
    // Decided long ago.
    await t.prisma.comment.updateMany({
      where: { id: { in: [old.id, kept.id, deleted.id] } },
      data: { updatedAt: new Date('2020-01-01T00:00:00Z') },
    });

    expect((await http(t, 'GET', '/api/admin/retention', { token: moderator.token })).status).toBe(403);
    const dry = await http(t, 'GET', '/api/admin/retention', { token: admin.token });
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ dryRun: true, policy: { rejectedDays: 30, removedDays: 180, deletedDays: 30 } });
    expect(dry.body.comments).toBeGreaterThanOrEqual(1);
    expect(dry.body.revisions).toBeGreaterThanOrEqual(1);
    expect((await t.prisma.comment.findUniqueOrThrow({ where: { id: old.id } })).bodySource).toContain(marker);

    const run = await http(t, 'POST', '/api/admin/retention/run', { token: admin.token });
    expect(run.status).toBe(200);
    expect(run.body.dryRun).toBe(false);
    expect(await rowsContaining(marker)).toEqual([]);
    expect((await t.prisma.comment.findUniqueOrThrow({ where: { id: recent.id } })).bodySource).toBe(
      'recently removed',
    );
    expect((await t.prisma.comment.findUniqueOrThrow({ where: { id: kept.id } })).bodySource).toBe('published and old');
    const again = await http(t, 'GET', '/api/admin/retention', { token: admin.token });
    expect(again.body.comments).toBe(0);
    // A purged body cannot come back.
    const purged = await t.prisma.comment.findUniqueOrThrow({ where: { id: old.id } });
    const restore = await http(t, 'POST', `/api/moderation/comments/${old.id}/actions`, {
      token: moderator.token,
      body: { action: 'restore', version: purged.version },
    });
    expect(restore.status).toBe(409);
    expect(restore.body.code).toBe('INVALID_TRANSITION');
  });
});
