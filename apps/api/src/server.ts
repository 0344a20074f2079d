import { NestFactory } from '@nestjs/core';
import { context, propagation, Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import helmet from 'helmet';
import { admitPosts, PostingAdmission } from './edge/posting-admission.js';
import { SwaggerModule } from '@nestjs/swagger';
import { AppConfig, localeOfRequest, Metrics, RedisConnections, setDefaultLocale } from '@rejoinder/common';
import { applyMigrations, DatabaseHandle, markDatabaseStopping, openDatabase } from '@rejoinder/db';
import { CommentsService, SeedService } from '@rejoinder/forum';
import { Logger } from 'nestjs-pino';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { AppModule } from './app.module.js';
import { createLogger } from './logger.js';
import type { Logger as PinoLogger } from 'pino';
import { generateRequestId } from './http/request-id.js';
import { toProblem } from './edge/problem.js';
import { proxyTrust } from './edge/client-address.js';
import { RealtimeIoAdapter } from './realtime/socket-io.adapter.js';
import { Readiness } from './health/health.controller.js';
import { InFlight } from './http/in-flight.js';
import { EventsGateway } from './realtime/events.gateway.js';
import { buildOpenApiDocument, openApiServers } from './openapi-document.js';
import { asyncApiServers, buildAsyncApiDocument } from './asyncapi-document.js';
import { serveMetricsPort } from './metrics/metrics-server.js';
import { tracingConfigured } from './tracing.js';
import { serveWebPages } from './web/web-pages.js';
import { registerCompression } from './http/compression.js';
import { registerCachedFastPath } from './http/cached-fast-path.js';

export interface RunningServer {
  app: NestFastifyApplication;
  url: string;
  databaseUrl: string;
  // Stops accepting, finishes what is in flight, closes the pool, then the
  // embedded database if we started one.
  close(): Promise<void>;
}

export const BODY_LIMIT_BYTES = 64 * 1024;

// Headers for an API that also serves its own pages: scripts, styles, images
// and the socket.io connection from this origin only; no framing (but for the
// embed page, which publishers frame); no referrer leaves for other sites;
// content types are not sniffed.
const CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'"],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};
const SECURITY_HEADERS = {
  contentSecurityPolicy: { useDefaults: false, directives: CSP_DIRECTIVES },
  frameguard: { action: 'deny' as const },
  referrerPolicy: { policy: 'no-referrer' as const },
};
const csp = (overrides: Partial<typeof CSP_DIRECTIVES>) =>
  Object.entries({ ...CSP_DIRECTIVES, ...overrides })
    .map(([name, sources]) => `${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} ${sources.join(' ')}`)
    .join(';');
// The API documentation (Swagger UI) styles itself inline; it alone may.
const DOCS_CSP = csp({ styleSrc: ["'self'", "'unsafe-inline'"] });

// Development keeps one random secret under DATA_DIR, so sessions survive a
// restart; production must configure JWT_SECRET (checked with the config).
function jwtSecret(config: AppConfig): string {
  if (config.JWT_SECRET) return config.JWT_SECRET;
  const file = join(config.DATA_DIR, 'jwt-secret');
  if (!existsSync(file)) {
    mkdirSync(config.DATA_DIR, { recursive: true });
    writeFileSync(file, randomBytes(48).toString('base64url'), { mode: 0o600 });
  }
  return readFileSync(file, 'utf8').trim();
}

export async function createApp(
  config: AppConfig,
  databaseUrl: string,
  logger: PinoLogger = createLogger(config),
): Promise<NestFastifyApplication> {
  setDefaultLocale(config.DEFAULT_LOCALE);
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: proxyTrust(config.TRUST_PROXY),
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    genReqId: generateRequestId,
    loggerInstance: logger,
    // A URL the router cannot read (bad percent-encoding, an over-long
    // parameter) gets a problem document like any other bad input.
    frameworkErrors: (error: Error, request: FastifyRequest, reply: FastifyReply) => {
      const { problem } = toProblem(error, request.url, localeOfRequest(request));
      void reply.status(problem.status).type('application/problem+json').send(problem);
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot({ config, logger, databaseUrl, jwtSecret: jwtSecret(config) }),
    adapter,
    // No form parser: JSON is the only body the API reads (Fastify's own parser).
    { bufferLogs: true, bodyParser: false },
  );
  app.useLogger(app.get(Logger));
  const io = new RealtimeIoAdapter(app, config, databaseUrl, app.get(RedisConnections));
  await io.connect();
  app.useWebSocketAdapter(io);
  const fastify = app.getHttpAdapter().getInstance();
  await registerCompression(fastify, config);
  // Security headers from helmet, built once (its Fastify plugin builds the
  // middleware again for every request), set on the raw response first.
  const securityHeaders = helmet(SECURITY_HEADERS);
  fastify.addHook('onRequest', (request, reply, done) =>
    securityHeaders(request.raw, reply.raw, (error?: unknown) => done(error as Error | undefined)),
  );
  const readiness = app.get(Readiness);
  const metrics = app.get(Metrics);
  fastify.addHook('onRequest', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });
  admitPosts(fastify, app.get(PostingAdmission));
  // A trace span per request, joined to the caller's trace from `traceparent`;
  // what the handler does runs inside it. Only when tracing is configured:
  // otherwise the span would be the no-op one, and its hooks work for nothing
  // on every request.
  const traced = tracingConfigured();
  const tracer = trace.getTracer('rejoinder');
  const spans = new WeakMap<object, Span>();
  if (traced)
    fastify.addHook('onRequest', (request, _reply, done) => {
      const parent = propagation.extract(context.active(), request.headers);
      const route = request.routeOptions.url ?? 'unmatched';
      const span = tracer.startSpan(
        `${request.method} ${route}`,
        { kind: SpanKind.SERVER, attributes: { 'http.request.method': request.method, 'http.route': route } },
        parent,
      );
      spans.set(request, span);
      context.with(trace.setSpan(parent, span), done);
    });
  // Last of the onRequest hooks: a cached thread page for an anonymous reader
  // is answered here, with every header the hooks above set.
  if (config.HTTP_CACHED_FAST_PATH === 'on') registerCachedFastPath(fastify, app.get(CommentsService));
  // Labelled by route pattern, not by URL, so the series stay few.
  fastify.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpDuration.observe(
      { method: request.method, route, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    if (!traced) return;
    const span = spans.get(request);
    if (span) {
      span.setAttribute('http.response.status_code', reply.statusCode);
      if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }
  });
  // While shutting down, a kept-alive connection would hold the server open
  // after its last response: ask the client to close it.
  // The embed page may be framed by the sites in EMBED_ORIGINS.
  const embedCsp = csp({ frameAncestors: ["'self'", ...config.EMBED_ORIGINS] });
  fastify.addHook('onSend', async (request, reply) => {
    if (readiness.isStopping) void reply.header('connection', 'close');
    if (request.url === '/docs' || request.url.startsWith('/docs/'))
      void reply.header('content-security-policy', DOCS_CSP);
    if (request.url.startsWith('/embed/')) {
      void reply.removeHeader('x-frame-options');
      void reply.header('content-security-policy', embedCsp);
    }
    // Publishers' pages load the embed script from here.
    if (request.url === '/embed.js' || request.url.startsWith('/embed.js?'))
      void reply.header('cross-origin-resource-policy', 'cross-origin');
  });
  // JSON is the only body the API reads; anything else (a form a foreign page
  // posts, text) is 415 before any handler runs.
  fastify.removeContentTypeParser('text/plain');
  // Except the one-click unsubscribe POST (RFC 8058), which mail providers
  // send as a form: its body says nothing the URL does not.
  fastify.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (request, _body, done) => {
    if (request.url.split('?')[0] === '/api/mail/unsubscribe') return done(null, {});
    const error = Object.assign(new Error('Unsupported media type'), {
      code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE',
      statusCode: 415,
    });
    done(error, undefined);
  });
  // The documents name their server: PUBLIC_URL, else the address the reader
  // asked (as TRUST_PROXY lets the request tell it).
  const origin = (request: FastifyRequest) => `${request.protocol}://${request.host}`;
  const asyncApi = buildAsyncApiDocument();
  fastify.get('/docs/asyncapi.json', (request, reply) =>
    reply.type('application/json').send({ ...asyncApi, servers: asyncApiServers(config.PUBLIC_URL, request) }),
  );
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), {
    jsonDocumentUrl: 'docs/openapi.json',
    patchDocumentOnRequest: (request, _reply, document) => ({
      ...document,
      servers: openApiServers(config.PUBLIC_URL, origin(request as FastifyRequest)),
    }),
  });
  if (!(await serveWebPages(app))) logger.warn('No web build in dist/web: the pages are off (run npm run build:web)');
  return app;
}

export async function startServer(
  config: AppConfig,
  logger: PinoLogger = createLogger(config),
): Promise<RunningServer> {
  const boot = logger.child({ context: 'Boot' });
  const postgres = logger.child({ context: 'EmbeddedPostgres' });
  // A port in use fails the start before anything else is started.
  await requireFreePort(config.PORT, config.HOST);
  if (config.METRICS_PORT !== undefined) await requireFreePort(config.METRICS_PORT, config.HOST);
  const database: DatabaseHandle = await openDatabase(config, (message) =>
    message.startsWith('DATABASE_URL') ? boot.info(message) : postgres.debug(message),
  );
  let started: NestFastifyApplication | undefined;
  try {
    await applyMigrations({ databaseUrl: database.url, log: (message) => boot.info(message) });
    const app = await createApp(config, database.url, logger);
    started = app;
    if (config.SEED) await app.get(SeedService).seedIfEmpty();
    await app.listen({ port: config.PORT, host: config.HOST });
    const admin =
      config.METRICS_PORT === undefined ? null : await serveMetricsPort(app.get(Metrics), config, config.METRICS_PORT);
    const address = app.getHttpServer().address();
    const port = typeof address === 'object' && address ? address.port : config.PORT;
    const url = `http://${config.HOST === '0.0.0.0' ? 'localhost' : config.HOST}:${port}`;
    return {
      app,
      url,
      databaseUrl: database.url,
      close: async () => {
        app.get(Readiness).markStopping();
        markDatabaseStopping();
        try {
          // Nest would destroy the modules (and the database pool) before the
          // HTTP server. Instead: stop accepting, send the sockets away (an
          // open WebSocket would hold the HTTP server open), let every handler
          // in flight finish - also those whose client has gone - and only
          // then close the modules, the database last.
          const httpClosed = app.getHttpAdapter().getInstance().close();
          app.get(EventsGateway).closeConnections();
          await Promise.all([httpClosed, app.get(InFlight).idle()]);
          admin?.close();
          await app.close();
        } finally {
          await database.stop();
        }
      },
    };
  } catch (error) {
    // What started is stopped in order, the database last.
    markDatabaseStopping();
    await started?.close().catch(() => undefined);
    await database.stop();
    throw error;
  }
}

// Fails with EADDRINUSE (and the port) when something listens on the port.
async function requireFreePort(port: number, host: string): Promise<void> {
  if (port === 0) return;
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen({ port, host, exclusive: true }, resolve);
  });
  await new Promise((resolve) => probe.close(resolve));
}
