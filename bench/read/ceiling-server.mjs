// The read benchmark's ceiling: a bare node:http server that answers case a
// (the hot first page) from memory with the API's own answer, byte for byte:
// the same body per encoding and the same headers (security headers, ETag,
// cache-control, vary, content-type, content-length, the cache tags), taken
// from the API at the start of the run (the runner writes them to the file
// CEILING_ANSWERS). It negotiates the encoding as the API does, answers 304
// to a matching If-None-Match, and gives each answer a request id as the API
// does. Nothing else: no routing beyond one path, no hooks, no logging.
// What the API reaches of this server's rate is what its framework, hooks and
// cache lookup leave of what node:http and this machine can do.
//
// Env: CEILING_ANSWERS (required), PORT (0 = any), HOST (127.0.0.1).
import { negotiate } from '@fastify/accept-negotiator';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';

// { path, answers: { identity|br|gzip: { status, headers: [[name, value]...], body: base64 } }, notModified: { identity|br|gzip: { headers } } }
const spec = JSON.parse(readFileSync(process.env.CEILING_ANSWERS, 'utf8'));
const ENCODINGS = ['br', 'gzip'];
const INCOMING = /^[A-Za-z0-9._-]{1,100}$/;
// Headers node:http writes itself (date, connection, keep-alive) or that
// differ per answer (x-request-id) are not stored.
const representations = {};
for (const [encoding, answer] of Object.entries(spec.answers)) {
  const body = Buffer.from(answer.body, 'base64');
  const etag = answer.headers.find(([name]) => name === 'etag')[1];
  representations[encoding] = {
    body,
    etag,
    headers: answer.headers.flat(),
    notModifiedHeaders: spec.notModified[encoding].headers.flat(),
  };
}

const matches = (header, etag) =>
  header.trim() === '*' || header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);

const server = http.createServer((req, res) => {
  if (req.url === '/health') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok');
    return;
  }
  if (req.method !== 'GET' || req.url !== spec.path) {
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
    return;
  }
  const accepted = req.headers['accept-encoding'];
  const encoding = (accepted && negotiate(accepted, ENCODINGS)) || 'identity';
  const r = representations[encoding] ?? representations.identity;
  const incoming = req.headers['x-request-id'];
  const id = typeof incoming === 'string' && INCOMING.test(incoming) ? incoming : randomUUID();
  const inm = req.headers['if-none-match'];
  if (inm && matches(inm, r.etag)) {
    res.writeHead(304, [...r.notModifiedHeaders, 'x-request-id', id]);
    res.end();
    return;
  }
  res.writeHead(200, [...r.headers, 'x-request-id', id]);
  res.end(r.body);
});
server.keepAliveTimeout = 72_000;
server.listen(Number(process.env.PORT || 0), process.env.HOST || '127.0.0.1', () => {
  console.log(`ceiling listening on ${JSON.stringify(server.address())}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
