import { randomUUID } from 'node:crypto';
import { createArticle, http, unique } from '../support/factories.js';
import { connectSocket } from '../support/sockets.js';
import { startTestApp, TestApp } from '../support/test-app.js';

// The default limits, as a deployment has them.
const DEFAULTS = {
  RATE_COMMENTS_PER_USER: '1',
  RATE_COMMENTS_PER_USER_WINDOW: '5',
  RATE_COMMENTS_PER_NEW_USER: '1',
  RATE_COMMENTS_PER_NEW_USER_WINDOW: '30',
  RATE_COMMENTS_PER_IP: '30',
  RATE_AUTH_PER_IP: '10',
};

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp(DEFAULTS);
});
afterAll(async () => {
  await t.close();
});

// Users are made directly in the database here: registering through the API
// would use up this address's registration quota, which is under test.
async function user(t: TestApp, options: { ageDays?: number; role?: 'moderator'; trustLevel?: number } = {}) {
  const username = unique('rl').replace('-', '_');
  const password = 'long enough password';
  const { hash } = await import('@node-rs/argon2');
  const row = await t.prisma.user.create({
    data: {
      username,
      usernameKey: username,
      email: `${username}@example.test`,
      passwordHash: await hash(password),
      role: options.role ?? 'commenter',
      createdAt: new Date(Date.now() - (options.ageDays ?? 0) * 86_400_000),
      // An established account has earned a level (computed when stale).
      trustLevel: options.trustLevel ?? 0,
      trustComputedAt: options.trustLevel === undefined ? null : new Date(),
    },
  });
  const { TokenService } = await import('@rejoinder/accounts');
  const token = (await t.app.get(TokenService).issue(row.id)).accessToken;
  return { id: row.id, username, password, token };
}

const post = (t: TestApp, token: string, slug: string, body: string, extra: object = {}) =>
  http(t, 'POST', `/api/articles/${slug}/comments`, { token, body: { body, ...extra } });

describe('comment limits', () => {
  it('allows one comment per 5 s to an established account, with 429 and Retry-After, over REST and the socket', async () => {
    const article = await createArticle(t.prisma);
    const u = await user(t, { ageDays: 2, trustLevel: 1 });
    expect((await post(t, u.token, article.slug, 'first')).status).toBe(201);
    const second = await post(t, u.token, article.slug, 'second');
    expect(second.status).toBe(429);
    expect(second.body.code).toBe('RATE_LIMITED');
    const wait = Number(second.headers.get('retry-after'));
    expect(wait).toBeGreaterThanOrEqual(1);
    expect(wait).toBeLessThanOrEqual(5);
    const socket = await connectSocket(t.url, { token: u.token });
    try {
      const ack = await socket.ack('comment.create', { article: article.slug, body: 'third' });
      expect(ack).toMatchObject({ error: { code: 'RATE_LIMITED', status: 429 } });
      expect(ack.error.retryAfterMs).toBeGreaterThan(0);
    } finally {
      socket.close();
    }
    expect(await t.prisma.comment.count({ where: { articleId: article.id } })).toBe(1);
  });

  it('is stricter for accounts younger than a day', async () => {
    const article = await createArticle(t.prisma);
    const fresh = await user(t);
    await post(t, fresh.token, article.slug, 'hello');
    const again = await post(t, fresh.token, article.slug, 'hello again');
    expect(again.status).toBe(429);
    expect(Number(again.headers.get('retry-after'))).toBeGreaterThan(5);
  });

  it('is as strict for an older account that has not earned a trust level yet (level 0)', async () => {
    const article = await createArticle(t.prisma);
    const unproven = await user(t, { ageDays: 3, trustLevel: 0 });
    expect((await post(t, unproven.token, article.slug, 'hello')).status).toBe(201);
    const again = await post(t, unproven.token, article.slug, 'hello again');
    expect(again.status).toBe(429);
    expect(Number(again.headers.get('retry-after'))).toBeGreaterThan(5);
  });

  it('does not count a comment that was refused', async () => {
    const article = await createArticle(t.prisma);
    const u = await user(t, { ageDays: 2 });
    const refused = await post(t, u.token, article.slug, 'reply', { parentId: randomUUID() });
    expect(refused.body.code).toBe('PARENT_NOT_FOUND');
    expect((await post(t, u.token, article.slug, 'a real one')).status).toBe(201);
  });

  it('refuses the same body from the same user in the same place within 5 minutes', async () => {
    const article = await createArticle(t.prisma);
    const staff = await user(t, { role: 'moderator' });
    expect((await post(t, staff.token, article.slug, 'Same words')).status).toBe(201);
    const twice = await post(t, staff.token, article.slug, 'Same words');
    expect(twice.status).toBe(429);
    expect(twice.body.code).toBe('DUPLICATE_COMMENT');
    expect((await post(t, staff.token, article.slug, 'Other words')).status).toBe(201);
  });

  it('answers a retry with the same id without using quota', async () => {
    const article = await createArticle(t.prisma);
    const u = await user(t, { ageDays: 2 });
    const id = randomUUID();
    expect((await post(t, u.token, article.slug, 'once', { id })).status).toBe(201);
    expect((await post(t, u.token, article.slug, 'once', { id })).status).toBe(200);
  });

  it('never refuses the same id sent several times at once, under a limit of one comment and the duplicate check', async () => {
    const article = await createArticle(t.prisma);
    const u = await user(t, { ageDays: 2 });
    const id = randomUUID();
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => post(t, u.token, article.slug, 'sent five times', { id })),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 201]);
    expect(new Set(answers.map((a) => a.body.id))).toEqual(new Set([id]));
    // The quota was taken once: the next comment waits its turn.
    expect((await post(t, u.token, article.slug, 'another')).body.code).toBe('RATE_LIMITED');
  });
});

describe('sign-in and registration limits', () => {
  it('limits attempts per address, against password guessing', async () => {
    const target = await user(t, { ageDays: 2 });
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await http(t, 'POST', '/api/auth/login', {
        body: { login: target.username, password: `guess number ${i}` },
      });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.slice(10)).toEqual([429, 429]);
    const register = await http(t, 'POST', '/api/auth/register', {
      body: {
        username: unique('n').replace('-', '_'),
        email: `${randomUUID()}@example.test`,
        password: 'long enough password',
      },
    });
    expect(register.status).toBe(429);
    expect(Number(register.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

// Runs where REDIS_URL is set (CI sets it); one node alone has nothing to share.
const redis = process.env.REDIS_URL;
if (redis)
  describe(`shared across nodes through Redis at ${redis}`, () => {
    it('counts a comment on one node against the limit on another', async () => {
      const a = await startTestApp({ ...DEFAULTS, REDIS_URL: redis, REALTIME_ADAPTER: 'memory' });
      const b = await startTestApp({ ...DEFAULTS, REDIS_URL: redis, REALTIME_ADAPTER: 'memory' });
      try {
        const article = await createArticle(a.prisma);
        const u = await user(a, { ageDays: 2 });
        expect((await post(a, u.token, article.slug, 'on A')).status).toBe(201);
        const onB = await post(b, u.token, article.slug, 'on B');
        expect(onB.status).toBe(429);
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    });
  });
