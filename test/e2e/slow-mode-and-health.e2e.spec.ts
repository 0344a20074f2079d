import { createArticle, createUser, http, postComment, TestArticle, TestUser } from '../support/factories.js';
import { connectSocket, TestSocket, waitUntil } from '../support/sockets.js';
import { startTestApp, TestApp } from '../support/test-app.js';
import { SlowModeService } from '@rejoinder/moderation';

// Low thresholds over a short window, so a few posts make a thread hot: 4
// comments (or 4 reports) within 10 s reach 24 per minute. The quiet period is
// short, so slow mode lifts soon after; tests poll for the state.
const HOT = {
  SLOW_MODE_AUTO_COMMENTS_PER_MINUTE: '24',
  SLOW_MODE_AUTO_REPORTS_PER_MINUTE: '24',
  SLOW_MODE_AUTO_WINDOW_SECONDS: '10',
  SLOW_MODE_AUTO_SECONDS: '7',
  SLOW_MODE_AUTO_QUIET_SECONDS: '1',
  SLOW_MODE_AUTO_DEBOUNCE_MS: '20',
  SLOW_MODE_AUTO_CHECK_MS: '100',
  THREAD_HEALTH_INTERVAL_MS: '100',
};

let t: TestApp;
let mod: TestUser;
const open: TestSocket[] = [];
const track = (s: TestSocket) => (open.push(s), s);

beforeAll(async () => {
  t = await startTestApp(HOT);
  mod = await createUser(t, 'moderator');
});
afterEach(() => {
  for (const s of open.splice(0)) s.close();
});
afterAll(async () => {
  await t.close();
});

const settings = (slug: string, body: unknown, user = mod) =>
  http(t, 'PATCH', `/api/moderation/articles/${slug}`, { token: user.token, body });
const article = async (slug: string) => (await http(t, 'GET', `/api/articles/${slug}`)).body;
const log = async (slug: string) =>
  (await http(t, 'GET', `/api/moderation/log?article=${slug}`, { token: mod.token })).body.items as any[];
const users = (n: number) => Promise.all(Array.from({ length: n }, () => createUser(t)));

// Four comments from four readers: the comment rate reaches the threshold.
async function heatUp(a: TestArticle): Promise<TestUser[]> {
  const writers = await users(4);
  for (const [i, w] of writers.entries()) await postComment(t, w, a.slug, `point ${i}`);
  return writers;
}

async function waitForSource(slug: string, source: string | null, timeoutMs = 30_000) {
  let last: any;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    last = await article(slug);
    if (last.slowMode.source === source) return last;
    if (Date.now() > deadline) throw new Error(`slow mode still ${JSON.stringify(last.slowMode)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('automatic slow mode', () => {
  it('turns on when comments pass the threshold, tells readers and moderators why, and lifts when it calms down', async () => {
    const a = await createArticle(t.prisma);
    // A signed-in commenter: moderators' events must not reach them either.
    const reader = track(await connectSocket(t.url, { token: (await createUser(t)).token }));
    await reader.ack('subscribe', { article: a.slug });
    const feed = track(await connectSocket(t.url, { token: mod.token }));
    await feed.ack('subscribe', { feed: 'moderation' });
    expect((await article(a.slug)).slowMode).toEqual({
      seconds: 0,
      source: null,
      reason: null,
      since: null,
      setting: 'auto',
    });

    const writers = await heatUp(a);
    const on = await reader.waitFor((e) => e.some((x) => x.type === 'article.updated'));
    const updated = on.find((x) => x.type === 'article.updated')!;
    expect(updated.data.article).toMatchObject({
      slug: a.slug,
      slowModeSeconds: 7,
      slowMode: { seconds: 7, source: 'auto', reason: 'comments', since: expect.any(String), setting: 'auto' },
    });
    const view = await article(a.slug);
    expect(view.slowMode).toEqual(updated.data.article.slowMode);
    expect(view.slowModeSeconds).toBe(7);

    // Moderators learn why, live in their feed and in the log.
    await feed.waitFor((e) => e.some((x) => x.type === 'slow_mode.changed' && x.articleId === a.id));
    const item = feed.events.find((x) => x.type === 'slow_mode.changed' && x.articleId === a.id)!;
    expect((item as any).stream).toBe('moderation');
    expect(item.data).toMatchObject({
      slug: a.slug,
      action: 'on',
      by: 'auto',
      slowMode: { seconds: 7, source: 'auto', reason: 'comments' },
      rate: { windowSeconds: 10 },
      threshold: { commentsPerMinute: 24, reportsPerMinute: 24, quietSeconds: 1 },
    });
    expect(item.data.rate.commentsPerMinute).toBeGreaterThanOrEqual(24);
    const entries = await log(a.slug);
    expect(entries).toEqual([
      expect.objectContaining({
        action: 'slow_mode_on',
        moderator: null,
        targetType: 'article',
        targetId: a.id,
        reasonCode: 'comment_rate',
        note: expect.stringMatching(/comments per minute over the last 10 s reached the threshold of 24; 7 s/),
      }),
    ]);

    const metrics = await http(t, 'GET', '/metrics');
    expect(metrics.body).toMatch(/rejoinder_slow_mode_switches_total\{action="on"\} [1-9]/);

    // Readers wait between comments; moderators do not.
    const again = await http(t, 'POST', `/api/articles/${a.slug}/comments`, {
      token: writers[0].token,
      body: { body: 'and another thing' },
    });
    expect(again.status).toBe(429);
    expect(again.body.code).toBe('SLOW_MODE');
    await postComment(t, mod, a.slug, 'Let us keep it civil.');

    // Readers never receive the moderators' reasons.
    expect(reader.events.some((x) => x.type === 'slow_mode.changed')).toBe(false);

    // Nobody posts: the sweep lifts it after the quiet period.
    const lifted = await waitForSource(a.slug, null);
    expect(lifted.slowMode).toEqual({ seconds: 0, source: null, reason: null, since: null, setting: 'auto' });
    const off = await reader.waitFor((e) => e.filter((x) => x.type === 'article.updated').length === 2);
    expect(off.filter((x) => x.type === 'article.updated')[1].data.article).toMatchObject({
      slowModeSeconds: 0,
      slowMode: { source: null, setting: 'auto' },
    });
    const after = await log(a.slug);
    expect(after.map((e) => [e.action, e.reasonCode])).toEqual([
      ['slow_mode_off', 'quiet'],
      ['slow_mode_on', 'comment_rate'],
    ]);
    await feed.waitFor((e) => e.some((x) => x.type === 'slow_mode.changed' && x.data.action === 'off'));
    expect(reader.events.some((x) => x.type === 'slow_mode.changed')).toBe(false);
    // Off again, the reader may post.
    await postComment(t, writers[0], a.slug, 'and another thing');
  });

  it('turns on when reports pass their threshold', async () => {
    const a = await createArticle(t.prisma);
    const [author, r1, r2] = await users(3);
    const c1 = await postComment(t, author, a.slug, 'one');
    const c2 = await postComment(t, r1, a.slug, 'two');
    for (const [c, reporter] of [
      [c1, r1],
      [c1, r2],
      [c2, r2],
      [c2, author],
    ] as const) {
      const res = await http(t, 'POST', `/api/comments/${c.id}/reports`, {
        token: reporter.token,
        body: { reason: 'abuse' },
      });
      expect(res.status).toBe(201);
    }
    const view = await waitForSource(a.slug, 'auto');
    expect(view.slowMode).toMatchObject({ seconds: 7, reason: 'reports' });
    expect((await log(a.slug))[0]).toMatchObject({ action: 'slow_mode_on', reasonCode: 'report_rate' });
  });

  it('switches once however many nodes decide at the same moment', async () => {
    const other = await startTestApp(HOT);
    try {
      const a = await createArticle(t.prisma);
      await settings(a.slug, { slowMode: { setting: 'off' } });
      await heatUp(a);
      // Back to automatic directly in the database, so that nothing has decided yet.
      await t.prisma.article.update({ where: { id: a.id }, data: { slowModeSetting: 'auto' } });
      const here = t.app.get(SlowModeService);
      const there = other.app.get(SlowModeService);
      await Promise.all([here.evaluate(a.id), there.evaluate(a.id), here.evaluate(a.id), there.evaluate(a.id)]);
      expect((await article(a.slug)).slowMode.source).toBe('auto');
      const ons = (await log(a.slug)).filter((e) => e.action === 'slow_mode_on');
      expect(ons).toHaveLength(1);
      const events = await t.prisma.articleEvent.findMany({
        where: { articleId: a.id, type: { in: ['article.updated', 'slow_mode.changed'] } },
        orderBy: { seq: 'asc' },
      });
      // The moderator's "off" (for readers and for moderators), then one switch on.
      const source = (payload: any) => (payload.article ?? payload).slowMode.source;
      expect(events.map((e) => [e.type, source(e.payload)])).toEqual([
        ['article.updated', null],
        ['slow_mode.changed', null],
        ['article.updated', 'auto'],
        ['slow_mode.changed', 'auto'],
      ]);
    } finally {
      await other.close();
    }
  });
});

describe('moderators override it per article', () => {
  it('off: never automatic; manual: a fixed interval; auto again: measured at once', async () => {
    const a = await createArticle(t.prisma);
    const reader = track(await connectSocket(t.url));
    await reader.ack('subscribe', { article: a.slug });
    const feed = track(await connectSocket(t.url, { token: mod.token }));
    await feed.ack('subscribe', { feed: 'moderation' });

    const off = await settings(a.slug, { slowMode: { setting: 'off' } });
    expect(off.status).toBe(200);
    expect(off.body.slowMode).toEqual({ seconds: 0, source: null, reason: null, since: null, setting: 'off' });
    await heatUp(a);

    const manual = await settings(a.slug, { slowMode: { setting: 'manual', seconds: 45 } });
    expect(manual.body.slowMode).toEqual({
      seconds: 45,
      source: 'manual',
      reason: null,
      since: expect.any(String),
      setting: 'manual',
    });
    // Hot, but off was off: nothing automatic happened before the moderator's interval.
    expect((await log(a.slug)).map((e) => e.action)).toEqual(['update_article', 'update_article']);
    const updates = await reader.waitFor((e) => e.filter((x) => x.type === 'article.updated').length === 2);
    expect(updates.filter((x) => x.type === 'article.updated')[1].data.article.slowMode).toMatchObject({
      seconds: 45,
      source: 'manual',
    });
    await feed.waitFor((e) =>
      e.some((x) => x.type === 'slow_mode.changed' && x.articleId === a.id && x.data.slowMode.seconds === 45),
    );
    expect(
      feed.events.find((x) => x.type === 'slow_mode.changed' && x.data.slowMode.seconds === 45)!.data,
    ).toMatchObject({
      action: 'setting',
      by: 'moderator',
      rate: null,
    });

    // Back to automatic on a hot thread: it is measured now and turns on.
    const auto = await settings(a.slug, { slowMode: { setting: 'auto' } });
    expect(auto.body.slowMode.setting).toBe('auto');
    const on = await waitForSource(a.slug, 'auto');
    expect(on.slowMode).toMatchObject({ seconds: 7, reason: 'comments', setting: 'auto' });

    // Choosing automatic again while it is on keeps it on, and says nothing new.
    const before = (await article(a.slug)).seq;
    const same = await settings(a.slug, { slowMode: { setting: 'auto' } });
    expect(same.body.slowMode).toMatchObject({ source: 'auto', seconds: 7 });
    expect(same.body.seq).toBe(before + 1);

    // The older field: 0 turns slow mode off for good.
    const legacy = await settings(a.slug, { slowModeSeconds: 0 });
    expect(legacy.body.slowMode).toEqual({ seconds: 0, source: null, reason: null, since: null, setting: 'off' });
    const legacyOn = await settings(a.slug, { slowModeSeconds: 12 });
    expect(legacyOn.body.slowMode).toMatchObject({ seconds: 12, source: 'manual', setting: 'manual' });
  });

  it.each([
    [{ slowMode: { setting: 'sometimes' } }, 'VALIDATION_FAILED'],
    [{ slowMode: { setting: 'manual', seconds: -5 } }, 'VALIDATION_FAILED'],
    [{ slowMode: { setting: 'manual', seconds: 0 } }, 'VALIDATION_FAILED'],
    [{ slowMode: { setting: 'manual' } }, 'VALIDATION_FAILED'],
    [{ slowMode: { setting: 'off', seconds: 30 } }, 'VALIDATION_FAILED'],
    [{ slowMode: { setting: 'manual', seconds: 30 }, slowModeSeconds: 30 }, 'VALIDATION_FAILED'],
    [{ slowMode: 'auto' }, 'VALIDATION_FAILED'],
    [{ slowMode: { setting: 'auto', by: 'me' } }, 'UNKNOWN_FIELDS'],
  ])('refuses %j', async (body, code) => {
    const a = await createArticle(t.prisma);
    const res = await settings(a.slug, body);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.code).toBe(code);
    const row = await t.prisma.article.findUniqueOrThrow({ where: { id: a.id } });
    expect([row.lastSeq, row.slowModeSetting, row.slowModeSeconds]).toEqual([0, 'auto', 0]);
  });

  it('is for moderators only', async () => {
    const a = await createArticle(t.prisma);
    const reader = await createUser(t);
    expect((await settings(a.slug, { slowMode: { setting: 'off' } }, reader)).status).toBe(403);
    expect(
      (await http(t, 'PATCH', `/api/moderation/articles/${a.slug}`, { body: { slowMode: { setting: 'off' } } })).status,
    ).toBe(401);
    expect((await article(a.slug)).slowMode.setting).toBe('auto');
  });
});

describe('thread health', () => {
  it('counts rates, shares and the hottest subthreads, over HTTP and live to moderators only', async () => {
    const a = await createArticle(t.prisma);
    // Off, so the burst below is measured without slow mode getting in the way.
    await settings(a.slug, { slowMode: { setting: 'off' } });
    const [veteran, fresh, another, held, reporter] = await users(5);
    await t.prisma.user.update({
      where: { id: veteran.id },
      data: { createdAt: new Date(Date.now() - 3 * 86_400_000) },
    });
    await t.prisma.user.update({ where: { id: held.id }, data: { premoderated: true } });
    const rootA = await postComment(t, veteran, a.slug, 'root A');
    const rootB = await postComment(t, fresh, a.slug, 'root B');
    const rootC = await postComment(t, held, a.slug, 'root C, held');
    expect(rootC.status).toBe('pending');
    const r1 = await postComment(t, another, a.slug, 'reply 1', { parentId: rootA.id });
    const r2 = await postComment(t, veteran, a.slug, 'reply 2', { parentId: rootA.id });
    await postComment(t, fresh, a.slug, 'reply 3', { parentId: r1.id });
    await postComment(t, another, a.slug, 'reply b', { parentId: rootB.id });
    const remove = await http(t, 'POST', `/api/moderation/comments/${r2.id}/actions`, {
      token: mod.token,
      body: { action: 'remove', version: 1, reason: 'abuse' },
    });
    expect(remove.status).toBe(200);
    const report = await http(t, 'POST', `/api/comments/${r1.id}/reports`, {
      token: reporter.token,
      body: { reason: 'abuse' },
    });
    expect(report.status).toBe(201);

    const res = await http(t, 'GET', `/api/moderation/articles/${a.slug}/health`, { token: mod.token });
    expect(res.status).toBe(200);
    const expected = {
      articleId: a.id,
      slug: a.slug,
      at: expect.any(String),
      commentsPerMinute: { last1m: 7, last5m: 1.4 },
      reportsPerMinute: { last1m: 1, last5m: 0.2 },
      recent: {
        minutes: 60,
        comments: 7,
        held: 1,
        removed: 1,
        newAccounts: 5,
        heldShare: 0.143,
        removedShare: 0.143,
        newAccountShare: 0.714,
        holdsByReason: { user_premoderated: 1 },
      },
      hottest: [
        {
          rootId: rootA.id,
          replies: 3,
          repliesPerMinute: 0.6,
          maxDepth: 2,
          comments: 4,
          reported: 1,
          reportedShare: 0.25,
        },
        {
          rootId: rootB.id,
          replies: 1,
          repliesPerMinute: 0.2,
          maxDepth: 1,
          comments: 2,
          reported: 0,
          reportedShare: 0,
        },
      ],
      slowMode: { seconds: 0, source: null, reason: null, since: null, setting: 'off' },
    };
    expect(res.body).toEqual(expected);

    // Live: a moderator following the article is told at once and on change;
    // a reader following it never is.
    const modSocket = track(await connectSocket(t.url, { token: mod.token }));
    const readerSocket = track(await connectSocket(t.url, { token: fresh.token }));
    await readerSocket.ack('subscribe', { article: a.slug });
    await modSocket.ack('subscribe', { article: a.slug });
    await waitUntil(() => modSocket.session.some((m) => m.type === 'thread.health'));
    expect(modSocket.session.find((m) => m.type === 'thread.health')!.data).toEqual(expected);
    await postComment(t, another, a.slug, 'reply b2', { parentId: rootB.id });
    await waitUntil(() =>
      modSocket.session.some((m) => m.type === 'thread.health' && m.data.commentsPerMinute.last1m === 8),
    );
    const live = modSocket.session.filter((m) => m.type === 'thread.health').at(-1)!.data;
    expect(live.hottest.map((h: any) => [h.rootId, h.replies])).toEqual([
      [rootA.id, 3],
      [rootB.id, 2],
    ]);
    expect(readerSocket.session.some((m) => m.type === 'thread.health')).toBe(false);

    // Unsubscribed, the moderator is no longer told.
    await modSocket.ack('unsubscribe', { article: a.slug });
    const count = modSocket.session.filter((m) => m.type === 'thread.health').length;
    await postComment(t, fresh, a.slug, 'reply b3', { parentId: rootB.id });
    const watcher = track(await connectSocket(t.url, { token: mod.token }));
    await watcher.ack('subscribe', { article: a.slug });
    // Told once on subscribing, then by the periodic send to the article's
    // moderators, which the unsubscribed socket would have received too.
    await waitUntil(() => watcher.session.filter((m) => m.type === 'thread.health').length >= 2);
    expect(watcher.session.find((m) => m.type === 'thread.health')!.data.commentsPerMinute.last1m).toBe(9);
    expect(modSocket.session.filter((m) => m.type === 'thread.health')).toHaveLength(count);
    expect(readerSocket.session.some((m) => m.type === 'thread.health')).toBe(false);
  });

  it('stops reaching a moderator who is demoted', async () => {
    const a = await createArticle(t.prisma);
    const [demoted, writer] = [await createUser(t, 'moderator'), await createUser(t)];
    const socket = track(await connectSocket(t.url, { token: demoted.token }));
    await socket.ack('subscribe', { article: a.slug });
    await waitUntil(() => socket.session.some((m) => m.type === 'thread.health'));
    await t.prisma.user.update({ where: { id: demoted.id }, data: { role: 'commenter' } });
    await waitUntil(() => socket.session.some((m) => m.type === 'account.updated' && m.data.role === 'commenter'));
    const told = socket.session.filter((m) => m.type === 'thread.health').length;
    await postComment(t, writer, a.slug, 'after the demotion');
    // Another moderator is told of the new comment; the demoted one is not.
    const watcher = track(await connectSocket(t.url, { token: mod.token }));
    await watcher.ack('subscribe', { article: a.slug });
    await waitUntil(() => watcher.session.filter((m) => m.type === 'thread.health').length >= 2);
    expect(watcher.session.at(-1)!.data.commentsPerMinute.last1m).toBe(1);
    expect(socket.session.filter((m) => m.type === 'thread.health')).toHaveLength(told);
  });

  it('is for moderators only, and 404 for an unknown article', async () => {
    const a = await createArticle(t.prisma);
    const reader = await createUser(t);
    const path = `/api/moderation/articles/${a.slug}/health`;
    expect((await http(t, 'GET', path)).status).toBe(401);
    const forbidden = await http(t, 'GET', path, { token: reader.token });
    expect([forbidden.status, forbidden.body.code]).toEqual([403, 'FORBIDDEN']);
    const missing = await http(t, 'GET', '/api/moderation/articles/no-such-article/health', { token: mod.token });
    expect([missing.status, missing.body.code]).toEqual([404, 'ARTICLE_NOT_FOUND']);
  });
});
