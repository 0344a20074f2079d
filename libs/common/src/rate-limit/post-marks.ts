import { Inject, Injectable, Optional } from '@nestjs/common';
import { DomainError } from '../errors/domain-error.js';
import { ErrorCode } from '../errors/error-codes.js';
import type { RedisConnection } from '../redis/redis-connection.js';
import { RATE_LIMIT_REDIS } from './rate-limits.js';

const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0";

// Marks that remember who made them, in memory on one node or in Redis when
// nodes share limits. A mark holds its owner (a comment's client id), so the
// same owner may pass it again: a retry of a post - after a 503, or on another
// node after the first one died mid-transaction - is never refused by the
// mark its own first attempt left behind. While Redis is down or slow, marks
// are kept in this node's memory, as the rate limits are (every Redis call is
// bounded by the connection).
@Injectable()
export class PostMarks {
  private static readonly SWEEP_FLOOR = 10_000;
  private readonly memory = new Map<string, { owner: string; expiresAt: number }>();
  private sweepAt = PostMarks.SWEEP_FLOOR;

  constructor(@Optional() @Inject(RATE_LIMIT_REDIS) private readonly redis?: RedisConnection | null) {}

  // Redis while it is known to work; the command's failure falls back to memory.
  private async shared<T>(command: (redis: RedisConnection) => Promise<T>): Promise<{ value: T } | null> {
    const redis = this.redis;
    if (!redis?.up) return null;
    try {
      return { value: await redis.bounded(command(redis)) };
    } catch {
      return null;
    }
  }

  // Makes the mark, or finds it already made by `owner`; otherwise refuses
  // with DUPLICATE_COMMENT and the time until the mark expires.
  async claim(key: string, owner: string, ttlMs: number): Promise<void> {
    let holder: string | null;
    let leftMs = ttlMs;
    // One round trip: set if absent, else tell who holds it.
    const found = await this.shared((redis) =>
      redis.client.set(`mark:${key}`, owner, { condition: 'NX', GET: true, expiration: { type: 'PX', value: ttlMs } }),
    );
    if (found) {
      holder = found.value;
      if (holder !== null && holder !== owner)
        leftMs = (await this.shared((redis) => redis.client.pTTL(`mark:${key}`)))?.value ?? ttlMs;
    } else {
      const now = Date.now();
      const local = this.memory.get(key);
      holder = local && local.expiresAt > now ? local.owner : null;
      if (holder === null) this.setInMemory(key, owner, now + ttlMs);
      else leftMs = local!.expiresAt - now;
    }
    if (holder === null || holder === owner) return;
    const retryAfterSeconds = Math.max(1, Math.ceil(leftMs / 1000));
    throw new DomainError(ErrorCode.DuplicateComment, `Retry in ${retryAfterSeconds} s`, {
      retryAfterSeconds,
      retryAfterMs: Math.max(leftMs, 0),
    });
  }

  async set(key: string, owner: string, ttlMs: number): Promise<void> {
    const stored = await this.shared((redis) =>
      redis.client.set(`mark:${key}`, owner, { expiration: { type: 'PX', value: ttlMs } }),
    );
    if (!stored) this.setInMemory(key, owner, Date.now() + ttlMs);
  }

  async holds(key: string, owner: string): Promise<boolean> {
    const shared = await this.shared((redis) => redis.client.get(`mark:${key}`));
    if (shared && shared.value === owner) return true;
    const found = this.memory.get(key);
    return found !== undefined && found.owner === owner && found.expiresAt > Date.now();
  }

  // Takes the mark off, if `owner` holds it.
  async release(key: string, owner: string): Promise<void> {
    await this.shared((redis) => redis.client.eval(RELEASE, { keys: [`mark:${key}`], arguments: [owner] }));
    if (this.memory.get(key)?.owner === owner) this.memory.delete(key);
  }

  private setInMemory(key: string, owner: string, expiresAt: number): void {
    // Expired marks are swept when the map has doubled since the last sweep,
    // so memory stays bounded by twice the marks of one window and a post
    // pays O(1) on average (a sweep on every post past a fixed size cost a
    // scan of the whole map each time).
    if (this.memory.size >= this.sweepAt) {
      const now = Date.now();
      for (const [k, mark] of this.memory) if (mark.expiresAt <= now) this.memory.delete(k);
      this.sweepAt = Math.max(PostMarks.SWEEP_FLOOR, 2 * this.memory.size);
    }
    this.memory.set(key, { owner, expiresAt });
  }

  // How many marks this node's memory holds now.
  get inMemory(): number {
    return this.memory.size;
  }
}
