import { PrismaPg } from '@prisma/adapter-pg';
import { randomUUID } from 'node:crypto';
import { io, Socket } from 'socket.io-client';
import { PrismaClient } from '../../libs/db/src/generated/prisma/client.js';
import { createArticle, http, unique } from '../support/factories.js';
import { sample } from '../support/prometheus.js';
import { ProxyProcess, startProxy } from '../support/proxy-process.js';
import { ServerProcess, startServerProcess } from '../support/server-process.js';
import { waitUntil } from '../support/sockets.js';

// The deployment's shape without Docker: two API processes sharing rooms
// (through Redis where REDIS_URL is set, as in CI, else PostgreSQL) behind
// HAProxy with deploy/haproxy.cfg, everything on loopback.
const shared: Record<string, string> = process.env.REDIS_URL
  ? { REALTIME_ADAPTER: 'redis', REDIS_URL: process.env.REDIS_URL }
  : { REALTIME_ADAPTER: 'postgres' };

interface Reader {
  socket: Socket;
  seqs: number[];
  ids: string[];
  viewers: number | null;
  lastSeq(): number | undefined;
}

// A reader as the protocol asks a client to be: it follows the article, and
// after any reconnection subscribes again with the last seq it saw. Default
// transports (polling, then the upgrade to WebSocket), and a cookie jar so the
// proxy's sticky cookie is kept, as a browser would.
function reader(url: string, slug: string, articleId: string): Promise<Reader> {
  const socket = io(url, {
    withCredentials: true,
    forceNew: true,
    reconnectionDelay: 100,
    reconnectionDelayMax: 500,
  });
  const r: Reader = {
    socket,
    seqs: [],
    ids: [],
    viewers: null,
    lastSeq: () => r.seqs.at(-1),
  };
  socket.on('comment.created', (e: { seq: number; data: { comment: { id: string } } }) => {
    r.seqs.push(e.seq);
    r.ids.push(e.data.comment.id);
  });
  socket.on('presence', (p: { articleId: string; viewers: number }) => {
    if (p.articleId === articleId) r.viewers = p.viewers;
  });
  return new Promise((resolve, reject) => {
    socket.on('connect', () => {
      const after = r.lastSeq();
      socket
        .timeout(10_000)
        .emitWithAck('subscribe', after === undefined ? { article: slug } : { article: slug, after })
        .then(
          (ack: { error?: unknown }) => (ack.error ? reject(new Error(JSON.stringify(ack.error))) : resolve(r)),
          reject,
        );
    });
    socket.once('connect_error', reject);
  });
}

async function socketsOn(node: ServerProcess): Promise<number> {
  return sample(await (await fetch(`${node.url}/metrics`)).text(), 'rejoinder_sockets_open') ?? 0;
}

describe('two API nodes behind HAProxy', () => {
  let nodes: ServerProcess[];
  let proxy: ProxyProcess;
  let prisma: PrismaClient;
  const readers: Reader[] = [];

  beforeAll(async () => {
    prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: process.env.TEST_DATABASE_URL! }) });
    // One proxy between readers and the nodes: a hop count, as in docker-compose.yml.
    const env = { ...shared, TRUST_PROXY: '1' };
    nodes = await Promise.all([startServerProcess(env), startServerProcess(env)]);
    proxy = await startProxy(nodes[0].url, nodes[1].url);
  });
  afterEach(() => {
    for (const r of readers.splice(0)) r.socket.close();
  });
  afterAll(async () => {
    await proxy?.stop();
    await Promise.all(nodes.map((n) => n.stop()));
    await prisma.$disconnect();
  });

  async function register(): Promise<string> {
    const username = unique('proxied').replace('-', '_');
    const res = await http({ url: proxy.url }, 'POST', '/api/auth/register', {
      body: { username, email: `${username}@example.test`, password: 'long enough password' },
    });
    expect(res.status).toBe(201);
    return res.body.accessToken;
  }

  // Posts with a client-chosen id and retries with the same id until the
  // comment is acknowledged, as a client does when a node goes away.
  async function postUntilAcknowledged(token: string, slug: string, body: string): Promise<string> {
    const id = randomUUID();
    for (;;) {
      const res = await fetch(`${proxy.url}/api/articles/${slug}/comments`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ id, body }),
      }).catch(() => null);
      if (res && (res.status === 201 || res.status === 200)) return id;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  // Readers until both nodes hold some (round robin, so a few are enough),
  // counted on the nodes themselves once earlier readers have gone.
  async function readersOnBothNodes(slug: string, articleId: string): Promise<void> {
    for (;;) {
      const deadline = Date.now() + 10_000;
      let counts = await Promise.all(nodes.map(socketsOn));
      while (counts[0] + counts[1] !== readers.length) {
        if (Date.now() > deadline)
          throw new Error(`nodes hold ${counts.join(' + ')} sockets for ${readers.length} readers`);
        await new Promise((r) => setTimeout(r, 50));
        counts = await Promise.all(nodes.map(socketsOn));
      }
      if (readers.length >= 4 && counts.every((n) => n > 0)) return;
      if (readers.length >= 12) throw new Error('the proxy sent every reader to one node');
      readers.push(await reader(proxy.url, slug, articleId));
    }
  }

  it('gives a reader on either node every event once and in order, and sums presence', async () => {
    const article = await createArticle(prisma as never);
    await readersOnBothNodes(article.slug, article.id);
    const token = await register();
    const count = 30;
    const ids: string[] = [];
    for (let i = 0; i < count; i += 1) ids.push(await postUntilAcknowledged(token, article.slug, `comment ${i}`));

    await waitUntil(() => readers.every((r) => r.seqs.length >= count), 30_000);
    for (const r of readers) {
      expect(r.seqs).toEqual(Array.from({ length: count }, (_, i) => i + 1));
      expect(r.ids).toEqual(ids);
    }
    await waitUntil(() => readers.every((r) => r.viewers === readers.length), 30_000);
  }, 90_000);

  it('loses no acknowledged comment when a node is killed; its readers reconnect to the other and catch up', async () => {
    const article = await createArticle(prisma as never);
    await readersOnBothNodes(article.slug, article.id);
    const token = await register();
    const [doomed, survivor] = nodes;
    const count = 40;
    const ids: string[] = [];
    for (let i = 0; i < count; i += 1) {
      if (i === count / 2) doomed.child.kill('SIGKILL');
      ids.push(await postUntilAcknowledged(token, article.slug, `comment ${i}`));
    }

    const stored = await prisma.comment.findMany({ where: { articleId: article.id }, select: { id: true } });
    expect(new Set(stored.map((c) => c.id))).toEqual(new Set(ids));
    await waitUntil(() => readers.every((r) => r.seqs.length >= count), 30_000);
    for (const r of readers) {
      expect(r.seqs).toEqual(Array.from({ length: count }, (_, i) => i + 1));
      expect(new Set(r.ids)).toEqual(new Set(ids));
      expect(r.socket.connected).toBe(true);
    }
    expect(await socketsOn(survivor)).toBe(readers.length);
  }, 90_000);
});
