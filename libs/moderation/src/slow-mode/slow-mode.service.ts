import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit, Optional } from '@nestjs/common';
import { APP_CONFIG, DomainEventBus, Metrics } from '@rejoinder/common';
import type { AppConfig, EventData } from '@rejoinder/common';
import { articleUpdatedData, ArticlesRepository, slowModeOf } from '@rejoinder/forum';
import type { ArticleRecord } from '@rejoinder/forum';
import { ThreadHealthRepository } from '../health/thread-health.repository.js';
import { decideSlowMode, perMinute } from './slow-mode.decision.js';
import type { MeasuredCounts, SlowModeState, SlowModeThresholds } from './slow-mode.decision.js';

export function articleUpdated(a: ArticleRecord): EventData<'article.updated'> {
  return articleUpdatedData(a);
}

export function slowModeState(a: ArticleRecord): SlowModeState {
  const source = a.slowModeSource === 'manual' || a.slowModeSource === 'auto' ? a.slowModeSource : null;
  return { setting: a.slowModeSetting, source, since: a.slowModeSince };
}

// Automatic slow mode: each article's rates are measured in the database
// after comments and reports (debounced) and by a sweep over the articles in
// automatic slow mode (so it lifts when nobody posts). Every node may decide;
// the switch is a conditional update, written once (ADR 23).
@Injectable()
export class SlowModeService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('SlowMode');
  private readonly pending = new Map<string, NodeJS.Timeout>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;
  private stopped = false;

  constructor(
    private readonly articles: ArticlesRepository,
    private readonly health: ThreadHealthRepository,
    private readonly bus: DomainEventBus,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() private readonly metrics?: Metrics,
  ) {}

  get thresholds(): SlowModeThresholds {
    return {
      commentsPerMinute: this.config.SLOW_MODE_AUTO_COMMENTS_PER_MINUTE,
      reportsPerMinute: this.config.SLOW_MODE_AUTO_REPORTS_PER_MINUTE,
      windowSeconds: this.config.SLOW_MODE_AUTO_WINDOW_SECONDS,
      seconds: this.config.SLOW_MODE_AUTO_SECONDS,
      quietSeconds: this.config.SLOW_MODE_AUTO_QUIET_SECONDS,
    };
  }

  onModuleInit(): void {
    this.unsubscribe = this.bus.subscribe((event) => {
      if (!event.stream && event.type === 'comment.created') this.schedule(event.articleId);
    });
    this.timer = setInterval(() => void this.sweep(), this.config.SLOW_MODE_AUTO_CHECK_MS).unref();
  }

  onModuleDestroy(): void {
    this.stopped = true;
    this.unsubscribe?.();
    if (this.timer) clearInterval(this.timer);
    for (const timer of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
  }

  // After a write: one measurement per article per debounce period.
  schedule(articleId: string): void {
    const t = this.thresholds;
    if (this.stopped || (t.commentsPerMinute === 0 && t.reportsPerMinute === 0)) return;
    if (this.pending.has(articleId)) return;
    const timer = setTimeout(() => {
      this.pending.delete(articleId);
      void this.evaluate(articleId);
    }, this.config.SLOW_MODE_AUTO_DEBOUNCE_MS);
    timer.unref();
    this.pending.set(articleId, timer);
  }

  private async sweep(): Promise<void> {
    try {
      for (const id of await this.health.inAutoSlowMode()) await this.evaluate(id);
    } catch (error) {
      this.logger.warn({ err: error }, 'Slow mode sweep failed');
    }
  }

  // One measurement at a time per article on this node; a request that comes
  // during one runs once more after it.
  evaluate(articleId: string): Promise<void> {
    const current = this.running.get(articleId);
    if (current) {
      this.again.add(articleId);
      return current;
    }
    const run = (async () => {
      try {
        do {
          this.again.delete(articleId);
          await this.decide(articleId);
        } while (this.again.has(articleId) && !this.stopped);
      } catch (error) {
        this.logger.warn({ err: error, articleId }, 'Could not decide slow mode');
      } finally {
        this.running.delete(articleId);
      }
    })();
    this.running.set(articleId, run);
    return run;
  }

  private async decide(articleId: string): Promise<void> {
    const article = await this.articles.findById(articleId);
    if (!article) return;
    const state = slowModeState(article);
    if (state.setting !== 'auto' || state.source === 'manual') return;
    // A closed thread takes no comments: nothing to slow down (it may still lift).
    if (article.state === 'closed' && state.source === null) return;
    const t = this.thresholds;
    const counts = await this.health.measure(articleId, t.windowSeconds, t.quietSeconds);
    const decision = decideSlowMode(state, counts, t, new Date());
    if (decision.action === 'keep') return;
    const rate = this.rate(counts);
    const threshold = {
      commentsPerMinute: t.commentsPerMinute,
      reportsPerMinute: t.reportsPerMinute,
      quietSeconds: t.quietSeconds,
    };
    const change = (action: 'on' | 'off') => (a: ArticleRecord) => ({
      slug: a.slug,
      action,
      by: 'auto' as const,
      slowMode: slowModeOf(a),
      rate,
      threshold,
    });
    const result =
      decision.action === 'on'
        ? await this.articles.switchAutoSlowMode(
            articleId,
            null,
            { seconds: t.seconds, reason: decision.reason },
            articleUpdated,
            change('on'),
            {
              action: 'slow_mode_on',
              reasonCode: decision.reason === 'comments' ? 'comment_rate' : 'report_rate',
              note:
                `${decision.rate} ${decision.reason} per minute over the last ${t.windowSeconds} s reached the threshold ` +
                `of ${decision.threshold}; ${t.seconds} s between one reader's comments`,
            },
          )
        : await this.articles.switchAutoSlowMode(
            articleId,
            'auto',
            { seconds: 0, reason: null },
            articleUpdated,
            change('off'),
            {
              action: 'slow_mode_off',
              reasonCode: 'quiet',
              note:
                `No ${t.windowSeconds} s window in the last ${t.quietSeconds} s reached ${describe(t)}; ` +
                `now ${rate.commentsPerMinute} comments and ${rate.reportsPerMinute} reports per minute`,
            },
          );
    if (!result) return;
    for (const event of result.events) this.bus.publish(event);
    this.metrics?.slowModeSwitches.inc({ action: decision.action });
    this.logger.log(
      { articleId, slug: article.slug, action: decision.action, ...rate },
      decision.action === 'on' ? 'Automatic slow mode on' : 'Automatic slow mode lifted',
    );
  }

  private rate(counts: MeasuredCounts) {
    const w = this.config.SLOW_MODE_AUTO_WINDOW_SECONDS;
    return {
      commentsPerMinute: perMinute(counts.comments, w),
      reportsPerMinute: perMinute(counts.reports, w),
      windowSeconds: w,
    };
  }
}

function describe(t: SlowModeThresholds): string {
  const parts = [
    t.commentsPerMinute > 0 ? `${t.commentsPerMinute} comments` : null,
    t.reportsPerMinute > 0 ? `${t.reportsPerMinute} reports` : null,
  ].filter((p) => p !== null);
  return parts.length > 0 ? `${parts.join(' or ')} per minute` : 'a threshold (none is set)';
}
