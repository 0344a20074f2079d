import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, DomainEventBus } from '@rejoinder/common';
import type { AppConfig } from '@rejoinder/common';
import { articleUpdatedData } from '@rejoinder/forum';
import { ArticleClosingRepository } from './article-closing.repository.js';

const BATCH = 100;

// Closes commenting on schedule (ARTICLE_AUTO_CLOSE_DAYS after publication,
// or the article's own closesAt): a sweep every
// ARTICLE_AUTO_CLOSE_INTERVAL_SECONDS; readers see it live as `article.updated`.
@Injectable()
export class ArticleClosingService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('ArticleClosing');
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;

  constructor(
    private readonly closing: ArticleClosingRepository,
    private readonly bus: DomainEventBus,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.sweep(), this.config.ARTICLE_AUTO_CLOSE_INTERVAL_SECONDS * 1000).unref();
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running?.catch(() => 0);
  }

  // Closes what is due now; the number closed.
  sweep(): Promise<number> {
    this.running ??= this.closeAll().finally(() => (this.running = null));
    return this.running;
  }

  private async closeAll(): Promise<number> {
    let closed = 0;
    try {
      for (;;) {
        const events = await this.closing.closeDue(
          this.config.ARTICLE_AUTO_CLOSE_DAYS ?? null,
          BATCH,
          articleUpdatedData,
        );
        for (const event of events) this.bus.publish(event);
        closed += events.length;
        if (events.length < BATCH) return closed;
      }
    } catch (error) {
      // The next sweep tries again; nothing was half done (one transaction per batch).
      this.logger.warn(`closing articles on schedule failed: ${(error as Error).message}`);
      return closed;
    }
  }
}
