import { Injectable, Logger } from '@nestjs/common';
import { articleUrlKey } from '@rejoinder/common';
import { join } from 'node:path';
import { ArticlesRepository } from '../articles/articles.repository.js';
import { renderArticleMarkdown } from '../markdown/markdown-renderer.js';
import { readArticleSources } from './article-source.js';

export const SEED_ARTICLES_DIR = join(process.cwd(), 'prisma', 'seed', 'articles');

@Injectable()
export class SeedService {
  private readonly logger = new Logger(SeedService.name);

  constructor(private readonly articles: ArticlesRepository) {}

  // Upserts every seed article by slug: safe to run any number of times.
  async seed(dir = SEED_ARTICLES_DIR): Promise<string[]> {
    const slugs: string[] = [];
    for (const source of readArticleSources(dir)) {
      await this.articles.upsert({
        slug: source.slug,
        title: source.title,
        byline: source.author,
        publishedAt: source.publishedAt,
        sourceUrl: source.sourceUrl,
        urlKey: source.sourceUrl ? articleUrlKey(source.sourceUrl) : null,
        bodySource: source.body,
        bodyHtml: renderArticleMarkdown(source.body),
      });
      slugs.push(source.slug);
    }
    return slugs;
  }

  async seedIfEmpty(dir = SEED_ARTICLES_DIR): Promise<string[]> {
    if ((await this.articles.count()) > 0) return [];
    const slugs = await this.seed(dir);
    this.logger.log(`Seeded ${slugs.length} article(s): ${slugs.join(', ')}`);
    return slugs;
  }
}
