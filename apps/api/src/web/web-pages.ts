import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply } from 'fastify';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// The pages' paths: each gets the same HTML, and the app routes by path.
export const PAGE_ROUTES = [
  '/',
  '/articles/:slug',
  '/embed/:slug',
  '/comments/:id',
  '/moderation',
  '/settings',
  '/reset-password',
  '/verify-email',
] as const;

// dist/web, built by Vite (`npm run build:web`). Found from this file whether
// it runs compiled (dist/apps/api/src/web) or as source under Jest.
export function webRoot(): string | null {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [resolve(here, '../../../../web'), resolve(here, '../../../../dist/web')];
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? null;
}

// Serves the reader page, the moderation console and embed.js from the API's
// own process. Hashed assets never change under their name: a year, immutable.
// The HTML and embed.js keep their names across releases, so they revalidate.
export async function serveWebPages(app: NestFastifyApplication, root: string | null = webRoot()): Promise<boolean> {
  if (!root) return false;
  await app.register(fastifyStatic, {
    root: join(root, 'assets'),
    prefix: '/assets/',
    maxAge: '365d',
    immutable: true,
    index: false,
    wildcard: true,
  });
  const fastify = app.getHttpAdapter().getInstance();
  const page = (_request: unknown, reply: FastifyReply) =>
    reply.header('cache-control', 'no-cache').sendFile('index.html', root, { maxAge: 0, cacheControl: false });
  for (const route of PAGE_ROUTES) fastify.get(route, page);
  fastify.get('/embed.js', (_request, reply) =>
    reply.header('cache-control', 'public, max-age=300').sendFile('embed.js', root, { cacheControl: false }),
  );
  return true;
}
