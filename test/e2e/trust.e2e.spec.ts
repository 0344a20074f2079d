import { randomUUID } from 'node:crypto';
import { createArticle, createUser, http, postComment, TestUser, unique } from '../support/factories.js';
import { startTestApp, TestApp } from '../support/test-app.js';
import { signSso, SSO_AUDIENCE, SSO_ISSUER, SSO_SECRET } from '../support/sso.js';

// Trust earned, not assumed: new-commenter review, link rules, trust levels
// from history, email-domain rules; every hold names its rules.
const SETTINGS = {
  NEW_COMMENTER_REVIEW: '1',
  // Levels from a short history, computed again at every post.
  TRUST_MEMBER_DAYS: '0',
  TRUST_MEMBER_COMMENTS: '2',
  TRUST_REGULAR_DAYS: '0',
  TRUST_REGULAR_COMMENTS: '3',
  TRUST_REGULAR_UPVOTES: '2',
  TRUST_RECOMPUTE_SECONDS: '0',
  SSO_JWT_SECRET: SSO_SECRET,
  SSO_ISSUER,
  SSO_AUDIENCE,
};

let t: TestApp;
let mod: TestUser;
let admin: TestUser;

beforeAll(async () => {
  t = await startTestApp(SETTINGS);
  [mod, admin] = await Promise.all([createUser(t, 'moderator'), createUser(t, 'admin')]);
});
afterAll(async () => {
  await t.close();
});

const post = (user: TestUser, slug: string, body: string) =>
  http(t, 'POST', `/api/articles/${slug}/comments`, { token: user.token, body: { body } });
const item = (id: string, user = mod) => http(t, 'GET', `/api/moderation/comments/${id}`, { token: user.token });
const act = async (id: string, action: string, extra: object = {}) => {
  const version = (await item(id)).body.version;
  const res = await http(t, 'POST', `/api/moderation/comments/${id}/actions`, {
    token: mod.token,
    body: { action, version, ...extra },
  });
  expect(res.status).toBe(200);
  return res.body;
};
const sanction = (userId: string, body: object, user = mod) =>
  http(t, 'PATCH', `/api/moderation/users/${userId}`, { token: user.token, body });
const settings = (slug: string, body: object) =>
  http(t, 'PATCH', `/api/moderation/articles/${slug}`, { token: mod.token, body });
// An account that has its first comment approved (out of new-commenter review).
async function established(slug: string): Promise<TestUser> {
  const user = await createUser(t);
  const first = await postComment(t, user, slug, 'My first words here');
  await act(first.id, 'approve');
  return user;
}

describe('holds name every rule that held them', () => {
  it('holds a new account’s first comment with a link once, for two reasons, and says so at every moderator door', async () => {
    const article = await createArticle(t.prisma);
    const user = await createUser(t);
    const res = await post(user, article.slug, 'Cheap watches at https://spam.example/watches');
    expect(res.status).toBe(201);
    expect(res.body.status).toBe('pending');
    expect(await t.prisma.comment.count({ where: { articleId: article.id } })).toBe(1);

    const one = await item(res.body.id);
    expect(one.status).toBe(200);
    expect(one.body.holdReasons).toEqual(['new_commenter', 'links']);
    expect(one.body.author).toMatchObject({ id: user.id, trust: { level: 0, name: 'new', pinned: false } });

    const queue = await http(t, 'GET', `/api/moderation/queue?status=pending&article=${article.slug}`, {
      token: mod.token,
    });
    expect(queue.body.items).toHaveLength(1);
    expect(queue.body.items[0]).toMatchObject({ holdReasons: ['new_commenter', 'links'] });

    const health = await http(t, 'GET', `/api/moderation/articles/${article.slug}/health`, { token: mod.token });
    expect(health.body.recent).toMatchObject({ held: 1, holdsByReason: { new_commenter: 1, links: 1 } });

    // The reasons stay with the comment after the decision.
    await act(res.body.id, 'approve');
    expect((await item(res.body.id)).body.holdReasons).toEqual(['new_commenter', 'links']);
  });

  it('answers the comment route for moderators only, with 404 for an unknown comment and 400-free handling of bad ids', async () => {
    const article = await createArticle(t.prisma);
    const reader = await createUser(t);
    const comment = await postComment(t, mod, article.slug, 'A staff comment');
    expect((await http(t, 'GET', `/api/moderation/comments/${comment.id}`)).status).toBe(401);
    const forbidden = await item(comment.id, reader);
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.code).toBe('FORBIDDEN');
    expect((await item(randomUUID())).body.code).toBe('COMMENT_NOT_FOUND');
    expect((await item('not-a-uuid')).body.code).toBe('COMMENT_NOT_FOUND');
    expect((await item(comment.id)).body.holdReasons).toEqual([]);
  });

  it('never shows a reader the trust level or the reasons', async () => {
    const article = await createArticle(t.prisma);
    const user = await established(article.slug);
    const comment = await postComment(t, user, article.slug, 'Plain words');
    const asReader = await http(t, 'GET', `/api/comments/${comment.id}`);
    expect(JSON.stringify(asReader.body)).not.toMatch(/trust|holdReasons/);
    const thread = await http(t, 'GET', `/api/articles/${article.slug}/comments`);
    expect(JSON.stringify(thread.body)).not.toMatch(/trust|holdReasons/);
  });
});

describe('new commenters', () => {
  it('holds an account’s first N comments until approved, per article, and lets it out after N approvals', async () => {
    const article = await createArticle(t.prisma);
    expect((await settings(article.slug, { newCommenterReview: 2 })).body.newCommenterReview).toBe(2);
    const user = await createUser(t);
    const first = await postComment(t, user, article.slug, 'First');
    expect(first.status).toBe('pending');
    // A rejected comment does not count toward the N.
    await act(first.id, 'reject', { reason: 'off_topic' });
    const second = await postComment(t, user, article.slug, 'Second');
    expect(second.status).toBe('pending');
    await act(second.id, 'approve');
    const third = await postComment(t, user, article.slug, 'Third');
    expect(third.status).toBe('pending');
    expect((await item(third.id)).body.holdReasons).toEqual(['new_commenter']);
    await act(third.id, 'approve');
    expect((await postComment(t, user, article.slug, 'Fourth')).status).toBe('published');
  });

  it('is off on an article set to 0, and follows the newsroom’s setting when set back to null', async () => {
    const article = await createArticle(t.prisma);
    await settings(article.slug, { newCommenterReview: 0 });
    const user = await createUser(t);
    expect((await postComment(t, user, article.slug, 'Straight in')).status).toBe('published');
    await settings(article.slug, { newCommenterReview: null });
    const other = await createUser(t);
    expect((await postComment(t, other, article.slug, 'Held now')).status).toBe('pending');
  });

  it('refuses a bad per-article setting and changes nothing', async () => {
    const article = await createArticle(t.prisma);
    for (const value of [-1, 1.5, '3', 1001]) {
      const res = await settings(article.slug, { newCommenterReview: value });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
    }
    const stored = await t.prisma.article.findUniqueOrThrow({ where: { id: article.id } });
    expect(stored.newCommenterReview).toBeNull();
  });

  it('spares an account whose level a moderator pinned, and moderators', async () => {
    const article = await createArticle(t.prisma);
    const user = await createUser(t);
    expect((await sanction(user.id, { trustLevel: 1 })).body.trust).toEqual({ level: 1, name: 'member', pinned: true });
    expect((await postComment(t, user, article.slug, 'Vouched for')).status).toBe('published');
    expect((await postComment(t, mod, article.slug, 'Staff, with https://example.com')).status).toBe('published');
  });
});

describe('links', () => {
  it('holds any link from an account below the trusted level, counting bare URLs and email addresses', async () => {
    const article = await createArticle(t.prisma);
    const user = await established(article.slug);
    for (const body of ['see https://example.com/x', 'write to me@example.com', '[here](https://example.com)']) {
      const held = await postComment(t, user, article.slug, body);
      expect(held.status).toBe('pending');
      expect((await item(held.id)).body.holdReasons).toEqual(['links']);
    }
    // Text that only looks like a link is not one.
    expect((await postComment(t, user, article.slug, 'example dot com, or `https://x`')).status).toBe('published');
  });

  it('lets a trusted account post up to LINKS_MAX links, with rel="nofollow ugc noopener", and holds more', async () => {
    const article = await createArticle(t.prisma);
    const user = await createUser(t);
    await sanction(user.id, { trustLevel: 1 });
    const one = await postComment(t, user, article.slug, 'Source: https://example.com/report');
    expect(one.status).toBe('published');
    expect(one.html).toContain('rel="nofollow ugc noopener"');
    const links = Array.from({ length: 6 }, (_, i) => `https://example.com/${i}`).join(' ');
    const many = await postComment(t, user, article.slug, `Sources: ${links}`);
    expect(many.status).toBe('pending');
    expect((await item(many.id)).body.holdReasons).toEqual(['links']);
  });
});

describe('trust levels', () => {
  it('rise with published comments and upvotes received, and fall after a removal', async () => {
    const article = await createArticle(t.prisma);
    const user = await established(article.slug);
    const level = async (commentId: string) => (await item(commentId)).body.author.trust.level;
    // One published comment: still new (member needs 2).
    const a = await postComment(t, user, article.slug, 'Second thought');
    expect(a.status).toBe('published');
    // Computed at each post from the history before it.
    const b = await postComment(t, user, article.slug, 'Third thought');
    expect(await level(b.id)).toBe(1);
    // Three published, but no upvotes yet: member.
    const c = await postComment(t, user, article.slug, 'Fourth thought');
    expect(await level(c.id)).toBe(1);
    const [x, y] = await Promise.all([createUser(t), createUser(t)]);
    for (const voter of [x, y]) {
      const vote = await http(t, 'PUT', `/api/comments/${a.id}/vote`, { token: voter.token, body: { value: 1 } });
      expect(vote.status).toBe(200);
    }
    const d = await postComment(t, user, article.slug, 'Fifth thought');
    expect(await level(d.id)).toBe(2);
    // A regular's link is not held.
    expect((await postComment(t, user, article.slug, 'https://example.com/source')).status).toBe('published');
    // A removal takes it back to new at once (the decision marks the level stale).
    await act(d.id, 'remove', { reason: 'abuse' });
    const e = await postComment(t, user, article.slug, 'After the removal, https://example.com');
    expect(e.status).toBe('pending');
    expect((await item(e.id)).body).toMatchObject({ holdReasons: ['links'], author: { trust: { level: 0 } } });
  });

  it('can be pinned and unpinned by a moderator, recorded in the moderation log', async () => {
    const user = await createUser(t);
    expect((await sanction(user.id, { trustLevel: 2 })).body.trust).toEqual({
      level: 2,
      name: 'regular',
      pinned: true,
    });
    const unpinned = await sanction(user.id, { trustLevel: null });
    expect(unpinned.body.trust).toEqual({ level: 0, name: 'new', pinned: false });
    const log = (await http(t, 'GET', '/api/moderation/log', { token: mod.token })).body.items;
    const mine = log
      .filter((e: { targetId: string }) => e.targetId === user.id)
      .map((e: { action: string }) => e.action);
    expect(mine).toEqual(['unpin_trust_level', 'pin_trust_level']);
  });

  it('refuses a bad level, a pin by a commenter, and a pin on staff', async () => {
    const user = await createUser(t);
    for (const trustLevel of [3, -1, '1', 1.5]) {
      const res = await sanction(user.id, { trustLevel });
      expect(res.status).toBe(400);
    }
    const reader = await createUser(t);
    expect((await sanction(user.id, { trustLevel: 2 }, reader)).status).toBe(403);
    expect((await sanction(admin.id, { trustLevel: 0 })).body.code).toBe('CANNOT_SANCTION_STAFF');
    const stored = await t.prisma.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(stored.trustLevelPinned).toBeNull();
  });

  it('counts a regular’s report double toward holding a comment', async () => {
    const article = await createArticle(t.prisma);
    const author = await established(article.slug);
    const report = (user: TestUser, id: string) =>
      http(t, 'POST', `/api/comments/${id}/reports`, { token: user.token, body: { reason: 'abuse' } });
    const [r1, r2, regular] = await Promise.all([createUser(t), createUser(t), createUser(t)]);
    await sanction(regular.id, { trustLevel: 2 });

    const plain = await postComment(t, author, article.slug, 'Reported by two readers');
    await report(r1, plain.id);
    await report(r2, plain.id);
    expect((await item(plain.id)).body.comment.status).toBe('published');

    const weighed = await postComment(t, author, article.slug, 'Reported by a regular and a reader');
    await report(regular, weighed.id);
    await report(r1, weighed.id);
    const held = (await item(weighed.id)).body;
    expect(held.comment.status).toBe('pending');
    expect(held.holdReasons).toEqual(['reports']);
  });
});

describe('email domains', () => {
  const rules = (body?: object, user = mod) =>
    http(t, body ? 'POST' : 'GET', '/api/moderation/email-domains', { token: user.token, body });
  const register = (email: string) =>
    http(t, 'POST', '/api/auth/register', {
      body: { username: unique('d').replace('-', '_'), email, password: 'correct horse battery' },
    });

  it('refuses sign-ups at a refused domain and its subdomains, and lets them in once the rule is gone', async () => {
    const domain = `${unique('troll')}.example`;
    const added = await rules({ domain: `@${domain.toUpperCase()}`, action: 'refuse' });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ domain, action: 'refuse' });
    for (const email of [`a@${domain}`, `b@mail.${domain}`]) {
      const res = await register(email);
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ code: 'EMAIL_DOMAIN_REFUSED', domain });
      expect(await t.prisma.user.count({ where: { email } })).toBe(0);
    }
    expect((await rules()).body.items).toEqual(expect.arrayContaining([expect.objectContaining({ domain })]));
    const removed = await http(t, 'DELETE', `/api/moderation/email-domains/${added.body.id}`, { token: mod.token });
    expect(removed.status).toBe(204);
    const log = (await http(t, 'GET', '/api/moderation/log', { token: mod.token })).body.items;
    const entries = log.filter((e: { targetId: string }) => e.targetId === added.body.id);
    expect(entries).toEqual([
      expect.objectContaining({
        action: 'remove_email_domain',
        targetType: 'email_domain',
        note: `${domain} (refuse)`,
      }),
      expect.objectContaining({ action: 'add_email_domain', moderator: expect.objectContaining({ id: mod.id }) }),
    ]);
    expect((await register(`c@${domain}`)).status).toBe(201);
  });

  it('refuses a new account from the publisher’s login at a refused domain, but signs in one made before', async () => {
    const domain = `${unique('sso')}.example`;
    const before = unique('before');
    const made = await http(t, 'POST', '/api/auth/sso', {
      body: { token: await signSso({ sub: before, name: 'Early', email: `${before}@${domain}` }) },
    });
    expect(made.status).toBe(200);
    await rules({ domain, action: 'refuse' });
    const sub = unique('sub');
    const res = await http(t, 'POST', '/api/auth/sso', {
      body: { token: await signSso({ sub, name: 'Troll', email: `${sub}@${domain}` }) },
    });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('EMAIL_DOMAIN_REFUSED');
    expect(await t.prisma.user.count({ where: { externalSubject: sub } })).toBe(0);
    // The account made before the rule signs in, and its comments are held.
    const again = await http(t, 'POST', '/api/auth/sso', {
      body: { token: await signSso({ sub: before, name: 'Early', email: `${before}@${domain}` }) },
    });
    expect(again.status).toBe(200);
    const article = await createArticle(t.prisma);
    await settings(article.slug, { newCommenterReview: 0 });
    const held = await http(t, 'POST', `/api/articles/${article.slug}/comments`, {
      token: again.body.accessToken,
      body: { body: 'Still here' },
    });
    expect(held.body.status).toBe('pending');
    expect((await item(held.body.id)).body.holdReasons).toEqual(['email_domain']);
  });

  it('premoderates every comment of accounts at a premoderated domain', async () => {
    const domain = `${unique('pm')}.example`;
    await rules({ domain, action: 'premoderate' });
    const res = await register(`someone@${domain}`);
    expect(res.status).toBe(201);
    const user = { ...res.body.user, token: res.body.accessToken } as TestUser;
    await sanction(user.id, { trustLevel: 2 });
    const article = await createArticle(t.prisma);
    const held = await postComment(t, user, article.slug, 'Hello');
    expect(held.status).toBe('pending');
    expect((await item(held.id)).body.holdReasons).toEqual(['email_domain']);
  });

  it('refuses bad rules, duplicates, unknown ids and commenters, and writes nothing', async () => {
    const count = await t.prisma.emailDomainRule.count();
    for (const body of [
      { domain: 'localhost', action: 'refuse' },
      { domain: 'not a domain.com', action: 'refuse' },
      { domain: 'example.com', action: 'ban' },
      { domain: 'example.com' },
      { domain: 'example.com', action: 'refuse', extra: 1 },
    ]) {
      const res = await rules(body);
      expect(res.status).toBe(400);
    }
    const domain = `${unique('dup')}.example`;
    await rules({ domain, action: 'refuse' });
    const twice = await rules({ domain, action: 'premoderate' });
    expect(twice.status).toBe(409);
    expect(twice.body.code).toBe('EMAIL_DOMAIN_RULE_EXISTS');
    const missing = await http(t, 'DELETE', `/api/moderation/email-domains/${randomUUID()}`, { token: mod.token });
    expect(missing.body.code).toBe('EMAIL_DOMAIN_RULE_NOT_FOUND');
    const reader = await createUser(t);
    expect((await rules({ domain: 'other.example', action: 'refuse' }, reader)).status).toBe(403);
    expect((await rules(undefined, reader)).status).toBe(403);
    expect((await http(t, 'GET', '/api/moderation/email-domains')).status).toBe(401);
    expect(await t.prisma.emailDomainRule.count()).toBe(count + 1);
  });
});

describe('the bundled disposable-mail list', () => {
  it('is off by default', async () => {
    const res = await http(t, 'POST', '/api/auth/register', {
      body: {
        username: unique('m').replace('-', '_'),
        email: `${unique('x')}@mailinator.com`,
        password: 'correct horse battery',
      },
    });
    expect(res.status).toBe(201);
  });

  it('refuses or premoderates disposable addresses when switched on', async () => {
    const refuse = await startTestApp({ DISPOSABLE_EMAIL_DOMAINS: 'refuse' });
    const premoderate = await startTestApp({ DISPOSABLE_EMAIL_DOMAINS: 'premoderate' });
    try {
      const body = () => ({
        username: unique('m').replace('-', '_'),
        email: `${unique('x')}@mailinator.com`,
        password: 'correct horse battery',
      });
      const refused = await http(refuse, 'POST', '/api/auth/register', { body: body() });
      expect(refused.status).toBe(403);
      expect(refused.body).toMatchObject({ code: 'EMAIL_DOMAIN_REFUSED', domain: 'mailinator.com' });
      expect((await createUser(refuse)).id).toBeTruthy();

      const made = await http(premoderate, 'POST', '/api/auth/register', { body: body() });
      expect(made.status).toBe(201);
      const article = await createArticle(premoderate.prisma);
      const held = await http(premoderate, 'POST', `/api/articles/${article.slug}/comments`, {
        token: made.body.accessToken,
        body: { body: 'Throwaway' },
      });
      expect(held.body.status).toBe('pending');
      const ordinary = await createUser(premoderate);
      expect((await postComment(premoderate, ordinary, article.slug, 'Ordinary')).status).toBe('published');
    } finally {
      await Promise.all([refuse.close(), premoderate.close()]);
    }
  });
});
