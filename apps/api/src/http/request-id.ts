import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyRequest } from 'fastify';

const INCOMING = /^[A-Za-z0-9._-]{1,100}$/;

// A caller's X-Request-Id is kept when it is sane, so one id follows a request
// across a proxy and into our logs; otherwise we make one. Fastify assigns it
// (and mirrors it onto the raw request, where the HTTP logger picks it up).
export function generateRequestId(req: IncomingMessage): string {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && INCOMING.test(incoming) ? incoming : randomUUID();
}

// For the HTTP logger: reuse the id Fastify gave the request.
export function loggedRequestId(req: IncomingMessage, res: ServerResponse): string {
  const id = (req as IncomingMessage & { id?: unknown }).id;
  const value = typeof id === 'string' ? id : generateRequestId(req);
  if (!res.headersSent) res.setHeader('x-request-id', value);
  return value;
}

export function requestIdOf(request: FastifyRequest): string {
  return request.id;
}
