import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit, Optional } from '@nestjs/common';
import { APP_CONFIG, DomainError, ErrorCode, RateLimits, text } from '@rejoinder/common';
import type { AppConfig } from '@rejoinder/common';
import { z } from 'zod';
import { renderArticleMarkdown } from '../markdown/markdown-renderer.js';
import { NewsroomArticlesRepository } from './newsroom-articles.repository.js';
import { externalIdSchema, NewsroomArticlesService, pageIdentity, slugFor } from './newsroom-articles.service.js';

export const embedArticleSchema = z.strictObject({
  externalId: externalIdSchema,
  url: z.string().max(2000),
  title: text(300).trim().min(1).optional(),
});
export type EmbedArticleInput = z.infer<typeof embedArticleSchema>;

// An article the embed made and nobody commented on is deleted after this long.
export const UNUSED_EMBED_ARTICLE_DAYS = 7;
const PRUNE_EVERY_MS = 3_600_000;

// Articles created by the embed on first load, as Coral and Remark42 do: the
// newsroom's page says its id, URL and title; the server never fetches the
// page. Bounded against a flood of made-up ids (ADR "articles from the embed"):
// only from ARTICLE_ORIGINS, for a URL on the same origin, per address and in
// all per hour, and unused ones go after UNUSED_EMBED_ARTICLE_DAYS.
@Injectable()
export class EmbedArticlesService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('EmbedArticles');
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly newsroom: NewsroomArticlesService,
    private readonly articles: NewsroomArticlesRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    // Absent in the command-line tools, which never serve the embed.
    @Optional() private readonly limits?: RateLimits,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.prune(), PRUNE_EVERY_MS).unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  allowedOrigin(origin: string | undefined): boolean {
    return origin !== undefined && this.config.ARTICLE_ORIGINS.includes(origin);
  }

  // The article for this page: found by the newsroom's id or the page's
  // URL from any site; made only for a page of an allowed site that asks.
  async findOrCreate(
    input: EmbedArticleInput,
    from: { origin?: string; ip: string },
  ): Promise<{ id: string; slug: string; created: boolean }> {
    const page = pageIdentity(input.url);
    const known =
      (await this.articles.findByExternalId(input.externalId)) ?? (await this.articles.findByUrlKey(page.urlKey));
    if (known) return { id: known.id, slug: known.slug, created: false };
    // Another site (or no browser at all) learns nothing more than for an unknown slug.
    if (!this.allowedOrigin(from.origin) || new URL(page.url).origin !== from.origin)
      throw new DomainError(ErrorCode.ArticleNotFound);
    if (!this.limits) throw new DomainError(ErrorCode.ServiceUnavailable, 'Rate limits are not available here');
    await this.limits.consume('embed-create-ip', from.ip);
    const lastHour = await this.articles.countCreatedVia('embed', new Date(Date.now() - 3_600_000));
    if (lastHour >= this.config.ARTICLE_EMBED_CREATES_PER_HOUR)
      throw new DomainError(ErrorCode.RateLimited, 'Too many articles made by embeds this hour', {
        retryAfterMs: 60_000,
      });
    const title = input.title ?? page.url;
    const { article, created } = await this.newsroom.ensure({
      externalId: input.externalId,
      urlKey: page.urlKey,
      slug: slugFor(title, input.externalId),
      title,
      byline: '',
      publishedAt: new Date(),
      sourceUrl: page.url,
      language: 'en',
      section: null,
      bodySource: '',
      bodyHtml: renderArticleMarkdown(''),
      createdVia: 'embed',
    });
    return { id: article.id, slug: article.slug, created };
  }

  // Deletes the embed's articles that nobody used; the number deleted.
  async prune(): Promise<number> {
    try {
      return await this.articles.deleteUnusedEmbedArticles(
        new Date(Date.now() - UNUSED_EMBED_ARTICLE_DAYS * 86_400_000),
      );
    } catch (error) {
      this.logger.warn(`pruning unused embed articles failed: ${(error as Error).message}`);
      return 0;
    }
  }
}
