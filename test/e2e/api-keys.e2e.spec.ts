import { createArticle, createUser, http, postComment, TestUser } from '../support/factories.js';
import { connectSocket } from '../support/sockets.js';
import { startTestApp, TestApp } from '../support/test-app.js';

let t: TestApp;
let admin: TestUser;
let mod: TestUser;
let reader: TestUser;

beforeAll(async () => {
  t = await startTestApp();
  [admin, mod, reader] = await Promise.all([createUser(t, 'admin'), createUser(t, 'moderator'), createUser(t)]);
});
afterAll(async () => {
  await t.close();
});

async function makeKey(scopes: string[], name = 'CMS'): Promise<{ id: string; key: string }> {
  const res = await http(t, 'POST', '/api/admin/api-keys', { token: admin.token, body: { name, scopes } });
  expect(res.status).toBe(201);
  return res.body;
}

describe('service keys', () => {
  it('are shown once, stored hashed, listed with their last use, never with the secret', async () => {
    const res = await http(t, 'POST', '/api/admin/api-keys', {
      token: admin.token,
      body: { name: 'The CMS', scopes: ['comments:read', 'moderation:write'] },
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body).toMatchObject({
      name: 'The CMS',
      scopes: ['comments:read', 'moderation:write'],
      createdBy: admin.id,
      lastUsedAt: null,
      revokedAt: null,
    });
    expect(res.body.key).toMatch(/^rjk_[A-Za-z0-9_-]{43}$/);
    expect(res.body.key.startsWith(res.body.prefix)).toBe(true);
    const row = await t.prisma.apiKey.findUniqueOrThrow({ where: { id: res.body.id } });
    expect(row.hash).not.toContain(res.body.key);
    expect(JSON.stringify(row)).not.toContain(res.body.key);

    const used = await http(t, 'GET', '/api/moderation/log', { token: res.body.key });
    expect(used.status).toBe(200);
    const list = await http(t, 'GET', '/api/admin/api-keys?limit=100', { token: admin.token });
    expect(list.status).toBe(200);
    const listed = list.body.items.find((k: { id: string }) => k.id === res.body.id);
    expect(listed).toBeDefined();
    expect(listed.key).toBeUndefined();
    expect(JSON.stringify(list.body)).not.toContain(res.body.key);
    // The last use is written off the request's path: wait for it.
    let lastUsedAt: Date | null = null;
    for (let i = 0; i < 100 && !lastUsedAt; i++) {
      lastUsedAt = (await t.prisma.apiKey.findUniqueOrThrow({ where: { id: res.body.id } })).lastUsedAt;
      if (!lastUsedAt) await new Promise((r) => setTimeout(r, 20));
    }
    expect(lastUsedAt).not.toBeNull();
  });

  it('enforces scopes at every route, and refuses keys on routes that take none', async () => {
    const readOnly = await makeKey(['comments:read']);
    const article = await createArticle(t.prisma);
    const comment = await postComment(t, reader, article.slug, 'a comment');
    const routes: { method: string; path: string; body?: unknown; scope: string | null }[] = [
      { method: 'GET', path: '/api/moderation/queue', scope: 'comments:read' },
      { method: 'GET', path: '/api/moderation/log', scope: 'comments:read' },
      { method: 'GET', path: `/api/moderation/comments/${comment.id}/revisions`, scope: 'comments:read' },
      { method: 'GET', path: `/api/moderation/articles/${article.slug}/health`, scope: 'comments:read' },
      {
        method: 'POST',
        path: `/api/moderation/comments/${comment.id}/actions`,
        body: { action: 'feature', version: 1 },
        scope: 'moderation:write',
      },
      {
        method: 'PATCH',
        path: `/api/moderation/articles/${article.slug}`,
        body: { premoderation: false },
        scope: 'moderation:write',
      },
      {
        method: 'PATCH',
        path: `/api/moderation/users/${reader.id}`,
        body: { premoderated: false },
        scope: 'moderation:write',
      },
      { method: 'GET', path: '/api/admin/api-keys', scope: null },
      { method: 'POST', path: '/api/admin/api-keys', body: { name: 'x', scopes: ['comments:read'] }, scope: null },
      { method: 'GET', path: '/api/moderation/word-rules', scope: null },
      { method: 'PUT', path: `/api/moderation/users/${reader.id}/role`, body: { role: 'moderator' }, scope: null },
      { method: 'DELETE', path: `/api/admin/api-keys/${readOnly.id}`, scope: null },
      { method: 'GET', path: '/api/me', scope: null },
      { method: 'GET', path: '/api/me/notifications', scope: null },
      { method: 'GET', path: '/api/me/export', scope: null },
    ];
    for (const route of routes) {
      const res = await http(t, route.method, route.path, { token: readOnly.key, body: route.body });
      if (route.scope === 'comments:read') expect([route.path, res.status]).toEqual([route.path, 200]);
      else if (route.scope === null) expect([route.path, res.body.code]).toEqual([route.path, 'API_KEY_NOT_ALLOWED']);
      else expect([route.path, res.body.code]).toEqual([route.path, 'API_KEY_SCOPE_MISSING']);
    }
    // The key was not revoked by its own attempt.
    expect((await t.prisma.apiKey.findUniqueOrThrow({ where: { id: readOnly.id } })).revokedAt).toBeNull();
  });

  it('cannot post, vote, report, edit or delete, over HTTP or the socket', async () => {
    const key = await makeKey([
      'articles:read',
      'articles:write',
      'comments:read',
      'moderation:write',
      'webhooks:manage',
    ]);
    const article = await createArticle(t.prisma);
    const comment = await postComment(t, reader, article.slug, 'hello');
    const attempts = [
      http(t, 'POST', `/api/articles/${article.slug}/comments`, { token: key.key, body: { body: 'as a key' } }),
      http(t, 'PUT', `/api/comments/${comment.id}/vote`, { token: key.key, body: { value: 1 } }),
      http(t, 'POST', `/api/comments/${comment.id}/reports`, { token: key.key, body: { reason: 'spam' } }),
      http(t, 'PATCH', `/api/comments/${comment.id}`, { token: key.key, body: { body: 'changed' } }),
      http(t, 'DELETE', `/api/comments/${comment.id}`, { token: key.key }),
      http(t, 'GET', `/api/articles/${article.slug}/comments`, { token: key.key }),
    ];
    for (const res of await Promise.all(attempts)) expect(res.body.code).toBe('API_KEY_NOT_ALLOWED');
    // The socket takes people's access tokens only: a key does not connect.
    await expect(connectSocket(t.url, { token: key.key })).rejects.toThrow('INVALID_TOKEN');
    const thread = await http(t, 'GET', `/api/articles/${article.slug}/comments`);
    expect(thread.body.items).toHaveLength(1);
    expect(
      (await t.prisma.vote.count({ where: { commentId: comment.id } })) +
        (await t.prisma.report.count({ where: { commentId: comment.id } })),
    ).toBe(0);
  });

  it('is refused once revoked, and attributes its actions in the moderation log', async () => {
    const key = await makeKey(['moderation:write', 'comments:read'], 'Desk bot');
    const article = await createArticle(t.prisma);
    const comment = await postComment(t, reader, article.slug, 'remove me');
    const acted = await http(t, 'POST', `/api/moderation/comments/${comment.id}/actions`, {
      token: key.key,
      body: { action: 'remove', version: 1, reason: 'spam' },
    });
    expect(acted.status).toBe(200);
    const log = await http(t, 'GET', `/api/moderation/log?article=${article.slug}`, { token: mod.token });
    expect(log.body.items).toEqual([
      expect.objectContaining({ action: 'remove', moderator: null, apiKey: { id: key.id, name: 'Desk bot' } }),
    ]);

    const revoked = await http(t, 'DELETE', `/api/admin/api-keys/${key.id}`, { token: admin.token });
    expect(revoked.status).toBe(200);
    expect(revoked.body.revokedAt).not.toBeNull();
    const again = await http(t, 'GET', '/api/moderation/log', { token: key.key });
    expect(again.status).toBe(401);
    expect(again.body.code).toBe('INVALID_TOKEN');
  });

  it('refuses bad input, unknown keys and non-admins', async () => {
    const bad = [
      { name: '', scopes: ['comments:read'] },
      { name: 'x', scopes: [] },
      { name: 'x', scopes: ['everything'] },
      { name: 'x', scopes: ['comments:read'], id: 'mine' },
      { name: 'x\u0000', scopes: ['comments:read'] },
    ];
    for (const body of bad) {
      const res = await http(t, 'POST', '/api/admin/api-keys', { token: admin.token, body });
      expect(res.status).toBe(400);
    }
    expect(
      (await http(t, 'POST', '/api/admin/api-keys', { body: { name: 'x', scopes: ['comments:read'] } })).status,
    ).toBe(401);
    for (const user of [mod, reader]) {
      const res = await http(t, 'POST', '/api/admin/api-keys', {
        token: user.token,
        body: { name: 'x', scopes: ['comments:read'] },
      });
      expect(res.body.code).toBe('FORBIDDEN');
      expect((await http(t, 'GET', '/api/admin/api-keys', { token: user.token })).body.code).toBe('FORBIDDEN');
    }
    expect((await http(t, 'DELETE', '/api/admin/api-keys/not-a-uuid', { token: admin.token })).body.code).toBe(
      'API_KEY_NOT_FOUND',
    );
    expect(
      (await http(t, 'DELETE', '/api/admin/api-keys/00000000-0000-4000-8000-000000000000', { token: admin.token })).body
        .code,
    ).toBe('API_KEY_NOT_FOUND');
    const forged = 'rjk_' + 'A'.repeat(43);
    expect((await http(t, 'GET', '/api/moderation/log', { token: forged })).body.code).toBe('INVALID_TOKEN');
    expect((await http(t, 'GET', '/api/moderation/log', { token: 'rjk_short' })).body.code).toBe('INVALID_TOKEN');
    expect((await http(t, 'GET', '/api/admin/api-keys?cursor=abc', { token: admin.token })).body.code).toBe(
      'INVALID_CURSOR',
    );
  });
});
