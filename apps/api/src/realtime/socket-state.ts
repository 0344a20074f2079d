import type { AccountState, AuthUser } from '@rejoinder/accounts';
import type { SessionEventData, SessionEventName } from '@rejoinder/common';
import type { EventSink, Subscription } from '@rejoinder/realtime';
import type { Socket } from 'socket.io';
import type { SocketRateLimiter } from './socket-rate-limiter.js';

// What the server keeps for each open socket (in socket.data).
export interface SocketState {
  // The account as it is now (null: anonymous); every delivery and write reads it.
  user: AuthUser | null;
  // Role and sanctions as last told to the client.
  account: AccountState | null;
  // When the token stops being valid, and the timer that signs the socket out then.
  expiresAt: Date | null;
  expiry: NodeJS.Timeout | null;
  // When the token was issued: a sign-out everywhere after it ends the session.
  issuedAt: Date | null;
  // The token expired and no fresh one came: writes answer TOKEN_EXPIRED.
  expired: boolean;
  sink: EventSink;
  // The client's address, as TRUST_PROXY reads it (for per-address limits).
  address: string;
  subscriptions: Map<string, Subscription>;
  limiter: SocketRateLimiter;
}

export const state = (socket: Socket): SocketState => socket.data as SocketState;

export function emitSession<N extends SessionEventName>(socket: Socket, name: N, data: SessionEventData<N>): void {
  socket.emit(name, data);
}
