import { randomUUID } from 'node:crypto';
import type { PrismaService } from '@rejoinder/db';
import type { TestApp } from './test-app.js';
import { checkHttpExchange } from './contracts.js';

export interface TestUser {
  id: string;
  username: string;
  email: string;
  password: string;
  token: string;
}

export interface TestArticle {
  id: string;
  slug: string;
}

export function unique(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

export async function http(
  t: Pick<TestApp, 'url'>,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Headers; body: any }> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let payload: string | undefined;
  if (options.rawBody !== undefined) payload = options.rawBody;
  else if (options.body !== undefined) {
    payload = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(`${t.url}${path}`, { method, headers, body: payload });
  const text = await response.text();
  checkHttpExchange({
    method,
    url: `${t.url}${path}`,
    requestHeaders: headers,
    requestBody: payload,
    status: response.status,
    responseHeaders: response.headers,
    responseText: text,
  });
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // Not JSON: keep the text.
  }
  return { status: response.status, headers: response.headers, body };
}

// Registers through the API, as a reader would.
export async function createUser(t: TestApp, role?: 'moderator' | 'admin'): Promise<TestUser> {
  const username = unique('user').replace('-', '_');
  const email = `${username}@example.test`;
  const password = 'correct horse battery';
  const res = await http(t, 'POST', '/api/auth/register', { body: { username, email, password } });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
  if (role) await t.prisma.user.update({ where: { id: res.body.user.id }, data: { role } });
  return { id: res.body.user.id, username, email, password, token: res.body.accessToken };
}

// Articles are seeded, not posted, so tests insert their own.
export async function createArticle(
  prisma: PrismaService,
  overrides: Partial<{ state: 'open' | 'closed'; premoderation: boolean; title: string }> = {},
): Promise<TestArticle> {
  const slug = unique('article');
  const article = await prisma.article.create({
    data: {
      slug,
      title: overrides.title ?? `Test article ${slug}`,
      byline: 'Test Author',
      publishedAt: new Date('2020-01-01T00:00:00Z'),
      sourceUrl: null,
      bodySource: 'Body',
      bodyHtml: '<p>Body</p>',
      state: overrides.state ?? 'open',
      premoderation: overrides.premoderation ?? false,
    },
  });
  return { id: article.id, slug: article.slug };
}

export async function postComment(
  t: TestApp,
  user: TestUser,
  slug: string,
  body: string,
  extra: { parentId?: string; id?: string; lang?: string } = {},
): Promise<any> {
  const res = await http(t, 'POST', `/api/articles/${slug}/comments`, { token: user.token, body: { body, ...extra } });
  if (res.status !== 201) throw new Error(`post failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}
