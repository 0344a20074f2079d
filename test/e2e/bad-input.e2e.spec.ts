import { randomUUID } from 'node:crypto';
import { createArticle, createUser, http, TestUser } from '../support/factories.js';
import { connectSocket } from '../support/sockets.js';
import { startTestApp, TestApp } from '../support/test-app.js';

// The bad-input cases of routes and events not covered beside their features.
let t: TestApp;
let mod: TestUser;
let admin: TestUser;
beforeAll(async () => {
  t = await startTestApp();
  [mod, admin] = await Promise.all([createUser(t, 'moderator'), createUser(t, 'admin')]);
});
afterAll(async () => {
  await t.close();
});

describe.each([
  ['GET', '/api/articles?cursor=nonsense', 400, 'INVALID_CURSOR'],
  ['GET', '/api/articles?limit=0', 400, 'VALIDATION_FAILED'],
  ['GET', '/api/me/notifications?cursor=nonsense', 400, 'INVALID_CURSOR'],
  ['GET', '/api/moderation/queue?status=everything', 400, 'VALIDATION_FAILED'],
  ['GET', '/api/moderation/queue?cursor=nonsense', 400, 'INVALID_CURSOR'],
  ['GET', '/api/moderation/queue?article=no-such-article', 404, 'ARTICLE_NOT_FOUND'],
  ['GET', '/api/moderation/log?cursor=nonsense', 400, 'INVALID_CURSOR'],
  ['GET', '/api/moderation/comments/not-a-uuid/revisions', 404, 'COMMENT_NOT_FOUND'],
  ['PATCH', '/api/moderation/articles/no-such-article', 404, 'ARTICLE_NOT_FOUND', { state: 'closed' }],
  ['PATCH', `/api/moderation/users/${randomUUID()}`, 404, 'USER_NOT_FOUND', { banned: true }],
  ['PATCH', '/api/moderation/users/not-a-uuid', 404, 'USER_NOT_FOUND', { banned: true }],
  ['PATCH', `/api/moderation/users/${randomUUID()}`, 400, 'VALIDATION_FAILED', {}],
  ['POST', '/api/moderation/word-rules', 400, 'VALIDATION_FAILED', { pattern: '', action: 'ban' }, 'admin'],
  ['POST', '/api/moderation/word-rules', 400, 'VALIDATION_FAILED', { pattern: '***', action: 'ban' }, 'admin'],
  ['POST', '/api/moderation/word-rules', 400, 'VALIDATION_FAILED', { pattern: 'x', action: 'shadowban' }, 'admin'],
  ['DELETE', '/api/moderation/word-rules/not-a-uuid', 404, 'WORD_RULE_NOT_FOUND', undefined, 'admin'],
  ['GET', '/api/articles/no-such-article/moderation-log', 404, 'ARTICLE_NOT_FOUND'],
  ['PUT', `/api/comments/${randomUUID()}/vote`, 404, 'COMMENT_NOT_FOUND', { value: 1 }],
  ['PATCH', `/api/comments/${randomUUID()}`, 404, 'COMMENT_NOT_FOUND', { body: 'x' }],
  ['DELETE', `/api/comments/${randomUUID()}`, 404, 'COMMENT_NOT_FOUND'],
  ['POST', `/api/comments/${randomUUID()}/reports`, 400, 'UNKNOWN_FIELDS', { reason: 'spam', severity: 9 }],
] as [string, string, number, string, object?, string?][])('%s %s', (method, path, status, code, body, role) => {
  it(`answers ${status} ${code}`, async () => {
    const res = await http(t, method, path, { token: (role === 'admin' ? admin : mod).token, body });
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.body.code).toBe(code);
  });
});

it('writes nothing for a refused word rule or settings change', async () => {
  const before = await t.prisma.wordRule.count();
  await http(t, 'POST', '/api/moderation/word-rules', { token: admin.token, body: { pattern: '!!!', action: 'ban' } });
  expect(await t.prisma.wordRule.count()).toBe(before);
  const article = await createArticle(t.prisma);
  await http(t, 'PATCH', `/api/moderation/articles/${article.slug}`, {
    token: mod.token,
    body: { slowModeSeconds: 'soon' },
  });
  expect(await t.prisma.article.findUniqueOrThrow({ where: { id: article.id } })).toMatchObject({
    slowModeSeconds: 0,
    lastSeq: 0,
  });
});

it('answers malformed socket unsubscriptions with an error ack', async () => {
  const socket = await connectSocket(t.url);
  try {
    expect(await socket.ack('unsubscribe', {})).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    expect(await socket.ack('unsubscribe', { article: 'a', feed: 'moderation' })).toMatchObject({
      error: { code: 'VALIDATION_FAILED' },
    });
    expect(await socket.ack('unsubscribe', { article: 'never-subscribed' })).toEqual({ ok: true });
  } finally {
    socket.close();
  }
});
