import { Injectable } from '@nestjs/common';
import { DomainError, ErrorCode } from '@rejoinder/common';
import type { CommittedEvent, EventData } from '@rejoinder/common';
import { ArticleState, PrismaService } from '@rejoinder/db';
import { articlePassages, relocate } from './passages.js';

export interface ArticleRecord {
  id: string;
  slug: string;
  title: string;
  byline: string;
  publishedAt: Date;
  sourceUrl: string | null;
  bodySource: string;
  bodyHtml: string;
  state: ArticleState;
  premoderation: boolean;
  slowModeSeconds: number;
  commentCount: number;
  lastSeq: number;
  passageCounts: unknown;
  stanceCounts: unknown;
  createdAt: Date;
  updatedAt: Date;
}

// What a new comment's checks read of its article.
export type PostArticle = Pick<ArticleRecord, 'id' | 'premoderation' | 'slowModeSeconds'> & { state: string };

export interface ArticleSeed {
  slug: string;
  title: string;
  byline: string;
  publishedAt: Date;
  sourceUrl: string | null;
  bodySource: string;
  bodyHtml: string;
}

@Injectable()
export class ArticlesRepository {
  constructor(private readonly prisma: PrismaService) {}

  findBySlug(slug: string): Promise<ArticleRecord | null> {
    return this.prisma.article.findUnique({ where: { slug } });
  }

  async lastSeq(id: string): Promise<number> {
    const article = await this.prisma.article.findUnique({ where: { id }, select: { lastSeq: true } });
    if (!article) throw new DomainError(ErrorCode.ArticleNotFound);
    return article.lastSeq;
  }

  // The last event number of each article, read together.
  async lastSeqs(ids: string[]): Promise<Map<string, number>> {
    const rows = await this.prisma.article.findMany({
      where: { id: { in: ids } },
      select: { id: true, lastSeq: true },
    });
    return new Map(rows.map((r) => [r.id, r.lastSeq]));
  }

  findById(id: string): Promise<ArticleRecord | null> {
    return this.prisma.article.findUnique({ where: { id } });
  }

  // Newest first, keyset by (publishedAt, id).
  list(limit: number, after?: { publishedAt: string; id: string }): Promise<ArticleRecord[]> {
    return this.prisma.article.findMany({
      where: after
        ? {
            OR: [
              { publishedAt: { lt: new Date(after.publishedAt) } },
              { publishedAt: new Date(after.publishedAt), id: { lt: after.id } },
            ],
          }
        : undefined,
      orderBy: [{ publishedAt: 'desc' }, { id: 'desc' }],
      take: limit,
    });
  }

  count(): Promise<number> {
    return this.prisma.article.count();
  }

  // Inserts a new article or refreshes the content of an existing one; never
  // touches its event numbers. When the text changed, the comments anchored
  // to its passages are anchored again where their quotes are now (a quote
  // that is gone leaves its comment without a passage), and the per-passage
  // counts follow, in the same transaction.
  upsert(seed: ArticleSeed): Promise<ArticleRecord> {
    const { slug, ...content } = seed;
    return this.prisma.$transaction(async (tx) => {
      const before = await tx.article.findUnique({ where: { slug }, select: { bodySource: true } });
      const article = await tx.article.upsert({ where: { slug }, create: seed, update: content });
      if (!before || before.bodySource === article.bodySource) return article;
      const passages = articlePassages(article.bodySource);
      const anchored = await tx.comment.findMany({
        where: { articleId: article.id, anchorQuote: { not: null } },
        select: { id: true, anchorParagraph: true, anchorQuote: true, anchorPrefix: true, anchorSuffix: true },
      });
      const moved = anchored
        .map((c) => ({
          id: c.id,
          old: c.anchorParagraph,
          paragraph: relocate(passages, {
            paragraph: c.anchorParagraph ?? 0,
            quote: c.anchorQuote!,
            prefix: c.anchorPrefix ?? '',
            suffix: c.anchorSuffix ?? '',
          }),
        }))
        .filter((c) => c.paragraph !== c.old);
      if (moved.length === 0) return article;
      await tx.$executeRaw`
        UPDATE comments c SET anchor_paragraph = m.paragraph
        FROM unnest(${moved.map((m) => m.id)}::uuid[], ${moved.map((m) => m.paragraph)}::int[]) AS m(id, paragraph)
        WHERE c.id = m.id`;
      const counted = await tx.$queryRaw<{ counts: unknown }[]>`
        UPDATE articles SET passage_counts = (
          SELECT COALESCE(jsonb_object_agg(p.paragraph::text, p.n), '{}'::jsonb) FROM (
            SELECT anchor_paragraph AS paragraph, count(*)::int AS n FROM comments
            WHERE article_id = ${article.id}::uuid AND depth = 0 AND status = 'published' AND anchor_paragraph IS NOT NULL
            GROUP BY anchor_paragraph) p)
        WHERE id = ${article.id}::uuid
        RETURNING passage_counts AS counts`;
      return { ...article, passageCounts: counted[0]?.counts ?? article.passageCounts };
    });
  }

  async create(seed: ArticleSeed & { state?: ArticleState }): Promise<ArticleRecord> {
    return this.prisma.article.create({ data: seed });
  }

  // Changes an article's settings, appends `article.updated` with the result
  // to its event log, and records who did it, in one transaction.
  async updateSettingsWithEvent(
    articleId: string,
    settings: { state?: ArticleState; premoderation?: boolean; slowModeSeconds?: number },
    payload: (article: ArticleRecord) => EventData<'article.updated'>,
    // The moderator's action, recorded in the same transaction.
    audit: { moderatorId: string; note: string },
  ): Promise<{ article: ArticleRecord; event: CommittedEvent }> {
    return this.prisma.$transaction(async (tx) => {
      await tx.moderationAction.create({
        data: {
          moderatorId: audit.moderatorId,
          action: 'update_article',
          targetType: 'article',
          targetId: articleId,
          articleId,
          note: audit.note,
        },
      });
      const article = await tx.article.update({
        where: { id: articleId },
        data: { ...settings, lastSeq: { increment: 1 } },
      });
      const data = payload(article);
      const stored = await tx.articleEvent.create({
        data: { articleId, seq: article.lastSeq, type: 'article.updated', audience: 'public', payload: data },
      });
      return {
        article,
        event: {
          articleId,
          seq: article.lastSeq,
          type: 'article.updated',
          audience: 'public' as const,
          userId: null,
          at: stored.createdAt.toISOString(),
          data,
        },
      };
    });
  }
}
