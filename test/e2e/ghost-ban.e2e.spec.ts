import { createArticle, createUser, http, postComment, TestUser } from '../support/factories.js';
import { connectSocket, TestSocket } from '../support/sockets.js';
import { startTestApp, TestApp } from '../support/test-app.js';

// A ghost ban: the author still reads their comments as published wherever
// they look; nobody else sees them; moderators do, and the log says who did
// it, never the public log. Every door is in visibility-matrix.e2e.spec.ts;
// these are the sanction's own rules.
let t: TestApp;
let mod: TestUser;
let reader: TestUser;
const open: TestSocket[] = [];

beforeAll(async () => {
  t = await startTestApp();
  [mod, reader] = await Promise.all([createUser(t, 'moderator'), createUser(t)]);
});
afterEach(() => {
  for (const s of open.splice(0)) s.close();
});
afterAll(async () => {
  await t.close();
});

const ghostBan = (user: TestUser, ghostBanned = true, as = mod) =>
  http(t, 'PATCH', `/api/moderation/users/${user.id}`, { token: as.token, body: { ghostBanned, reason: 'spam' } });

describe('ghost ban', () => {
  it('tells the author their comment is published, over HTTP and the socket, and shows it to nobody else', async () => {
    const article = await createArticle(t.prisma);
    const troll = await createUser(t);
    const res = await ghostBan(troll);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ghostBanned: true, banned: false });

    const watcher = await connectSocket(t.url, { token: reader.token });
    const own = await connectSocket(t.url, { token: troll.token });
    const staff = await connectSocket(t.url, { token: mod.token });
    open.push(watcher, own, staff);
    for (const s of [watcher, own, staff]) await s.ack('subscribe', { article: article.slug });

    const posted = await postComment(t, troll, article.slug, 'Buy my stuff, now');
    expect(posted.status).toBe('published');
    const ack = await own.ack('comment.create', { article: article.slug, body: 'Over the socket too' });
    expect(ack.comment ?? ack).toMatchObject({ status: 'published' });

    // Live: the author hears of both as published, moderators as shadowed.
    await own.waitFor((events) => events.filter((e) => e.type === 'comment.created').length === 2);
    for (const e of own.events) expect(e.data.comment.status).toBe('published');
    await staff.waitFor((events) => events.filter((e) => e.type === 'comment.created').length === 2);
    for (const e of staff.events) expect(e.data.comment.status).toBe('shadowed');
    // A public comment after them reaches the reader, and nothing before it.
    const sentinel = await postComment(t, reader, article.slug, 'sentinel');
    await watcher.waitFor((events) => events.some((e) => e.data.comment?.id === sentinel.id));
    expect(watcher.events.map((e) => e.data.comment.id)).toEqual([sentinel.id]);

    // Pages: the shared page has neither; the author's own part carries them, as published.
    const anonymous = await http(t, 'GET', `/api/articles/${article.slug}/comments`);
    expect(JSON.stringify(anonymous.body)).not.toContain('Buy my stuff');
    const asAuthor = await http(t, 'GET', `/api/articles/${article.slug}/comments`, { token: troll.token });
    expect(asAuthor.body.viewer.pending.map((c: { status: string }) => c.status)).toEqual(['published', 'published']);
    const asOther = await http(t, 'GET', `/api/articles/${article.slug}/comments`, { token: reader.token });
    expect(asOther.body.viewer.pending).toEqual([]);

    // Permalink: found by its author (published), not by anyone else.
    expect((await http(t, 'GET', `/api/comments/${posted.id}`, { token: troll.token })).body.comment.status).toBe(
      'published',
    );
    expect((await http(t, 'GET', `/api/comments/${posted.id}`, { token: reader.token })).body.code).toBe(
      'COMMENT_NOT_FOUND',
    );
    // The article's count does not move.
    expect((await http(t, 'GET', `/api/articles/${article.slug}`)).body.commentCount).toBe(1);
    // The author's data export says published too.
    const exported = await http(t, 'GET', '/api/me/export', { token: troll.token });
    expect(exported.body.comments.map((c: { status: string }) => c.status)).toEqual(['published', 'published']);
    expect(JSON.stringify(exported.body)).not.toMatch(/shadow|ghost/i);
    const me = await http(t, 'GET', '/api/me', { token: troll.token });
    expect(JSON.stringify(me.body)).not.toMatch(/shadow|ghost/i);
  });

  it('lets the author reply to and edit their own, and nobody else reply to, vote on or report it', async () => {
    const article = await createArticle(t.prisma);
    const troll = await createUser(t);
    await ghostBan(troll);
    const comment = await postComment(t, troll, article.slug, 'First rant');
    const reply = await postComment(t, troll, article.slug, 'Replying to myself', { parentId: comment.id });
    expect(reply.status).toBe('published');
    const edited = await http(t, 'PATCH', `/api/comments/${comment.id}`, {
      token: troll.token,
      body: { body: 'First rant, edited' },
    });
    expect(edited.body).toMatchObject({ status: 'published', body: 'First rant, edited' });

    const theirReply = await http(t, 'POST', `/api/articles/${article.slug}/comments`, {
      token: reader.token,
      body: { body: 'I saw it', parentId: comment.id },
    });
    expect(theirReply.body.code).toBe('PARENT_NOT_FOUND');
    const report = await http(t, 'POST', `/api/comments/${comment.id}/reports`, {
      token: reader.token,
      body: { reason: 'spam' },
    });
    expect(report.body.code).toBe('COMMENT_NOT_FOUND');
    const vote = await http(t, 'PUT', `/api/comments/${comment.id}/vote`, { token: reader.token, body: { value: 1 } });
    expect(vote.status).toBeGreaterThanOrEqual(400);
    expect(JSON.stringify(vote.body)).not.toContain('shadowed');
    // No notification reached anyone.
    expect(await t.prisma.notification.count({ where: { articleId: article.id } })).toBe(0);
  });

  it('is in the moderation log and the queue item, never in the public log', async () => {
    const article = await createArticle(t.prisma);
    const troll = await createUser(t);
    await ghostBan(troll);
    const comment = await postComment(t, troll, article.slug, 'Shadowed words');
    const log = (await http(t, 'GET', '/api/moderation/log', { token: mod.token })).body.items;
    expect(log).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ action: 'ghost_ban', targetType: 'user', targetId: troll.id, reasonCode: 'spam' }),
      ]),
    );
    const item = await http(t, 'GET', `/api/moderation/comments/${comment.id}`, { token: mod.token });
    expect(item.body).toMatchObject({ comment: { status: 'shadowed' }, author: { ghostBanned: true } });
    const publicLog = await http(t, 'GET', `/api/articles/${article.slug}/moderation-log`);
    expect(publicLog.status).toBe(200);
    expect(JSON.stringify(publicLog.body)).not.toMatch(/ghost|shadow/);
    // Not waiting in any queue: the sanction decided.
    const pending = await http(t, 'GET', `/api/moderation/queue?status=pending&article=${article.slug}`, {
      token: mod.token,
    });
    expect(pending.body.items).toEqual([]);
  });

  it('once lifted, lets new comments out; a moderator may publish a shadowed one', async () => {
    const article = await createArticle(t.prisma);
    const troll = await createUser(t);
    await ghostBan(troll);
    const before = await postComment(t, troll, article.slug, 'While banned');
    const lifted = await ghostBan(troll, false);
    expect(lifted.body.ghostBanned).toBe(false);
    const after = await postComment(t, troll, article.slug, 'After the lift');
    const thread = JSON.stringify((await http(t, 'GET', `/api/articles/${article.slug}/comments`)).body);
    expect(thread).toContain('After the lift');
    expect(thread).not.toContain('While banned');
    expect(after.status).toBe('published');
    const { version } = (await http(t, 'GET', `/api/moderation/comments/${before.id}`, { token: mod.token })).body;
    const approve = await http(t, 'POST', `/api/moderation/comments/${before.id}/actions`, {
      token: mod.token,
      body: { action: 'approve', version },
    });
    expect(approve.body.comment.status).toBe('published');
    expect(JSON.stringify((await http(t, 'GET', `/api/articles/${article.slug}/comments`)).body)).toContain(
      'While banned',
    );
  });

  it('refuses a ghost ban by a commenter and on staff, and a bad value, changing nothing', async () => {
    const troll = await createUser(t);
    expect((await ghostBan(troll, true, reader)).status).toBe(403);
    expect((await ghostBan(mod)).body.code).toBe('CANNOT_SANCTION_STAFF');
    const bad = await http(t, 'PATCH', `/api/moderation/users/${troll.id}`, {
      token: mod.token,
      body: { ghostBanned: 'yes' },
    });
    expect(bad.status).toBe(400);
    const stored = await t.prisma.user.findUniqueOrThrow({ where: { id: troll.id } });
    expect(stored.ghostBannedAt).toBeNull();
  });

  it('applies at once to a socket opened before it, and tells that socket nothing', async () => {
    const article = await createArticle(t.prisma);
    const [troll, bystander] = await Promise.all([createUser(t), createUser(t)]);
    const trollSocket = await connectSocket(t.url, { token: troll.token });
    const bystanderSocket = await connectSocket(t.url, { token: bystander.token });
    open.push(trollSocket, bystanderSocket);
    expect((await ghostBan(troll)).status).toBe(200);
    // A visible change to another account, made after the ghost ban: once its
    // socket hears of it, the sockets' accounts were read after the ban too.
    const premoderate = await http(t, 'PATCH', `/api/moderation/users/${bystander.id}`, {
      token: mod.token,
      body: { premoderated: true },
    });
    expect(premoderate.status).toBe(200);
    await bystanderSocket.waitFor(() => bystanderSocket.session.some((m) => m.type === 'account.updated'));
    expect(trollSocket.session.filter((m) => m.type === 'account.updated')).toEqual([]);

    const ack = await trollSocket.ack('comment.create', { article: article.slug, body: 'From an old socket' });
    expect(ack.comment.status).toBe('published');
    const stored = await t.prisma.comment.findUniqueOrThrow({ where: { id: ack.comment.id } });
    expect(stored.status).toBe('shadowed');
  });

  it('does not spare staff: a moderator’s comment is never shadowed', async () => {
    const article = await createArticle(t.prisma);
    expect((await postComment(t, mod, article.slug, 'Staff words')).status).toBe('published');
  });
});
