import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG } from '@rejoinder/common';
import type { AppConfig } from '@rejoinder/common';
import { CommentErasureRepository } from './comment-erasure.repository.js';

const DAY_MS = 86_400_000;
const BATCH = 500;
const FIRST_RUN_MINUTES = 1;

export interface RetentionReport {
  dryRun: boolean;
  policy: { rejectedDays: number; removedDays: number; deletedDays: number };
  // Comments whose bodies are (or, in a dry run, would be) purged, their
  // revisions, and the articles they belong to.
  comments: number;
  revisions: number;
  articles: number;
  ranAt: string;
}

// Storage limitation: the bodies and revisions of rejected, removed and
// author-deleted comments are kept only as long as the newsroom configured (time to handle
// an appeal or a complaint), then purged by a job on every node; rows locked
// by another node's run are skipped, so nodes never purge the same comment.
@Injectable()
export class RetentionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Retention');
  private timer: NodeJS.Timeout | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly comments: CommentErasureRepository,
  ) {}

  // The first run comes a minute after start-up (so nodes restarted more
  // often than the interval still purge), then one every interval.
  onApplicationBootstrap(): void {
    const minutes = this.config.RETENTION_INTERVAL_MINUTES;
    if (minutes === 0) return;
    this.schedule(Math.min(minutes, FIRST_RUN_MINUTES) * 60_000, minutes * 60_000);
  }

  onApplicationShutdown(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(delayMs: number, intervalMs: number): void {
    this.timer = setTimeout(() => {
      this.run(false)
        .then(
          (report) => report.comments > 0 && this.logger.log(report, 'Purged expired comment bodies'),
          (error: unknown) => this.logger.error({ err: error }, 'Retention run failed'),
        )
        .finally(() => {
          if (this.timer) this.schedule(intervalMs, intervalMs);
        });
    }, delayMs);
    this.timer.unref();
  }

  async run(dryRun: boolean): Promise<RetentionReport> {
    const now = Date.now();
    const policy = {
      rejectedDays: this.config.RETENTION_REJECTED_DAYS,
      removedDays: this.config.RETENTION_REMOVED_DAYS,
      deletedDays: this.config.RETENTION_DELETED_DAYS,
    };
    const cutoff = (days: number) => (days > 0 ? new Date(now - days * DAY_MS) : null);
    const before = {
      rejected: cutoff(policy.rejectedDays),
      removed: cutoff(policy.removedDays),
      deleted: cutoff(policy.deletedDays),
    };
    const report: RetentionReport = {
      dryRun,
      policy,
      comments: 0,
      revisions: 0,
      articles: 0,
      ranAt: new Date(now).toISOString(),
    };
    if (dryRun) return { ...report, ...(await this.comments.purgeDecided(before, { dryRun: true, limit: 0 })) };
    for (;;) {
      const batch = await this.comments.purgeDecided(before, { dryRun: false, limit: BATCH });
      report.comments += batch.comments;
      report.revisions += batch.revisions;
      report.articles += batch.articles;
      if (batch.comments < BATCH) return report;
    }
  }
}
