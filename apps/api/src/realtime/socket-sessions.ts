import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { AccountsService, isModerator, signedOut } from '@rejoinder/accounts';
import type { AccountState, AuthUser } from '@rejoinder/accounts';
import { APP_CONFIG, DomainError, ErrorCode, Metrics, MODERATION_FEED } from '@rejoinder/common';
import type { AppConfig, SessionEventData } from '@rejoinder/common';
import { RealtimeService } from '@rejoinder/realtime';
import type { Socket } from 'socket.io';
import { clientAddress, proxyTrust } from '../edge/client-address.js';
import type { ProxyTrust } from '../edge/client-address.js';
import { SocketRateLimiter } from './socket-rate-limiter.js';
import { SocketSink } from './socket-sink.js';
import { emitSession, state } from './socket-state.js';
import type { SocketState } from './socket-state.js';

// How often each node compares its sockets' accounts with the database, so a
// change of role or sanctions reaches open sockets within a second, on every
// node, whoever made it (API, another node, the CLI).
const ACCOUNT_POLL_MS = 500;
// Clocks of the nodes that write updated_at may differ this much.
const ACCOUNT_CLOCK_SLACK_MS = 5000;

const FEED_KEY = `feed:${MODERATION_FEED}`;

function accountData(account: AccountState): SessionEventData<'account.updated'> {
  return {
    role: account.role,
    banned: account.bannedAt !== null,
    suspendedUntil: account.suspendedUntil?.toISOString() ?? null,
    premoderated: account.premoderated,
  };
}

const sameAccount = (a: AccountState, b: AccountState) =>
  a.role === b.role &&
  a.username === b.username &&
  a.premoderated === b.premoderated &&
  a.bannedAt?.getTime() === b.bannedAt?.getTime() &&
  a.suspendedUntil?.getTime() === b.suspendedUntil?.getTime();

// The rate limit belongs to the connection, so connecting again on it
// (each connect takes a token) cannot refill it.
const limiters = new WeakMap<object, SocketRateLimiter>();

// Who each socket is: sign-in at the handshake and with `auth`, the token's
// expiry, and the account followed as it changes (role, sanctions, sign-out
// everywhere), on every node, whoever changed it.
@Injectable()
export class SocketSessions implements OnModuleDestroy {
  private readonly logger = new Logger('Realtime');
  private readonly trust: ProxyTrust | false;
  private accountPoll: NodeJS.Timeout | null = null;
  // Sockets with an account: the only ones the account poll looks at (most
  // readers are anonymous, and the poll runs twice a second).
  private readonly signedIn = new Set<Socket>();
  private lastPoll = new Date();

  constructor(
    private readonly accounts: AccountsService,
    private readonly realtime: RealtimeService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: Metrics,
  ) {
    this.trust = proxyTrust(config.TRUST_PROXY);
  }

  start(): void {
    this.accountPoll = setInterval(() => void this.followAccounts(), ACCOUNT_POLL_MS).unref();
  }

  onModuleDestroy(): void {
    if (this.accountPoll) clearInterval(this.accountPoll);
  }

  connected(socket: Socket): void {
    const { user } = state(socket);
    if (user) {
      void socket.join(`user:${user.id}`);
      this.signedIn.add(socket);
    }
  }

  disconnected(socket: Socket): void {
    this.signedIn.delete(socket);
    const expiry = state(socket)?.expiry;
    if (expiry) clearTimeout(expiry);
  }

  // Signs the socket in (again) with a fresh token, without reconnecting.
  async signInWith(socket: Socket, token: string) {
    const session = await this.accounts.session(token);
    const [account] = await this.accounts.accountStates([session.user.id]);
    const previous = state(socket).user;
    if (previous && previous.id !== session.user.id) this.signOut(socket, 'UNAUTHENTICATED');
    this.signIn(socket, session.user, session.expiresAt, account ?? null, session.issuedAt);
    void socket.join(`user:${session.user.id}`);
    return {
      user: { id: session.user.id, username: session.user.username, role: session.user.role },
      expiresAt: session.expiresAt.toISOString(),
    };
  }

  async authenticate(socket: Socket): Promise<void> {
    const limiter = limiters.get(socket.conn) ?? new SocketRateLimiter(this.config.SOCKET_EVENTS_PER_MINUTE);
    limiters.set(socket.conn, limiter);
    // Connecting is an event too: it takes a token, before the token is looked up.
    const wait = limiter.take();
    if (wait > 0) throw new DomainError(ErrorCode.RateLimited, `Retry in ${wait} ms`, { retryAfterMs: wait });
    const token: unknown = (socket.handshake.auth as Record<string, unknown> | undefined)?.token;
    const data: SocketState = {
      user: null,
      account: null,
      expiresAt: null,
      expiry: null,
      issuedAt: null,
      expired: false,
      sink: new SocketSink(socket, this.metrics),
      subscriptions: new Map(),
      address: clientAddress(socket.request, this.trust),
      limiter,
    };
    if (token !== undefined && token !== null) {
      if (typeof token !== 'string' || token.length === 0) throw new DomainError(ErrorCode.InvalidToken);
      const session = await this.accounts.session(token);
      const [account] = await this.accounts.accountStates([session.user.id]);
      socket.data = data;
      this.signIn(socket, session.user, session.expiresAt, account ?? null, session.issuedAt);
      return;
    }
    socket.data = data;
  }

  private signIn(
    socket: Socket,
    user: AuthUser,
    expiresAt: Date,
    account: AccountState | null,
    issuedAt: Date | null,
  ): void {
    const st = state(socket);
    st.issuedAt = issuedAt;
    if (st.expiry) clearTimeout(st.expiry);
    st.user = user;
    // At the handshake the socket is not connected yet: handleConnection adds it.
    if (socket.connected) this.signedIn.add(socket);
    st.account = account;
    st.expiresAt = expiresAt;
    st.expired = false;
    // setTimeout holds at most 2^31-1 ms (24.8 days): a longer token is
    // checked again then.
    const wait = Math.min(expiresAt.getTime() - Date.now(), 2 ** 31 - 1);
    st.expiry = setTimeout(() => this.checkExpiry(socket), Math.max(wait, 0));
    st.expiry.unref();
  }

  private checkExpiry(socket: Socket): void {
    const st = state(socket);
    if (!st.user || !st.expiresAt) return;
    if (st.expiresAt.getTime() > Date.now()) {
      this.signIn(socket, st.user, st.expiresAt, st.account, st.issuedAt);
      return;
    }
    this.expire(socket);
  }

  private expire(socket: Socket): void {
    this.signOut(socket, 'UNAUTHENTICATED');
    state(socket).expired = true;
    emitSession(socket, 'auth.expired', { code: 'TOKEN_EXPIRED' });
  }

  // The socket loses its signed-in rights: it stays connected as an
  // anonymous reader of the articles it follows.
  private signOut(socket: Socket, code: 'FORBIDDEN' | 'UNAUTHENTICATED'): void {
    const st = state(socket);
    if (st.expiry) clearTimeout(st.expiry);
    if (st.user) void socket.leave(`user:${st.user.id}`);
    st.user = null;
    this.signedIn.delete(socket);
    st.account = null;
    st.expiresAt = null;
    st.expiry = null;
    st.issuedAt = null;
    this.endStaffRights(socket, code);
  }

  // Leaves what only moderators may follow.
  private endStaffRights(socket: Socket, code: 'FORBIDDEN' | 'UNAUTHENTICATED'): void {
    const st = state(socket);
    for (const room of socket.rooms) if (room === 'moderators' || room.endsWith(':mod')) void socket.leave(room);
    const feed = st.subscriptions.get(FEED_KEY);
    if (!feed) return;
    this.realtime.unsubscribe(feed);
    st.subscriptions.delete(FEED_KEY);
    emitSession(socket, 'subscription.ended', { feed: MODERATION_FEED, code });
  }

  // The socket's account, read again now (and its token checked).
  async currentUser(socket: Socket): Promise<AuthUser | null> {
    const st = state(socket);
    if (st.user && st.expiresAt && st.expiresAt.getTime() <= Date.now()) this.checkExpiry(socket);
    if (!st.user) return null;
    const [account] = await this.accounts.accountStates([st.user.id]);
    if (!account) {
      this.signOut(socket, 'UNAUTHENTICATED');
      throw new DomainError(ErrorCode.InvalidToken, 'The account no longer exists');
    }
    this.follow(socket, account);
    return st.user;
  }

  // Every node compares its sockets' accounts with the database twice a
  // second and applies what changed (docs/realtime.md).
  private async followAccounts(): Promise<void> {
    const sockets = [...this.signedIn].filter((s) => state(s)?.user);
    const started = new Date();
    const since = new Date(this.lastPoll.getTime() - ACCOUNT_CLOCK_SLACK_MS);
    if (sockets.length === 0) {
      this.lastPoll = started;
      return;
    }
    try {
      const ids = [...new Set(sockets.map((s) => state(s).user!.id))];
      const changed = new Map((await this.accounts.accountStates(ids, since)).map((a) => [a.id, a]));
      this.lastPoll = started;
      for (const socket of sockets) {
        const account = state(socket).user && changed.get(state(socket).user!.id);
        if (account) this.follow(socket, account);
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'Could not read accounts of open sockets');
    }
  }

  // Applies the account as it is now to one socket, and tells its client.
  private follow(socket: Socket, account: AccountState): void {
    const st = state(socket);
    if (!st.user || st.user.id !== account.id) return;
    // Signed out everywhere (a password reset or change) since the token was issued.
    if (st.issuedAt && signedOut(st.issuedAt, account.sessionsValidAfter)) {
      this.expire(socket);
      return;
    }
    if (st.account && sameAccount(st.account, account)) return;
    const wasStaff = isModerator(st.user);
    st.user = { ...st.user, username: account.username, role: account.role };
    st.account = account;
    if (wasStaff && !isModerator(st.user)) this.endStaffRights(socket, 'FORBIDDEN');
    emitSession(socket, 'account.updated', accountData(account));
  }
}
