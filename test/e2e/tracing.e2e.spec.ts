import { PrismaPg } from '@prisma/adapter-pg';
import { randomBytes } from 'node:crypto';
import { createServer, Server } from 'node:http';
import { PrismaClient } from '../../libs/db/src/generated/prisma/client.js';
import { createArticle, http } from '../support/factories.js';
import { ServerProcess, startServerProcess } from '../support/server-process.js';
import { connectSocket, TestSocket, waitUntil } from '../support/sockets.js';

interface ExportedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
}

// Stands in for an OpenTelemetry collector: takes OTLP/HTTP JSON exports.
async function fakeCollector(): Promise<{ url: string; spans: ExportedSpan[]; server: Server }> {
  const spans: ExportedSpan[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      if (request.url === '/v1/traces') {
        const doc = JSON.parse(body) as { resourceSpans: { scopeSpans: { spans: ExportedSpan[] }[] }[] };
        for (const rs of doc.resourceSpans) for (const ss of rs.scopeSpans) spans.push(...ss.spans);
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, spans, server };
}

describe('traces (OTLP)', () => {
  let collector: Awaited<ReturnType<typeof fakeCollector>>;
  let api: ServerProcess;
  let prisma: PrismaClient;
  let reader: TestSocket;

  beforeAll(async () => {
    collector = await fakeCollector();
    api = await startServerProcess({ OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_BSP_SCHEDULE_DELAY: '100' });
    prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: process.env.TEST_DATABASE_URL! }) });
  });
  afterAll(async () => {
    reader?.close();
    await api?.stop();
    await prisma.$disconnect();
    collector.server.close();
  });

  it('follow a comment from the POST through its statement to the live fan-out, in the caller’s trace', async () => {
    const article = await createArticle(prisma as never);
    const username = `traced_${randomBytes(4).toString('hex')}`;
    const registered = await http(api, 'POST', '/api/auth/register', {
      body: { username, email: `${username}@example.test`, password: 'long enough password' },
    });
    reader = await connectSocket(api.url);
    await reader.ack('subscribe', { article: article.slug });

    const traceId = randomBytes(16).toString('hex');
    const res = await http(api, 'POST', `/api/articles/${article.slug}/comments`, {
      token: registered.body.accessToken,
      body: { body: 'traced' },
      headers: { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
    });
    expect(res.status).toBe(201);
    await reader.waitFor((events) => events.length === 1);

    const inTrace = () => collector.spans.filter((s) => s.traceId === traceId);
    await waitUntil(() => inTrace().some((s) => s.name === 'realtime.fanout'), 15_000);
    const spans = inTrace();
    const request = spans.find((s) => s.name === 'POST /api/articles/:slug/comments')!;
    expect(request).toBeDefined();
    // A published comment is one statement on the driver (ADR 26).
    const transaction = spans.find((s) => s.name === 'db:write');
    expect(transaction).toBeDefined();
    const fanout = spans.find((s) => s.name === 'realtime.fanout')!;
    // Everything hangs under the request's span.
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const underRequest = (span: ExportedSpan) => {
      for (let s: ExportedSpan | undefined = span; s; s = s.parentSpanId ? byId.get(s.parentSpanId) : undefined) {
        if (s.spanId === request.spanId) return true;
      }
      return false;
    };
    expect(underRequest(transaction!)).toBe(true);
    expect(underRequest(fanout)).toBe(true);
    // The reads before it (the account, the article, its sanctions) are statements too.
    expect(spans.filter((s) => s.name === 'db:query' && underRequest(s)).length).toBeGreaterThanOrEqual(3);
  });
});

// Tracing is optional: a collector that is down, or that takes the export and
// never answers, must not decide how the process ends.
describe('a shutdown while the collector is away', () => {
  const stopWith = async (endpoint: string) => {
    const api = await startServerProcess({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_BSP_SCHEDULE_DELAY: '60000' });
    // Spans waiting in the buffer for the shutdown's flush.
    const read = await http(api, 'GET', '/api/articles').catch(async (error: unknown) => {
      await api.stop();
      throw error;
    });
    const code = await api.stop();
    expect(read.status).toBe(200);
    const warnings = api.logs.filter((line) => line.includes('"msg":"Tracing:'));
    return { code, warnings, logs: api.logs };
  };

  it('exits 0 with one warning when nothing listens', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as { port: number };
    await new Promise((resolve) => closed.close(resolve));

    const { code, warnings, logs } = await stopWith(`http://127.0.0.1:${port}`);
    expect(code).toBe(0);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('"level":40');
    expect(logs.some((line) => line.includes('"msg":"Stopped"'))).toBe(true);
    expect(logs.some((line) => line.includes('Shutdown failed'))).toBe(false);
  });

  it('exits 0 with one warning when the collector never answers', async () => {
    const requests: unknown[] = [];
    const silent = createServer((request) => requests.push(request));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    try {
      const { code, warnings } = await stopWith(`http://127.0.0.1:${port}`);
      expect(code).toBe(0);
      expect(requests.length).toBeGreaterThan(0);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain('not sent in time');
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });
});
