import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { DomainEventBus, Metrics } from '@rejoinder/common';
import { jest } from '@jest/globals';
import { MAX_REPLAY_BYTES, RealtimeService } from '@rejoinder/realtime';
import type { Server } from 'socket.io';
import { EventsGateway, MAX_BUFFERED_BYTES } from '../../apps/api/src/realtime/events.gateway.js';
import { createArticle, createUser, http, postComment, TestUser } from '../support/factories.js';
import { connectError, connectSocket, TestSocket, waitUntil } from '../support/sockets.js';
import { startTestApp, TEST_JWT_SECRET, TestApp } from '../support/test-app.js';

let t: TestApp;
let author: TestUser;
const open: TestSocket[] = [];
const track = (s: TestSocket) => (open.push(s), s);

beforeAll(async () => {
  t = await startTestApp();
  author = await createUser(t);
});
afterEach(() => {
  for (const s of open.splice(0)) s.close();
});
afterAll(async () => {
  await t.close();
});

const seqs = (events: { seq: number }[]) => events.map((e) => e.seq);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('following an article', () => {
  it('lets an anonymous reader follow, and pushes new comments in order', async () => {
    const article = await createArticle(t.prisma);
    const reader = track(await connectSocket(t.url));
    const ack = await reader.ack('subscribe', { article: article.slug });
    expect(ack).toMatchObject({ articleId: article.id, seq: 0, viewers: 1, resync: false });

    const posted = await postComment(t, author, article.slug, 'first');
    const [event] = await reader.waitFor((e) => e.length === 1);
    expect(event).toMatchObject({ type: 'comment.created', seq: 1, articleId: article.id });
    expect(event.data.comment).toMatchObject({ id: posted.id, body: 'first', author: { username: author.username } });
    expect(typeof (event as any).at).toBe('string');
  });

  it('delivers concurrent posts once each, in seq order, with no gap', async () => {
    const article = await createArticle(t.prisma);
    const reader = track(await connectSocket(t.url));
    await reader.ack('subscribe', { article: article.slug });
    await Promise.all(Array.from({ length: 30 }, (_, i) => postComment(t, author, article.slug, `c${i}`)));
    const events = await reader.waitFor((e) => e.length >= 30);
    await new Promise((r) => setTimeout(r, 200));
    expect(seqs(events)).toEqual(range(1, 30));
    expect(new Set(events.map((e) => e.data.comment.id)).size).toBe(30);
  });

  it('refuses an unknown article and a malformed subscription with an error ack', async () => {
    const reader = track(await connectSocket(t.url));
    expect(await reader.ack('subscribe', { article: 'no-such-article' })).toMatchObject({
      error: { code: 'ARTICLE_NOT_FOUND', status: 404 },
    });
    expect(await reader.ack('subscribe', { article: 'x', after: -1 })).toMatchObject({
      error: { code: 'VALIDATION_FAILED' },
    });
    expect(await reader.ack('subscribe', { article: 'x', extra: true })).toMatchObject({
      error: { code: 'UNKNOWN_FIELDS' },
    });
    expect(await reader.ack('subscribe', 'not an object')).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    expect(reader.socket.connected).toBe(true);
  });

  it('stops pushing after unsubscribe', async () => {
    const article = await createArticle(t.prisma);
    const reader = track(await connectSocket(t.url));
    await reader.ack('subscribe', { article: article.slug });
    expect(await reader.ack('unsubscribe', { article: article.slug })).toEqual({ ok: true });
    await postComment(t, author, article.slug, 'unseen');
    const watcher = track(await connectSocket(t.url));
    await watcher.ack('subscribe', { article: article.slug, after: 0 });
    await watcher.waitFor((e) => e.length === 1);
    expect(reader.events).toEqual([]);
  });
});

describe('catching up', () => {
  it('replays the 200 comments posted while a reader was away exactly once, then goes on live', async () => {
    const article = await createArticle(t.prisma);
    const first = track(await connectSocket(t.url));
    await first.ack('subscribe', { article: article.slug });
    await postComment(t, author, article.slug, 'seen live');
    await first.waitFor((e) => e.length === 1);
    const lastSeen = first.events.at(-1)!.seq;
    first.close();

    for (let i = 0; i < 200; i++) await postComment(t, author, article.slug, `while away ${i}`);

    const again = track(await connectSocket(t.url));
    const ack = await again.ack('subscribe', { article: article.slug, after: lastSeen });
    expect(ack).toMatchObject({ seq: 201, resync: false });
    // Replayed events arrive before the acknowledgement.
    expect(seqs(again.events)).toEqual(range(2, 201));
    await postComment(t, author, article.slug, 'live again');
    await again.waitFor((e) => e.length === 201);
    await new Promise((r) => setTimeout(r, 200));
    expect(seqs(again.events)).toEqual(range(2, 202));
  });

  it('catches up without gap or duplicate while comments keep arriving during the replay', async () => {
    const article = await createArticle(t.prisma);
    for (let i = 0; i < 50; i++) await postComment(t, author, article.slug, `before ${i}`);
    const posting = Promise.all(
      Array.from({ length: 40 }, (_, i) => postComment(t, author, article.slug, `during ${i}`)),
    );
    const reader = track(await connectSocket(t.url));
    await reader.ack('subscribe', { article: article.slug, after: 10 });
    await posting;
    await reader.waitFor((e) => e.length >= 80);
    await new Promise((r) => setTimeout(r, 300));
    expect(seqs(reader.events)).toEqual(range(11, 90));
  });

  it('asks for a resync past the backlog limit, and when the seq is ahead of the article', async () => {
    const small = await startTestApp({ REALTIME_BACKLOG_LIMIT: '5' });
    try {
      const article = await createArticle(small.prisma);
      for (let i = 0; i < 8; i++) await postComment(small, author, article.slug, `c${i}`);
      const reader = track(await connectSocket(small.url));
      expect(await reader.ack('subscribe', { article: article.slug, after: 1 })).toMatchObject({
        resync: true,
        seq: 8,
      });
      expect(await reader.ack('subscribe', { article: article.slug, after: 3 })).toMatchObject({
        resync: false,
        seq: 8,
      });
      expect(await reader.ack('subscribe', { article: article.slug, after: 99 })).toMatchObject({
        resync: true,
        seq: 8,
      });
      expect(seqs(reader.events)).toEqual(range(4, 8));
    } finally {
      await small.close();
    }
  });

  it('catches up across a server restart', async () => {
    const first = await startTestApp();
    const article = await createArticle(first.prisma);
    const reader = track(await connectSocket(first.url));
    await reader.ack('subscribe', { article: article.slug });
    await postComment(first, author, article.slug, 'before the restart');
    await reader.waitFor((e) => e.length === 1);
    await first.close();
    await waitUntil(() => !reader.socket.connected);

    const second = await startTestApp();
    try {
      for (let i = 0; i < 200; i++) await postComment(second, author, article.slug, `after ${i}`);
      const back = track(await connectSocket(second.url));
      const ack = await back.ack('subscribe', { article: article.slug, after: reader.events.at(-1)!.seq });
      expect(ack).toMatchObject({ seq: 201, resync: false });
      expect(seqs(back.events)).toEqual(range(2, 201));
    } finally {
      await second.close();
    }
  });

  it('serves the same events over REST for polling clients', async () => {
    const article = await createArticle(t.prisma);
    for (let i = 0; i < 5; i++) await postComment(t, author, article.slug, `c${i}`);
    const page = await http(t, 'GET', `/api/articles/${article.slug}/events?after=2&limit=2`);
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ seq: 4, resync: false });
    expect(page.body.events.map((e: any) => [e.seq, e.type])).toEqual([
      [3, 'comment.created'],
      [4, 'comment.created'],
    ]);
    const ahead = await http(t, 'GET', `/api/articles/${article.slug}/events?after=50`);
    expect(ahead.body).toMatchObject({ events: [], seq: 5, resync: true });
    expect((await http(t, 'GET', `/api/articles/${article.slug}/events?after=-1`)).body.code).toBe('VALIDATION_FAILED');
    expect((await http(t, 'GET', '/api/articles/nope/events')).body.code).toBe('ARTICLE_NOT_FOUND');
  });
});

describe('catching up from memory', () => {
  // A replay as a reader receives it, without what says how it was sent.
  const replayed = (events: { type: string; seq: number; at?: string; data: unknown }[]) =>
    events.map(({ type, seq, at, data }) => ({ type, seq, at, data }));
  const tailReplays = async (app: TestApp) => (await app.app.get(Metrics).tailReplays.get()).values[0]?.value ?? 0;

  async function act(app: TestApp, moderator: TestUser, commentId: string, action: Record<string, unknown>) {
    const { version } = await app.prisma.comment.findUniqueOrThrow({
      where: { id: commentId },
      select: { version: true },
    });
    const res = await http(app, 'POST', `/api/moderation/comments/${commentId}/actions`, {
      token: moderator.token,
      body: { version, ...action },
    });
    expect(res.status).toBe(200);
  }

  it('replays what the event table replays, to every kind of reader, and never a comment hidden since', async () => {
    const moderator = await createUser(t, 'moderator');
    const held = await createUser(t);
    const article = await createArticle(t.prisma);
    // Followed from the start: this node's stream keeps every event of the article.
    const keeper = track(await connectSocket(t.url));
    await keeper.ack('subscribe', { article: article.slug });

    const secret = `personal-${randomUUID()}`;
    await postComment(t, author, article.slug, 'stays');
    const hidden = await postComment(t, author, article.slug, secret);
    const edited = await postComment(t, author, article.slug, 'before the edit');
    expect(
      (await http(t, 'PATCH', `/api/comments/${edited.id}`, { token: author.token, body: { body: 'after the edit' } }))
        .status,
    ).toBe(200);
    await http(t, 'PATCH', `/api/moderation/users/${held.id}`, {
      token: moderator.token,
      body: { premoderated: true },
    });
    expect((await postComment(t, held, article.slug, 'waiting for review')).status).toBe('pending');
    await act(t, moderator, hidden.id, { action: 'remove', reason: 'personal_information' });
    const last = await postComment(t, author, article.slug, 'last');
    await keeper.waitFor((events) => events.some((e) => e.data.comment?.id === last.id));
    // The body went out live before it was hidden: the stream had it.
    expect(JSON.stringify(keeper.events)).toContain(secret);

    // A node with no stream for the article replays from the table.
    const other = await startTestApp();
    try {
      const before = await tailReplays(t);
      const viewers = [undefined, author.token, held.token, moderator.token];
      for (const token of viewers) {
        const fromMemory = track(await connectSocket(t.url, { token }));
        const fromTable = track(await connectSocket(other.url, { token }));
        const memoryAck = await fromMemory.ack('subscribe', { article: article.slug, after: 0 });
        const tableAck = await fromTable.ack('subscribe', { article: article.slug, after: 0 });
        // (Viewer counts differ: the keeper follows on this node only.)
        expect({ ...memoryAck, viewers: 0 }).toEqual({ ...tableAck, viewers: 0 });
        expect(replayed(fromMemory.events)).toEqual(replayed(fromTable.events));
        const polled = await http(t, 'GET', `/api/articles/${article.slug}/events?after=0`, { token });
        expect(replayed(fromMemory.events)).toEqual(replayed(polled.body.events));
        if (token !== moderator.token) expect(JSON.stringify(fromMemory.events)).not.toContain(secret);
      }
      expect((await tailReplays(t)) - before).toBe(viewers.length);
      expect(await tailReplays(other)).toBe(0);
    } finally {
      await other.close();
    }
  });

  it('reads the event table for a seq older than the events it keeps', async () => {
    const small = await startTestApp({ REALTIME_TAIL_EVENTS: '3' });
    try {
      const article = await createArticle(small.prisma);
      const keeper = track(await connectSocket(small.url));
      await keeper.ack('subscribe', { article: article.slug });
      for (let i = 0; i < 8; i++) await postComment(small, author, article.slug, `c${i}`);
      await keeper.waitFor((e) => e.length === 8);
      const before = await tailReplays(small);
      const old = track(await connectSocket(small.url));
      expect(await old.ack('subscribe', { article: article.slug, after: 2 })).toMatchObject({ seq: 8, resync: false });
      expect(seqs(old.events)).toEqual(range(3, 8));
      expect(await tailReplays(small)).toBe(before);
      const recent = track(await connectSocket(small.url));
      expect(await recent.ack('subscribe', { article: article.slug, after: 5 })).toMatchObject({
        seq: 8,
        resync: false,
      });
      expect(seqs(recent.events)).toEqual(range(6, 8));
      expect(await tailReplays(small)).toBe(before + 1);
      // Both go on live from there, once each.
      await postComment(small, author, article.slug, 'live');
      await old.waitFor((e) => e.length === 7);
      await recent.waitFor((e) => e.length === 4);
      expect(seqs(old.events)).toEqual(range(3, 9));
      expect(seqs(recent.events)).toEqual(range(6, 9));
    } finally {
      await small.close();
    }
  });
});

describe('pending comments', () => {
  it('reach only their author and moderators, live and on catch-up', async () => {
    const article = await createArticle(t.prisma, { premoderation: true });
    const moderator = await createUser(t, 'moderator');
    const reader = track(await connectSocket(t.url));
    const own = track(await connectSocket(t.url, { token: author.token }));
    const mod = track(await connectSocket(t.url, { token: moderator.token }));
    for (const s of [reader, own, mod]) await s.ack('subscribe', { article: article.slug });
    const pending = await postComment(t, author, article.slug, 'awaiting approval');
    await own.waitFor((e) => e.length === 1);
    await mod.waitFor((e) => e.length === 2);
    expect(own.events[0].data.comment).toMatchObject({ id: pending.id, status: 'pending' });
    expect(mod.events.map((e) => e.type)).toEqual(['comment.created', 'queue.added']);
    await new Promise((r) => setTimeout(r, 300));
    expect(reader.events).toEqual([]);
    // The queue event is for moderators, not for the author.
    expect(own.events.map((e) => e.type)).toEqual(['comment.created']);

    const late = track(await connectSocket(t.url));
    await late.ack('subscribe', { article: article.slug, after: 0 });
    expect(late.events).toEqual([]);
    const polled = await http(t, 'GET', `/api/articles/${article.slug}/events`);
    expect(polled.body.events).toEqual([]);
    const polledByAuthor = await http(t, 'GET', `/api/articles/${article.slug}/events`, { token: author.token });
    expect(polledByAuthor.body.events).toHaveLength(1);
  });
});

describe('posting over the socket', () => {
  it('stores the comment and acknowledges it, with the same idempotency as REST', async () => {
    const article = await createArticle(t.prisma);
    const writer = track(await connectSocket(t.url, { token: author.token }));
    await writer.ack('subscribe', { article: article.slug });
    const id = randomUUID();
    const ack = await writer.ack('comment.create', { article: article.slug, body: 'over the *socket*', id });
    expect(ack).toMatchObject({
      created: true,
      comment: { id, body: 'over the *socket*', html: '<p>over the <em>socket</em></p>\n' },
    });
    const again = await writer.ack('comment.create', { article: article.slug, body: 'over the *socket*', id });
    expect(again).toMatchObject({ created: false, comment: { id } });
    await writer.waitFor((e) => e.length === 1);
    const rest = await http(t, 'GET', `/api/comments/${id}`);
    expect(rest.body.comment.id).toBe(id);
    expect(await t.prisma.comment.count({ where: { articleId: article.id } })).toBe(1);
  });

  it.each([
    ['an empty body', { body: '  ' }, 'COMMENT_BODY_EMPTY'],
    ['a body over 10,000 characters', { body: 'x'.repeat(10_001) }, 'COMMENT_BODY_TOO_LONG'],
    ['an authorId field', { body: 'hi', authorId: randomUUID() }, 'UNKNOWN_FIELDS'],
    ['a missing parent', { body: 'hi', parentId: randomUUID() }, 'PARENT_NOT_FOUND'],
  ])('refuses %s with the REST code and writes nothing', async (_label, payload, code) => {
    const article = await createArticle(t.prisma);
    const writer = track(await connectSocket(t.url, { token: author.token }));
    expect(await writer.ack('comment.create', { article: article.slug, ...payload })).toMatchObject({
      error: { code },
    });
    expect(await t.prisma.comment.count({ where: { articleId: article.id } })).toBe(0);
    expect(writer.socket.connected).toBe(true);
  });

  it('refuses an anonymous reader', async () => {
    const article = await createArticle(t.prisma);
    const reader = track(await connectSocket(t.url));
    expect(await reader.ack('comment.create', { article: article.slug, body: 'hi' })).toMatchObject({
      error: { code: 'UNAUTHENTICATED', status: 401 },
    });
    expect(await t.prisma.comment.count({ where: { articleId: article.id } })).toBe(0);
  });

  it('refuses a closed article', async () => {
    const article = await createArticle(t.prisma, { state: 'closed' });
    const writer = track(await connectSocket(t.url, { token: author.token }));
    expect(await writer.ack('comment.create', { article: article.slug, body: 'hi' })).toMatchObject({
      error: { code: 'ARTICLE_CLOSED', status: 403 },
    });
  });
});

describe('connecting', () => {
  const sign = (sub: string, exp: number) =>
    new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(sub)
      .setIssuer('rejoinder')
      .setAudience('rejoinder')
      .setIssuedAt(exp - 7200)
      .setExpirationTime(exp)
      .sign(new TextEncoder().encode(TEST_JWT_SECRET));

  it('refuses a bad token with connect_error INVALID_TOKEN', async () => {
    const error = await connectError(t.url, { token: 'not-a-token' });
    expect(error.message).toBe('INVALID_TOKEN');
    expect(error.data).toMatchObject({ code: 'INVALID_TOKEN', status: 401 });
    expect((await connectError(t.url, { auth: { token: 42 } })).message).toBe('INVALID_TOKEN');
  });

  it('refuses an expired token with connect_error TOKEN_EXPIRED', async () => {
    const expired = await sign(author.id, Math.floor(Date.now() / 1000) - 60);
    const error = await connectError(t.url, { token: expired });
    expect(error.data).toMatchObject({ code: 'TOKEN_EXPIRED' });
  });

  it('refuses an origin that is not allowed, and accepts an allowed one', async () => {
    const error = await connectError(t.url, { origin: 'https://evil.example' });
    expect(String(error.message)).toMatch(/websocket error|xhr poll error|ORIGIN/i);
    const ok = track(await connectSocket(t.url, { origin: 'http://localhost:3000' }));
    expect(ok.socket.connected).toBe(true);
  });

  it('always lets the server’s own pages connect, whatever ALLOWED_ORIGINS lists', async () => {
    // t.url is http://127.0.0.1:<port>; only http://localhost:3000 is listed.
    expect(t.config.ALLOWED_ORIGINS).not.toContain(t.url);
    const own = track(await connectSocket(t.url, { origin: t.url }));
    expect(own.socket.connected).toBe(true);
    const port = new URL(t.url).port;
    const error = await connectError(t.url, { origin: `http://127.0.0.1.evil.example:${port}` });
    expect(String(error.message)).toMatch(/websocket error|xhr poll error|ORIGIN/i);
  });
});

describe('abuse', () => {
  it('answers an unknown event and malformed payloads with an error ack and stays up', async () => {
    const reader = track(await connectSocket(t.url));
    expect(await reader.ack('drop.tables', { x: 1 })).toMatchObject({ error: { code: 'UNKNOWN_EVENT' } });
    expect(await reader.ack('comment.create', null)).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
    const writer = track(await connectSocket(t.url, { token: author.token }));
    expect(await writer.ack('comment.create', [1, 2, 3])).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    expect(reader.socket.connected && writer.socket.connected).toBe(true);
  });

  it('rate-limits a socket, then disconnects a persistent flooder while others carry on', async () => {
    const limited = await startTestApp({ SOCKET_EVENTS_PER_MINUTE: '5' });
    try {
      const article = await createArticle(limited.prisma);
      const flooder = track(await connectSocket(limited.url));
      const acks = [];
      for (let i = 0; i < 8; i++) acks.push(await flooder.ack('subscribe', { article: article.slug }));
      // The connect took the first of the 5 tokens.
      expect(acks.slice(0, 4).every((a) => !a.error)).toBe(true);
      expect(acks[4]).toMatchObject({ error: { code: 'RATE_LIMITED', status: 429 } });
      expect(acks[4].error.retryAfterMs).toBeGreaterThan(0);
      for (let i = 0; i < 30; i++) flooder.socket.emit('subscribe', { article: article.slug });
      await waitUntil(() => !flooder.socket.connected);
      const other = track(await connectSocket(limited.url));
      expect(await other.ack('subscribe', { article: article.slug })).toMatchObject({ seq: 0 });
    } finally {
      await limited.close();
    }
  });

  it('drops a message over 64 KB by closing that socket only', async () => {
    const big = track(await connectSocket(t.url, { token: author.token }));
    const other = track(await connectSocket(t.url));
    big.socket.emit('comment.create', { article: 'x', body: 'x'.repeat(70 * 1024) });
    await waitUntil(() => !big.socket.connected);
    expect(other.socket.connected).toBe(true);
    expect(await other.ack('subscribe', { article: 'no-such' })).toMatchObject({
      error: { code: 'ARTICLE_NOT_FOUND' },
    });
  });
});

describe('presence', () => {
  it('tells readers how many follow the article', async () => {
    const article = await createArticle(t.prisma);
    const a = track(await connectSocket(t.url));
    const b = track(await connectSocket(t.url));
    await a.ack('subscribe', { article: article.slug });
    expect(await b.ack('subscribe', { article: article.slug })).toMatchObject({ viewers: 2 });
    await waitUntil(() => a.presence.some((p) => p.articleId === article.id && p.viewers === 2), 5000);
    b.close();
    await waitUntil(() => a.presence.at(-1)?.viewers === 1, 5000);
  });
});

describe('a reader that stops reading', () => {
  it('is disconnected once its backlog passes the limit, so the server does not buffer without end', async () => {
    const article = await createArticle(t.prisma);
    const stalled = track(await connectSocket(t.url));
    await stalled.ack('subscribe', { article: article.slug });
    const healthy = track(await connectSocket(t.url));
    await healthy.ack('subscribe', { article: article.slug });
    const realtime = t.app.get(RealtimeService);
    expect(realtime.viewers(article.id)).toBe(2);

    // Stop reading from the TCP socket under the client's websocket.
    (stalled.socket.io.engine.transport as any).ws._socket.pause();

    // 300 events of ~60 KB each: about 18 MB for every reader, more than
    // the kernel's socket buffers on loopback hold.
    const bus = t.app.get(DomainEventBus);
    const body = 'y'.repeat(30_000);
    // A whole comment, as the protocol describes it.
    const COMMENT = {
      parentId: null,
      depth: 0,
      status: 'published' as const,
      author: { id: randomUUID(), username: 'someone', displayName: null },
      createdAt: new Date().toISOString(),
      editedAt: null,
      score: 0,
      upvotes: 0,
      downvotes: 0,
      replyCount: 0,
      descendantCount: 0,
      featured: false,
      pinned: false,
      bestScore: 0,
      controversy: 0,
      anchor: null,
      stance: null,
      lang: null,
    };
    for (let seq = 1; seq <= 300; seq++) {
      await t.prisma.article.update({ where: { id: article.id }, data: { lastSeq: seq } });
      bus.publish({
        articleId: article.id,
        seq,
        type: 'comment.created',
        audience: 'public',
        userId: null,
        at: new Date().toISOString(),
        data: { comment: { ...COMMENT, id: randomUUID(), articleId: article.id, body, html: `<p>${body}</p>` } },
      });
      if (seq % 20 === 0) await new Promise((r) => setTimeout(r, 20));
    }
    await waitUntil(() => realtime.viewers(article.id) === 1, 10_000);
    (stalled.socket.io.engine.transport as any).ws._socket.destroy();
    await healthy.waitFor((e) => e.length === 300, 15_000);
    expect(healthy.events.map((e) => e.seq)).toEqual(range(1, 300));
  });

  it('cannot pile up catch-ups: one at a time, counted toward the limit, each bounded', async () => {
    const article = await createArticle(t.prisma);
    // 20 comments of 9 KB (18 KB with their HTML): a catch-up of about 360 KB, under the cap.
    const body = 'z'.repeat(9_000);
    for (let i = 0; i < 20; i++) await postComment(t, author, article.slug, `${i} ${body}`);
    const stalled = track(await connectSocket(t.url));
    const tcp = (stalled.socket.io.engine.transport as any).ws._socket;
    tcp.pause();

    const realtime = t.app.get(RealtimeService);
    const subscribe = jest.spyOn(realtime, 'subscribe');
    try {
      // Sixty catch-ups from the start, from a reader that does not read.
      const acks = Array.from({ length: 60 }, () => stalled.ack('subscribe', { article: article.slug, after: 0 }));
      await waitUntil(() => subscribe.mock.calls.length === 60);
      await Promise.allSettled(subscribe.mock.results.map((r) => r.value));

      // What the server keeps for this reader stays bounded.
      const gateway: unknown = t.app.get(EventsGateway);
      const { server } = gateway as { server: Server };
      const conn = server.sockets.sockets.get(stalled.socket.id!)?.conn as any;
      if (conn) {
        let queued = conn.transport.socket?.bufferedAmount ?? 0;
        for (const packet of conn.writeBuffer) queued += typeof packet.data === 'string' ? packet.data.length : 64;
        expect(queued).toBeLessThanOrEqual(MAX_BUFFERED_BYTES + MAX_REPLAY_BYTES);
      }

      tcp.resume();
      const answers = await Promise.all(acks);
      const refused = answers.filter((a) => a.error);
      expect(refused.length).toBeGreaterThan(0);
      for (const a of refused) expect(a.error).toMatchObject({ code: 'REPLAY_IN_PROGRESS', status: 429 });
      const accepted = answers.length - refused.length;
      await stalled.waitFor((e) => e.length === accepted * 20);
      // Once read, a new catch-up is accepted again.
      expect(await stalled.ack('subscribe', { article: article.slug, after: 19 })).toMatchObject({
        seq: 20,
        resync: false,
      });
    } finally {
      subscribe.mockRestore();
    }
  });

  it('asks for a resync instead of a catch-up larger than the cap', async () => {
    const article = await createArticle(t.prisma);
    const body = 'w'.repeat(9_000);
    const count = Math.ceil(MAX_REPLAY_BYTES / 18_000) + 5;
    for (let i = 0; i < count; i++) await postComment(t, author, article.slug, `${i} ${body}`);
    const reader = track(await connectSocket(t.url));
    expect(await reader.ack('subscribe', { article: article.slug, after: 0 })).toMatchObject({
      seq: count,
      resync: true,
    });
    expect(reader.events).toEqual([]);
    expect(await reader.ack('subscribe', { article: article.slug, after: count - 10 })).toMatchObject({
      seq: count,
      resync: false,
    });
    expect(seqs(reader.events)).toEqual(range(count - 9, count));
  });
});
