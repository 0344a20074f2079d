import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createArticle, createUser, http, postComment, TestUser } from '../support/factories.js';
import { startFakeAkismet } from '../support/fake-akismet.js';
import type { FakeAkismet } from '../support/fake-akismet.js';
import { startTestApp, TestApp } from '../support/test-app.js';
import { waitUntil } from '../support/sockets.js';

// The spam check, with Akismet's protocol spoken by a local fake: spam holds
// with the reason, ham goes through, a slow or absent service never blocks
// posting, and moderators' decisions go back as ham or spam from the log.
const AKISMET = (url: string) => ({
  AKISMET_KEY: 'test-akismet-key',
  AKISMET_URL: url,
  AKISMET_SITE: 'https://news.example.test',
  AKISMET_FEEDBACK_INTERVAL_MS: '100',
});

let akismet: FakeAkismet;
let t: TestApp;
let mod: TestUser;
let user: TestUser;

beforeAll(async () => {
  akismet = await startFakeAkismet();
  t = await startTestApp(AKISMET(akismet.url));
  [mod, user] = await Promise.all([createUser(t, 'moderator'), createUser(t)]);
  // An established reader: only the spam check holds their comments.
  await t.prisma.user.update({ where: { id: user.id }, data: { trustLevelPinned: 2 } });
});
afterAll(async () => {
  await t.close();
  await akismet.close();
});

const item = async (id: string) => (await http(t, 'GET', `/api/moderation/comments/${id}`, { token: mod.token })).body;
const act = async (id: string, action: string, extra: object = {}) => {
  const res = await http(t, 'POST', `/api/moderation/comments/${id}/actions`, {
    token: mod.token,
    body: { action, version: (await item(id)).version, ...extra },
  });
  expect(res.status).toBe(200);
};
const submits = (kind: 'spam' | 'ham', body: string) =>
  akismet.calls.filter((c) => c.method === `submit-${kind}` && c.form.comment_content === body);

describe('the spam check', () => {
  it('holds a comment Akismet calls spam, with the reason, and sends it what Akismet needs', async () => {
    const article = await createArticle(t.prisma);
    const body = 'Cheap viagra for everyone';
    const res = await http(t, 'POST', `/api/articles/${article.slug}/comments`, {
      token: user.token,
      body: { body },
      headers: { 'user-agent': 'TestBrowser/1.0' },
    });
    expect(res.status).toBe(201);
    expect(res.body.status).toBe('pending');
    expect((await item(res.body.id)).holdReasons).toEqual(['spam']);
    const check = akismet.calls.find((c) => c.method === 'comment-check' && c.form.comment_content === body)!;
    expect(check.form).toMatchObject({
      api_key: 'test-akismet-key',
      blog: 'https://news.example.test',
      comment_type: 'comment',
      comment_author: user.username,
      comment_author_email: user.email,
      user_ip: '127.0.0.1',
      user_agent: 'TestBrowser/1.0',
    });
  });

  it('lets ham through', async () => {
    const article = await createArticle(t.prisma);
    expect((await postComment(t, user, article.slug, 'A thoughtful remark')).status).toBe('published');
  });

  it('never blocks posting when Akismet answers slowly, or with no verdict', async () => {
    const article = await createArticle(t.prisma);
    expect((await postComment(t, user, article.slug, 'Said slowly, and kindly')).status).toBe('published');
    expect((await postComment(t, user, article.slug, 'A garbled answer')).status).toBe('published');
    // The comment follows the other rules: a link from a new account is still held.
    const fresh = await createUser(t);
    const held = await postComment(t, fresh, article.slug, 'Said slowly: https://example.com');
    expect(held.status).toBe('pending');
    expect((await item(held.id)).holdReasons).toEqual(['links']);
  });

  it('sends a moderator’s approval of spam back as ham, and a rejection of ham as spam', async () => {
    const article = await createArticle(t.prisma);
    const spam = 'Not really viagra, a pharmacology question';
    const wrongly = await postComment(t, user, article.slug, spam);
    expect(wrongly.status).toBe('pending');
    await act(wrongly.id, 'approve');

    const ham = 'Looks fine, but is a scam';
    const missed = await postComment(t, user, article.slug, ham);
    expect(missed.status).toBe('published');
    await act(missed.id, 'remove', { reason: 'spam' });

    // Agreement needs no message: a spam verdict rejected is not sent.
    const agreed = 'More viagra';
    const rejected = await postComment(t, user, article.slug, agreed);
    await act(rejected.id, 'reject', { reason: 'spam' });

    // A later correction: once it is sent, every decision before it was handled.
    const later = 'A later one, removed as spam';
    await act((await postComment(t, user, article.slug, later)).id, 'remove', { reason: 'spam' });

    await waitUntil(() => submits('spam', later).length === 1, 15_000);
    expect(submits('ham', spam)).toHaveLength(1);
    expect(submits('spam', ham)).toHaveLength(1);
    expect(submits('ham', spam)[0].form).toMatchObject({ comment_author: user.username, user_ip: '127.0.0.1' });
    expect(submits('spam', agreed)).toHaveLength(0);
    expect(submits('ham', agreed)).toHaveLength(0);
  });

  it('retries a decision Akismet could not take, and sends it once', async () => {
    const article = await createArticle(t.prisma);
    const body = 'viagra, retried';
    const comment = await postComment(t, user, article.slug, body);
    akismet.failSubmits = 2;
    await act(comment.id, 'approve');
    await waitUntil(() => akismet.failSubmits === 0 && submits('ham', body).length === 3, 15_000);
    // Two calls refused, the third taken; then the worker moves on and never sends it again.
    const later = 'viagra, approved later';
    await act((await postComment(t, user, article.slug, later)).id, 'approve');
    await waitUntil(() => submits('ham', later).length === 1, 15_000);
    expect(submits('ham', body)).toHaveLength(3);
  });
});

describe('an Akismet that cannot be reached', () => {
  it('never blocks posting: the comment follows the other rules', async () => {
    // A port nothing listens on.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const down = await startTestApp(AKISMET(`http://127.0.0.1:${port}`));
    try {
      const article = await createArticle(down.prisma);
      const reader = await createUser(down);
      expect((await postComment(down, reader, article.slug, 'Cheap viagra, unchecked')).status).toBe('published');
    } finally {
      await down.close();
    }
  });

  it('needs AKISMET_SITE with AKISMET_KEY, named at start-up', async () => {
    await expect(startTestApp({ AKISMET_KEY: 'k' })).rejects.toThrow(/AKISMET_SITE/);
  });
});
