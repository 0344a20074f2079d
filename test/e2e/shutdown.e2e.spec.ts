import { request } from 'node:http';
import { once } from 'node:events';
import { startServerProcess } from '../support/server-process.js';
import { createArticle, unique } from '../support/factories.js';
import { PrismaClient } from '../../libs/db/src/generated/prisma/client.js';
import { PrismaPg } from '@prisma/adapter-pg';

it('finishes a request that is in flight when SIGTERM arrives, then exits cleanly', async () => {
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: process.env.TEST_DATABASE_URL! }) });
  try {
    const article = await createArticle(prisma as never);
    const { child, url, logs } = await startServerProcess();
    const stopped = () => logs.some((line) => line.includes('"msg":"Stopped"'));
    const exited = once(child, 'close');

    const username = unique('sig').replace('-', '_');
    const registered = await fetch(`${url}/api/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, email: `${username}@example.test`, password: 'long enough password' }),
    }).then((r) => r.json() as Promise<{ accessToken: string }>);

    // Send the headers and half the body, so the request is in flight.
    const body = JSON.stringify({ body: 'posted while the server shuts down' });
    const { port } = new URL(url);
    const req = request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: `/api/articles/${article.slug}/comments`,
      headers: {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        authorization: `Bearer ${registered.accessToken}`,
      },
    });
    const response = new Promise<{ status: number; body: any }>((resolve, reject) => {
      req.on('response', (res) => {
        let text = '';
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
      });
      req.on('error', reject);
    });
    req.write(body.slice(0, 10));
    await new Promise((r) => setTimeout(r, 200));

    child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    // Still running: it waits for the request in flight.
    expect(child.exitCode).toBeNull();
    // New connections are no longer accepted.
    await expect(fetch(`${url}/health`)).rejects.toThrow();

    req.end(body.slice(10));
    const result = await response;
    expect(result.status).toBe(201);
    expect(result.body.body).toBe('posted while the server shuts down');
    const [code] = await exited;
    expect(code).toBe(0);
    expect(stopped()).toBe(true);
    expect(await prisma.comment.count({ where: { articleId: article.id } })).toBe(1);
  } finally {
    await prisma.$disconnect();
  }
});
