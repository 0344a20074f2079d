import { randomUUID } from 'node:crypto';
import { createArticle, createUser, http } from '../support/factories.js';
import { holdArticleLock, untilLockWaiters } from '../support/locks.js';
import { startTestApp, TestApp } from '../support/test-app.js';

describe('posting when a node already stores as many comments as it admits', () => {
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
