import { createArticle, createUser, http, postComment, TestUser } from '../support/factories.js';
import { connectSocket, TestSocket } from '../support/sockets.js';
import { startTestApp, TestApp } from '../support/test-app.js';

// "Catch me up": a reader comes back to a debate and asks what happened since
// the last event they saw. One known scenario, read by its participants, a
// stranger and an anonymous reader, over HTTP and over the socket.

const MAX_EVENTS = 40;

let t: TestApp;
const sockets: TestSocket[] = [];
beforeAll(async () => {
  t = await startTestApp({ DIGEST_MAX_EVENTS: String(MAX_EVENTS) });
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await t.close();
});

async function socket(token?: string): Promise<TestSocket> {
  const s = await connectSocket(t.url, { token });
  sockets.push(s);
  return s;
}

const digest = (slug: string, since: string | number, token?: string) =>
  http(t, 'GET', `/api/articles/${slug}/digest?since=${encodeURIComponent(String(since))}`, { token });

async function act(commentId: string, moderator: TestUser, action: Record<string, unknown>) {
  const { version } = await t.prisma.comment.findUniqueOrThrow({ where: { id: commentId }, select: { version: true } });
  const res = await http(t, 'POST', `/api/moderation/comments/${commentId}/actions`, {
    token: moderator.token,
    body: { version, ...action },
  });
  expect(res.status).toBe(200);
}

async function head(articleId: string): Promise<number> {
  return (await t.prisma.article.findUniqueOrThrow({ where: { id: articleId } })).lastSeq;
}

const ids = (views: { id: string }[] | null) => views?.map((v) => v.id) ?? null;

interface Scenario {
  slug: string;
  articleId: string;
  // The last event Ann saw, and the seq after everything happened.
  seen: number;
  head: number;
  ann: TestUser;
  bob: TestUser;
  cat: TestUser;
  dan: TestUser;
  moderator: TestUser;
  c: Record<string, { id: string }>;
  // Bodies no reader but the moderators (and, for their own, the author) may read.
  secrets: { removedReply: string; heldReply: string; pending: string; annRemoved: string };
}

let s: Scenario;

// Before Ann leaves: her comment and Bob's. While she is away: replies to
// her (one later removed, one held back by reports), a reply deeper down,
// two new top-level comments with stances (one voted up), a premoderated
// reader's comment still waiting, another subthread's reply, and her own
// second comment removed by a moderator.
beforeAll(async () => {
  const article = await createArticle(t.prisma);
  const [ann, bob, cat, dan, moderator, r1, r2, r3] = await Promise.all([
    createUser(t),
    createUser(t),
    createUser(t),
    createUser(t),
    createUser(t, 'moderator'),
    createUser(t),
    createUser(t),
    createUser(t),
  ]);
  const slug = article.slug;
  const c: Scenario['c'] = {};
  c.annRoot = await postComment(t, ann, slug, 'Ann: deterrence is a bluff.');
  c.bobRoot = await postComment(t, bob, slug, 'Bob: it is not a bluff.');
  const seen = await head(article.id);

  const secrets = {
    removedReply: 'SECRET-removed-reply-by-cat',
    heldReply: 'SECRET-held-reply-by-bob',
    pending: 'SECRET-pending-from-dan',
    annRemoved: 'SECRET-ann-second-comment',
  };
  c.bobReply = await postComment(t, bob, slug, 'Bob answers Ann.', { parentId: c.annRoot.id });
  c.catRemoved = await postComment(t, cat, slug, secrets.removedReply, { parentId: c.annRoot.id });
  c.catDeep = await postComment(t, cat, slug, 'Cat answers Bob, under Ann.', { parentId: c.bobReply.id });
  c.agree = (
    await http(t, 'POST', `/api/articles/${slug}/comments`, {
      token: bob.token,
      body: { body: 'Bob agrees with the op-ed.', stance: 'agree' },
    })
  ).body;
  c.disagree = (
    await http(t, 'POST', `/api/articles/${slug}/comments`, {
      token: cat.token,
      body: { body: 'Cat disagrees with the op-ed.', stance: 'disagree' },
    })
  ).body;
  for (const voter of [ann, r1, r2]) {
    const vote = await http(t, 'PUT', `/api/comments/${c.disagree.id}/vote`, {
      token: voter.token,
      body: { value: 1 },
    });
    expect(vote.status).toBe(200);
  }
  // The votes' coalesced event is in the log before the scenario goes on, so
  // the scenario's last event is the last thing it did.
  for (let tries = 0; ; tries++) {
    const voted = await t.prisma.articleEvent.count({ where: { articleId: article.id, type: 'comment.voted' } });
    if (voted > 0) break;
    if (tries > 200) throw new Error('the votes were never recorded as an event');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  await http(t, 'PATCH', `/api/moderation/users/${dan.id}`, { token: moderator.token, body: { premoderated: true } });
  const pending = await http(t, 'POST', `/api/articles/${slug}/comments`, {
    token: dan.token,
    body: { body: secrets.pending, stance: 'question' },
  });
  expect(pending.body.status).toBe('pending');
  c.pending = pending.body;
  c.catOnBob = await postComment(t, cat, slug, 'Cat answers Bob’s root.', { parentId: c.bobRoot.id });
  c.bobHeld = await postComment(t, bob, slug, secrets.heldReply, { parentId: c.annRoot.id });
  for (const reporter of [r1, r2, r3]) {
    const res = await http(t, 'POST', `/api/comments/${c.bobHeld.id}/reports`, {
      token: reporter.token,
      body: { reason: 'abuse' },
    });
    expect(res.status).toBe(201);
  }
  c.annRemoved = await postComment(t, ann, slug, secrets.annRemoved);
  await act(c.annRemoved.id, moderator, { action: 'remove', reason: 'off_topic' });
  await act(c.catRemoved.id, moderator, { action: 'remove', reason: 'abuse' });
  expect((await t.prisma.comment.findUniqueOrThrow({ where: { id: c.bobHeld.id } })).status).toBe('pending');

  s = {
    slug,
    articleId: article.id,
    seen,
    head: await head(article.id),
    ann,
    bob,
    cat,
    dan,
    moderator,
    c,
    secrets,
  };
}, 60_000);

function expectNoSecrets(body: unknown, except: string[] = []) {
  const text = JSON.stringify(body);
  for (const secret of Object.values(s.secrets)) if (!except.includes(secret)) expect(text).not.toContain(secret);
}

describe('GET /api/articles/:slug/digest', () => {
  it('tells a returning reader what happened since the last event they saw', async () => {
    const res = await digest(s.slug, s.seen, s.ann.token);
    expect(res.status).toBe(200);
    const d = res.body;
    expect(d.articleId).toBe(s.articleId);
    expect(d.seq).toBe(s.head);
    expect(d.since).toMatchObject({ requested: String(s.seen), seq: s.seen, clamped: null });
    expect(typeof d.since.at).toBe('string');
    // Published comments only: the removed, held and waiting ones are not news.
    expect(d.counts).toEqual({
      comments: 5,
      topLevel: 2,
      replies: 3,
      byStance: { agree: 1, disagree: 1, question: 0, other: 0, none: 0 },
      repliesToYou: 1,
      removals: 2,
    });
    expect(ids(d.repliesToYou)).toEqual([s.c.bobReply.id]);
    expect(d.repliesToYou[0]).toMatchObject({ body: 'Bob answers Ann.', author: { id: s.bob.id } });
    // Best first: the one readers voted up.
    expect(ids(d.best)).toEqual([s.c.disagree.id, s.c.agree.id]);
    expect(d.busiest.map((b: { root: { id: string }; newReplies: number }) => [b.root.id, b.newReplies])).toEqual([
      [s.c.annRoot.id, 2],
      [s.c.bobRoot.id, 1],
    ]);
    expect(d.busiest[0].root.body).toBe('Ann: deterrence is a bluff.');
    // Removals in her subthreads, newest first: notices, never the text.
    expect(d.removals).toEqual([
      {
        commentId: s.c.catRemoved.id,
        parentId: s.c.annRoot.id,
        rootId: s.c.annRoot.id,
        status: 'removed',
        reasonCode: 'abuse',
        at: expect.any(String),
        yours: false,
      },
      {
        commentId: s.c.annRemoved.id,
        parentId: null,
        rootId: s.c.annRemoved.id,
        status: 'removed',
        reasonCode: 'off_topic',
        at: expect.any(String),
        yours: true,
      },
    ]);
    expectNoSecrets(d);
  });

  it('gives an anonymous reader the same news without the personal parts', async () => {
    const res = await digest(s.slug, s.seen);
    expect(res.status).toBe(200);
    expect(res.body.repliesToYou).toBeNull();
    expect(res.body.removals).toBeNull();
    expect(res.body.counts).toMatchObject({ comments: 5, repliesToYou: null, removals: null });
    expect(ids(res.body.best)).toEqual([s.c.disagree.id, s.c.agree.id]);
    expect(res.body.busiest).toHaveLength(2);
    expectNoSecrets(res.body);
  });

  it('shows a reader their own comment held back, as a notice without its text, and not the best of their own', async () => {
    const res = await digest(s.slug, s.seen, s.bob.token);
    expect(res.status).toBe(200);
    expect(ids(res.body.best)).toEqual([s.c.disagree.id]);
    expect(ids(res.body.repliesToYou)).toEqual([s.c.catOnBob.id, s.c.catDeep.id]);
    expect(res.body.removals).toEqual([
      expect.objectContaining({ commentId: s.c.catRemoved.id, status: 'removed', yours: false }),
      expect.objectContaining({ commentId: s.c.bobHeld.id, status: 'pending', reasonCode: 'reports', yours: true }),
    ]);
    expectNoSecrets(res.body);
  });

  it('never shows another reader’s waiting comment, not even to a reader in no subthread', async () => {
    const stranger = await createUser(t);
    const res = await digest(s.slug, 0, stranger.token);
    expect(res.status).toBe(200);
    expect(res.body.removals).toEqual([]);
    expect(res.body.repliesToYou).toEqual([]);
    expectNoSecrets(res.body);
    // The waiting comment's author is told nothing new about it here either.
    const dan = await digest(s.slug, s.seen, s.dan.token);
    expect(ids(dan.body.best)).toEqual([s.c.disagree.id, s.c.agree.id]);
    expectNoSecrets(dan.body);
  });

  it('takes a time as well as an event number', async () => {
    const event = await t.prisma.articleEvent.findUniqueOrThrow({
      where: { articleId_seq: { articleId: s.articleId, seq: s.seen } },
    });
    const byTime = await digest(s.slug, event.createdAt.toISOString(), s.ann.token);
    expect(byTime.status).toBe(200);
    expect(byTime.body.since).toMatchObject({ seq: s.seen, clamped: null });
    const bySeq = await digest(s.slug, s.seen, s.ann.token);
    expect({ ...byTime.body, since: null }).toEqual({ ...bySeq.body, since: null });
  });

  it('is empty when nothing happened, and starts from the beginning at 0', async () => {
    const now = await digest(s.slug, s.head, s.ann.token);
    expect(now.body.counts).toMatchObject({ comments: 0, repliesToYou: 0, removals: 0 });
    expect(now.body.best).toEqual([]);
    const all = await digest(s.slug, 0, s.ann.token);
    expect(all.body.counts).toMatchObject({ comments: 7, topLevel: 4, replies: 3 });
    expect(all.body.since).toMatchObject({ seq: 0, at: null, clamped: null });
  });

  it.each([
    ['abc', 'INVALID_SINCE'],
    ['-1', 'INVALID_SINCE'],
    ['1.5', 'INVALID_SINCE'],
    ['2026-11-30', 'INVALID_SINCE'],
    ['99999999999', 'SINCE_AHEAD'],
    ['2999-01-01T00:00:00Z', 'SINCE_AHEAD'],
  ])('refuses since=%s with %s', async (since, code) => {
    const res = await digest(s.slug, since);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.code).toBe(code);
  });

  it('refuses an event number beyond the article’s last one, a missing since, and an unknown article', async () => {
    const ahead = await digest(s.slug, s.head + 1);
    expect(ahead.status).toBe(400);
    expect(ahead.body.code).toBe('SINCE_AHEAD');
    const missing = await http(t, 'GET', `/api/articles/${s.slug}/digest`);
    expect(missing.status).toBe(400);
    expect(missing.body.code).toBe('VALIDATION_FAILED');
    const unknown = await digest('no-such-article', 0);
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('ARTICLE_NOT_FOUND');
    const badToken = await digest(s.slug, 0, 'not-a-token');
    expect(badToken.status).toBe(401);
  });

  it('reads at most DIGEST_MAX_EVENTS events, and says so', async () => {
    const article = await createArticle(t.prisma);
    const user = await createUser(t);
    for (let i = 0; i < MAX_EVENTS + 5; i++) await postComment(t, user, article.slug, `Comment ${i}`);
    const res = await digest(article.slug, 0);
    expect(res.status).toBe(200);
    expect(res.body.since).toMatchObject({ seq: 5, clamped: 'max-events' });
    expect(res.body.seq).toBe(MAX_EVENTS + 5);
    expect(res.body.counts.comments).toBe(MAX_EVENTS);
  });

  it('looks back at most DIGEST_MAX_AGE_DAYS, and not before the oldest event kept', async () => {
    const article = await createArticle(t.prisma);
    const user = await createUser(t);
    for (let i = 0; i < 6; i++) await postComment(t, user, article.slug, `Comment ${i}`);
    // The first three happened long ago.
    await t.prisma.$executeRaw`UPDATE article_events SET created_at = created_at - interval '30 days'
      WHERE article_id = ${article.id}::uuid AND seq <= 3`;
    const old = await digest(article.slug, 1);
    expect(old.body.since).toMatchObject({ requested: '1', seq: 3, clamped: 'max-age' });
    expect(old.body.counts.comments).toBe(3);
    const byTime = await digest(article.slug, new Date(Date.now() - 60 * 86_400_000).toISOString());
    expect(byTime.body.since).toMatchObject({ seq: 3, clamped: 'max-age' });
    // The log no longer keeps the first four events.
    await t.prisma.$executeRaw`DELETE FROM article_events WHERE article_id = ${article.id}::uuid AND seq <= 4`;
    const pruned = await digest(article.slug, 0);
    expect(pruned.body.since).toMatchObject({ seq: 4, at: null, clamped: 'log-start' });
    expect(pruned.body.counts.comments).toBe(2);
  });
});

describe('the digest over the socket', () => {
  it('comes once after a subscribe that asks for it, for the socket’s account, equal to the HTTP one', async () => {
    const ann = await socket(s.ann.token);
    const ack = await ann.ack('subscribe', { article: s.slug, after: s.seen, digest: true });
    expect(ack).toMatchObject({ articleId: s.articleId, resync: false });
    const messages = ann.session.filter((m) => m.type === 'digest');
    expect(messages).toHaveLength(1);
    const viaHttp = await digest(s.slug, s.seen, s.ann.token);
    expect(messages[0].data).toEqual(viaHttp.body);
    // The catch-up sent every event up to the digest's seq that Ann may see.
    expect(messages[0].data.seq).toBe(s.head);
    expect(ack.seq).toBeLessThanOrEqual(s.head);
    // The catch-up came too, and live events follow.
    expect(ann.events.some((e) => e.type === 'comment.removed' && e.data.commentId === s.c.catRemoved.id)).toBe(true);
    const later = await postComment(t, s.bob, s.slug, 'After the digest.', { parentId: s.c.annRoot.id });
    await ann.waitFor((events) => events.some((e) => e.data.comment?.id === later.id));
  });

  it('gives an anonymous socket the public parts, and a digest since a time of its own', async () => {
    const anon = await socket();
    const event = await t.prisma.articleEvent.findUniqueOrThrow({
      where: { articleId_seq: { articleId: s.articleId, seq: s.seen } },
    });
    const ack = await anon.ack('subscribe', { article: s.slug, digest: { since: event.createdAt.toISOString() } });
    expect(ack.error).toBeUndefined();
    const [message] = anon.session.filter((m) => m.type === 'digest');
    expect(message.data).toMatchObject({ repliesToYou: null, removals: null, since: { seq: s.seen } });
    expect(ids(message.data.best)).toEqual([s.c.disagree.id, s.c.agree.id]);
    expectNoSecrets(message.data);
  });

  it('sends nothing without the request', async () => {
    const plain = await socket(s.ann.token);
    await plain.ack('subscribe', { article: s.slug, after: s.head });
    await plain.ack('subscribe', { article: s.slug, after: s.head });
    expect(plain.session.filter((m) => m.type === 'digest')).toEqual([]);
  });

  it('refuses a bad request in the ack, and does not subscribe', async () => {
    const reader = await socket(s.ann.token);
    const now = await head(s.articleId);
    const cases: [unknown, string][] = [
      [{ article: s.slug, digest: true }, 'VALIDATION_FAILED'],
      [{ feed: 'moderation', after: 0, digest: true }, 'VALIDATION_FAILED'],
      [{ article: s.slug, after: 0, digest: 'yes' }, 'VALIDATION_FAILED'],
      [{ article: s.slug, digest: { since: 'last week' } }, 'INVALID_SINCE'],
      [{ article: s.slug, digest: { since: -1 } }, 'VALIDATION_FAILED'],
      [{ article: s.slug, digest: { since: '2999-01-01T00:00:00Z' } }, 'SINCE_AHEAD'],
      [{ article: s.slug, digest: { since: now + 1 } }, 'SINCE_AHEAD'],
      [{ article: s.slug, digest: { since: 0, extra: 1 } }, 'UNKNOWN_FIELDS'],
    ];
    for (const [payload, code] of cases) {
      const ack = await reader.ack('subscribe', payload);
      expect([payload, ack.error?.code]).toEqual([payload, code]);
    }
    expect(reader.session.filter((m) => m.type === 'digest')).toEqual([]);
    // Not following the article: a comment there does not arrive, while one
    // on an article it follows (posted after it) does.
    const other = await createArticle(t.prisma);
    expect((await reader.ack('subscribe', { article: other.slug })).error).toBeUndefined();
    const there = await postComment(t, s.cat, s.slug, 'Not for this socket.');
    const here = await postComment(t, s.cat, other.slug, 'For this socket.');
    await reader.waitFor((events) => events.some((e) => e.data.comment?.id === here.id));
    expect(reader.events.some((e) => e.data.comment?.id === there.id)).toBe(false);
  });
});

describe('digests per client address', () => {
  let limited: TestApp;
  beforeAll(async () => {
    limited = await startTestApp({ RATE_DIGESTS_PER_IP: '2', RATE_DIGESTS_PER_IP_WINDOW: '60' });
  });
  afterAll(async () => {
    await limited.close();
  });

  it('are limited over HTTP and with a subscription together, with 429 / RATE_LIMITED, and a refused subscribe follows nothing', async () => {
    const article = await createArticle(limited.prisma);
    const url = `/api/articles/${article.slug}/digest?since=0`;
    expect((await http(limited, 'GET', url)).status).toBe(200);
    const s = await connectSocket(limited.url);
    try {
      const first = await s.ack('subscribe', { article: article.slug, after: 0, digest: true });
      expect(first).toMatchObject({ articleId: article.id });
      expect(s.session.filter((m) => m.type === 'digest')).toHaveLength(1);

      // The third digest from this address, over either door, is refused.
      const refused = await http(limited, 'GET', url);
      expect(refused.status).toBe(429);
      expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(refused.body).toMatchObject({ code: 'RATE_LIMITED' });

      expect(await s.ack('unsubscribe', { article: article.slug })).not.toHaveProperty('error');
      const ack = await s.ack('subscribe', { article: article.slug, after: 0, digest: true });
      expect(ack).toMatchObject({ error: { code: 'RATE_LIMITED' } });
      expect(s.session.filter((m) => m.type === 'digest')).toHaveLength(1);
      // Not subscribed: a new comment does not reach the socket.
      const writer = await createUser(limited);
      const comment = await postComment(limited, writer, article.slug, 'after the refusal');
      const sentinel = await connectSocket(limited.url);
      try {
        await sentinel.ack('subscribe', { article: article.slug, after: 0 });
        await sentinel.waitFor((e) => e.some((x) => x.type === 'comment.created' && x.data.comment.id === comment.id));
      } finally {
        sentinel.close();
      }
      expect(s.events.some((e) => e.type === 'comment.created')).toBe(false);
      // Following without a digest is not limited.
      expect(await s.ack('subscribe', { article: article.slug, after: 0 })).toMatchObject({ articleId: article.id });
    } finally {
      s.close();
    }
  });
});
