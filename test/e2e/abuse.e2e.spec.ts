import { hash } from '@node-rs/argon2';
import WebSocket from 'ws';
import { http, unique } from '../support/factories.js';
import { connectSocket, TestSocket, waitUntil } from '../support/sockets.js';
import { EventsGateway } from '../../apps/api/src/realtime/events.gateway.js';
import { startTestApp, TestApp } from '../support/test-app.js';

// What an attacker tries: forged client addresses, guessing one account's
// password from many addresses, and opening sockets without end.
const apps: TestApp[] = [];
const sockets: TestSocket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.close();
  await Promise.all(apps.splice(0).map((a) => a.close()));
});
async function app(overrides: Record<string, string>) {
  const started = await startTestApp({ RATE_AUTH_PER_IP: '10', ...overrides });
  apps.push(started);
  return started;
}

async function account(t: TestApp) {
  const username = unique('ab').replace('-', '_');
  const password = 'a long and unusual passphrase';
  const row = await t.prisma.user.create({
    data: { username, usernameKey: username, email: `${username}@example.test`, passwordHash: await hash(password) },
  });
  return { id: row.id, username, password };
}

const randomAddress = () => `198.18.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
const login = (t: TestApp, body: object, forwardedFor?: string) =>
  http(t, 'POST', '/api/auth/login', { body, headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {} });

describe('client addresses behind a proxy (TRUST_PROXY)', () => {
  it('takes the address the trusted proxy saw, not one the client wrote before it', async () => {
    const t = await app({ TRUST_PROXY: '1' });
    const statuses: number[] = [];
    // The client forges a new left-most address each time; the proxy appends the real one.
    for (let i = 0; i < 12; i++)
      statuses.push(
        (await login(t, { login: unique('nobody'), password: 'wrong password' }, `${randomAddress()}, 203.0.113.7`))
          .status,
      );
    expect(statuses).toEqual([...Array(10).fill(401), 429, 429]);
    // Another client behind the same proxy is not affected.
    expect(
      (await login(t, { login: unique('nobody'), password: 'wrong password' }, `${randomAddress()}, 203.0.113.8`))
        .status,
    ).toBe(401);
  });

  it('ignores X-Forwarded-For when no proxy is trusted', async () => {
    const t = await app({ TRUST_PROXY: 'false' });
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++)
      statuses.push((await login(t, { login: unique('nobody'), password: 'wrong password' }, randomAddress())).status);
    expect(statuses).toEqual([...Array(10).fill(401), 429, 429]);
  });

  it('trusts only the listed proxies', async () => {
    const t = await app({ TRUST_PROXY: '10.9.9.9' });
    const statuses: number[] = [];
    // The test client (127.0.0.1) is not a listed proxy: its header counts for nothing.
    for (let i = 0; i < 11; i++)
      statuses.push((await login(t, { login: unique('nobody'), password: 'wrong password' }, randomAddress())).status);
    expect(statuses.at(-1)).toBe(429);
  });
});

describe('sign-in throttle per account', () => {
  it('locks an account after 10 failures from any addresses, with Retry-After, even for the right password', async () => {
    const t = await app({ TRUST_PROXY: '1', RATE_AUTH_PER_IP: '100000' });
    const target = await account(t);
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++)
      statuses.push((await login(t, { login: target.username, password: `guess ${i}` }, randomAddress())).status);
    expect(statuses).toEqual([...Array(10).fill(401), 429]);
    const right = await login(
      t,
      { login: `${target.username}@example.test`, password: target.password },
      randomAddress(),
    );
    expect(right.status).toBe(429);
    expect(right.body.code).toBe('RATE_LIMITED');
    expect(Number(right.headers.get('retry-after'))).toBeGreaterThan(800);
    // Other accounts sign in as usual.
    const other = await account(t);
    expect((await login(t, { login: other.username, password: other.password }, randomAddress())).status).toBe(200);
  });

  it('forgets failures after a successful sign-in', async () => {
    const t = await app({ RATE_AUTH_PER_IP: '100000' });
    const target = await account(t);
    for (let i = 0; i < 9; i++)
      expect((await login(t, { login: target.username, password: `guess ${i}` })).status).toBe(401);
    expect((await login(t, { login: target.username, password: target.password })).status).toBe(200);
    for (let i = 0; i < 9; i++)
      expect((await login(t, { login: target.username, password: `again ${i}` })).status).toBe(401);
    expect((await login(t, { login: target.username, password: target.password })).status).toBe(200);
  });

  // Runs where REDIS_URL is set (CI sets it): two nodes share the count.
  const redis = process.env.REDIS_URL;
  if (redis)
    it('counts failures on one node against the account on another', async () => {
      const a = await app({ RATE_AUTH_PER_IP: '100000', REDIS_URL: redis, REALTIME_ADAPTER: 'memory' });
      const b = await app({ RATE_AUTH_PER_IP: '100000', REDIS_URL: redis, REALTIME_ADAPTER: 'memory' });
      const target = await account(a);
      for (let i = 0; i < 10; i++)
        expect((await login(i % 2 ? a : b, { login: target.username, password: `guess ${i}` })).status).toBe(401);
      expect((await login(a, { login: target.username, password: target.password })).status).toBe(429);
      expect((await login(b, { login: target.username, password: target.password })).status).toBe(429);
    });

  it('throttles names that match no account the same way', async () => {
    const t = await app({ RATE_AUTH_PER_IP: '100000' });
    const name = unique('ghost');
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await login(t, { login: name, password: `guess ${i}` })).status);
    expect(statuses).toEqual([...Array(10).fill(401), 429]);
  });
});

// A raw engine.io WebSocket, to send what socket.io-client never would.
async function rawConnection(url: string): Promise<{ ws: WebSocket; frames: string[] }> {
  const ws = new WebSocket(`${url.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`);
  const frames: string[] = [];
  ws.on('message', (data: Buffer) => frames.push(data.toString('utf8')));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { ws, frames };
}

describe('sockets', () => {
  it('holds one socket per connection: a burst of CONNECT packets opens one socket, and no more', async () => {
    const t = await app({});
    const { ws, frames } = await rawConnection(t.url);
    const token = (
      await http(t, 'POST', '/api/auth/register', {
        body: {
          username: unique('ws').replace('-', '_'),
          email: `${unique('ws')}@example.test`,
          password: 'a long and unusual passphrase',
        },
      })
    ).body.accessToken as string;
    // Each CONNECT carries a token, so each would cost a database lookup.
    for (let i = 0; i < 200; i++) ws.send(`40${JSON.stringify({ token })}`);
    await waitUntil(() => frames.some((f) => f.startsWith('40{"sid"')));
    const gateway: unknown = t.app.get(EventsGateway);
    expect((await (gateway as { server: { fetchSockets(): Promise<unknown[]> } }).server.fetchSockets()).length).toBe(
      1,
    );
    // Those that arrived while the first was being admitted were refused; later ones are ignored.
    const answers = frames.slice(1);
    expect(answers.filter((f) => f.startsWith('40{"sid"')).length).toBe(1);
    for (const frame of answers.filter((f) => !f.startsWith('40{"sid"')))
      expect(frame).toContain('ONE_SOCKET_PER_CONNECTION');
    ws.close();
  });

  it('caps open connections per client address', async () => {
    const t = await app({ TRUST_PROXY: '1', SOCKET_CONNECTIONS_PER_IP: '3' });
    const from = (address: string) => connectSocket(t.url, { headers: { 'x-forwarded-for': address } });
    for (let i = 0; i < 3; i++) sockets.push(await from('203.0.113.20'));
    const refused = await from('203.0.113.20').then(
      (s) => (sockets.push(s), 'connected'),
      (error: Error) => error.message,
    );
    expect(refused).toMatch(/TOO_MANY_CONNECTIONS|xhr poll error|websocket error/);
    sockets.push(await from('203.0.113.21'));
    // A connection that closes frees its place (once the server has seen it close).
    const gone = sockets.shift()!;
    gone.close();
    let again: TestSocket | null = null;
    for (let attempt = 0; attempt < 50 && !again; attempt++) again = await from('203.0.113.20').catch(() => null);
    expect(again).not.toBeNull();
    sockets.push(again!);
    expect(sockets.every((s) => s.socket.connected)).toBe(true);
  });

  it('counts the connect against the rate limit of its connection', async () => {
    const t = await app({ SOCKET_EVENTS_PER_MINUTE: '2' });
    const socket = await connectSocket(t.url);
    sockets.push(socket);
    expect(await socket.ack('unsubscribe', { article: 'a' })).toEqual({ ok: true });
    expect(await socket.ack('unsubscribe', { article: 'a' })).toMatchObject({ error: { code: 'RATE_LIMITED' } });
  });
});
