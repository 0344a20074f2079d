import { readFileSync } from 'node:fs';
import { ErrorCode } from '@rejoinder/common';
import { http } from '../support/factories.js';
import { startTestApp, TestApp } from '../support/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});

describe('probes', () => {
  it('reports liveness and readiness', async () => {
    expect(await http(t, 'GET', '/health')).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await http(t, 'GET', '/ready')).toMatchObject({
      status: 200,
      body: { status: 'ready', database: 'up', redis: 'unused' },
    });
  });

  it('reports what the node depends on in detail', async () => {
    expect(await http(t, 'GET', '/health/details')).toMatchObject({
      status: 200,
      body: {
        status: 'ok',
        database: 'up',
        redis: 'unused',
        connections: {},
        rateLimits: { store: 'memory', localDecisions: 0 },
        realtime: { adapter: 'memory', crossNode: 'direct', presence: 'exact' },
      },
    });
  });
});

describe('request ids', () => {
  it('echoes a sane X-Request-Id and makes one otherwise', async () => {
    const given = await http(t, 'GET', '/health', { headers: { 'x-request-id': 'abc-123' } });
    expect(given.headers.get('x-request-id')).toBe('abc-123');
    const made = await http(t, 'GET', '/health', { headers: { 'x-request-id': 'bad id with spaces\u00e9' } });
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('puts the request id into problem documents', async () => {
    const res = await http(t, 'GET', '/api/articles/nope', { headers: { 'x-request-id': 'trace-me' } });
    expect(res.body.requestId).toBe('trace-me');
  });
});

describe('unknown routes', () => {
  it('answers a problem document, not an HTML page', async () => {
    const res = await http(t, 'GET', '/api/nothing-here');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.body.code).toBe('ROUTE_NOT_FOUND');
  });
});

describe('OpenAPI', () => {
  it('describes every route with its error codes', async () => {
    const res = await http(t, 'GET', '/docs/openapi.json');
    expect(res.status).toBe(200);
    const doc = res.body;
    const routes = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(routes.sort()).toEqual(
      [
        'GET /health',
        'GET /health/details',
        'GET /ready',
        'POST /api/auth/register',
        'POST /api/auth/login',
        'GET /api/me',
        'GET /api/articles',
        'GET /api/articles/{slug}',
        'GET /api/articles/{slug}/comments',
        'GET /api/articles/{slug}/digest',
        'GET /api/articles/{slug}/events',
        'POST /api/articles/{slug}/comments',
        'GET /api/comments/{id}',
        'GET /api/comments/{id}/replies',
        'POST /api/comments/{id}/reports',
        'PUT /api/comments/{id}/vote',
        'PATCH /api/comments/{id}',
        'DELETE /api/comments/{id}',
        'GET /api/me/notifications',
        'POST /api/me/notifications/read',
        'GET /api/moderation/articles/{slug}/health',
        'GET /api/moderation/comments/{id}',
        'GET /api/moderation/comments/{id}/revisions',
        'GET /api/articles/{slug}/moderation-log',
        'GET /api/moderation/queue',
        'POST /api/moderation/comments/{id}/actions',
        'PATCH /api/moderation/articles/{slug}',
        'PATCH /api/moderation/users/{id}',
        'PUT /api/moderation/users/{id}/role',
        'GET /api/moderation/log',
        'GET /api/moderation/word-rules',
        'POST /api/moderation/word-rules',
        'DELETE /api/moderation/word-rules/{id}',
        'GET /api/moderation/email-domains',
        'POST /api/moderation/email-domains',
        'DELETE /api/moderation/email-domains/{id}',
        'POST /api/auth/sso',
        'POST /api/auth/oidc/start',
        'POST /api/auth/oidc/callback',
        'GET /api/me/export',
        'DELETE /api/me',
        'DELETE /api/admin/users/{id}',
        'GET /api/admin/retention',
        'POST /api/admin/retention/run',
        'POST /api/auth/verify-email',
        'POST /api/me/email/verification',
        'POST /api/auth/password-reset',
        'POST /api/auth/password-reset/confirm',
        'PUT /api/me/password',
        'PUT /api/me/email',
        'GET /api/me/notification-settings',
        'PATCH /api/me/notification-settings',
        'GET /api/locale',
        'PUT /api/me/locale',
        'GET /api/mail/unsubscribe',
        'POST /api/mail/unsubscribe',
        'GET /api/admin/mail',
        'POST /api/admin/api-keys',
        'GET /api/admin/api-keys',
        'DELETE /api/admin/api-keys/{id}',
        'PUT /api/admin/articles/{externalId}',
        'GET /api/admin/articles',
        'POST /api/embed/articles',
        'OPTIONS /api/embed/articles',
        'POST /api/admin/webhooks',
        'GET /api/admin/webhooks',
        'PATCH /api/admin/webhooks/{id}',
        'DELETE /api/admin/webhooks/{id}',
        'POST /api/admin/webhooks/{id}/rotate-secret',
        'POST /api/admin/webhooks/{id}/test',
        'POST /api/admin/webhooks/{id}/replay',
        'GET /api/admin/webhooks/{id}/deliveries',
        'GET /api/articles/{slug}/comments.atom',
        'GET /api/comments.atom',
        'GET /api/feeds/replies/{token}',
        'POST /api/me/feeds/replies',
        'DELETE /api/me/feeds/replies',
      ].sort(),
    );
    const post = doc.paths['/api/articles/{slug}/comments'].post;
    const described = JSON.stringify(post.responses);
    for (const code of [
      ErrorCode.CommentBodyEmpty,
      ErrorCode.UnknownFields,
      ErrorCode.ThreadTooDeep,
      ErrorCode.ArticleClosed,
    ]) {
      expect(described).toContain(code);
    }
    expect(post.requestBody.content['application/json'].schema.properties).toHaveProperty('body');
    expect(post.requestBody.content['application/json'].schema.additionalProperties).toBe(false);
  });

  it('matches docs/openapi.json (run npm run openapi after changing the API)', async () => {
    const { servers, ...served } = (await http(t, 'GET', '/docs/openapi.json')).body;
    const { servers: committed, ...rest } = JSON.parse(readFileSync('docs/openapi.json', 'utf8'));
    expect(served).toEqual(rest);
    // The file names the server it is served by; served, the document names it.
    expect(committed).toEqual([{ url: '/', description: 'The server this document is served by' }]);
    expect(servers).toEqual([{ url: t.url }]);
  });

  it('serves docs/asyncapi.json at /docs/asyncapi.json, naming this server', async () => {
    const res = await http(t, 'GET', '/docs/asyncapi.json');
    expect(res.status).toBe(200);
    const { servers, ...served } = res.body;
    const { servers: committed, ...rest } = JSON.parse(readFileSync('docs/asyncapi.json', 'utf8'));
    expect(served).toEqual(rest);
    expect(committed.api.host).toBe('{host}');
    expect(servers.api).toMatchObject({ host: new URL(t.url).host, protocol: 'ws', pathname: '/socket.io/' });
  });

  it('names PUBLIC_URL as the server of both documents when it is set', async () => {
    const behind = await startTestApp({ PUBLIC_URL: 'https://comments.example.com/' });
    try {
      const openapi = await http(behind, 'GET', '/docs/openapi.json');
      expect(openapi.body.servers).toEqual([{ url: 'https://comments.example.com' }]);
      const asyncapi = await http(behind, 'GET', '/docs/asyncapi.json');
      expect(asyncapi.body.servers.api).toMatchObject({ host: 'comments.example.com', protocol: 'wss' });
    } finally {
      await behind.close();
    }
  });

  it('serves the interactive documentation at /docs', async () => {
    const res = await fetch(`${t.url}/docs`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('swagger');
    // Swagger UI styles itself inline; scripts still come from this origin only.
    expect(res.headers.get('content-security-policy')).toContain("style-src 'self' 'unsafe-inline'");
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self';");
  });

  it('lets publishers frame the embed page alone', async () => {
    const framed = await startTestApp({ EMBED_ORIGINS: 'https://news.example.com' });
    try {
      const res = await fetch(`${framed.url}/embed/some-article`);
      expect(res.headers.get('x-frame-options')).toBeNull();
      expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'self' https://news.example.com");
      expect((await fetch(`${framed.url}/articles/some-article`)).headers.get('x-frame-options')).toBe('DENY');
      // Their pages load the embed script across origins; everything else stays same-origin.
      expect((await fetch(`${framed.url}/embed.js`)).headers.get('cross-origin-resource-policy')).toBe('cross-origin');
      expect((await fetch(`${framed.url}/health`)).headers.get('cross-origin-resource-policy')).toBe('same-origin');
    } finally {
      await framed.close();
    }
  });

  it('sends security headers on API answers, problems and pages alike', async () => {
    for (const path of ['/health', '/api/articles', '/api/no-such-route']) {
      const res = await fetch(`${t.url}${path}`);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      const csp = res.headers.get('content-security-policy') ?? '';
      for (const directive of [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
      ]) {
        expect(csp).toContain(directive);
      }
    }
  });
});
