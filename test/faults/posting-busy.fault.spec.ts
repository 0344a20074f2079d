import { randomUUID } from 'node:crypto';
import { createArticle, createUser, http } from '../support/factories.js';
import { holdArticleLock, untilLockWaiters } from '../support/locks.js';
import { connectSocket } from '../support/sockets.js';
import { startTestApp, TestApp } from '../support/test-app.js';

describe('posting when a node already stores as many comments as it admits, over HTTP and sockets alike', () => {
  let t: TestApp;
  beforeAll(async () => {
    // Long enough that the first post is still waiting while the second arrives.
    t = await startTestApp({
      POSTS_IN_PROGRESS_MAX: '1',
      DATABASE_LOCK_TIMEOUT_MS: '20000',
      DATABASE_ACQUIRE_TIMEOUT_MS: '20000',
    });
  });
  afterAll(async () => {
    await t.close();
  });

  it('refuses one more post at once with 429 POSTING_BUSY and Retry-After, writes nothing for it, and takes its retry once there is room', async () => {
    const article = await createArticle(t.prisma);
    const [first, second] = await Promise.all([createUser(t), createUser(t)]);
    const lock = await holdArticleLock(article.id);
    const waiting = http(t, 'POST', `/api/articles/${article.slug}/comments`, {
      token: first.token,
      body: { body: 'waiting on the lock' },
    });
    const id = randomUUID();
    let refused;
    try {
      await untilLockWaiters(1);
      refused = await http(t, 'POST', `/api/articles/${article.slug}/comments`, {
        token: second.token,
        body: { id, body: 'one too many' },
      });
    } finally {
      await lock.release();
    }
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(refused.body).toMatchObject({ code: 'POSTING_BUSY', retryAfterSeconds: 1 });
    expect((await waiting).status).toBe(201);
    expect(await t.prisma.comment.count({ where: { id } })).toBe(0);

    const retried = await http(t, 'POST', `/api/articles/${article.slug}/comments`, {
      token: second.token,
      body: { id, body: 'one too many' },
    });
    expect(retried.status).toBe(201);
    expect(await t.prisma.comment.count({ where: { articleId: article.id } })).toBe(2);
  });

  it('refuses a socket post with a POSTING_BUSY ack while an HTTP post holds the place, and takes it after', async () => {
    const article = await createArticle(t.prisma);
    const [first, second] = await Promise.all([createUser(t), createUser(t)]);
    const socket = await connectSocket(t.url, { token: second.token });
    try {
      const lock = await holdArticleLock(article.id);
      const waiting = http(t, 'POST', `/api/articles/${article.slug}/comments`, {
        token: first.token,
        body: { body: 'waiting on the lock' },
      });
      const id = randomUUID();
      let refused;
      try {
        await untilLockWaiters(1);
        refused = await socket.ack('comment.create', { article: article.slug, id, body: 'over the socket' });
      } finally {
        await lock.release();
      }
      expect(refused).toMatchObject({ error: { code: 'POSTING_BUSY', status: 429, retryAfterSeconds: 1 } });
      expect((await waiting).status).toBe(201);
      expect(await t.prisma.comment.count({ where: { id } })).toBe(0);
      const retried = await socket.ack('comment.create', { article: article.slug, id, body: 'over the socket' });
      expect(retried).toMatchObject({ created: true, comment: { id } });
    } finally {
      socket.close();
    }
  });

  it('refuses an HTTP post while a socket post holds the place', async () => {
    const article = await createArticle(t.prisma);
    const [first, second] = await Promise.all([createUser(t), createUser(t)]);
    const socket = await connectSocket(t.url, { token: first.token });
    try {
      const lock = await holdArticleLock(article.id);
      const waiting = socket.ack('comment.create', { article: article.slug, body: 'socket post on the lock' });
      let refused;
      try {
        await untilLockWaiters(1);
        refused = await http(t, 'POST', `/api/articles/${article.slug}/comments`, {
          token: second.token,
          body: { body: 'one too many' },
        });
      } finally {
        await lock.release();
      }
      expect(refused.status).toBe(429);
      expect(refused.body).toMatchObject({ code: 'POSTING_BUSY' });
      expect(await waiting).toMatchObject({ created: true });
      // The socket post gave its place back.
      const after = await http(t, 'POST', `/api/articles/${article.slug}/comments`, {
        token: second.token,
        body: { body: 'room again' },
      });
      expect(after.status).toBe(201);
    } finally {
      socket.close();
    }
  });

  it('does not hold back other requests: reads are answered while the post waits', async () => {
    const article = await createArticle(t.prisma);
    const user = await createUser(t);
    const lock = await holdArticleLock(article.id);
    const waiting = http(t, 'POST', `/api/articles/${article.slug}/comments`, {
      token: user.token,
      body: { body: 'waiting on the lock' },
    });
    try {
      await untilLockWaiters(1);
      const [thread, articleRead] = await Promise.all([
        http(t, 'GET', `/api/articles/${article.slug}/comments`),
        http(t, 'GET', `/api/articles/${article.slug}`),
      ]);
      expect(thread.status).toBe(200);
      expect(articleRead.status).toBe(200);
    } finally {
      await lock.release();
    }
    expect((await waiting).status).toBe(201);
  });
});
