import { randomUUID } from 'node:crypto';
import { createArticle, createUser, http, postComment, TestUser } from '../support/factories.js';
import { connectSocket, TestSocket } from '../support/sockets.js';
import { startTestApp, TestApp } from '../support/test-app.js';

let t: TestApp;
let mod: TestUser;
let admin: TestUser;
let reader: TestUser;
const open: TestSocket[] = [];
const track = (s: TestSocket) => (open.push(s), s);

beforeAll(async () => {
  t = await startTestApp();
  [mod, admin, reader] = await Promise.all([createUser(t, 'moderator'), createUser(t, 'admin'), createUser(t)]);
});
afterEach(() => {
  for (const s of open.splice(0)) s.close();
});
afterAll(async () => {
  await t.close();
});

const act = (id: string, body: object, user = mod) =>
  http(t, 'POST', `/api/moderation/comments/${id}/actions`, { token: user.token, body });
const queue = (query: string, user = mod) => http(t, 'GET', `/api/moderation/queue?${query}`, { token: user.token });
const thread = async (slug: string) => (await http(t, 'GET', `/api/articles/${slug}/comments`)).body;

describe('article settings', () => {
  it('closes an article live and refuses new comments', async () => {
    const article = await createArticle(t.prisma);
    const watcher = track(await connectSocket(t.url));
    await watcher.ack('subscribe', { article: article.slug });
    const res = await http(t, 'PATCH', `/api/moderation/articles/${article.slug}`, {
      token: mod.token,
      body: { state: 'closed' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ state: 'closed' });
    const [event] = await watcher.waitFor((e) => e.length === 1);
    expect(event).toMatchObject({
      type: 'article.updated',
      seq: 1,
      data: { article: { state: 'closed', premoderation: false } },
    });
    const post = await http(t, 'POST', `/api/articles/${article.slug}/comments`, {
      token: reader.token,
      body: { body: 'late' },
    });
    expect(post.body.code).toBe('ARTICLE_CLOSED');
    const log = (await http(t, 'GET', `/api/moderation/log?article=${article.slug}`, { token: mod.token })).body.items;
    expect(log).toEqual([
      expect.objectContaining({
        action: 'update_article',
        targetType: 'article',
        targetId: article.id,
        moderator: expect.objectContaining({ id: mod.id }),
      }),
    ]);
  });

  it('holds new comments for approval under premoderation, but not a moderator’s', async () => {
    const article = await createArticle(t.prisma);
    await http(t, 'PATCH', `/api/moderation/articles/${article.slug}`, {
      token: mod.token,
      body: { premoderation: true },
    });
    expect((await postComment(t, reader, article.slug, 'held')).status).toBe('pending');
    expect((await postComment(t, mod, article.slug, 'staff')).status).toBe('published');
  });

  it('enforces slow mode with 429 and Retry-After, sparing moderators', async () => {
    const article = await createArticle(t.prisma);
    await http(t, 'PATCH', `/api/moderation/articles/${article.slug}`, {
      token: mod.token,
      body: { slowModeSeconds: 60 },
    });
    const user = await createUser(t);
    await postComment(t, user, article.slug, 'one');
    const second = await http(t, 'POST', `/api/articles/${article.slug}/comments`, {
      token: user.token,
      body: { body: 'two' },
    });
    expect(second.status).toBe(429);
    expect(second.body.code).toBe('SLOW_MODE');
    expect(Number(second.headers.get('retry-after'))).toBeGreaterThan(50);
    await postComment(t, mod, article.slug, 'one');
    await postComment(t, mod, article.slug, 'two');
    expect(await t.prisma.comment.count({ where: { articleId: article.id } })).toBe(3);
  });

  it.each([
    [{}, 'VALIDATION_FAILED'],
    [{ state: 'archived' }, 'VALIDATION_FAILED'],
    [{ slowModeSeconds: -1 }, 'VALIDATION_FAILED'],
    [{ title: 'x' }, 'UNKNOWN_FIELDS'],
  ])('refuses settings %j', async (body, code) => {
    const article = await createArticle(t.prisma);
    const res = await http(t, 'PATCH', `/api/moderation/articles/${article.slug}`, { token: mod.token, body });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe(code);
    expect((await t.prisma.article.findUniqueOrThrow({ where: { id: article.id } })).lastSeq).toBe(0);
  });
});

describe('reports', () => {
  it('counts every stored report on the comment, with readers reporting at once and one of them twice', async () => {
    const article = await createArticle(t.prisma);
    const comment = await postComment(t, reader, article.slug, 'reported by many at once');
    const reporters = await Promise.all(Array.from({ length: 6 }, () => createUser(t)));
    const report = (token: string) =>
      http(t, 'POST', `/api/comments/${comment.id}/reports`, { token, body: { reason: 'abuse' } });
    const answers = await Promise.all([
      ...reporters.map((r) => report(r.token)),
      report(reporters[0].token),
      report(reporters[0].token),
    ]);
    // Reports that arrive once the comment is held back find it no longer
    // (404); a reader's second report is refused; every 201 is counted.
    const accepted = answers.filter((a) => a.status === 201).length;
    const firstReporters = [0, answers.length - 2, answers.length - 1].map((i) => answers[i]);
    expect(firstReporters.filter((a) => a.status === 201).length).toBeLessThanOrEqual(1);
    for (const answer of answers.filter((a) => a.status !== 201))
      expect(['ALREADY_REPORTED', 'COMMENT_NOT_FOUND']).toContain(answer.body.code);
    const stored = await t.prisma.report.count({ where: { commentId: comment.id, resolvedAt: null } });
    const row = await t.prisma.comment.findUniqueOrThrow({ where: { id: comment.id } });
    expect(accepted).toBeGreaterThanOrEqual(3);
    expect(stored).toBe(accepted);
    expect(row.openReports).toBe(accepted);
  });

  it('records one report per reader and holds the comment at three', async () => {
    const article = await createArticle(t.prisma);
    const comment = await postComment(t, reader, article.slug, 'provocative');
    const watcher = track(await connectSocket(t.url));
    await watcher.ack('subscribe', { article: article.slug, after: 1 });
    const reporters = await Promise.all([createUser(t), createUser(t), createUser(t)]);

    const first = await http(t, 'POST', `/api/comments/${comment.id}/reports`, {
      token: reporters[0].token,
      body: { reason: 'abuse', note: 'rude' },
    });
    expect(first.status).toBe(201);
    expect(first.body).toEqual({ openReports: 1 });
    const again = await http(t, 'POST', `/api/comments/${comment.id}/reports`, {
      token: reporters[0].token,
      body: { reason: 'spam' },
    });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('ALREADY_REPORTED');
    const own = await http(t, 'POST', `/api/comments/${comment.id}/reports`, {
      token: reader.token,
      body: { reason: 'spam' },
    });
    expect(own.body.code).toBe('CANNOT_REPORT_OWN_COMMENT');
    const bad = await http(t, 'POST', `/api/comments/${comment.id}/reports`, {
      token: reporters[1].token,
      body: { reason: 'boring' },
    });
    expect(bad.body.code).toBe('VALIDATION_FAILED');
    expect((await thread(article.slug)).items).toHaveLength(1);

    await http(t, 'POST', `/api/comments/${comment.id}/reports`, {
      token: reporters[1].token,
      body: { reason: 'abuse' },
    });
    const third = await http(t, 'POST', `/api/comments/${comment.id}/reports`, {
      token: reporters[2].token,
      body: { reason: 'off_topic' },
    });
    expect(third.body).toEqual({ openReports: 3 });
    expect((await thread(article.slug)).items).toEqual([]);
    const removed = await watcher.waitFor((e) => e.some((x) => x.type === 'comment.removed'));
    expect(removed.find((e) => e.type === 'comment.removed')!.data).toMatchObject({
      commentId: comment.id,
      status: 'pending',
    });
    expect(removed.some((e) => e.type === 'queue.added')).toBe(false);
    // Held back, it is not there for other readers to report.
    const fourth = await http(t, 'POST', `/api/comments/${comment.id}/reports`, {
      token: (await createUser(t)).token,
      body: { reason: 'spam' },
    });
    expect(fourth.body.code).toBe('COMMENT_NOT_FOUND');

    const items = (await queue(`status=reported&article=${article.slug}`)).body.items;
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      comment: { id: comment.id, status: 'pending', body: 'provocative' },
      openReports: 3,
    });
    expect(items[0].reports.map((r: any) => r.reason)).toEqual(['abuse', 'abuse', 'off_topic']);
    expect(items[0].reports[0].note).toBe('rude');
    expect((await t.prisma.article.findUniqueOrThrow({ where: { id: article.id } })).commentCount).toBe(0);
  });

  it('requires an account and refuses unknown comments', async () => {
    const article = await createArticle(t.prisma);
    const comment = await postComment(t, reader, article.slug, 'x');
    expect((await http(t, 'POST', `/api/comments/${comment.id}/reports`, { body: { reason: 'spam' } })).status).toBe(
      401,
    );
    const missing = await http(t, 'POST', `/api/comments/${randomUUID()}/reports`, {
      token: mod.token,
      body: { reason: 'spam' },
    });
    expect(missing.body.code).toBe('COMMENT_NOT_FOUND');
  });
});

describe('the queue and its actions', () => {
  async function pendingComment(body = 'please approve', parentBody?: string) {
    const article = await createArticle(t.prisma);
    let parentId: string | undefined;
    if (parentBody) parentId = (await postComment(t, reader, article.slug, parentBody)).id;
    await http(t, 'PATCH', `/api/moderation/articles/${article.slug}`, {
      token: mod.token,
      body: { premoderation: true },
    });
    const comment = await postComment(t, reader, article.slug, body, parentId ? { parentId } : {});
    return { article, comment };
  }

  it('lists pending comments with their parent and the author’s record, and pages them', async () => {
    const { article, comment } = await pendingComment('a reply to check', 'the parent');
    await postComment(t, reader, article.slug, 'second pending');
    await postComment(t, reader, article.slug, 'third pending');
    const page = await queue(`status=pending&article=${article.slug}&limit=2`);
    expect(page.status).toBe(200);
    expect(page.body.items).toHaveLength(2);
    const [item] = page.body.items;
    expect(item).toMatchObject({
      comment: { id: comment.id, body: 'a reply to check', status: 'pending', author: { id: reader.id } },
      parent: { body: 'the parent' },
      version: 1,
      author: { id: reader.id, username: reader.username, banned: false },
    });
    expect(item.author.approved).toBeGreaterThanOrEqual(1);
    const rest = await queue(
      `status=pending&article=${article.slug}&limit=2&cursor=${encodeURIComponent(page.body.nextCursor)}`,
    );
    expect(rest.body.items.map((i: any) => i.comment.body)).toEqual(['third pending']);
    expect(rest.body.nextCursor).toBeNull();
  });

  it('approves live: readers get the comment, moderators see the item resolved', async () => {
    const { article, comment } = await pendingComment();
    const readerSocket = track(await connectSocket(t.url));
    const modSocket = track(await connectSocket(t.url, { token: mod.token }));
    await readerSocket.ack('subscribe', { article: article.slug });
    await modSocket.ack('subscribe', { article: article.slug, after: 0 });
    expect(modSocket.events.map((e) => e.type)).toEqual(['article.updated', 'comment.created', 'queue.added']);

    const res = await act(comment.id, { action: 'approve', version: 1 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ comment: { id: comment.id, status: 'published' }, version: 2 });
    const [created] = await readerSocket.waitFor((e) => e.length === 1);
    expect(created).toMatchObject({
      type: 'comment.created',
      data: { comment: { id: comment.id, status: 'published' } },
    });
    const resolved = await modSocket.waitFor((e) => e.some((x) => x.type === 'queue.resolved'));
    expect(resolved.at(-1)).toMatchObject({
      type: 'queue.resolved',
      data: { commentId: comment.id, action: 'approve', version: 2 },
    });
    expect((await thread(article.slug)).items.map((c: any) => c.id)).toEqual([comment.id]);
    expect((await queue(`status=pending&article=${article.slug}`)).body.items).toEqual([]);
    expect((await t.prisma.article.findUniqueOrThrow({ where: { id: article.id } })).commentCount).toBe(1);
  });

  it('rejects with a reason, telling the author alone', async () => {
    const { article, comment } = await pendingComment();
    const authorSocket = track(await connectSocket(t.url, { token: reader.token }));
    const other = track(await connectSocket(t.url));
    await authorSocket.ack('subscribe', { article: article.slug });
    await other.ack('subscribe', { article: article.slug });
    expect((await act(comment.id, { action: 'reject', version: 1 })).body.code).toBe('VALIDATION_FAILED');
    const res = await act(comment.id, { action: 'reject', version: 1, reason: 'spam' });
    expect(res.body.comment.status).toBe('rejected');
    const [event] = await authorSocket.waitFor((e) => e.length === 1);
    expect(event).toMatchObject({
      type: 'comment.removed',
      data: { commentId: comment.id, status: 'rejected', reasonCode: 'spam' },
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(other.events).toEqual([]);
    expect((await queue(`status=rejected&article=${article.slug}`)).body.items.map((i: any) => i.comment.id)).toEqual([
      comment.id,
    ]);
  });

  it('removes live, leaving a tombstone that keeps the replies, and restores', async () => {
    const article = await createArticle(t.prisma);
    const parent = await postComment(t, reader, article.slug, 'to be removed');
    const reply = await postComment(t, mod, article.slug, 'a reply', { parentId: parent.id });
    const watcher = track(await connectSocket(t.url));
    await watcher.ack('subscribe', { article: article.slug, after: 2 });
    const removed = await act(parent.id, { action: 'remove', version: 1, reason: 'abuse' });
    // Moderators still read what they removed; nobody else does.
    expect(removed.body.comment).toMatchObject({ status: 'removed', body: 'to be removed' });
    expect((await http(t, 'GET', `/api/comments/${parent.id}`, { token: reader.token })).body.comment).toMatchObject({
      status: 'removed',
      body: null,
      author: null,
    });
    const [event] = await watcher.waitFor((e) => e.length === 1);
    expect(event).toMatchObject({
      type: 'comment.removed',
      data: { commentId: parent.id, status: 'removed', reasonCode: 'abuse' },
    });
    const tree = (await thread(article.slug)).items;
    expect(tree[0]).toMatchObject({
      id: parent.id,
      status: 'removed',
      body: null,
      html: null,
      author: null,
      replyCount: 1,
    });
    expect(tree[0].replies.map((r: any) => r.id)).toEqual([reply.id]);
    expect((await t.prisma.article.findUniqueOrThrow({ where: { id: article.id } })).commentCount).toBe(1);

    const restored = await act(parent.id, { action: 'restore', version: 2 });
    expect(restored.body.comment).toMatchObject({ status: 'published', body: 'to be removed' });
    await watcher.waitFor((e) => e.length === 2);
    expect(watcher.events[1]).toMatchObject({
      type: 'comment.updated',
      data: { comment: { id: parent.id, status: 'published' } },
    });
    expect((await t.prisma.article.findUniqueOrThrow({ where: { id: article.id } })).commentCount).toBe(2);
  });

  it('features and pins live; pinned comments head the first page', async () => {
    const article = await createArticle(t.prisma);
    const a = await postComment(t, reader, article.slug, 'first');
    await postComment(t, reader, article.slug, 'second');
    const featured = await act(a.id, { action: 'feature', version: 1 });
    expect(featured.body.comment.featured).toBe(true);
    const pinned = await act(a.id, { action: 'pin', version: 2 });
    expect(pinned.body.comment.pinned).toBe(true);
    const page = await thread(article.slug);
    expect(page.pinned.map((c: any) => c.id)).toEqual([a.id]);
    const events = (await http(t, 'GET', `/api/articles/${article.slug}/events?after=2`)).body.events;
    expect(events.map((e: any) => e.type)).toEqual(['comment.updated', 'comment.updated']);
    expect((await act(a.id, { action: 'unpin', version: 3 })).body.comment.pinned).toBe(false);
    expect((await thread(article.slug)).pinned).toEqual([]);
  });

  it('refuses an action that does not fit the comment’s state, and changes nothing', async () => {
    const article = await createArticle(t.prisma);
    const c = await postComment(t, reader, article.slug, 'fine');
    const res = await act(c.id, { action: 'approve', version: 1 });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('INVALID_TRANSITION');
    expect((await act(c.id, { action: 'restore', version: 1 })).body.code).toBe('INVALID_TRANSITION');
    expect((await t.prisma.comment.findUniqueOrThrow({ where: { id: c.id } })).version).toBe(1);
    expect((await act(c.id, { action: 'explode', version: 1 })).body.code).toBe('VALIDATION_FAILED');
    expect((await act(randomUUID(), { action: 'approve', version: 1 })).body.code).toBe('COMMENT_NOT_FOUND');
  });

  it('lets exactly one of two racing moderators win; the other gets 409 and changes nothing', async () => {
    const { article, comment } = await pendingComment();
    const second = await createUser(t, 'moderator');
    const [x, y] = await Promise.all([
      act(comment.id, { action: 'approve', version: 1 }),
      act(comment.id, { action: 'reject', version: 1, reason: 'spam' }, second),
    ]);
    const statuses = [x.status, y.status].sort();
    expect(statuses).toEqual([200, 409]);
    const loser = x.status === 409 ? x : y;
    const winner = x.status === 200 ? x : y;
    expect(loser.body).toMatchObject({ code: 'STALE_VERSION', currentVersion: 2 });
    const row = await t.prisma.comment.findUniqueOrThrow({ where: { id: comment.id } });
    expect(row.status).toBe(winner.body.comment.status);
    expect(row.version).toBe(2);
    const log = (await http(t, 'GET', `/api/moderation/log?article=${article.slug}`, { token: mod.token })).body.items;
    expect(log.filter((e: any) => e.targetId === comment.id)).toHaveLength(1);
  });
});

describe('word lists', () => {
  it('refuses banned words through evasion, names the rule, and holds suspect words', async () => {
    const word = `zork${randomUUID().slice(0, 4).replace(/[0-9]/g, 'q')}`;
    const ban = await http(t, 'POST', '/api/moderation/word-rules', {
      token: admin.token,
      body: { pattern: word, action: 'ban' },
    });
    expect(ban.status).toBe(201);
    const suspect = `blarg${randomUUID().slice(0, 4).replace(/[0-9]/g, 'x')}`;
    await http(t, 'POST', '/api/moderation/word-rules', {
      token: admin.token,
      body: { pattern: suspect, action: 'suspect' },
    });
    expect(
      (
        await http(t, 'POST', '/api/moderation/word-rules', {
          token: admin.token,
          body: { pattern: word, action: 'ban' },
        })
      ).body.code,
    ).toBe('WORD_RULE_EXISTS');
    const article = await createArticle(t.prisma);
    const dotted = word.split('').join('.').toUpperCase();
    const refused = await http(t, 'POST', `/api/articles/${article.slug}/comments`, {
      token: reader.token,
      body: { body: `what a ${dotted}!` },
    });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ code: 'BANNED_WORD', rule: ban.body.id });
    expect(await t.prisma.comment.count({ where: { articleId: article.id } })).toBe(0);
    expect((await postComment(t, reader, article.slug, `a ${word}ish compound is fine`)).status).toBe('published');
    expect((await postComment(t, reader, article.slug, `very ${suspect} indeed`)).status).toBe('pending');
    const rules = (await http(t, 'GET', '/api/moderation/word-rules', { token: admin.token })).body.items;
    expect(rules.map((r: any) => r.pattern)).toEqual(expect.arrayContaining([word, suspect]));
    expect((await http(t, 'DELETE', `/api/moderation/word-rules/${ban.body.id}`, { token: admin.token })).status).toBe(
      204,
    );
    expect(
      (await http(t, 'DELETE', `/api/moderation/word-rules/${ban.body.id}`, { token: admin.token })).body.code,
    ).toBe('WORD_RULE_NOT_FOUND');
  });

  it('is managed by admins only', async () => {
    const res = await http(t, 'POST', '/api/moderation/word-rules', {
      token: mod.token,
      body: { pattern: 'x', action: 'ban' },
    });
    expect(res.status).toBe(403);
  });
});

describe('sanctions', () => {
  it('bans at once, over REST and on a socket opened before the ban, for posting and reporting; unbanning restores', async () => {
    const user = await createUser(t);
    const article = await createArticle(t.prisma);
    const other = await postComment(t, reader, article.slug, 'someone else');
    const socket = track(await connectSocket(t.url, { token: user.token }));
    const ban = await http(t, 'PATCH', `/api/moderation/users/${user.id}`, {
      token: mod.token,
      body: { banned: true, reason: 'abuse' },
    });
    expect(ban.body).toMatchObject({ banned: true });
    const rest = await http(t, 'POST', `/api/articles/${article.slug}/comments`, {
      token: user.token,
      body: { body: 'hi' },
    });
    expect(rest.status).toBe(403);
    expect(rest.body.code).toBe('USER_BANNED');
    expect(await socket.ack('comment.create', { article: article.slug, body: 'hi' })).toMatchObject({
      error: { code: 'USER_BANNED', status: 403 },
    });
    const report = await http(t, 'POST', `/api/comments/${other.id}/reports`, {
      token: user.token,
      body: { reason: 'spam' },
    });
    expect(report.body.code).toBe('USER_BANNED');
    await http(t, 'PATCH', `/api/moderation/users/${user.id}`, { token: mod.token, body: { banned: false } });
    expect((await postComment(t, user, article.slug, 'back')).status).toBe('published');
  });

  it('suspends until a time, and premoderates a user', async () => {
    const user = await createUser(t);
    const article = await createArticle(t.prisma);
    const until = new Date(Date.now() + 3600_000).toISOString();
    await http(t, 'PATCH', `/api/moderation/users/${user.id}`, {
      token: mod.token,
      body: { suspendedUntil: until, reason: 'abuse' },
    });
    const res = await http(t, 'POST', `/api/articles/${article.slug}/comments`, {
      token: user.token,
      body: { body: 'hi' },
    });
    expect(res.body).toMatchObject({ code: 'USER_SUSPENDED', suspendedUntil: until.replace(/\.\d+Z$/, (m) => m) });
    await http(t, 'PATCH', `/api/moderation/users/${user.id}`, {
      token: mod.token,
      body: { suspendedUntil: null, premoderated: true },
    });
    expect((await postComment(t, user, article.slug, 'held')).status).toBe('pending');
    const past = await http(t, 'PATCH', `/api/moderation/users/${user.id}`, {
      token: mod.token,
      body: { suspendedUntil: new Date(Date.now() - 1000).toISOString() },
    });
    expect(past.body.code).toBe('VALIDATION_FAILED');
  });

  it('does not sanction moderators', async () => {
    const res = await http(t, 'PATCH', `/api/moderation/users/${admin.id}`, {
      token: mod.token,
      body: { banned: true },
    });
    expect(res.body.code).toBe('CANNOT_SANCTION_STAFF');
  });
});

describe('roles', () => {
  it('lets an admin appoint a moderator, who may moderate at once, and records it', async () => {
    const candidate = await createUser(t);
    expect((await queue('', candidate)).status).toBe(403);
    const res = await http(t, 'PUT', `/api/moderation/users/${candidate.id}/role`, {
      token: admin.token,
      body: { role: 'moderator' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: candidate.id, username: candidate.username, role: 'moderator' });
    expect((await queue('', candidate)).status).toBe(200);
    const log = await http(t, 'GET', '/api/moderation/log?limit=100', { token: admin.token });
    expect(log.body.items).toContainEqual(
      expect.objectContaining({ action: 'set_role', targetId: candidate.id, note: 'moderator' }),
    );

    const back = await http(t, 'PUT', `/api/moderation/users/${candidate.id}/role`, {
      token: admin.token,
      body: { role: 'commenter' },
    });
    expect(back.body.role).toBe('commenter');
    expect((await queue('', candidate)).status).toBe(403);
  });

  it('is for admins only, not for their own role, and refuses unknown roles and users', async () => {
    const target = await createUser(t);
    const path = `/api/moderation/users/${target.id}/role`;
    expect((await http(t, 'PUT', path, { token: mod.token, body: { role: 'moderator' } })).status).toBe(403);
    expect((await http(t, 'PUT', path, { body: { role: 'moderator' } })).status).toBe(401);
    expect(
      (
        await http(t, 'PUT', `/api/moderation/users/${admin.id}/role`, {
          token: admin.token,
          body: { role: 'commenter' },
        })
      ).body.code,
    ).toBe('FORBIDDEN');
    expect((await http(t, 'PUT', path, { token: admin.token, body: { role: 'owner' } })).body.code).toBe(
      'VALIDATION_FAILED',
    );
    expect(
      (
        await http(t, 'PUT', `/api/moderation/users/${randomUUID()}/role`, {
          token: admin.token,
          body: { role: 'moderator' },
        })
      ).body.code,
    ).toBe('USER_NOT_FOUND');
    expect((await t.prisma.user.findUniqueOrThrow({ where: { id: target.id } })).role).toBe('commenter');
  });
});

describe('moderation logs', () => {
  it('shows moderators everything and readers the removals without the moderator', async () => {
    const article = await createArticle(t.prisma);
    const c = await postComment(t, reader, article.slug, 'will go');
    await act(c.id, { action: 'feature', version: 1 });
    await act(c.id, { action: 'remove', version: 2, reason: 'off_topic', note: 'internal note' });
    const full = (await http(t, 'GET', `/api/moderation/log?article=${article.slug}`, { token: mod.token })).body.items;
    expect(full.map((e: any) => e.action)).toEqual(['remove', 'feature']);
    expect(full[0]).toMatchObject({
      moderator: { id: mod.id, username: mod.username },
      reasonCode: 'off_topic',
      note: 'internal note',
      targetId: c.id,
    });
    const publicLog = await http(t, 'GET', `/api/articles/${article.slug}/moderation-log`);
    expect(publicLog.status).toBe(200);
    expect(publicLog.body.items).toEqual([
      { id: expect.any(String), action: 'remove', commentId: c.id, reasonCode: 'off_topic', at: expect.any(String) },
    ]);
    expect(JSON.stringify(publicLog.body)).not.toContain(mod.id);
  });
});

describe('the live moderator feed', () => {
  it('reaches moderators, with catch-up, and never commenters', async () => {
    const article = await createArticle(t.prisma, { premoderation: true });
    const modSocket = track(await connectSocket(t.url, { token: mod.token }));
    const commenter = track(await connectSocket(t.url, { token: (await createUser(t)).token }));
    await modSocket.ack('subscribe', { article: article.slug });
    await commenter.ack('subscribe', { article: article.slug });
    const pending = await postComment(t, reader, article.slug, 'queued');
    await modSocket.waitFor((e) => e.some((x) => x.type === 'queue.added'));
    await act(pending.id, { action: 'approve', version: 1 });
    await modSocket.waitFor((e) => e.some((x) => x.type === 'queue.resolved'));
    await commenter.waitFor((e) => e.length === 1);
    await new Promise((r) => setTimeout(r, 200));
    expect(commenter.events.map((e) => e.type)).toEqual(['comment.created']);
    expect(modSocket.events.map((e) => [e.seq, e.type])).toEqual([
      [1, 'comment.created'],
      [2, 'queue.added'],
      [3, 'comment.created'],
      [4, 'queue.resolved'],
    ]);
    const late = track(await connectSocket(t.url, { token: mod.token }));
    await late.ack('subscribe', { article: article.slug, after: 1 });
    expect(late.events.map((e) => e.seq)).toEqual([2, 3, 4]);
  });
});

describe('authorisation', () => {
  it('refuses every moderation route to commenters (403) and to anonymous callers (401)', async () => {
    const doc = (await http(t, 'GET', '/docs/openapi.json')).body;
    const routes = Object.entries(doc.paths as Record<string, Record<string, unknown>>)
      .filter(([path]) => path.startsWith('/api/moderation'))
      .flatMap(([path, ops]) => Object.keys(ops).map((method) => [method.toUpperCase(), path] as const));
    expect(routes.length).toBeGreaterThanOrEqual(8);
    const article = await createArticle(t.prisma);
    const comment = await postComment(t, reader, article.slug, 'x');
    const fill = (path: string) =>
      path.replace('{id}', path.includes('/users/') ? reader.id : comment.id).replace('{slug}', article.slug);
    const bodies: Record<string, unknown> = { POST: { action: 'approve', version: 1 }, PATCH: { banned: true } };
    for (const [method, path] of routes) {
      const asCommenter = await http(t, method, fill(path), { token: reader.token, body: bodies[method] });
      expect([method, path, asCommenter.status, asCommenter.body?.code]).toEqual([method, path, 403, 'FORBIDDEN']);
      const anonymous = await http(t, method, fill(path), { body: bodies[method] });
      expect([method, path, anonymous.status]).toEqual([method, path, 401]);
    }
    expect((await t.prisma.user.findUniqueOrThrow({ where: { id: reader.id } })).bannedAt).toBeNull();
  });
});

describe('the moderators’ feed across articles', () => {
  it('numbers queue events from every article in one sequence, with catch-up, for moderators only', async () => {
    const feed = track(await connectSocket(t.url, { token: mod.token }));
    const start = await feed.ack('subscribe', { feed: 'moderation' });
    expect(start).toMatchObject({ feed: 'moderation', resync: false });
    const base: number = start.seq;
    const one = await createArticle(t.prisma, { premoderation: true });
    const two = await createArticle(t.prisma, { premoderation: true });
    const a = await postComment(t, reader, one.slug, 'in one');
    const b = await postComment(t, reader, two.slug, 'in two');
    // Other tests running at the same time write to the feed too: ours are
    // picked out, and the feed as a whole is one sequence without gaps.
    const mine = (events: typeof feed.events) => events.filter((e) => [one.id, two.id].includes(e.articleId));
    await feed.waitFor((e) => mine(e).length >= 2);
    expect(mine(feed.events).map((e) => [e.type, e.articleId, (e as any).stream])).toEqual([
      ['queue.added', one.id, 'moderation'],
      ['queue.added', two.id, 'moderation'],
    ]);
    await act(a.id, { action: 'approve', version: 1 });
    await act(b.id, { action: 'reject', version: 1, reason: 'spam' });
    await feed.waitFor((e) => mine(e).length >= 4);
    const ours = mine(feed.events);
    expect(ours.map((e) => e.type)).toEqual(['queue.added', 'queue.added', 'queue.resolved', 'queue.resolved']);
    const seqs = feed.events.map((e) => e.seq);
    expect(seqs).toEqual(seqs.map((_, i) => base + 1 + i));

    const late = track(await connectSocket(t.url, { token: mod.token }));
    await late.ack('subscribe', { feed: 'moderation', after: base });
    const replayed = late.events.filter((e) => [one.id, two.id].includes(e.articleId));
    expect(replayed.map((e) => e.seq)).toEqual(ours.map((e) => e.seq));
  });

  it('refuses commenters and anonymous readers', async () => {
    const commenter = track(await connectSocket(t.url, { token: reader.token }));
    expect(await commenter.ack('subscribe', { feed: 'moderation' })).toMatchObject({
      error: { code: 'FORBIDDEN', status: 403 },
    });
    const anonymous = track(await connectSocket(t.url));
    expect(await anonymous.ack('subscribe', { feed: 'moderation' })).toMatchObject({
      error: { code: 'UNAUTHENTICATED' },
    });
    expect(await anonymous.ack('subscribe', { feed: 'moderation', article: 'x' })).toMatchObject({
      error: { code: 'VALIDATION_FAILED' },
    });
    expect(await anonymous.ack('subscribe', { feed: 'everything' })).toMatchObject({
      error: { code: 'VALIDATION_FAILED' },
    });
  });
});
