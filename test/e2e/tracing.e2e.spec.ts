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
