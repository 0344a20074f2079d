import { Injectable } from '@nestjs/common';
import { decodeCursor, DomainError, encodeCursor, ErrorCode } from '@rejoinder/common';
import { z } from 'zod';
import { ArticleRecord, ArticlesRepository } from './articles.repository.js';

// The response bodies' schemas: the types below and the OpenAPI description
// both come from them.
export const articleSummarySchema = z.strictObject({
  id: z.uuid(),
  slug: z.string(),
  title: z.string(),
  author: z.string(),
  publishedAt: z.iso.datetime(),
  sourceUrl: z.url().nullable(),
  state: z.enum(['open', 'closed']),
  commentCount: z.number().int().describe('Published comments'),
});
export type ArticleSummary = z.infer<typeof articleSummarySchema>;

export const articleViewSchema = articleSummarySchema.extend({
  body: z.string().describe('Markdown source'),
  html: z.string().describe('Sanitised HTML'),
  premoderation: z.boolean(),
  slowModeSeconds: z.number().int(),
  // Subscribe with `after` set to it to follow changes from this snapshot on.
  seq: z.number().int().describe("The article's last event number"),
});
export type ArticleView = z.infer<typeof articleViewSchema>;

export function toArticleSummary(a: ArticleRecord): ArticleSummary {
  return {
    id: a.id,
    slug: a.slug,
    title: a.title,
    author: a.byline,
    publishedAt: a.publishedAt.toISOString(),
    sourceUrl: a.sourceUrl,
    state: a.state,
    commentCount: a.commentCount,
  };
}

@Injectable()
export class ArticlesService {
  constructor(private readonly articles: ArticlesRepository) {}

  async list(query: { limit: number; cursor?: string }): Promise<{ items: ArticleSummary[]; nextCursor: string | null }> {
    let after: { publishedAt: string; id: string } | undefined;
    if (query.cursor) {
      const [publishedAt, id] = decodeCursor('articles', query.cursor, ['string', 'string']) as [string, string];
      if (Number.isNaN(Date.parse(publishedAt))) throw new DomainError(ErrorCode.InvalidCursor);
      after = { publishedAt, id };
    }
    const rows = await this.articles.list(query.limit + 1, after);
    const items = rows.slice(0, query.limit).map(toArticleSummary);
    const last = items.at(-1);
    return {
      items,
      nextCursor: rows.length > query.limit && last ? encodeCursor('articles', [last.publishedAt, last.id]) : null,
    };
  }

  async get(slug: string): Promise<ArticleView> {
    const a = await this.articles.findBySlug(slug);
    if (!a) throw new DomainError(ErrorCode.ArticleNotFound);
    return {
      ...toArticleSummary(a),
      body: a.bodySource,
      html: a.bodyHtml,
      premoderation: a.premoderation,
      slowModeSeconds: a.slowModeSeconds,
      seq: a.lastSeq,
    };
  }
}
