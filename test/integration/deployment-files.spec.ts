import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { configSchema, loadConfig } from '@rejoinder/common';

// No Docker engine runs here, so the compose file is checked by reading it.
describe('docker-compose.yml', () => {
  const compose = parse(readFileSync('docker-compose.yml', 'utf8'));
  const api = compose.services.api;

  it('runs PostgreSQL, Redis, the API and a proxy in front of it', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['api', 'postgres', 'proxy', 'redis']);
    expect(compose.services.postgres.image).toMatch(/^postgres:/);
    expect(compose.services.redis.image).toMatch(/^redis:/);
    expect(api.depends_on).toMatchObject({
      postgres: { condition: 'service_healthy' },
      redis: { condition: 'service_healthy' },
    });
  });

  it("gives the API only variables it knows, pointing at the compose services", () => {
    const known = new Set(Object.keys(configSchema.shape));
    for (const name of Object.keys(api.environment)) expect(known.has(name) ? name : `unknown ${name}`).toBe(name);
    const db = new URL(api.environment.DATABASE_URL);
    expect(db.hostname).toBe('postgres');
    const pg = compose.services.postgres.environment;
    expect(db.username).toBe(pg.POSTGRES_USER);
    expect(db.password).toBe(pg.POSTGRES_PASSWORD);
    expect(db.pathname).toBe(`/${pg.POSTGRES_DB}`);
    expect(new URL(api.environment.REDIS_URL).hostname).toBe('redis');
    expect(api.environment.REALTIME_ADAPTER).toBe('redis');
  });

  it('publishes only the proxy, and trusts exactly that one hop', () => {
    expect(api.ports).toBeUndefined();
    for (const name of ['postgres', 'redis']) expect(compose.services[name].ports).toBeUndefined();
    const proxy = compose.services.proxy;
    expect(proxy.ports).toContain('80:80');
    expect(proxy.command.join(' ')).toContain('--to api:3000');
    expect(loadConfig({ ...api.environment, JWT_SECRET: 'x'.repeat(40) }).TRUST_PROXY).toBe(1);
  });

  it('passes the configuration check with a secret filled in', () => {
    const env = { ...api.environment, JWT_SECRET: 'x'.repeat(40) };
    expect(loadConfig(env)).toMatchObject({ NODE_ENV: 'production', PORT: 3000 });
  });

  it('waits for the readiness probe and gives shutdown time to drain', () => {
    expect(api.healthcheck.test.join(' ')).toContain('/ready');
    const grace = Number(String(api.stop_grace_period).replace('s', '')) * 1000;
    expect(grace).toBeGreaterThan(Number(api.environment.SHUTDOWN_TIMEOUT_MS));
  });
});
