import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, DomainError, ErrorCode } from '@rejoinder/common';
import type { AppConfig, ThreadHealthData } from '@rejoinder/common';
import { ArticlesRepository, slowModeOf } from '@rejoinder/forum';
import type { ArticleRecord } from '@rejoinder/forum';
import { ThreadHealthRepository } from './thread-health.repository.js';

// Comments of this period count toward the shares (held, removed, new accounts).
export const HEALTH_RECENT_MINUTES = 60;
const HOTTEST = 5;

const share = (part: number, whole: number) => (whole === 0 ? 0 : Math.round((part / whole) * 1000) / 1000);
const rate = (count: number, minutes: number) => Math.round((count / minutes) * 100) / 100;

// How hot a thread runs, for moderators only (the route and the socket
// check the role): numbers and comment ids, never a comment's text.
@Injectable()
export class ThreadHealthService {
  constructor(
    private readonly repository: ThreadHealthRepository,
    private readonly articles: ArticlesRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async bySlug(slug: string): Promise<ThreadHealthData> {
    const article = await this.articles.findBySlug(slug);
    if (!article) throw new DomainError(ErrorCode.ArticleNotFound);
    return this.of(article);
  }

  async byId(articleId: string): Promise<ThreadHealthData | null> {
    const article = await this.articles.findById(articleId);
    return article ? this.of(article) : null;
  }

  private async of(article: ArticleRecord): Promise<ThreadHealthData> {
    const [counts, hottest, holds] = await Promise.all([
      this.repository.counts(article.id, HEALTH_RECENT_MINUTES, this.config.NEW_ACCOUNT_HOURS),
      this.repository.hottest(article.id, HOTTEST),
      this.repository.holdsByReason(article.id, HEALTH_RECENT_MINUTES),
    ]);
    return {
      articleId: article.id,
      slug: article.slug,
      at: new Date().toISOString(),
      commentsPerMinute: { last1m: counts.comments1m, last5m: rate(counts.comments5m, 5) },
      reportsPerMinute: { last1m: counts.reports1m, last5m: rate(counts.reports5m, 5) },
      recent: {
        minutes: HEALTH_RECENT_MINUTES,
        comments: counts.recentComments,
        held: counts.recentHeld,
        removed: counts.recentRemoved,
        newAccounts: counts.recentNewAccounts,
        heldShare: share(counts.recentHeld, counts.recentComments),
        removedShare: share(counts.recentRemoved, counts.recentComments),
        newAccountShare: share(counts.recentNewAccounts, counts.recentComments),
        holdsByReason: Object.fromEntries(holds.map((h) => [h.reason, h.count])),
      },
      hottest: hottest.map((h) => ({
        rootId: h.rootId,
        replies: h.replies,
        repliesPerMinute: rate(h.replies, 5),
        maxDepth: h.maxDepth,
        comments: h.comments,
        reported: h.reported,
        reportedShare: share(h.reported, h.comments),
      })),
      slowMode: slowModeOf(article),
    };
  }
}
