import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  APP_CONFIG,
  articleUrlKey,
  canonicalArticleUrl,
  cursorPart,
  DomainError,
  DomainEventBus,
  ErrorCode,
  Keyset,
  pageQuery,
  text,
  TIME_ID_KEY,
} from '@rejoinder/common';
import type { AppConfig, EventData, KeysetPage } from '@rejoinder/common';
import { z } from 'zod';
import { renderArticleMarkdown } from '../markdown/markdown-renderer.js';
import type { ArticleRecord } from './articles.repository.js';
import type { ArticleEventRow } from '../event-log/event-log.repository.js';
import { articleUpdatedData, closingTimeOf } from './articles.service.js';
import { NewsroomArticle, NewsroomArticlesRepository } from './newsroom-articles.repository.js';

// The newsroom's own id for an article, as it appears in a path.
export const externalIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:~-]{0,99}$/, 'letters, digits and . _ : ~ -, at most 100');

const BLANK_LINE = /\n[ \t]*\n/;

export const putArticleSchema = z.strictObject({
  title: text(300).trim().min(1),
  url: z.string().max(2000).describe('The page; stored canonical (tracking parameters, fragment, default port gone)'),
  author: text(200).trim().min(1),
  publishedAt: cursorPart.time,
  language: z
    .string()
    .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$/, 'a BCP 47 language tag')
    .default('en'),
  section: text(100).trim().min(1).nullable().default(null),
  body: z
    .array(
      text(20_000)
        .trim()
        .min(1)
        .refine((p) => !BLANK_LINE.test(p), 'one paragraph: no blank line inside'),
    )
    .max(1000)
    .optional()
    .describe("The article's paragraphs (Markdown), in order: readers quote and answer them by index"),
  closesAt: cursorPart.time
    .nullable()
    .optional()
    .describe('When commenting closes; null: never; absent: ARTICLE_AUTO_CLOSE_DAYS after publication'),
});
export type PutArticleInput = z.infer<typeof putArticleSchema>;

export const adminArticleQuerySchema = z.strictObject({
  ...pageQuery(100, 20),
  q: text(200).trim().min(1).optional(),
  section: text(100).trim().min(1).optional(),
  state: z.enum(['open', 'closed']).optional(),
});
export type AdminArticleQuery = z.infer<typeof adminArticleQuerySchema>;

export const adminArticleSchema = z.strictObject({
  id: z.uuid(),
  externalId: z.string().nullable(),
  slug: z.string(),
  title: z.string(),
  url: z.string().nullable(),
  author: z.string(),
  publishedAt: z.iso.datetime(),
  language: z.string(),
  section: z.string().nullable(),
  paragraphs: z.number().int().describe("The article's passages"),
  state: z.enum(['open', 'closed']),
  closesAt: z.iso.datetime().nullable().describe('When commenting closes on schedule (null: never)'),
  commentCount: z.number().int(),
  createdVia: z.string().describe('seed, import, api or embed'),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  seq: z.number().int(),
});
export type AdminArticle = z.infer<typeof adminArticleSchema>;

const LIST = new Keyset('admin-articles', TIME_ID_KEY);

// A slug from the title, made unique by the newsroom id (which never changes
// its article), so readers' links stay the same when the title is edited.
export function slugFor(title: string, externalId: string): string {
  const words = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80)
    .replace(/-+$/, '');
  const suffix = createHash('sha256').update(externalId).digest('hex').slice(0, 8);
  return `${words || 'article'}-${suffix}`;
}

// The canonical URL and the page's identity, or ARTICLE_URL_INVALID.
export function pageIdentity(url: string): { url: string; urlKey: string } {
  try {
    return { url: canonicalArticleUrl(url), urlKey: articleUrlKey(url) };
  } catch {
    throw new DomainError(ErrorCode.ArticleUrlInvalid);
  }
}

export function articleCreatedData(a: ArticleRecord): EventData<'article.created'> {
  return {
    article: {
      id: a.id,
      slug: a.slug,
      externalId: a.externalId,
      title: a.title,
      url: a.sourceUrl,
      author: a.byline,
      publishedAt: a.publishedAt.toISOString(),
      language: a.language,
      section: a.section,
      createdVia: a.createdVia === 'embed' ? 'embed' : 'api',
    },
  };
}

// Articles as the newsroom manages them: by its own id, from its CMS.
@Injectable()
export class NewsroomArticlesService {
  constructor(
    private readonly articles: NewsroomArticlesRepository,
    private readonly bus: DomainEventBus,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  // PUT: the same body twice is one article and one event.
  async put(externalId: string, input: PutArticleInput): Promise<{ article: AdminArticle; created: boolean }> {
    const page = pageIdentity(input.url);
    const bodySource = (input.body ?? []).join('\n\n');
    const outcome = await this.articles.upsert(
      {
        externalId,
        urlKey: page.urlKey,
        slug: slugFor(input.title, externalId),
        title: input.title,
        byline: input.author,
        publishedAt: new Date(input.publishedAt),
        sourceUrl: page.url,
        language: input.language,
        section: input.section,
        bodySource,
        bodyHtml: renderArticleMarkdown(bodySource),
        closesAt: input.closesAt === undefined ? undefined : input.closesAt === null ? null : new Date(input.closesAt),
        createdVia: 'api',
      },
      (article, created) => this.event(article, created),
    );
    for (const event of outcome.events) this.bus.publish(event);
    return { article: this.view(outcome.article), created: outcome.created };
  }

  // Creates the article if no article has this id or URL yet; never changes one.
  async ensure(input: NewsroomArticle): Promise<{ article: ArticleRecord; created: boolean }> {
    const outcome = await this.articles.upsert(input, (article, created) => this.event(article, created), true);
    for (const event of outcome.events) this.bus.publish(event);
    return { article: outcome.article, created: outcome.created };
  }

  findByExternalId(externalId: string): Promise<ArticleRecord | null> {
    return this.articles.findByExternalId(externalId);
  }

  countCreatedVia(via: 'embed', since: Date): Promise<number> {
    return this.articles.countCreatedVia(via, since);
  }

  async list(query: AdminArticleQuery): Promise<KeysetPage<AdminArticle>> {
    const before = LIST.decode(query.cursor);
    const rows = await this.articles.list({
      limit: query.limit + 1,
      before: before && { publishedAt: before[0], id: before[1] },
      q: query.q,
      section: query.section,
      state: query.state,
    });
    return LIST.page(
      rows,
      query.limit,
      (a) => [a.publishedAt.toISOString(), a.id],
      (a) => this.view(a),
    );
  }

  view(a: ArticleRecord): AdminArticle {
    return {
      id: a.id,
      externalId: a.externalId,
      slug: a.slug,
      title: a.title,
      url: a.sourceUrl,
      author: a.byline,
      publishedAt: a.publishedAt.toISOString(),
      language: a.language,
      section: a.section,
      paragraphs: a.bodySource.trim() ? a.bodySource.split(BLANK_LINE).length : 0,
      state: a.state,
      closesAt: closingTimeOf(a, this.config.ARTICLE_AUTO_CLOSE_DAYS)?.toISOString() ?? null,
      commentCount: a.commentCount,
      createdVia: a.createdVia,
      createdAt: a.createdAt.toISOString(),
      updatedAt: a.updatedAt.toISOString(),
      seq: a.lastSeq,
    };
  }

  private event(article: ArticleRecord, created: boolean): ArticleEventRow {
    return created
      ? ['article.created', 'public', articleCreatedData(article)]
      : ['article.updated', 'public', articleUpdatedData(article)];
  }
}
