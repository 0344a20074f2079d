import { createArticle, createUser, http, postComment, TestUser } from '../support/factories.js';
import { connectSocket, TestSocket, waitUntil } from '../support/sockets.js';
import { startTestApp, TestApp } from '../support/test-app.js';
import { wilsonLowerBound } from '@rejoinder/forum';

let t: TestApp;
let author: TestUser;
let voter: TestUser;
const open: TestSocket[] = [];
const track = (s: TestSocket) => (open.push(s), s);

beforeAll(async () => {
  t = await startTestApp();
  [author, voter] = await Promise.all([createUser(t), createUser(t)]);
});
afterEach(() => {
  for (const s of open.splice(0)) s.close();
});
afterAll(async () => {
  await t.close();
});

const vote = (id: string, value: number, user = voter) =>
  http(t, 'PUT', `/api/comments/${id}/vote`, { token: user.token, body: { value } });

describe('votes', () => {
  it('counts one vote per reader: up, repeat, switch, retract', async () => {
    const article = await createArticle(t.prisma);
    const c = await postComment(t, author, article.slug, 'vote on me');
    expect((await vote(c.id, 1)).body).toMatchObject({ value: 1, score: 1, upvotes: 1, downvotes: 0 });
    expect((await vote(c.id, 1)).body).toMatchObject({ score: 1, upvotes: 1 });
    expect((await vote(c.id, -1)).body).toMatchObject({ score: -1, upvotes: 0, downvotes: 1 });
    expect((await vote(c.id, 0)).body).toMatchObject({ score: 0, upvotes: 0, downvotes: 0 });
    expect(await t.prisma.vote.count({ where: { commentId: c.id } })).toBe(0);
  });

  it.each([
    ['on your own comment', (id: string) => vote(id, 1, author), 403, 'CANNOT_VOTE_OWN_COMMENT'],
    ['with a value of 2', (id: string) => vote(id, 2), 400, 'VALIDATION_FAILED'],
    [
      'with an extra field',
      (id: string) =>
        http(t, 'PUT', `/api/comments/${id}/vote`, { token: voter.token, body: { value: 1, weight: 10 } }),
      400,
      'UNKNOWN_FIELDS',
    ],
    [
      'without a token',
      (id: string) => http(t, 'PUT', `/api/comments/${id}/vote`, { body: { value: 1 } }),
      401,
      'UNAUTHENTICATED',
    ],
  ])('refuses a vote %s and counts nothing', async (_label, send, status, code) => {
    const article = await createArticle(t.prisma);
    const c = await postComment(t, author, article.slug, 'x');
    const res = await send(c.id);
    expect(res.status).toBe(status);
    expect(res.body.code).toBe(code);
    expect(await t.prisma.comment.findUniqueOrThrow({ where: { id: c.id } })).toMatchObject({
      score: 0,
      upvotes: 0,
      downvotes: 0,
    });
  });

  it('stays exact under 100 concurrent voters, and sends coalesced live scores', async () => {
    const article = await createArticle(t.prisma);
    const c = await postComment(t, author, article.slug, 'popular');
    const watcher = track(await connectSocket(t.url));
    await watcher.ack('subscribe', { article: article.slug, after: 1 });
    const voters = await Promise.all(Array.from({ length: 100 }, () => createUser(t)));
    const started = Date.now();
    const results = await Promise.all(voters.map((v, i) => vote(c.id, i % 4 === 0 ? -1 : 1, v)));
    const elapsed = Date.now() - started;
    expect(results.every((r) => r.status === 200)).toBe(true);
    const row = await t.prisma.comment.findUniqueOrThrow({ where: { id: c.id } });
    expect(row).toMatchObject({ upvotes: 75, downvotes: 25, score: 50 });
    expect(row.bestScore).toBeCloseTo(wilsonLowerBound(75, 25), 10);
    // The score goes up and down while votes land; the last event has the final counts.
    await watcher.waitFor(
      (e) => e.some((x) => x.type === 'comment.voted' && x.data.upvotes === 75 && x.data.downvotes === 25),
      5000,
    );
    const voted = watcher.events.filter((e) => e.type === 'comment.voted');
    // 100 votes, at most one event per 250 ms window: the storm is coalesced.
    expect(voted.length).toBeLessThanOrEqual(Math.ceil(elapsed / 250) + 2);
    expect(voted.length).toBeLessThan(50);
    expect(voted.at(-1)!.data).toMatchObject({ commentId: c.id, score: 50, upvotes: 75, downvotes: 25 });
  });
});

describe('sorts', () => {
  async function ranked() {
    const article = await createArticle(t.prisma);
    const a = await postComment(t, author, article.slug, 'a: 3 up');
    const b = await postComment(t, author, article.slug, 'b: 1 up');
    const c = await postComment(t, author, article.slug, 'c: 2 up 2 down');
    const d = await postComment(t, author, article.slug, 'd: no votes, 2 replies');
    const voters = await Promise.all(Array.from({ length: 4 }, () => createUser(t)));
    for (const v of voters.slice(0, 3)) await vote(a.id, 1, v);
    await vote(b.id, 1, voters[0]);
    await vote(c.id, 1, voters[0]);
    await vote(c.id, 1, voters[1]);
    await vote(c.id, -1, voters[2]);
    await vote(c.id, -1, voters[3]);
    await postComment(t, voter, article.slug, 'r1', { parentId: d.id });
    await postComment(t, voter, article.slug, 'r2', { parentId: d.id });
    return { article, a, b, c, d };
  }
  const walk = async (slug: string, sort: string) => {
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const res: any = await http(
        t,
        'GET',
        `/api/articles/${slug}/comments?sort=${sort}&limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(res.status).toBe(200);
      ids.push(...res.body.items.map((x: any) => x.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    return ids;
  };

  it('orders by score, Wilson lower bound, controversy and replies, one page at a time', async () => {
    const { article, a, b, c, d } = await ranked();
    expect(await walk(article.slug, 'top')).toEqual([a.id, b.id, d.id, c.id]);
    expect(await walk(article.slug, 'best')).toEqual([a.id, b.id, c.id, d.id]);
    expect((await walk(article.slug, 'controversial'))[0]).toBe(c.id);
    expect((await walk(article.slug, 'replies'))[0]).toBe(d.id);
  });

  it('walks every comment once while votes change elsewhere; a comment voted across the cursor moves as documented', async () => {
    const article = await createArticle(t.prisma);
    const posted = [];
    for (let i = 0; i < 6; i++) posted.push(await postComment(t, author, article.slug, `c${i}`));
    const first = await http(t, 'GET', `/api/articles/${article.slug}/comments?sort=top&limit=3`);
    const seen = first.body.items.map((x: any) => x.id);
    // All have score 0: newest first. A comment already seen gains a vote and
    // moves above the cursor: the walk does not show it again.
    await vote(seen[1], 1);
    const rest = await http(
      t,
      'GET',
      `/api/articles/${article.slug}/comments?sort=top&limit=10&cursor=${encodeURIComponent(first.body.nextCursor)}`,
    );
    const all = [...seen, ...rest.body.items.map((x: any) => x.id)];
    expect(all).toHaveLength(6);
    expect(new Set(all).size).toBe(6);
    // One not yet seen gains a vote: it jumps above the cursor and this walk skips it.
    const walk2First = await http(t, 'GET', `/api/articles/${article.slug}/comments?sort=top&limit=3`);
    const unseen = posted.map((p) => p.id).find((id) => !walk2First.body.items.some((x: any) => x.id === id))!;
    await vote(unseen, 1);
    const walk2Rest = await http(
      t,
      'GET',
      `/api/articles/${article.slug}/comments?sort=top&limit=10&cursor=${encodeURIComponent(walk2First.body.nextCursor)}`,
    );
    const walk2 = [...walk2First.body.items, ...walk2Rest.body.items].map((x: any) => x.id);
    expect(walk2).not.toContain(unseen);
    expect(new Set(walk2).size).toBe(walk2.length);
  });
});

describe('editing', () => {
  it('lets the author edit within the window, keeps the revision, re-sanitises, and tells readers live', async () => {
    const article = await createArticle(t.prisma);
    const c = await postComment(t, author, article.slug, 'frist!');
    const watcher = track(await connectSocket(t.url));
    await watcher.ack('subscribe', { article: article.slug, after: 1 });
    const res = await http(t, 'PATCH', `/api/comments/${c.id}`, {
      token: author.token,
      body: { body: 'first! <img src=x onerror=alert(1)>' },
    });
    expect(res.status).toBe(200);
    expect(res.body.body).toBe('first! <img src=x onerror=alert(1)>');
    expect(res.body.html).not.toContain('<img');
    expect(res.body.editedAt).toEqual(expect.any(String));
    const [event] = await watcher.waitFor((e) => e.length === 1);
    expect(event).toMatchObject({
      type: 'comment.updated',
      data: { comment: { id: c.id, editedAt: res.body.editedAt } },
    });
    const mod = await createUser(t, 'moderator');
    const revisions = await http(t, 'GET', `/api/moderation/comments/${c.id}/revisions`, { token: mod.token });
    expect(revisions.body.revisions.map((r: any) => r.body)).toEqual(['frist!']);
    expect((await http(t, 'GET', `/api/moderation/comments/${c.id}/revisions`, { token: voter.token })).status).toBe(
      403,
    );
  });

  it('refuses another user, an empty body, and edits after the window', async () => {
    const article = await createArticle(t.prisma);
    const c = await postComment(t, author, article.slug, 'original');
    expect(
      (await http(t, 'PATCH', `/api/comments/${c.id}`, { token: voter.token, body: { body: 'hijack' } })).body.code,
    ).toBe('NOT_YOUR_COMMENT');
    expect(
      (await http(t, 'PATCH', `/api/comments/${c.id}`, { token: author.token, body: { body: ' ' } })).body.code,
    ).toBe('COMMENT_BODY_EMPTY');
    await t.prisma.comment.update({ where: { id: c.id }, data: { createdAt: new Date(Date.now() - 301_000) } });
    const late = await http(t, 'PATCH', `/api/comments/${c.id}`, { token: author.token, body: { body: 'too late' } });
    expect(late.status).toBe(403);
    expect(late.body).toMatchObject({ code: 'EDIT_WINDOW_CLOSED', editWindowSeconds: 300 });
    expect((await t.prisma.comment.findUniqueOrThrow({ where: { id: c.id } })).bodySource).toBe('original');
  });
});

describe('editing under review', () => {
  const act = (mod: TestUser, id: string, action: string, version: number) =>
    http(t, 'POST', `/api/moderation/comments/${id}/actions`, { token: mod.token, body: { action, version } });

  it('takes an edit on a premoderated article back to review; approval brings the new text', async () => {
    const article = await createArticle(t.prisma, { premoderation: true });
    const mod = await createUser(t, 'moderator');
    const c = await postComment(t, author, article.slug, 'approved text');
    expect(c.status).toBe('pending');
    expect((await act(mod, c.id, 'approve', 1)).status).toBe(200);
    const reader = track(await connectSocket(t.url));
    await reader.ack('subscribe', { article: article.slug });

    const edited = await http(t, 'PATCH', `/api/comments/${c.id}`, {
      token: author.token,
      body: { body: 'unreviewed text' },
    });
    expect(edited.body).toMatchObject({ status: 'pending', body: 'unreviewed text' });
    const [held] = await reader.waitFor((e) => e.length === 1);
    expect(held).toMatchObject({
      type: 'comment.removed',
      data: { commentId: c.id, status: 'pending', reasonCode: 'premoderation', comment: null },
    });
    const page = await http(t, 'GET', `/api/articles/${article.slug}/comments`);
    expect(JSON.stringify(page.body)).not.toContain('text');
    const queue = await http(t, 'GET', `/api/moderation/queue?status=pending&article=${article.slug}`, {
      token: mod.token,
    });
    expect(queue.body.items.map((i: any) => i.comment.body)).toEqual(['unreviewed text']);

    expect((await act(mod, c.id, 'approve', queue.body.items[0].version)).status).toBe(200);
    const [, back] = await reader.waitFor((e) => e.length === 2);
    expect(back).toMatchObject({ type: 'comment.created', data: { comment: { id: c.id, body: 'unreviewed text' } } });
  });

  it('holds an edit with a suspect word as a new comment would, and refuses a banned one', async () => {
    const admin = await createUser(t, 'admin');
    const [suspect, banned] = [`zq${Date.now().toString(36)}x`, `zk${Date.now().toString(36)}y`];
    await http(t, 'POST', '/api/moderation/word-rules', {
      token: admin.token,
      body: { pattern: suspect, action: 'suspect' },
    });
    await http(t, 'POST', '/api/moderation/word-rules', {
      token: admin.token,
      body: { pattern: banned, action: 'ban' },
    });
    const article = await createArticle(t.prisma);
    const c = await postComment(t, author, article.slug, 'harmless');

    const refused = await http(t, 'PATCH', `/api/comments/${c.id}`, {
      token: author.token,
      body: { body: `now ${banned}` },
    });
    expect(refused.body).toMatchObject({ code: 'BANNED_WORD', word: banned });
    expect((await t.prisma.comment.findUniqueOrThrow({ where: { id: c.id } })).bodySource).toBe('harmless');

    const held = await http(t, 'PATCH', `/api/comments/${c.id}`, {
      token: author.token,
      body: { body: `now ${suspect}` },
    });
    expect(held.body).toMatchObject({ status: 'pending' });
    const events = await http(t, 'GET', `/api/articles/${article.slug}/events?after=1`);
    expect(events.body.events.map((e: any) => [e.type, e.data.reasonCode])).toEqual([
      ['comment.removed', 'suspect_word'],
    ]);
  });
});

describe('deleting', () => {
  it('leaves a tombstone that keeps the replies in place and adjusts the counts', async () => {
    const article = await createArticle(t.prisma);
    const parent = await postComment(t, author, article.slug, 'regret');
    const reply = await postComment(t, voter, article.slug, 'reply', { parentId: parent.id });
    const watcher = track(await connectSocket(t.url));
    await watcher.ack('subscribe', { article: article.slug, after: 2 });
    expect((await http(t, 'DELETE', `/api/comments/${parent.id}`, { token: voter.token })).body.code).toBe(
      'NOT_YOUR_COMMENT',
    );
    expect((await http(t, 'DELETE', `/api/comments/${parent.id}`, { token: author.token })).status).toBe(204);
    const [event] = await watcher.waitFor((e) => e.length === 1);
    expect(event).toMatchObject({
      type: 'comment.deleted',
      data: { commentId: parent.id, tombstone: { status: 'deleted', body: null, author: null } },
    });
    const tree = (await http(t, 'GET', `/api/articles/${article.slug}/comments`)).body.items;
    expect(tree[0]).toMatchObject({ id: parent.id, status: 'deleted', body: null, author: null, replyCount: 1 });
    expect(tree[0].replies[0].id).toBe(reply.id);
    expect((await t.prisma.article.findUniqueOrThrow({ where: { id: article.id } })).commentCount).toBe(1);
    expect((await http(t, 'DELETE', `/api/comments/${parent.id}`, { token: author.token })).body.code).toBe(
      'COMMENT_NOT_FOUND',
    );
  });

  it('removes a comment without replies from the thread and from its parent’s counts', async () => {
    const article = await createArticle(t.prisma);
    const parent = await postComment(t, voter, article.slug, 'parent');
    const leaf = await postComment(t, author, article.slug, 'leaf', { parentId: parent.id });
    await http(t, 'DELETE', `/api/comments/${leaf.id}`, { token: author.token });
    const tree = (await http(t, 'GET', `/api/articles/${article.slug}/comments`)).body.items;
    expect(tree[0]).toMatchObject({ id: parent.id, replyCount: 0, descendantCount: 0, replies: [] });
  });
});

describe('reply notifications', () => {
  it('reaches the parent’s author live and in the list, with an unread count and a way to mark them read', async () => {
    const article = await createArticle(t.prisma);
    const parent = await postComment(t, author, article.slug, 'say something');
    const inbox = track(await connectSocket(t.url, { token: author.token }));
    const received: any[] = [];
    inbox.socket.on('notification.reply', (n: unknown) => received.push(n));
    const reply = await postComment(t, voter, article.slug, 'something', { parentId: parent.id });
    await postComment(t, author, article.slug, 'self reply', { parentId: parent.id });
    await waitUntil(() => received.length === 1);
    expect(received[0]).toMatchObject({
      type: 'reply',
      articleId: article.id,
      comment: { id: reply.id, author: { id: voter.id } },
    });
    const list = await http(t, 'GET', '/api/me/notifications', { token: author.token });
    expect(list.status).toBe(200);
    const mine = list.body.items.filter((n: any) => n.articleId === article.id);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ type: 'reply', read: false, comment: { id: reply.id } });
    const before = list.body.unreadCount;
    const marked = await http(t, 'POST', '/api/me/notifications/read', {
      token: author.token,
      body: { ids: [mine[0].id] },
    });
    expect(marked.body).toEqual({ marked: 1, unreadCount: before - 1 });
    expect((await http(t, 'POST', '/api/me/notifications/read', { token: author.token, body: {} })).body.code).toBe(
      'VALIDATION_FAILED',
    );
    expect((await http(t, 'GET', '/api/me/notifications')).status).toBe(401);
  });
});
