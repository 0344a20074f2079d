import { Injectable } from '@nestjs/common';
import { DomainError, ErrorCode } from '@rejoinder/common';
import type { CommittedEvent, EventData } from '@rejoinder/common';
import { ArticleState, PrismaService } from '@rejoinder/db';

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
  createdAt: Date;
  updatedAt: Date;
}

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
    const rows = await this.prisma.article.findMany({ where: { id: { in: ids } }, select: { id: true, lastSeq: true } });
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
  // touches its comments, counters or event numbers.
  upsert(seed: ArticleSeed): Promise<ArticleRecord> {
    const { slug, ...content } = seed;
    return this.prisma.article.upsert({ where: { slug }, create: seed, update: content });
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
        data: { moderatorId: audit.moderatorId, action: 'update_article', targetType: 'article', targetId: articleId, articleId, note: audit.note },
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
