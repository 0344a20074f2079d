import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { configSchema, loadConfig } from '@rejoinder/common';
import { apiNodeFlags } from '../../scripts/api-node-flags.mjs';

// No Docker engine runs here, so the compose file is checked by reading it;
// the same proxy configuration runs for real in test/e2e/proxy.e2e.spec.ts.
describe('docker-compose.yml', () => {
  const compose = parse(readFileSync('docker-compose.yml', 'utf8'), { merge: true });
  const apis = ['api-1', 'api-2'].map((name) => compose.services[name]);
  const [api] = apis;
  const proxy = compose.services.proxy;
  const haproxy = readFileSync('deploy/haproxy.cfg', 'utf8');

  it('runs PostgreSQL, Redis, two API nodes and the proxy', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['api-1', 'api-2', 'mailpit', 'postgres', 'proxy', 'redis']);
    expect(compose.services.postgres.image).toMatch(/^postgres:/);
    expect(compose.services.redis.image).toMatch(/^redis:/);
    // Mail goes to Mailpit, whose web UI shows it; its SMTP port stays inside.
    expect(compose.services.mailpit.image).toMatch(/^axllent\/mailpit:/);
    expect(compose.services.mailpit.ports).toEqual(['8025:8025']);
    for (const api of apis) expect(api.environment).toMatchObject({ SMTP_URL: 'smtp://mailpit:1025' });
    expect(proxy.image).toMatch(/^haproxy:/);
    for (const node of apis) {
      expect(node.depends_on).toMatchObject({
        postgres: { condition: 'service_healthy' },
        redis: { condition: 'service_healthy' },
      });
      expect(node.environment).toEqual(api.environment);
      expect(node.restart).toBe('unless-stopped');
    }
    expect(compose.services['api-2'].depends_on['api-1']).toEqual({ condition: 'service_healthy' });
  });

  it('publishes only the proxy; the API nodes and their metrics stay inside', () => {
    for (const name of ['postgres', 'redis']) expect(compose.services[name].ports).toBeUndefined();
    for (const node of apis) expect(node.ports).toBeUndefined();
    expect(proxy.ports).toEqual(['3000:8080']);
    expect(proxy.restart).toBe('unless-stopped');
    expect(api.environment.METRICS_PORT).toBe('9464');
    expect(haproxy).toMatch(/http-request deny .* if \{ path \/metrics \}/);
  });

  it('points the proxy at both nodes, sticky by cookie, checked by /ready', () => {
    expect(proxy.volumes).toContain('./deploy/haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro');
    expect(proxy.environment).toEqual({ PROXY_BIND: ':8080', API1_ADDR: 'api-1:3000', API2_ADDR: 'api-2:3000' });
    expect(haproxy).toContain('server api-1 "${API1_ADDR}" cookie api-1');
    expect(haproxy).toContain('server api-2 "${API2_ADDR}" cookie api-2');
    expect(haproxy).toMatch(/^\s*cookie rejoinder_node insert/m);
    expect(haproxy).toMatch(/^\s*option httpchk GET \/ready/m);
    expect(haproxy).toMatch(/^\s*option redispatch/m);
  });

  it('gives the API only variables it knows, pointing at the compose services', () => {
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

  it('trusts exactly the one hop of the proxy, which adds the address it sees', () => {
    expect(api.environment.TRUST_PROXY).toBe('1');
    expect(loadConfig({ ...api.environment, JWT_SECRET: 'x'.repeat(40) }).TRUST_PROXY).toBe(1);
    expect(haproxy).toMatch(/^\s*option forwardfor/m);
  });

  it('passes the configuration check with a secret filled in', () => {
    const env = { ...api.environment, JWT_SECRET: 'x'.repeat(40) };
    expect(loadConfig(env)).toMatchObject({ NODE_ENV: 'production', PORT: 3000, METRICS_PORT: 9464 });
  });

  it('restarts a crashed API, and the services it needs', () => {
    for (const service of ['api-1', 'api-2', 'postgres', 'redis', 'proxy'])
      expect(compose.services[service].restart).toBe('unless-stopped');
  });

  it('waits for the readiness probe and gives shutdown time to drain', () => {
    expect(api.healthcheck.test.join(' ')).toContain('/ready');
    const grace = Number(String(api.stop_grace_period).replace('s', '')) * 1000;
    expect(grace).toBeGreaterThan(Number(api.environment.SHUTDOWN_TIMEOUT_MS));
  });
});

describe('how the server is started', () => {
  it('runs with the same Node.js flags from npm start, the Dockerfile and the tests', () => {
    const flags = apiNodeFlags();
    expect(flags).toContain('--liftoff-only');
    const cmd = /^CMD (\[.*\])$/m.exec(readFileSync('Dockerfile', 'utf8'))![1];
    expect(JSON.parse(cmd)).toEqual(['node', ...flags, 'dist/apps/api/src/main.js']);
  });
});

describe('Node.js version', () => {
  const engines = (JSON.parse(readFileSync('package.json', 'utf8')) as { engines: { node: string } }).engines.node;
  const major = /^>=(\d+)\./.exec(engines)![1];

  it('is the same in package.json, the Dockerfile, .nvmrc and the README', () => {
    for (const from of readFileSync('Dockerfile', 'utf8').match(/^FROM .*$/gm)!)
      expect(from).toContain(`node:${major}.`);
    expect(readFileSync('.nvmrc', 'utf8').trim()).toBe(major);
    expect(readFileSync('README.md', 'utf8')).toContain(`Node.js ${engines.slice(2)} or newer`);
  });
});
