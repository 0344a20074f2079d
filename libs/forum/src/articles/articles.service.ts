import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, DomainError, ErrorCode, Keyset, slowModeSchema, TIME_ID_KEY } from '@rejoinder/common';
import type { AppConfig, EventData, KeysetPage, SlowModeData } from '@rejoinder/common';
import { z } from 'zod';
import { ArticleRecord, ArticlesRepository } from './articles.repository.js';
import { ReadCache } from '../read-cache/read-cache.js';
import type { CachedBody } from '../read-cache/read-cache.js';
import { passagesOf } from './passages.js';

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
  language: z.string().describe("The article's language (a BCP 47 tag): the page marks its text with it"),
  body: z.string().describe('Markdown source'),
  html: z.string().describe('Sanitised HTML'),
  premoderation: z.boolean(),
  newCommenterReview: z
    .number()
    .int()
    .nullable()
    .describe("The first N comments of an account wait for review here (null: the newsroom's NEW_COMMENTER_REVIEW)"),
  slowModeSeconds: z.number().int().describe('The same as `slowMode.seconds`'),
  slowMode: slowModeSchema,
  passageCounts: z
    .array(z.number().int())
    .describe(
      "Published top-level comments on each of the article's passages (its top-level blocks: paragraphs, headings, quotes, lists), in order",
    ),
  stanceCounts: z
    .strictObject({
      agree: z.number().int(),
      disagree: z.number().int(),
      question: z.number().int(),
      other: z.number().int(),
    })
    .describe('Published top-level comments per declared stance'),
  closesAt: z.iso
    .datetime()
    .nullable()
    .describe('When commenting closes by itself (ARTICLE_AUTO_CLOSE_DAYS, or the article’s own time); null: never'),
  editWindowSeconds: z
    .number()
    .int()
    .describe("How long after posting an author may edit their comment (the page's edit button follows it)"),
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

// The slow mode in force and who set it, as readers and moderators see it.
export function slowModeOf(
  a: Pick<ArticleRecord, 'slowModeSeconds' | 'slowModeSetting' | 'slowModeSource' | 'slowModeReason' | 'slowModeSince'>,
): SlowModeData {
  const source =
    a.slowModeSeconds > 0 && (a.slowModeSource === 'manual' || a.slowModeSource === 'auto') ? a.slowModeSource : null;
  return {
    seconds: a.slowModeSeconds,
    source,
    reason:
      source === 'auto' && (a.slowModeReason === 'comments' || a.slowModeReason === 'reports')
        ? a.slowModeReason
        : null,
    since: source ? (a.slowModeSince?.toISOString() ?? null) : null,
    setting: a.slowModeSetting,
  };
}

// `article.updated`: what readers follow live of an article's settings.
export function articleUpdatedData(a: ArticleRecord): EventData<'article.updated'> {
  return {
    article: {
      id: a.id,
      slug: a.slug,
      state: a.state,
      premoderation: a.premoderation,
      slowModeSeconds: a.slowModeSeconds,
      slowMode: slowModeOf(a),
    },
  };
}

// When commenting closes on schedule: the article's own time, or the default
// days after publication; null: never.
export function closingTimeOf(
  a: Pick<ArticleRecord, 'closesAt' | 'closesAtSet' | 'publishedAt' | 'autoClosedAt'>,
  defaultDays: number | undefined,
): Date | null {
  // The schedule closes an article once; reopened, it stays open.
  if (a.autoClosedAt) return null;
  if (a.closesAtSet) return a.closesAt;
  return defaultDays ? new Date(a.publishedAt.getTime() + defaultDays * 86_400_000) : null;
}

const ARTICLES = new Keyset('articles', TIME_ID_KEY);

function countOf(counts: unknown, key: string): number {
  const value = (counts as Record<string, unknown> | null)?.[key];
  return typeof value === 'number' ? value : 0;
}

@Injectable()
export class ArticlesService {
  private readonly ids = new Map<string, string>();

  constructor(
    private readonly articles: ArticlesRepository,
    private readonly cache: ReadCache,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  // The article's id from a cache: a slug never changes its article.
  async idOf(slug: string): Promise<string> {
    const known = this.ids.get(slug);
    if (known) return known;
    const article = await this.articles.findBySlug(slug);
    if (!article) throw new DomainError(ErrorCode.ArticleNotFound);
    if (this.ids.size >= 10_000) this.ids.delete(this.ids.keys().next().value!);
    this.ids.set(slug, article.id);
    return article.id;
  }

  // The article's id when this process already knows it (no query).
  knownId(slug: string): string | undefined {
    return this.ids.get(slug);
  }

  // The article as every reader sees it, rendered once per event of its log.
  async cachedView(slug: string): Promise<CachedBody> {
    return this.cache.get(await this.idOf(slug), 'article', async () => {
      const view = await this.get(slug);
      return { value: view, seq: view.seq };
    });
  }

  async list(query: { limit: number; cursor?: string }): Promise<KeysetPage<ArticleSummary>> {
    const after = ARTICLES.decode(query.cursor);
    const rows = await this.articles.list(query.limit + 1, after && { publishedAt: after[0], id: after[1] });
    return ARTICLES.page(rows, query.limit, (a) => [a.publishedAt.toISOString(), a.id], toArticleSummary);
  }

  async get(slug: string): Promise<ArticleView> {
    const a = await this.articles.findBySlug(slug);
    if (!a) throw new DomainError(ErrorCode.ArticleNotFound);
    return {
      ...toArticleSummary(a),
      language: a.language,
      body: a.bodySource,
      html: a.bodyHtml,
      premoderation: a.premoderation,
      newCommenterReview: a.newCommenterReview,
      slowModeSeconds: a.slowModeSeconds,
      slowMode: slowModeOf(a),
      passageCounts: passagesOf(a).map((_, i) => countOf(a.passageCounts, String(i))),
      stanceCounts: {
        agree: countOf(a.stanceCounts, 'agree'),
        disagree: countOf(a.stanceCounts, 'disagree'),
        question: countOf(a.stanceCounts, 'question'),
        other: countOf(a.stanceCounts, 'other'),
      },
      closesAt:
        a.state === 'open' ? (closingTimeOf(a, this.config.ARTICLE_AUTO_CLOSE_DAYS)?.toISOString() ?? null) : null,
      editWindowSeconds: this.config.EDIT_WINDOW_SECONDS,
      seq: a.lastSeq,
    };
  }
}
