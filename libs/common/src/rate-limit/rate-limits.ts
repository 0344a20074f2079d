import { Inject, Injectable, Optional } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { APP_CONFIG } from '../config/app-config.js';
import type { AppConfig } from '../config/app-config.js';
import { DomainError } from '../errors/domain-error.js';
import { ErrorCode } from '../errors/error-codes.js';

export type LimitName = 'comment-user' | 'comment-new-user' | 'comment-ip' | 'auth-ip' | 'login-failures';

// A connected node-redis client, when limits are shared across nodes.
export const RATE_LIMIT_REDIS = Symbol('RATE_LIMIT_REDIS');

// Rate limits through rate-limiter-flexible: in memory on one node, in Redis
// when several share them. A consumed point can be given back when the work
// it paid for fails.
@Injectable()
export class RateLimits {
  private readonly limiters: Record<LimitName, RateLimiterAbstract>;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Optional() @Inject(RATE_LIMIT_REDIS) redis?: unknown,
  ) {
    const make = (keyPrefix: string, points: number, duration: number): RateLimiterAbstract =>
      redis
        ? // The prefix names the limit's size, so nodes configured differently
          // (a rolling change of limits) do not share one counter.
          new RateLimiterRedis({ storeClient: redis, useRedisPackage: true, keyPrefix: `rl:${keyPrefix}:${points}/${duration}`, points, duration })
        : new RateLimiterMemory({ keyPrefix, points, duration });
    this.limiters = {
      'comment-user': make('cu', config.RATE_COMMENTS_PER_USER, config.RATE_COMMENTS_PER_USER_WINDOW),
      'comment-new-user': make('cn', config.RATE_COMMENTS_PER_NEW_USER, config.RATE_COMMENTS_PER_NEW_USER_WINDOW),
      'comment-ip': make('ci', config.RATE_COMMENTS_PER_IP, config.RATE_COMMENTS_PER_IP_WINDOW),
      'auth-ip': make('ai', config.RATE_AUTH_PER_IP, config.RATE_AUTH_PER_IP_WINDOW),
      'login-failures': make('lf', config.RATE_LOGIN_FAILURES_PER_ACCOUNT, config.RATE_LOGIN_FAILURES_PER_ACCOUNT_WINDOW),
    };
  }

  // Takes one point, or throws RATE_LIMITED with the seconds to wait.
  async consume(name: LimitName, key: string): Promise<void> {
    try {
      await this.limiters[name].consume(key);
    } catch (result) {
      if (!(result instanceof RateLimiterRes)) throw result;
      const retryAfterSeconds = Math.max(1, Math.ceil(result.msBeforeNext / 1000));
      throw new DomainError(ErrorCode.RateLimited, `Retry in ${retryAfterSeconds} s`, {
        retryAfterSeconds,
        retryAfterMs: result.msBeforeNext,
      });
    }
  }

  // Throws RATE_LIMITED while the limit is used up, without taking a point:
  // for limits that count failures only.
  async assertOpen(name: LimitName, key: string): Promise<void> {
    const limiter = this.limiters[name];
    const state = await limiter.get(key);
    if (state && state.consumedPoints >= limiter.points) {
      const retryAfterSeconds = Math.max(1, Math.ceil(state.msBeforeNext / 1000));
      throw new DomainError(ErrorCode.RateLimited, `Retry in ${retryAfterSeconds} s`, { retryAfterSeconds, retryAfterMs: state.msBeforeNext });
    }
  }

  // Counts a failure; never throws for the limit (the next attempt is refused).
  async penalise(name: LimitName, key: string): Promise<void> {
    await this.limiters[name].penalty(key);
  }

  async reset(name: LimitName, key: string): Promise<void> {
    await this.limiters[name].delete(key);
  }

  async refund(name: LimitName, key: string): Promise<void> {
    await this.limiters[name].reward(key).catch(() => undefined);
  }
}

export function bodyFingerprint(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('base64url');
}
