import { io, type Socket } from 'socket.io-client';
import { currentSession } from './api';

export interface Envelope<T = Record<string, unknown>> {
  seq: number;
  articleId: string;
  at: string;
  data: T;
}

export type LiveState = 'connecting' | 'online' | 'offline';

export interface SubscribeAck {
  seq?: number;
  viewers?: number;
  resync?: boolean;
  error?: { code: string; title?: string };
}

// One socket for the page, signed in as the current session. The caller's
// `onConnect` runs on every (re)connection: that is where it subscribes with
// the last seq it saw, so a dropped connection catches up from the log.
export function openSocket(handlers: {
  onState(state: LiveState): void;
  onConnect(socket: Socket): void;
  events: Record<string, (payload: never) => void>;
}): Socket {
  const token = currentSession()?.accessToken;
  const socket = io({
    transports: ['websocket'],
    auth: token ? { token } : {},
    reconnectionDelay: 500,
    reconnectionDelayMax: 3000,
  });
  handlers.onState('connecting');
  socket.on('connect', () => {
    handlers.onState('online');
    handlers.onConnect(socket);
  });
  socket.on('disconnect', (reason) => {
    handlers.onState('offline');
    // The server drops a reader that fell too far behind; it is expected to come back.
    if (reason === 'io server disconnect') setTimeout(() => socket.connect(), 500);
  });
  socket.on('connect_error', () => handlers.onState('offline'));
  for (const [event, handler] of Object.entries(handlers.events))
    socket.on(event, handler as (payload: unknown) => void);
  return socket;
}

export function emitAck<T>(socket: Socket, event: string, payload: unknown): Promise<T> {
  return socket.timeout(10_000).emitWithAck(event, payload) as Promise<T>;
}
