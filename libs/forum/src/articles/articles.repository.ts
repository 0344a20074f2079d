import { Injectable } from '@nestjs/common';
import { DomainError, ErrorCode } from '@rejoinder/common';
import type { ArticleEvent, EventData } from '@rejoinder/common';
import { ArticleState, keysetWhere, PrismaService, SlowModeSetting } from '@rejoinder/db';
import { articlePassages, relocate } from './passages.js';
import { appendEvents } from '../event-log/event-log.repository.js';
import type { ArticleEventRow, Tx } from '../event-log/event-log.repository.js';

export interface ArticleRecord {
  id: string;
  slug: string;
  title: string;
  byline: string;
  publishedAt: Date;
  sourceUrl: string | null;
  externalId: string | null;
  urlKey: string | null;
  language: string;
  section: string | null;
  createdVia: string;
  closesAt: Date | null;
  closesAtSet: boolean;
  autoClosedAt: Date | null;
  bodySource: string;
  bodyHtml: string;
  state: ArticleState;
  premoderation: boolean;
  // The first N comments of an account wait for review (null: NEW_COMMENTER_REVIEW).
  newCommenterReview: number | null;
  slowModeSeconds: number;
  slowModeSetting: SlowModeSetting;
  slowModeSource: string | null;
  slowModeReason: string | null;
  slowModeSince: Date | null;
  commentCount: number;
  lastSeq: number;
  passageCounts: unknown;
  stanceCounts: unknown;
  createdAt: Date;
  updatedAt: Date;
}

// What a new comment's checks read of its article.
export type PostArticle = Pick<ArticleRecord, 'id' | 'premoderation' | 'slowModeSeconds' | 'newCommenterReview'> & {
  state: string;
};

export interface ArticleSeed {
  slug: string;
  title: string;
  byline: string;
  publishedAt: Date;
  sourceUrl: string | null;
  urlKey?: string | null;
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
      where: after ? keysetWhere('desc', 'publishedAt', new Date(after.publishedAt), after.id) : undefined,
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
      return reanchorComments(tx, article);
    });
  }

  async create(seed: ArticleSeed & { state?: ArticleState }): Promise<ArticleRecord> {
    return this.prisma.article.create({ data: seed });
  }

  // Changes an article's settings, appends `article.updated` with the result
  // to its event log (and, when the slow mode changed, `slow_mode.changed` for
  // moderators and their feed), and records who did it, in one transaction.
  // `settings` sees the article as it is under the row lock.
  async updateSettingsWithEvent(
    articleId: string,
    settings: (current: ArticleRecord) => ArticleSettings,
    payload: (article: ArticleRecord) => EventData<'article.updated'>,
    // The moderator's action, recorded in the same transaction.
    audit: { moderatorId: string; note: string },
    slowModeChange?: (before: ArticleRecord, after: ArticleRecord) => EventData<'slow_mode.changed'> | null,
  ): Promise<{ article: ArticleRecord; events: ArticleEvent[] }> {
    return this.prisma.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT 1 FROM articles WHERE id = ${articleId}::uuid FOR UPDATE`;
      const current = await tx.article.findUnique({ where: { id: articleId } });
      if (!current) throw new DomainError(ErrorCode.ArticleNotFound);
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
      const article = await tx.article.update({ where: { id: articleId }, data: settings(current) });
      const events = await appendArticleEvents(
        tx,
        article,
        payload(article),
        slowModeChange?.(current, article) ?? null,
      );
      return { article: { ...article, lastSeq: events.last }, events: events.committed };
    });
  }

  // Turns automatic slow mode on (`from` null) or off (`from` 'auto'), only
  // if the article is still as the caller measured it: set to automatic and
  // with that source. Of several nodes deciding the same switch at once, one
  // writes it (the row lock orders them; the others match no row).
  async switchAutoSlowMode(
    articleId: string,
    from: 'auto' | null,
    to: { seconds: number; reason: string | null },
    payload: (article: ArticleRecord) => EventData<'article.updated'>,
    change: (article: ArticleRecord) => EventData<'slow_mode.changed'>,
    audit: { action: string; reasonCode: string; note: string },
  ): Promise<{ article: ArticleRecord; events: ArticleEvent[] } | null> {
    return this.prisma.$transaction(async (tx) => {
      const on = to.seconds > 0;
      const switched = await tx.$executeRaw`
        UPDATE articles
        SET slow_mode_seconds = ${to.seconds}::int,
            slow_mode_source = ${on ? 'auto' : null}::text,
            slow_mode_reason = ${to.reason}::text,
            slow_mode_since = ${on ? new Date() : null}::timestamptz,
            updated_at = now()
        WHERE id = ${articleId}::uuid AND slow_mode_setting = 'auto'
          AND slow_mode_source IS NOT DISTINCT FROM ${from}::text`;
      if (switched === 0) return null;
      const article = (await tx.article.findUnique({ where: { id: articleId } }))!;
      await tx.moderationAction.create({
        data: {
          moderatorId: null,
          action: audit.action,
          targetType: 'article',
          targetId: articleId,
          articleId,
          reasonCode: audit.reasonCode,
          note: audit.note,
        },
      });
      const events = await appendArticleEvents(tx, article, payload(article), change(article));
      return { article: { ...article, lastSeq: events.last }, events: events.committed };
    });
  }
}

export interface ArticleSettings {
  state?: ArticleState;
  premoderation?: boolean;
  newCommenterReview?: number | null;
  slowModeSeconds?: number;
  slowModeSetting?: SlowModeSetting;
  slowModeSource?: string | null;
  slowModeReason?: string | null;
  slowModeSince?: Date | null;
}

// After an edit of an article's text, anchors its comments again where their
// quotes are now (a quote that is gone leaves its comment without a passage),
// and the per-passage counts follow, in the caller's transaction.
export async function reanchorComments(tx: Tx, article: ArticleRecord): Promise<ArticleRecord> {
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
}

// `article.updated` for everyone, then `slow_mode.changed` for moderators and
// their feed when given, numbered after the article's last event.
async function appendArticleEvents(
  tx: Tx,
  article: ArticleRecord,
  updated: EventData<'article.updated'>,
  change: EventData<'slow_mode.changed'> | null,
): Promise<{ committed: ArticleEvent[]; last: number }> {
  const rows: ArticleEventRow[] = [['article.updated', 'public', updated]];
  if (change) rows.push(['slow_mode.changed', 'moderators', change]);
  return appendEvents(tx, article.id, rows);
}
