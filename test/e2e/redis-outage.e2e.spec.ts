import { PrismaPg } from '@prisma/adapter-pg';
import { randomUUID } from 'node:crypto';
import { PrismaClient } from '../../libs/db/src/generated/prisma/client.js';
import { createArticle, http, unique } from '../support/factories.js';
import { RedisServer, startRedisServer } from '../support/redis-server.js';
import { ServerProcess, startServerProcess } from '../support/server-process.js';
import { connectSocket, TestSocket } from '../support/sockets.js';
import { startTestApp } from '../support/test-app.js';

// A request that takes longer than this counts as hanging: far above the Redis
// command timeout (500 ms), far below the minutes requests used to wait. The
// tests also wait for every request sent while Redis is away to be answered
// before they bring it back, so an answer that waits for Redis fails them
// however long this is.
const ANSWER_WITHIN_MS = 10_000;

interface Answer {
  kind: 'comment' | 'socket comment' | 'register' | 'login';
  status: number;
  retryAfter: string | null;
  duringOutage: boolean;
  commentId?: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Reads until the value passes; a failure shows the last value read.
async function eventually<T>(read: () => Promise<T>, passes: (value: T) => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let value = await read(); !passes(value); value = await read()) {
    if (Date.now() > deadline) throw new Error(`not there within ${timeoutMs} ms; last: ${JSON.stringify(value)}`);
    await sleep(100);
  }
}

async function details(node: ServerProcess): Promise<any> {
  return (await http(node, 'GET', '/health/details')).body;
}

// Writers and sign-ins on both nodes, each request bounded in time, every
// answer kept.
class Load {
  readonly answers: Answer[] = [];
  readonly hung: string[] = [];
  outage = false;
  private running = true;
  private readonly loops: Promise<void>[] = [];
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    nodes: ServerProcess[],
    private readonly article: string,
    tokens: string[],
    writers: TestSocket[],
  ) {
    // Sign-ins pace themselves: each hashes a password twice, and the machine
    // is shared with the rest of the suite.
    nodes.forEach((node, i) => {
      this.loops.push(this.repeat(() => this.comment(node, tokens[i]), 50));
      this.loops.push(this.repeat(() => this.signIn(node), 250));
    });
    for (const writer of writers) this.loops.push(this.repeat(() => this.socketComment(writer), 50));
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  // Waits until every request sent so far is answered (or counted as hung).
  async settle(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }

  private async repeat(step: () => Promise<void>, pauseMs: number): Promise<void> {
    while (this.running) {
      const sent = step();
      this.inFlight.add(sent);
      await sent;
      this.inFlight.delete(sent);
      await sleep(pauseMs);
    }
  }

  private async send(kind: Answer['kind'], node: ServerProcess, path: string, body: unknown, token?: string) {
    const duringOutage = this.outage;
    try {
      const res = await fetch(`${node.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(ANSWER_WITHIN_MS),
      });
      const answer: Answer = { kind, status: res.status, retryAfter: res.headers.get('retry-after'), duringOutage };
      await res.text();
      this.answers.push(answer);
      return answer;
    } catch (error) {
      this.hung.push(`${kind} on ${node.url}: ${String(error)}`);
      return null;
    }
  }

  private async comment(node: ServerProcess, token: string): Promise<void> {
    const id = randomUUID();
    const result = await this.send(
      'comment',
      node,
      `/api/articles/${this.article}/comments`,
      { id, body: `comment ${id}` },
      token,
    );
    if (result?.status === 201) result.commentId = id;
  }

  // The same write over a socket: the acknowledgement is the answer.
  private async socketComment(writer: TestSocket): Promise<void> {
    const id = randomUUID();
    const duringOutage = this.outage;
    try {
      const ack = await writer.socket
        .timeout(ANSWER_WITHIN_MS)
        .emitWithAck('comment.create', { article: this.article, id, body: `socket comment ${id}` });
      const status = ack.comment ? 201 : (ack.error?.status as number);
      const retryAfter = ack.error?.retryAfterSeconds === undefined ? null : String(ack.error.retryAfterSeconds);
      this.answers.push({
        kind: 'socket comment',
        status,
        retryAfter,
        duringOutage,
        commentId: ack.comment ? id : undefined,
      });
    } catch (error) {
      this.hung.push(`socket comment: ${String(error)}`);
    }
  }

  private async signIn(node: ServerProcess): Promise<void> {
    const username = unique('out').replace('-', '_');
    const password = 'long enough password';
    const registered = await this.send('register', node, '/api/auth/register', {
      username,
      email: `${username}@example.test`,
      password,
    });
    if (registered?.status === 201) await this.send('login', node, '/api/auth/login', { login: username, password });
  }
}

function commentIds(reader: TestSocket): string[] {
  return reader.events.filter((e) => e.type === 'comment.created').map((e) => e.data.comment.id as string);
}

// Lines a node wrote at warn level or above (pino: 40+).
function warnings(node: ServerProcess): string[] {
  return node.logs.filter((line) => /"level":(4|5|6)\d/.test(line));
}

describe('Redis stopped and restarted under load on two nodes', () => {
  let redis: RedisServer;
  let a: ServerProcess;
  let b: ServerProcess;
  let prisma: PrismaClient;
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: process.env.TEST_DATABASE_URL! }) });
    redis = await startRedisServer();
    // The socket writers post as fast as they are answered: a socket's own
    // event limit (tested on its own) is not what this test is about.
    const env = { REALTIME_ADAPTER: 'redis', REDIS_URL: redis.url, SOCKET_EVENTS_PER_MINUTE: '100000' };
    [a, b] = await Promise.all([startServerProcess(env), startServerProcess(env)]);
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.close();
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await redis?.stop();
    await prisma.$disconnect();
  });

  async function register(node: ServerProcess): Promise<string> {
    const username = unique('writer').replace('-', '_');
    const res = await http(node, 'POST', '/api/auth/register', {
      body: { username, email: `${username}@example.test`, password: 'long enough password' },
    });
    return res.body.accessToken as string;
  }

  async function follow(node: ServerProcess, slug: string): Promise<TestSocket> {
    const reader = await connectSocket(node.url);
    sockets.push(reader);
    await reader.ack('subscribe', { article: slug });
    return reader;
  }

  async function writer(node: ServerProcess, token: string): Promise<TestSocket> {
    const socket = await connectSocket(node.url, { token });
    sockets.push(socket);
    return socket;
  }

  // Every request answered in time, as a success or a 503 that says when to
  // come back; every acknowledged comment stored and delivered to every reader
  // on both nodes, once and in order.
  async function expectNothingLost(load: Load, readers: TestSocket[]): Promise<void> {
    expect(load.hung).toEqual([]);
    const expected = { comment: 201, 'socket comment': 201, register: 201, login: 200 };
    const wrong = load.answers.filter(
      (x) => x.status !== expected[x.kind] && !(x.status === 503 && Number(x.retryAfter) > 0),
    );
    expect(wrong).toEqual([]);
    for (const kind of ['comment', 'socket comment', 'register', 'login'] as const) {
      expect(load.answers.filter((x) => x.kind === kind && x.duringOutage).length).toBeGreaterThan(0);
    }
    const acknowledged = load.answers.flatMap((x) => (x.commentId ? [x.commentId] : []));
    expect(await prisma.comment.count({ where: { id: { in: acknowledged } } })).toBe(acknowledged.length);
    for (const reader of readers) {
      await reader.waitFor(() => acknowledged.every((id) => commentIds(reader).includes(id)), 15_000);
      const seqs = reader.events.map((e) => e.seq);
      expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
      expect(new Set(seqs).size).toBe(seqs.length);
      expect(new Set(commentIds(reader)).size).toBe(commentIds(reader).length);
    }
  }

  it('keeps answering writes and sign-ins while Redis is stopped, and loses nothing', async () => {
    const article = await createArticle(prisma as never);
    const tokens = await Promise.all([register(a), register(b)]);
    const readers = [await follow(a, article.slug), await follow(b, article.slug)];
    const warningsBefore = [warnings(a).length, warnings(b).length];

    const load = new Load([a, b], article.slug, tokens, [await writer(b, tokens[0])]);
    await sleep(1000);
    load.outage = true;
    await redis.stop();
    for (const node of [a, b]) {
      // Still ready: the node serves with its fallbacks, and says how.
      await eventually(
        () => http(node, 'GET', '/ready'),
        (res) => res.body?.redis === 'degraded',
      );
      expect(await http(node, 'GET', '/ready')).toMatchObject({
        status: 200,
        body: { status: 'ready', database: 'up' },
      });
      expect(await details(node)).toMatchObject({
        status: 'degraded',
        redis: 'degraded',
        rateLimits: { store: 'memory' },
        realtime: { crossNode: 'event-log', presence: 'approximate' },
      });
    }
    // Several reconnection attempts' worth of outage.
    await sleep(3000);
    // Everything sent while Redis is away is answered while it is still away.
    await load.settle();
    expect(load.hung).toEqual([]);
    for (const node of [a, b]) expect((await details(node)).rateLimits.localDecisions).toBeGreaterThan(0);
    // The other node's reader still counts, as last known, and is said to be so.
    for (const reader of readers)
      await reader.waitFor(() => reader.presence.some((p) => p.approximate === true && p.viewers === 2));

    await redis.start();
    load.outage = false;
    for (const node of [a, b]) {
      await eventually(
        () => details(node),
        (d) => d.redis === 'up',
      );
      expect(await details(node)).toMatchObject({
        status: 'ok',
        rateLimits: { store: 'redis' },
        realtime: { crossNode: 'direct' },
      });
    }
    await sleep(1000);
    await load.stop();

    await expectNothingLost(load, readers);
    // One line when Redis went away and one when it came back, per use (rate
    // limits, the link between nodes): not one per reconnection attempt.
    for (const [i, node] of [a, b].entries()) {
      const lines = warnings(node).slice(warningsBefore[i]);
      expect(lines.length).toBeGreaterThanOrEqual(1);
      expect(lines.length).toBeLessThanOrEqual(2);
      expect(lines.every((line) => line.includes('Redis unavailable'))).toBe(true);
      expect(node.logs.filter((line) => line.includes('Redis answers again')).length).toBeLessThanOrEqual(2);
    }
  }, 90_000);

  it('bounds every call while Redis hangs without closing its connections', async () => {
    const article = await createArticle(prisma as never);
    const tokens = await Promise.all([register(a), register(b)]);
    const readers = [await follow(a, article.slug), await follow(b, article.slug)];

    const load = new Load([a, b], article.slug, tokens, [await writer(b, tokens[0])]);
    await sleep(500);
    load.outage = true;
    redis.pause();
    for (const node of [a, b])
      await eventually(
        () => details(node),
        (d) => d.rateLimits.store === 'memory',
      );
    await sleep(2000);
    await load.settle();
    redis.resume();
    load.outage = false;
    for (const node of [a, b])
      await eventually(
        () => details(node),
        (d) => d.redis === 'up',
      );
    await sleep(500);
    await load.stop();

    await expectNothingLost(load, readers);
  }, 90_000);
});

describe('a node started while Redis is down', () => {
  it('serves with its fallbacks, then shares through Redis once it is up', async () => {
    const redis = await startRedisServer();
    await redis.stop();
    const t = await startTestApp({ REALTIME_ADAPTER: 'redis', REDIS_URL: redis.url });
    try {
      expect(await http(t, 'GET', '/ready')).toMatchObject({ status: 200, body: { redis: 'degraded' } });
      const article = await createArticle(t.prisma);
      const username = unique('early').replace('-', '_');
      const registered = await http(t, 'POST', '/api/auth/register', {
        body: { username, email: `${username}@example.test`, password: 'long enough password' },
      });
      expect(registered.status).toBe(201);
      const posted = await http(t, 'POST', `/api/articles/${article.slug}/comments`, {
        token: registered.body.accessToken,
        body: { body: 'before Redis' },
      });
      expect(posted.status).toBe(201);

      await redis.start();
      await eventually(
        () => http(t, 'GET', '/health/details'),
        (res) => res.body.redis === 'up',
      );
      expect((await http(t, 'GET', '/health/details')).body.rateLimits).toMatchObject({ store: 'redis' });
    } finally {
      await t.close();
      await redis.stop();
    }
  }, 60_000);
});
