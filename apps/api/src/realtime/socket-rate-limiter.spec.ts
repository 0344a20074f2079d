import { SocketRateLimiter } from './socket-rate-limiter.js';

describe('SocketRateLimiter', () => {
  // The limiter starts its clock when it is made; the tests move it forward from there.
  let start = 0;
  const limiterFor = (perMinute: number, maxStrikes?: number) => {
    const limiter = new SocketRateLimiter(perMinute, maxStrikes);
    start = Date.now() + 1;
    return limiter;
  };

  it('lets a full bucket through, then says how long to wait', () => {
    const limiter = limiterFor(60);
    for (let i = 0; i < 60; i += 1) expect(limiter.take(start)).toBe(0);
    // 60 per minute: one token a second.
    expect(limiter.take(start)).toBe(1000);
    expect(limiter.take(start + 400)).toBe(600);
  });

  it('refills continuously, never past the bucket size', () => {
    const limiter = limiterFor(60);
    for (let i = 0; i < 60; i += 1) limiter.take(start);
    expect(limiter.take(start + 1000)).toBe(0);
    expect(limiter.take(start + 1000)).toBeGreaterThan(0);
    // An hour idle refills 60 tokens, not 3,600.
    const later = start + 3_600_000;
    for (let i = 0; i < 60; i += 1) expect(limiter.take(later)).toBe(0);
    expect(limiter.take(later)).toBeGreaterThan(0);
  });

  it('counts refusals in a row as flooding, and forgets them after an accepted event', () => {
    const limiter = limiterFor(1, 3);
    expect(limiter.take(start)).toBe(0);
    for (let i = 0; i < 2; i += 1) limiter.take(start);
    expect(limiter.flooding).toBe(false);
    limiter.take(start);
    expect(limiter.flooding).toBe(true);
    expect(limiter.take(start + 60_000)).toBe(0);
    expect(limiter.flooding).toBe(false);
  });
});
