import { createArticle, createUser, http, postComment } from '../support/factories.js';
import { connectSocket, TestSocket } from '../support/sockets.js';
import { sample } from '../support/prometheus.js';
import { freePort } from '../support/proxy-process.js';
import { startServerProcess } from '../support/server-process.js';
import { startTestApp, TestApp } from '../support/test-app.js';

async function scrape(url: string, token?: string): Promise<string> {
  const res = await fetch(`${url}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  return res.text();
}

describe('GET /metrics', () => {
  let t: TestApp;
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    t = await startTestApp({ SOCKET_EVENTS_PER_MINUTE: '3' });
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.close();
  });
  afterAll(async () => {
    await t.close();
  });

  it('counts requests per route pattern and status, and reports the pool and the moderation queue', async () => {
    const article = await createArticle(t.prisma);
    expect((await http(t, 'GET', `/api/articles/${article.slug}`)).status).toBe(200);
    expect((await http(t, 'GET', '/api/articles/no-such-article')).status).toBe(404);
    const text = await scrape(t.url);
    const route = '/api/articles/:slug';
    expect(
      sample(text, 'rejoinder_http_request_duration_seconds_count', { method: 'GET', route, status: '200' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sample(text, 'rejoinder_http_request_duration_seconds_count', { method: 'GET', route, status: '404' }),
    ).toBeGreaterThanOrEqual(1);
    // Neither the slug nor any other URL becomes a label.
    expect(text).not.toContain(article.slug);
    expect(sample(text, 'rejoinder_db_pool_connections', { state: 'in_use' })).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'rejoinder_db_pool_connections', { state: 'waiting' })).toBe(0);
    expect(sample(text, 'rejoinder_moderation_queue_depth', { queue: 'pending' })).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'rejoinder_moderation_queue_depth', { queue: 'reported' })).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'rejoinder_process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('follows sockets, subscriptions, deliveries, their lag, replays and refusals', async () => {
    const article = await createArticle(t.prisma);
    const writer = await createUser(t);
    const before = await scrape(t.url);
    const delivered = (text: string, mode: string) =>
      sample(text, 'rejoinder_realtime_events_delivered_total', { mode }) ?? 0;

    const reader = await connectSocket(t.url);
    sockets.push(reader);
    await reader.ack('subscribe', { article: article.slug });
    await postComment(t, writer, article.slug, 'one');
    await postComment(t, writer, article.slug, 'two');
    await reader.waitFor((events) => events.length === 2);
    const late = await connectSocket(t.url);
    sockets.push(late);
    const replay = await late.ack('subscribe', { article: article.slug, after: 0 });
    expect(replay.resync).toBe(false);
    // Three events a minute pass (subscribe and two more), the fourth is refused.
    await late.ack('unsubscribe', { article: article.slug });
    await late.ack('unsubscribe', { article: article.slug });
    expect((await late.ack('unsubscribe', { article: article.slug })).error.code).toBe('RATE_LIMITED');

    const after = await scrape(t.url);
    expect(sample(after, 'rejoinder_sockets_open')).toBeGreaterThanOrEqual(2);
    expect(sample(after, 'rejoinder_realtime_subscriptions')).toBeGreaterThanOrEqual(1);
    expect(delivered(after, 'live') - delivered(before, 'live')).toBe(2);
    expect(delivered(after, 'replay') - delivered(before, 'replay')).toBe(2);
    expect(sample(after, 'rejoinder_realtime_delivery_lag_seconds_count')).toBeGreaterThanOrEqual(2);
    expect(sample(after, 'rejoinder_realtime_catchup_replays_total')).toBeGreaterThanOrEqual(1);
    expect(sample(after, 'rejoinder_rate_limit_refusals_total', { limit: 'socket' })).toBeGreaterThanOrEqual(1);
    expect(sample(after, 'rejoinder_realtime_events_dropped_total')).toBe(0);
  });
});

describe('GET /metrics protected', () => {
  const token = 'metrics-token-long-enough';

  it('asks for the bearer token when METRICS_TOKEN is set', async () => {
    const t = await startTestApp({ METRICS_TOKEN: token });
    try {
      const refused = await http(t, 'GET', '/metrics');
      expect(refused.status).toBe(401);
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
      expect(refused.body.code).toBe('UNAUTHENTICATED');
      expect((await http(t, 'GET', '/metrics', { token: 'wrong-token-of-some-length' })).status).toBe(401);
      expect(await scrape(t.url, token)).toContain('rejoinder_http_request_duration_seconds');
    } finally {
      await t.close();
    }
  });

  it('moves to the admin port when METRICS_PORT is set', async () => {
    const adminPort = await freePort();
    const server = await startServerProcess({ METRICS_PORT: String(adminPort), METRICS_TOKEN: token });
    try {
      expect((await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(
        404,
      );
      const admin = `http://127.0.0.1:${adminPort}`;
      expect((await fetch(`${admin}/metrics`)).status).toBe(401);
      expect((await fetch(`${admin}/api/articles`)).status).toBe(404);
      expect(await scrape(admin, token)).toContain('rejoinder_sockets_open');
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });
});
