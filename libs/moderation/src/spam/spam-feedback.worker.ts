import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, Optional } from '@nestjs/common';
import { APP_CONFIG } from '@rejoinder/common';
import type { AppConfig } from '@rejoinder/common';
import { SPAM_CHECK } from './spam-check.js';
import type { SpamCheck, SpamVerdict } from './spam-check.js';
import { SpamRepository } from './spam.repository.js';
import type { DecisionToReport } from './spam.repository.js';

const BATCH = 50;
// A decision Akismet keeps refusing is logged and passed over after this many tries.
const MAX_ATTEMPTS = 5;

// What a moderator's decision tells the spam service, when it disagrees with
// its verdict: approving what it called spam is ham; rejecting or removing
// what it called ham is spam. Agreement needs no message.
export function correction(action: string, verdict: string | null): SpamVerdict | null {
  if (verdict === 'spam' && action === 'approve') return 'ham';
  if (verdict === 'ham' && (action === 'reject' || action === 'remove')) return 'spam';
  return null;
}

// Sends moderators' decisions back to the spam service, derived from the
// moderation log (not fired from the request), so a crash or an outage of
// the service delays the message and loses nothing: the cursor moves only
// past what was sent.
@Injectable()
export class SpamFeedbackWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('SpamFeedback');
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private readonly attempts = new Map<string, number>();

  constructor(
    private readonly repository: SpamRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() @Inject(SPAM_CHECK) private readonly spam?: SpamCheck | null,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.spam || this.config.AKISMET_FEEDBACK_INTERVAL_MS === 0) return;
    this.timer = setInterval(() => {
      this.running ??= this.round()
        .then(() => undefined)
        .catch((error: unknown) => this.logger.warn(`spam feedback round failed: ${String(error)}`))
        .finally(() => (this.running = null));
    }, this.config.AKISMET_FEEDBACK_INTERVAL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  // One round: every decision since the cursor, up to a batch.
  async round(): Promise<number> {
    const spam = this.spam;
    if (!spam) return 0;
    let sent = 0;
    await this.repository.feedbackRound(BATCH, async (decision) => {
      const kind = correction(decision.action, decision.verdict);
      if (!kind || !decision.body) return 'done';
      try {
        await spam.submit(kind, input(decision));
        this.attempts.delete(decision.actionId);
        sent++;
        return 'done';
      } catch (error) {
        const tries = (this.attempts.get(decision.actionId) ?? 0) + 1;
        this.attempts.set(decision.actionId, tries);
        if (tries >= MAX_ATTEMPTS) {
          this.logger.error(
            `submit-${kind} for moderation action ${decision.actionId} failed ${tries} times (${String(error)}); passed over`,
          );
          this.attempts.delete(decision.actionId);
          return 'done';
        }
        this.logger.warn(
          `submit-${kind} for moderation action ${decision.actionId} failed (${String(error)}); will retry`,
        );
        return 'stop';
      }
    });
    return sent;
  }
}

function input(d: DecisionToReport) {
  return {
    body: d.body ?? '',
    author: { username: d.username ?? '', email: d.email },
    ip: d.userIp,
    userAgent: d.userAgent,
  };
}
