import { randomUUID } from 'node:crypto';
import { createArticle, createUser, http } from '../support/factories.js';
import { holdArticleLock, untilLockWaiters } from '../support/locks.js';
import { startTestApp, TestApp } from '../support/test-app.js';

describe('a long lock on an article', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ DATABASE_LOCK_TIMEOUT_MS: '300' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers a post waiting on it with 503 and Retry-After while the lock is still held; the retry then succeeds', async () => {
    const article = await createArticle(t.prisma);
    const user = await createUser(t);
    const lock = await holdArticleLock(article.id);
    const id = randomUUID();
    const started = Date.now();
    let refused;
    try {
      refused = await http(t, 'POST', `/api/articles/${article.slug}/comments`, {
        token: user.token,
        body: { id, body: 'behind the lock' },
      });
    } finally {
      await lock.release();
    }
    const waitedMs = Date.now() - started;
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(refused.body).toMatchObject({ code: 'SERVICE_UNAVAILABLE', dependency: 'database', retryable: true });
    expect(await t.prisma.comment.count({ where: { articleId: article.id } })).toBe(0);

    const retried = await http(t, 'POST', `/api/articles/${article.slug}/comments`, {
      token: user.token,
      body: { id, body: 'behind the lock' },
    });
    expect(retried.status).toBe(201);
    console.log(
      `long lock: a post behind a held article lock answered 503 after ${waitedMs} ms (lock timeout 300 ms); its retry was stored`,
    );
  });
});

describe('the transaction timeout', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ DATABASE_LOCK_TIMEOUT_MS: '20000', DATABASE_TRANSACTION_TIMEOUT_MS: '500' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('ends a transaction stuck on a lock even when the lock timeout is longer', async () => {
    const article = await createArticle(t.prisma);
    const user = await createUser(t);
    const lock = await holdArticleLock(article.id);
    const started = Date.now();
    let refused;
    try {
      refused = await http(t, 'POST', `/api/articles/${article.slug}/comments`, {
        token: user.token,
        body: { body: 'too slow' },
      });
    } finally {
      await lock.release();
    }
    expect(refused).toMatchObject({ status: 503, body: { code: 'SERVICE_UNAVAILABLE' } });
    console.log(
      `long lock: with a 500 ms transaction timeout and a 20 s lock timeout, the post answered 503 after ${Date.now() - started} ms`,
    );
  });
});

describe('writers stuck behind a lock', () => {
  let t: TestApp;
  beforeAll(async () => {
    // Long enough that the posts are still waiting while the reads run.
    t = await startTestApp({ DATABASE_LOCK_TIMEOUT_MS: '20000', DATABASE_ACQUIRE_TIMEOUT_MS: '20000' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('leave reads and /ready their connections', async () => {
    const article = await createArticle(t.prisma);
    const users = await Promise.all(Array.from({ length: 10 }, () => createUser(t)));
    const lock = await holdArticleLock(article.id);
    let settled = 0;
    const posts = users.map((user, i) =>
      http(t, 'POST', `/api/articles/${article.slug}/comments`, {
        token: user.token,
        body: { body: `queued post ${i}` },
      }).finally(() => settled++),
    );
    try {
      // As many posts as the transaction pool has connections wait on the lock; the rest wait for a connection.
      await untilLockWaiters(5);
      const started = Date.now();
      const [thread, ready, articleRead] = await Promise.all([
        http(t, 'GET', `/api/articles/${article.slug}/comments`),
        http(t, 'GET', '/ready'),
        http(t, 'GET', `/api/articles/${article.slug}`),
      ]);
      const readMs = Date.now() - started;
      expect(settled).toBe(0);
      expect(thread.status).toBe(200);
      expect(ready.status).toBe(200);
      expect(articleRead.status).toBe(200);
      console.log(
        `long lock: with 10 posts queued behind a held article lock, a thread page, the article and /ready answered in ${readMs} ms`,
      );
    } finally {
      await lock.release();
    }
    const answers = await Promise.all(posts);
    expect(answers.map((a) => a.status).filter((s) => s !== 201 && s !== 503)).toEqual([]);
  });
});
