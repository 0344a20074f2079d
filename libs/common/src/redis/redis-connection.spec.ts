import { Logger } from '@nestjs/common';
import { RateLimits } from '../rate-limit/rate-limits.js';
import { loadConfig } from '../config/app-config.js';
import { DomainError } from '../errors/domain-error.js';
import { ErrorCode } from '../errors/error-codes.js';
import { reconnectDelay, RedisConnection } from './redis-connection.js';

// Nothing listens on port 1: every attempt is refused at once.
const NOWHERE = 'redis://127.0.0.1:1';

describe('reconnectDelay', () => {
  it('doubles from 100 ms and stays under 5.1 s however many attempts failed', () => {
    expect(reconnectDelay(0)).toBeGreaterThanOrEqual(100);
    expect(reconnectDelay(0)).toBeLessThan(200);
    expect(reconnectDelay(3)).toBeGreaterThanOrEqual(800);
    for (const retries of [6, 10, 1000]) {
      expect(reconnectDelay(retries)).toBeGreaterThanOrEqual(5000);
      expect(reconnectDelay(retries)).toBeLessThan(5100);
    }
  });
});

describe('a Redis connection that cannot connect', () => {
  let connection: RedisConnection;
  beforeAll(() => Logger.overrideLogger(false));
  beforeEach(async () => {
    connection = new RedisConnection('limits', NOWHERE, 200);
    await connection.open();
  });
  afterEach(() => connection.close());

  it('is down after the first attempt, counted as one outage however many attempts follow', async () => {
    const changes: string[] = [];
    connection.onChange((state) => changes.push(state));
    expect(connection.up).toBe(false);
    expect(connection.status()).toMatchObject({ state: 'down', outages: 1 });
    let attempts = 0;
    await new Promise<void>((resolve) =>
      connection.client.on('reconnecting', () => {
        if (++attempts === 2) resolve();
      }),
    );
    expect(connection.status().outages).toBe(1);
    expect(changes).toEqual([]);
  });

  it('refuses commands at once instead of queueing them', async () => {
    await expect(connection.client.get('key')).rejects.toThrow();
  });

  it('leaves rate limits to this node, counting each decision', async () => {
    const config = loadConfig({ RATE_AUTH_PER_IP: '2' });
    const limits = new RateLimits(config, connection);
    await limits.consume('auth-ip', '192.0.2.1');
    await limits.consume('auth-ip', '192.0.2.1');
    const refused = await limits.consume('auth-ip', '192.0.2.1').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DomainError);
    expect((refused as DomainError).code).toBe(ErrorCode.RateLimited);
    expect(limits.status()).toEqual({ store: 'memory', localDecisions: 3 });
  });
});
