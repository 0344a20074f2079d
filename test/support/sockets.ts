import { ARTICLE_EVENT_NAMES } from '@rejoinder/common';
import type { SessionEventName } from '@rejoinder/common';
import { io, Socket } from 'socket.io-client';
import { checkSocketEvent, checkSocketRequest } from './contracts.js';

export interface Received {
  type: string;
  seq: number;
  articleId: string;
  data: any;
}

// Every numbered event, from the one catalogue.
export const EVENT_TYPES = ARTICLE_EVENT_NAMES;

export interface TestSocket {
  socket: Socket;
  events: Received[];
  presence: { articleId: string; viewers: number; approximate?: boolean }[];
  // Messages that are not numbered (account.updated, auth.expired, ...), in order.
  session: { type: SessionEventName; data: any }[];
  ack(event: string, payload?: unknown): Promise<any>;
  waitFor(predicate: (events: Received[]) => boolean, timeoutMs?: number): Promise<Received[]>;
  close(): void;
}

// A real socket.io client over the websocket transport.
export async function connectSocket(
  url: string,
  options: { token?: string; origin?: string; auth?: Record<string, unknown>; headers?: Record<string, string> } = {},
): Promise<TestSocket> {
  const socket = io(url, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    auth: options.auth ?? (options.token ? { token: options.token } : {}),
    extraHeaders:
      options.origin || options.headers
        ? { ...options.headers, ...(options.origin ? { origin: options.origin } : {}) }
        : undefined,
  });
  const events: Received[] = [];
  const presence: TestSocket['presence'] = [];
  // Every message received is checked against docs/asyncapi.json; a
  // violation fails the test at its next ack, wait or close.
  const violations: Error[] = [];
  socket.onAny((event: string, payload: unknown) => {
    try {
      checkSocketEvent(event, payload);
    } catch (error) {
      violations.push(error as Error);
    }
  });
  const rethrow = () => {
    if (violations.length > 0) throw violations[0];
  };
  for (const type of EVENT_TYPES)
    socket.on(type, (payload: Omit<Received, 'type'>) => events.push({ type, ...payload }));
  socket.on('presence', (p: TestSocket['presence'][number]) => presence.push(p));
  const session: { type: SessionEventName; data: any }[] = [];
  for (const type of ['account.updated', 'auth.expired', 'subscription.ended', 'thread.health', 'digest'] as const)
    socket.on(type, (data: unknown) => session.push({ type, data }));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (error) => {
      socket.close();
      reject(error);
    });
  });
  return {
    socket,
    events,
    presence,
    session,
    ack: async (event, payload) => {
      const reply: unknown = await socket.timeout(10_000).emitWithAck(event, payload);
      rethrow();
      checkSocketRequest(event, payload, reply);
      return reply;
    },
    waitFor: async (predicate, timeoutMs = 10_000) => {
      await waitUntil(() => violations.length > 0 || predicate(events), timeoutMs);
      rethrow();
      return events;
    },
    close: () => {
      socket.close();
      rethrow();
    },
  };
}

export async function connectError(url: string, options: Parameters<typeof connectSocket>[1]): Promise<any> {
  try {
    const s = await connectSocket(url, options);
    s.close();
  } catch (error) {
    return error;
  }
  throw new Error('connected, but a connect_error was expected');
}

export async function waitUntil(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
