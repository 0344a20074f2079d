import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { APP_CONFIG, DomainError, ErrorCode, localeOfRequest } from '@rejoinder/common';
import type { AppConfig } from '@rejoinder/common';
import { ArticlesService, CommentsService } from '@rejoinder/forum';
import type { ArticleView, ThreadPage } from '@rejoinder/forum';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { articleHead, openGraphLocale, pageHeads, renderHead } from './page-head.js';
import type { PageHead } from './page-head.js';

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
// own process. Hashed assets never change under their name: a year, immutable,
// sent as built in Brotli or gzip (npm run build:web writes both beside each
// file) as the browser accepts. The HTML and embed.js keep their names across
// releases, so they revalidate. Each page's <head> is written by the server.
export async function serveWebPages(app: NestFastifyApplication, root: string | null = webRoot()): Promise<boolean> {
  if (!root) return false;
  await app.register(fastifyStatic, {
    root: join(root, 'assets'),
    prefix: '/assets/',
    maxAge: '365d',
    immutable: true,
    index: false,
    wildcard: true,
    preCompressed: true,
  });
  const config = app.get<AppConfig>(APP_CONFIG);
  const heads = new PageHeads(app.get(ArticlesService), app.get(CommentsService));
  const fastify = app.getHttpAdapter().getInstance();
  const html = new PageTemplate(join(root, 'index.html'));
  const page = async (request: FastifyRequest, reply: FastifyReply) => {
    const origin = config.PUBLIC_URL?.replace(/\/$/, '') ?? `${request.protocol}://${request.host}`;
    const [template, { head, status }] = await Promise.all([
      html.read(),
      heads.of(request.routeOptions.url ?? '/', request.params, origin, localeOfRequest(request)),
    ]);
    return (
      reply
        .status(status)
        .header('cache-control', 'no-cache')
        // The head's words follow Accept-Language when no ?lang= is given.
        .header('vary', 'accept-language')
        .type('text/html; charset=utf-8')
        .send(template.replace(/<title>[^<]*<\/title>/, () => renderHead(head)))
    );
  };
  for (const route of PAGE_ROUTES) fastify.get(route, page);
  fastify.get('/embed.js', (_request, reply) =>
    reply.header('cache-control', 'public, max-age=300').sendFile('embed.js', root, { cacheControl: false }),
  );
  return true;
}

// The built index.html. `npm run dev` rebuilds it under new script names, so
// it is read again when it changes; while a rebuild has it replaced (removed,
// then written), the last one read is served.
class PageTemplate {
  private text: string | null = null;
  private modified = -1;

  constructor(private readonly path: string) {}

  async read(): Promise<string> {
    try {
      const { mtimeMs } = await stat(this.path);
      if (this.text === null || mtimeMs !== this.modified) {
        this.text = await readFile(this.path, 'utf8');
        this.modified = mtimeMs;
      }
    } catch (error) {
      if (this.text === null) throw error;
    }
    return this.text;
  }
}

// The head of each page. The reader page's comes from the same cached reads
// as the page's own first requests (the article, and the anonymous first
// thread page, newest first, 20 comments), so it costs no extra query when
// they are in memory.
class PageHeads {
  constructor(
    private readonly articles: ArticlesService,
    private readonly comments: CommentsService,
  ) {}

  // In the request's language (?lang=, then Accept-Language, then DEFAULT_LOCALE).
  async of(
    route: string,
    params: unknown,
    origin: string,
    locale: string,
  ): Promise<{ head: PageHead; status: number }> {
    const slug = (params as { slug?: string }).slug;
    if (route === '/articles/:slug' && slug !== undefined) return this.article(slug, origin, locale);
    const pages = pageHeads(locale);
    const found =
      route === '/embed/:slug' ? { ...pages.embed, robots: 'noindex' as const } : (pages[route] ?? pages['/']);
    return { head: { ...found, openGraph: { 'og:locale': openGraphLocale(locale) } }, status: 200 };
  }

  private async article(slug: string, origin: string, locale: string): Promise<{ head: PageHead; status: number }> {
    try {
      const [article, thread] = await Promise.all([
        this.articles.cachedView(slug),
        this.comments.cachedThread(slug, { sort: 'newest', limit: 20 }),
      ]);
      return {
        head: articleHead(
          JSON.parse(article.body.toString()) as ArticleView,
          JSON.parse(thread.body.toString()) as ThreadPage,
          origin,
          locale,
        ),
        status: 200,
      };
    } catch (error) {
      if (!(error instanceof DomainError && error.code === ErrorCode.ArticleNotFound)) throw error;
      return { head: pageHeads(locale).missing, status: 404 };
    }
  }
}
