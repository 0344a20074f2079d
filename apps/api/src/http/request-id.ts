import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyRequest } from 'fastify';

const INCOMING = /^[A-Za-z0-9._-]{1,100}$/;

// A caller's X-Request-Id is kept when it is sane, so one id follows a request
// across a proxy and into our logs; otherwise we make one.
export function generateRequestId(req: IncomingMessage): string {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && INCOMING.test(incoming) ? incoming : randomUUID();
}

export function requestIdOf(request: FastifyRequest): string {
  return request.id;
}
