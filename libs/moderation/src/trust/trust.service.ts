import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@rejoinder/common';
import type { AppConfig } from '@rejoinder/common';
import { computeTrustLevel, TRUST_LEVELS } from './trust-level.js';
import type { TrustLevel, TrustThresholds } from './trust-level.js';
import { TrustRepository } from './trust.repository.js';

// What the level is computed from, as the posting read returns it.
export interface StoredTrust {
  id: string;
  trustLevel: number;
  trustLevelPinned: number | null;
  trustComputedAt: Date | null;
}

export function asTrustLevel(n: number): TrustLevel {
  return TRUST_LEVELS.includes(n as TrustLevel) ? (n as TrustLevel) : 0;
}

// The level in force: a moderator's pin, else the stored level, computed
// again from the account's history when it is older than
// TRUST_RECOMPUTE_SECONDS or a moderator decided on the account's comments
// since (ADR "trust levels").
@Injectable()
export class TrustService {
  constructor(
    private readonly repository: TrustRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  get thresholds(): TrustThresholds {
    const c = this.config;
    return {
      memberDays: c.TRUST_MEMBER_DAYS,
      memberComments: c.TRUST_MEMBER_COMMENTS,
      regularDays: c.TRUST_REGULAR_DAYS,
      regularComments: c.TRUST_REGULAR_COMMENTS,
      regularUpvotes: c.TRUST_REGULAR_UPVOTES,
    };
  }

  async levelOf(stored: StoredTrust): Promise<TrustLevel> {
    if (stored.trustLevelPinned !== null) return asTrustLevel(stored.trustLevelPinned);
    const fresh =
      stored.trustComputedAt !== null &&
      Date.now() - stored.trustComputedAt.getTime() < this.config.TRUST_RECOMPUTE_SECONDS * 1000;
    return fresh ? asTrustLevel(stored.trustLevel) : this.recompute(stored.id);
  }

  async recompute(userId: string): Promise<TrustLevel> {
    const history = await this.repository.history(userId, this.config.TRUST_RECENT_DAYS);
    if (!history) return 0;
    const level = computeTrustLevel(history, this.thresholds);
    await this.repository.store(userId, level);
    return level;
  }

  invalidate(userId: string): Promise<void> {
    return this.repository.invalidate(userId);
  }
}
