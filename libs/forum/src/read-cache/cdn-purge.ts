import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, DomainEventBus } from '@rejoinder/common';
import type { AppConfig } from '@rejoinder/common';

// Events that take something away from anonymous readers (a removal, a hold,
// a deletion, an edit's earlier text): a CDN must not keep serving it.
const TAKES_AWAY = new Set(['comment.removed', 'comment.deleted', 'comment.updated']);

// The tag anonymous pages of an article carry (`Surrogate-Key`, `Cache-Tag`).
export const articleTag = (articleId: string) => `article-${articleId}`;

// Asks the CDN in front of the API to drop an article's pages when content
// is taken away, so it cannot serve it for its max-age and
// stale-while-revalidate. Only the node that committed the event asks
// (events from other nodes do not pass through this node's bus), once.
@Injectable()
export class CdnPurge implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(CdnPurge.name);
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly bus: DomainEventBus,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    const url = this.config.CDN_PURGE_URL;
    if (!url) return;
    this.unsubscribe = this.bus.subscribe((event) => {
      if (event.stream || event.audience !== 'public' || !TAKES_AWAY.has(event.type)) return;
      void this.purge(url, articleTag(event.articleId));
    });
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  private async purge(url: string, tag: string): Promise<void> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.config.CDN_PURGE_TOKEN) headers.authorization = `Bearer ${this.config.CDN_PURGE_TOKEN}`;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers,
        body: JSON.stringify({ tags: [tag] }),
        signal: AbortSignal.timeout(5000),
      });
      if (!res.ok) this.logger.warn({ status: res.status, tag }, 'CDN purge refused');
    } catch (error) {
      this.logger.warn({ err: error, tag }, 'CDN purge failed');
    }
  }
}
