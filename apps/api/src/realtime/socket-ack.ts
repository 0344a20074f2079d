import { localeOfRequest } from '@rejoinder/common';
import type { Socket } from 'socket.io';
import { toProblem } from '../edge/problem.js';

export interface AckError {
  error: { code: string; status: number; title: string; detail?: string; [extra: string]: unknown };
}

// The socket's twin of the problem document: same codes, same statuses, the
// title and detail in the socket's language.
export function ackError(error: unknown, locale?: string): AckError {
  const { problem } = toProblem(error, undefined, locale);
  const { type: _type, instance: _instance, ...rest } = problem;
  return { error: rest };
}

// The handshake's `lang` (auth or query), else its Accept-Language.
export function socketLocale(socket: Pick<Socket, 'handshake'>): string {
  const auth = (socket.handshake.auth as { lang?: unknown } | undefined)?.lang;
  return localeOfRequest({
    query: typeof auth === 'string' ? { lang: auth } : socket.handshake.query,
    headers: socket.handshake.headers,
  });
}
