import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { createHash } from 'node:crypto';
import {
  IRateLimiterOptions,
  RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  RLWrapperTimeouts,
} from 'rate-limiter-flexible';
import type { RedisClientType } from 'redis';
import { APP_CONFIG } from '../config/app-config.js';
import type { AppConfig } from '../config/app-config.js';
import { DomainError } from '../errors/domain-error.js';
import { ErrorCode } from '../errors/error-codes.js';
import { Metrics } from '../metrics/metrics.js';
import { clientView } from '../redis/redis-connection.js';
import type { RedisConnection } from '../redis/redis-connection.js';

export type LimitName =
  | 'comment-user'
  | 'comment-new-user'
  | 'comment-ip'
  | 'auth-ip'
  | 'digest-ip'
  | 'login-failures'
  | 'email-verification'
  | 'password-reset'
  | 'embed-create-ip';

// The Redis connection (a RedisConnection) limits are shared through, when
// REDIS_URL is set.
export const RATE_LIMIT_REDIS = Symbol('RATE_LIMIT_REDIS');

export interface RateLimitsStatus {
  // Where limits are counted now: shared through Redis, or in this node's
  // memory (one node, or Redis unavailable).
  store: 'redis' | 'memory';
  // Decisions taken in memory because Redis was down or slow, since start-up.
  localDecisions: number;
}

// Takes over a limit while Redis cannot decide it: the same size, counted in
// this node's memory.
class InsuranceLimiter extends RateLimiterMemory {
  constructor(
    options: IRateLimiterOptions,
    private readonly used: () => void,
  ) {
    super(options);
  }

  override consume(key: string | number, points?: number, options?: Record<string, unknown>): Promise<RateLimiterRes> {
    this.used();
    return super.consume(key, points, options);
  }

  override reward(key: string | number, points?: number, options?: Record<string, unknown>): Promise<RateLimiterRes> {
    this.used();
    return super.reward(key, points, options);
  }
}

// What the limiters see of the Redis client: ready only while the connection
// is known to work, so that while Redis is down or hangs every decision goes
// straight to the insurance limiter instead of waiting for a timeout.
function limiterClient(connection: RedisConnection): RedisClientType {
  return clientView(connection.client, { isReady: () => connection.up });
}

// Rate limits through rate-limiter-flexible: in memory on one node, in Redis
// when several share them. A consumed point can be given back when the work
// it paid for fails. Without Redis, each node limits on its own in memory
// (rate-limiter-flexible's insurance limiter) and hands back to Redis when it
// answers again.
@Injectable()
export class RateLimits {
  private readonly logger = new Logger(RateLimits.name);
  private readonly limiters: Record<LimitName, RateLimiterAbstract>;
  // Each limit's size: a wrapped limiter does not report its own.
  private readonly points = new Map<RateLimiterAbstract, number>();
  private localDecisions = 0;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Optional() @Inject(RATE_LIMIT_REDIS) private readonly redis?: RedisConnection | null,
    @Optional() private readonly metrics?: Metrics,
  ) {
    const make = (keyPrefix: string, points: number, duration: number): RateLimiterAbstract => {
      const limiter = build(keyPrefix, points, duration);
      this.points.set(limiter, points);
      return limiter;
    };
    const build = (keyPrefix: string, points: number, duration: number): RateLimiterAbstract => {
      if (!redis) return new RateLimiterMemory({ keyPrefix, points, duration });
      const insuranceLimiter = new InsuranceLimiter({ keyPrefix, points, duration }, () => this.decidedLocally());
      // The wrapper bounds each decision (node-redis bounds the wait to send a
      // command, not the wait for its answer); the insurance limiter decides
      // when Redis is down, fails or is too slow.
      return new RLWrapperTimeouts({
        timeoutMs: config.REDIS_COMMAND_TIMEOUT_MS,
        insuranceLimiter,
        limiter: new RateLimiterRedis({
          storeClient: limiterClient(redis),
          useRedisPackage: true,
          rejectIfRedisNotReady: true,
          insuranceLimiter,
          // The prefix names the limit's size, so nodes configured differently
          // (a rolling change of limits) do not share one counter.
          keyPrefix: `rl:${keyPrefix}:${points}/${duration}`,
          points,
          duration,
        }),
      });
    };
    this.limiters = {
      'comment-user': make('cu', config.RATE_COMMENTS_PER_USER, config.RATE_COMMENTS_PER_USER_WINDOW),
      'comment-new-user': make('cn', config.RATE_COMMENTS_PER_NEW_USER, config.RATE_COMMENTS_PER_NEW_USER_WINDOW),
      'comment-ip': make('ci', config.RATE_COMMENTS_PER_IP, config.RATE_COMMENTS_PER_IP_WINDOW),
      'auth-ip': make('ai', config.RATE_AUTH_PER_IP, config.RATE_AUTH_PER_IP_WINDOW),
      'digest-ip': make('di', config.RATE_DIGESTS_PER_IP, config.RATE_DIGESTS_PER_IP_WINDOW),
      // Articles an embed creates, per client address per hour.
      'embed-create-ip': make('ec', config.ARTICLE_EMBED_CREATES_PER_IP, 3600),
      'login-failures': make(
        'lf',
        config.RATE_LOGIN_FAILURES_PER_ACCOUNT,
        config.RATE_LOGIN_FAILURES_PER_ACCOUNT_WINDOW,
      ),
      'email-verification': make(
        'ev',
        config.RATE_EMAIL_VERIFICATION_PER_USER,
        config.RATE_EMAIL_VERIFICATION_PER_USER_WINDOW,
      ),
      'password-reset': make(
        'pr',
        config.RATE_PASSWORD_RESET_PER_ADDRESS,
        config.RATE_PASSWORD_RESET_PER_ADDRESS_WINDOW,
      ),
    };
    if (redis) {
      const fallback = "Redis unavailable: rate limits are counted in this node's memory until it answers";
      if (!redis.up) this.logger.warn(`${fallback} (since start-up)`);
      redis.onChange((state, cause) => {
        if (state === 'down') {
          this.logger.warn({ err: cause }, fallback);
        } else if (state === 'up') {
          this.logger.log(
            { localDecisions: this.localDecisions },
            'Redis answers again: rate limits are shared across nodes',
          );
        }
      });
    }
  }

  status(): RateLimitsStatus {
    return { store: this.redis?.up ? 'redis' : 'memory', localDecisions: this.localDecisions };
  }

  // The insurance limiter decided: Redis is down (known), or a command to it
  // just failed or timed out, which makes it so.
  private decidedLocally(): void {
    this.localDecisions += 1;
    if (this.redis?.up) this.redis.reportFailure(new Error('A rate-limit command to Redis failed or timed out'));
  }

  // Takes one point, or throws RATE_LIMITED with the seconds to wait.
  async consume(name: LimitName, key: string): Promise<void> {
    try {
      await this.limiters[name].consume(key);
    } catch (result) {
      if (!(result instanceof RateLimiterRes)) throw result;
      this.metrics?.rateLimitRefusals.inc({ limit: name });
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
    if (state && state.consumedPoints >= (this.points.get(limiter) ?? limiter.points)) {
      const retryAfterSeconds = Math.max(1, Math.ceil(state.msBeforeNext / 1000));
      throw new DomainError(ErrorCode.RateLimited, `Retry in ${retryAfterSeconds} s`, {
        retryAfterSeconds,
        retryAfterMs: state.msBeforeNext,
      });
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
