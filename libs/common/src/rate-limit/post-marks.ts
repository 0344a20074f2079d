import { Inject, Injectable, Optional } from '@nestjs/common';
import { DomainError } from '../errors/domain-error.js';
import { ErrorCode } from '../errors/error-codes.js';
import { RATE_LIMIT_REDIS } from './rate-limits.js';

// The few Redis commands the marks use (node-redis 5).
interface MarkRedis {
  set(key: string, value: string, options: object): Promise<string | null>;
  get(key: string): Promise<string | null>;
  pTTL(key: string): Promise<number>;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0";

// Marks that remember who made them, in memory on one node or in Redis when
// nodes share limits. A mark holds its owner (a comment's client id), so the
// same owner may pass it again: a retry of a post - after a 503, or on another
// node after the first one died mid-transaction - is never refused by the
// mark its own first attempt left behind.
@Injectable()
export class PostMarks {
  private readonly memory = new Map<string, { owner: string; expiresAt: number }>();
  private readonly redis: MarkRedis | null;

  constructor(@Optional() @Inject(RATE_LIMIT_REDIS) redis?: unknown) {
    this.redis = (redis as MarkRedis | null | undefined) ?? null;
  }

  // Makes the mark, or finds it already made by `owner`; otherwise refuses
  // with DUPLICATE_COMMENT and the time until the mark expires.
  async claim(key: string, owner: string, ttlMs: number): Promise<void> {
    let holder: string | null;
    let leftMs = ttlMs;
    if (this.redis) {
      // One round trip: set if absent, else tell who holds it.
      holder = await this.redis.set(`mark:${key}`, owner, { condition: 'NX', GET: true, expiration: { type: 'PX', value: ttlMs } });
      if (holder !== null && holder !== owner) leftMs = await this.redis.pTTL(`mark:${key}`);
    } else {
      const now = Date.now();
      const found = this.memory.get(key);
      holder = found && found.expiresAt > now ? found.owner : null;
      if (holder === null) this.setInMemory(key, owner, now + ttlMs);
      else leftMs = found!.expiresAt - now;
    }
    if (holder === null || holder === owner) return;
    const retryAfterSeconds = Math.max(1, Math.ceil(leftMs / 1000));
    throw new DomainError(ErrorCode.DuplicateComment, `Retry in ${retryAfterSeconds} s`, { retryAfterSeconds, retryAfterMs: Math.max(leftMs, 0) });
  }

  async set(key: string, owner: string, ttlMs: number): Promise<void> {
    if (this.redis) await this.redis.set(`mark:${key}`, owner, { expiration: { type: 'PX', value: ttlMs } });
    else this.setInMemory(key, owner, Date.now() + ttlMs);
  }

  async holds(key: string, owner: string): Promise<boolean> {
    if (this.redis) return (await this.redis.get(`mark:${key}`)) === owner;
    const found = this.memory.get(key);
    return found !== undefined && found.owner === owner && found.expiresAt > Date.now();
  }

  // Takes the mark off, if `owner` holds it.
  async release(key: string, owner: string): Promise<void> {
    if (this.redis) {
      await this.redis.eval(RELEASE, { keys: [`mark:${key}`], arguments: [owner] }).catch(() => undefined);
      return;
    }
    if (this.memory.get(key)?.owner === owner) this.memory.delete(key);
  }

  private setInMemory(key: string, owner: string, expiresAt: number): void {
    // Expired marks are swept when the map grows, so memory stays bounded by
    // the marks of one window.
    if (this.memory.size >= 10_000) {
      const now = Date.now();
      for (const [k, mark] of this.memory) if (mark.expiresAt <= now) this.memory.delete(k);
    }
    this.memory.set(key, { owner, expiresAt });
  }
}
