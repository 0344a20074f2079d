import { Inject, Logger, OnModuleDestroy } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  OnGatewayConnection,
  OnGatewayDisconnect,
  OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
} from '@nestjs/websockets';
import { AccountsService, isModerator, signedOut } from '@rejoinder/accounts';
import type { AccountState, AuthUser } from '@rejoinder/accounts';
import {
  APP_CONFIG,
  CommittedEvent,
  DomainError,
  ErrorCode,
  Metrics,
  MODERATION_FEED,
  parseInput,
  RateLimits,
  realtimeAdapter,
  RedisConnections,
} from '@rejoinder/common';
import type { AppConfig, SessionEventData, SessionEventName } from '@rejoinder/common';
import { DigestService, parseSince, PostingService } from '@rejoinder/forum';
import type { CommentView, Since } from '@rejoinder/forum';
import { ThreadHealthService } from '@rejoinder/moderation';
import { envelope, EventSink, RealtimeService } from '@rejoinder/realtime';
import type { ClusterMessage, Subscription } from '@rejoinder/realtime';
import type { Server, Socket } from 'socket.io';
import { PacketType } from 'socket.io-parser';
import * as ws from 'ws';
import { z } from 'zod';
import { toProblem } from '../edge/problem.js';
import { PostingAdmission } from '../edge/posting-admission.js';
import { clientAddress, proxyTrust } from '../edge/client-address.js';
import type { ProxyTrust } from '../edge/client-address.js';
import { AckError, ackError } from './socket-ack.js';
import { authSchema, CLIENT_EVENTS, postSchema, subscribeSchema, unsubscribeSchema } from './client-messages.js';
import { SocketRateLimiter } from './socket-rate-limiter.js';

function digestSince(input: z.output<typeof subscribeSchema>): Since | null {
  if (input.digest === undefined) return null;
  if (input.digest === true) return { kind: 'seq', seq: input.after!, raw: String(input.after) };
  return parseSince(String(input.digest.since));
}
const targetOf = (t: { article?: string; feed?: string }) => (t.feed ? t.feed : t.article!);
const keyOf = (t: { article?: string; feed?: string }) => (t.feed ? `feed:${t.feed}` : `article:${t.article}`);

const KNOWN = new Set<string>(CLIENT_EVENTS);
const CLUSTER_CHANNEL = 'rejoinder:cluster';

// A reader that stops reading must not make the server buffer without end:
// past this mark of events waiting for it (live or replayed), the socket is
// dropped, and the client catches up from the event log when it reconnects.
export const MAX_BUFFERED_BYTES = 1024 * 1024;

// How often each node compares its sockets' accounts with the database, so a
// change of role or sanctions reaches open sockets within a second, on every
// node, whoever made it (API, another node, the CLI).
const ACCOUNT_POLL_MS = 500;
// Clocks of the nodes that write updated_at may differ this much.
const ACCOUNT_CLOCK_SLACK_MS = 5000;

interface SocketState {
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
  sink: SocketSink;
  // The client's address, as TRUST_PROXY reads it (for per-address limits).
  address: string;
  subscriptions: Map<string, Subscription>;
  limiter: SocketRateLimiter;
}

const state = (socket: Socket): SocketState => socket.data as SocketState;
const FEED_KEY = `feed:${MODERATION_FEED}`;

function emitSession<N extends SessionEventName>(socket: Socket, name: N, data: SessionEventData<N>): void {
  socket.emit(name, data);
}

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

// The socket each engine.io connection holds: one at a time. socket.io would
// open a socket (and check its token) for every CONNECT packet a client
// sends on one connection.
const holders = new WeakMap<object, Socket>();
// The rate limit belongs to the connection, so connecting again on it
// (each connect takes a token) cannot refill it.
const limiters = new WeakMap<object, SocketRateLimiter>();

// One live event as it goes out: encoded once for every socket it goes to,
// with its websocket frame built once too, as socket.io's room broadcast
// does (engine.io writes `wsPreEncodedFrame` as is on websocket transports;
// long-polling ones use the encoded packet).
interface Outgoing {
  packets: unknown[];
  options: { preEncoded: true; wsPreEncodedFrame?: unknown };
}
const encoded = new WeakMap<CommittedEvent, Outgoing>();
// ws's frame builder (its ES module entry exports it; the default export has it only once
// the CommonJS entry has been loaded).
const { Sender } = ws as unknown as { Sender: { frame(this: void, data: Buffer, options: object): unknown } };

function outgoing(encoder: { encode(packet: object): unknown[] }, nsp: string, event: CommittedEvent): Outgoing {
  const packets = encoder.encode({ type: PacketType.EVENT, nsp, data: [event.type, envelope(event)] });
  const options: Outgoing['options'] = { preEncoded: true };
  if (packets.length === 1 && typeof packets[0] === 'string') {
    // "4": engine.io's message packet.
    options.wsPreEncodedFrame = Sender.frame(Buffer.from(`4${packets[0]}`), {
      readOnly: false,
      mask: false,
      rsv1: false,
      opcode: 1,
      fin: true,
    });
  }
  return { packets, options };
}

class SocketSink implements EventSink {
  private replaying = false;
  private replayed = false;

  constructor(
    private readonly socket: Socket,
    private readonly metrics: Metrics,
  ) {}

  get id(): string {
    return this.socket.id;
  }

  get viewer(): AuthUser | null {
    return state(this.socket).user;
  }

  // Refused while a catch-up is being read from the log, or while the last
  // one still waits in this socket's buffers.
  beginReplay(): boolean {
    if (this.replayed && this.queuedBytes() === 0) this.replayed = false;
    if (this.replaying || this.replayed) return false;
    this.replaying = true;
    return true;
  }

  endReplay(): void {
    this.replaying = false;
    this.replayed = this.queuedBytes() > 0;
  }

  // Live events and replays alike count toward the slow-reader mark.
  send(event: CommittedEvent): void {
    if (this.overloaded()) {
      this.metrics.eventsDropped.inc();
      this.socket.disconnect(true);
      return;
    }
    // One event goes to many sockets: encoded once, its frame built once.
    const client = this.socket.client as unknown as {
      encoder: { encode(packet: object): unknown[] };
      _packet(packets: unknown[], opts: Outgoing['options']): void;
    };
    let out = encoded.get(event);
    if (!out) {
      out = outgoing(client.encoder, this.socket.nsp.name, event);
      encoded.set(event, out);
      // First live send of this event on this node: how long since it committed.
      if (!this.replaying) this.metrics.deliveryLag.observe((Date.now() - Date.parse(event.at)) / 1000);
    }
    client._packet(out.packets, out.options);
    this.metrics.delivered(this.replaying);
  }

  presence(articleId: string, viewers: number, approximate: boolean): void {
    const data: SessionEventData<'presence'> = { articleId, viewers, approximate };
    if (!this.overloaded()) this.socket.volatile.emit('presence', data);
  }

  resync(articleId: string, seq: number): void {
    emitSession(this.socket, 'resync', { articleId, seq });
  }

  // engine.io queues packets while the transport is busy writing (a reader
  // that does not read keeps it busy), and ws keeps what the kernel refused.
  private overloaded(): boolean {
    const conn = this.connection();
    let bytes = conn.transport.socket?.bufferedAmount ?? 0;
    if (bytes > MAX_BUFFERED_BYTES) return true;
    if (conn.writeBuffer.length < 16) return false;
    for (const packet of conn.writeBuffer) {
      bytes += typeof packet.data === 'string' ? packet.data.length : 64;
      if (bytes > MAX_BUFFERED_BYTES) return true;
    }
    return false;
  }

  private queuedBytes(): number {
    const conn = this.connection();
    let bytes = conn.transport.socket?.bufferedAmount ?? 0;
    for (const packet of conn.writeBuffer) bytes += typeof packet.data === 'string' ? packet.data.length : 64;
    return bytes;
  }

  private connection() {
    return this.socket.conn as unknown as {
      writeBuffer: { data?: unknown }[];
      transport: { socket?: { bufferedAmount?: number } };
    };
  }
}

@WebSocketGateway()
export class EventsGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect, OnModuleDestroy {
  private readonly logger = new Logger('Realtime');
  private readonly trust: ProxyTrust | false;
  @WebSocketServer() private server!: Server;
  private accountPoll: NodeJS.Timeout | null = null;
  // Sockets with an account: the only ones the account poll looks at (most
  // readers are anonymous, and the poll runs twice a second).
  private readonly signedIn = new Set<Socket>();
  private healthTick: NodeJS.Timeout | null = null;
  private lastPoll = new Date();
  // The thread health last sent to each article's moderators on this node.
  private readonly lastHealth = new Map<string, string>();

  constructor(
    private readonly accounts: AccountsService,
    private readonly posting: PostingService,
    private readonly digests: DigestService,
    private readonly realtime: RealtimeService,
    private readonly redis: RedisConnections,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: Metrics,
    private readonly health: ThreadHealthService,
    private readonly admission: PostingAdmission,
    private readonly limits: RateLimits,
  ) {
    this.trust = proxyTrust(config.TRUST_PROXY);
  }

  afterInit(server: Server): void {
    this.metrics.sample('sockets', () => server.engine.clientsCount);
    const refuse = (error: unknown) => {
      const { problem } = toProblem(error);
      return Object.assign(new Error(problem.code), { data: { code: problem.code, status: problem.status } });
    };
    server.use((socket, next) => {
      // Refused before anything else runs: a burst costs no token lookups.
      if (holders.has(socket.conn)) return next(refuse(new DomainError(ErrorCode.OneSocketPerConnection)));
      holders.set(socket.conn, socket);
      next();
    });
    // Nest guards do not run on connect: the handshake token is checked here.
    server.use((socket, next) => {
      void this.authenticate(socket).then(
        () => next(),
        (error: unknown) => {
          holders.delete(socket.conn);
          next(refuse(error));
        },
      );
    });
    // Notes for one user go to their room on whichever node holds their sockets.
    this.realtime.onUserMessage((message) => server.to(`user:${message.userId}`).emit(message.type, message.data));
    if (realtimeAdapter(this.config) !== 'memory') {
      const redis = this.redis;
      this.realtime.attachCluster({
        publish: (message) => server.serverSideEmit(CLUSTER_CHANNEL, message),
        get degraded() {
          return !redis.up('publish', 'subscribe');
        },
      });
      server.on(CLUSTER_CHANNEL, (message: ClusterMessage) => this.realtime.receive(message));
    }
    this.accountPoll = setInterval(() => void this.followAccounts(), ACCOUNT_POLL_MS).unref();
    this.healthTick = setInterval(() => void this.sendHealth(), this.config.THREAD_HEALTH_INTERVAL_MS).unref();
  }

  onModuleDestroy(): void {
    if (this.accountPoll) clearInterval(this.accountPoll);
    if (this.healthTick) clearInterval(this.healthTick);
  }

  // Each node tells its own moderators following an article how the thread
  // runs, when it changed since the last time (`local`: the other nodes tell theirs).
  private async sendHealth(): Promise<void> {
    const watched = new Set<string>();
    for (const [room, members] of this.server.of('/').adapter.rooms) {
      const match = /^article:(.+):mod$/.exec(room);
      if (match && members.size > 0) watched.add(match[1]);
    }
    for (const id of this.lastHealth.keys()) if (!watched.has(id)) this.lastHealth.delete(id);
    for (const articleId of watched) {
      try {
        const health = await this.health.byId(articleId);
        if (!health) continue;
        const { at: _at, ...measured } = health;
        const key = JSON.stringify(measured);
        if (this.lastHealth.get(articleId) === key) continue;
        this.lastHealth.set(articleId, key);
        this.server.local.to(`article:${articleId}:mod`).emit('thread.health', health);
      } catch (error) {
        this.logger.warn({ err: error, articleId }, 'Could not measure thread health');
      }
    }
  }

  // A moderator who starts following an article learns its health at once.
  private async sendHealthTo(socket: Socket, articleId: string): Promise<void> {
    try {
      const health = await this.health.byId(articleId);
      const user = state(socket).user;
      if (health && user && isModerator(user) && socket.rooms.has(`article:${articleId}:mod`))
        emitSession(socket, 'thread.health', health);
    } catch (error) {
      this.logger.warn({ err: error, articleId }, 'Could not measure thread health');
    }
  }

  // Shutdown: every connection of this node is closed cleanly. Not a
  // socket.io disconnect, which tells a client not to come back: clients
  // reconnect at once (to another node behind the proxy) and catch up from
  // their seq.
  closeConnections(): void {
    this.server.engine.close();
  }

  handleConnection(socket: Socket): void {
    const { user } = state(socket);
    if (user) {
      void socket.join(`user:${user.id}`);
      this.signedIn.add(socket);
    }
    // Every incoming event passes the rate limit and must be one we know.
    socket.use(([event, ...args], next) => {
      const ack = typeof args.at(-1) === 'function' ? (args.at(-1) as (reply: AckError) => void) : null;
      const { limiter } = state(socket);
      const wait = limiter.take();
      if (wait > 0) {
        this.metrics.rateLimitRefusals.inc({ limit: 'socket' });
        ack?.(ackError(new DomainError(ErrorCode.RateLimited, `Retry in ${wait} ms`, { retryAfterMs: wait })));
        if (limiter.flooding) {
          this.logger.warn({ socket: socket.id, user: user?.id }, 'Disconnecting a flooding socket');
          socket.disconnect(true);
        }
        return;
      }
      if (!KNOWN.has(event)) {
        ack?.(ackError(new DomainError(ErrorCode.UnknownEvent, `Unknown event "${String(event).slice(0, 50)}"`)));
        return;
      }
      next();
    });
  }

  handleDisconnect(socket: Socket): void {
    this.signedIn.delete(socket);
    if (holders.get(socket.conn) === socket) holders.delete(socket.conn);
    const expiry = state(socket)?.expiry;
    if (expiry) clearTimeout(expiry);
    const subscriptions = state(socket)?.subscriptions;
    for (const subscription of subscriptions?.values() ?? []) this.realtime.unsubscribe(subscription);
    subscriptions?.clear();
  }

  @SubscribeMessage('subscribe')
  async subscribe(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    try {
      const input = parseInput(subscribeSchema, body);
      const since = digestSince(input);
      const { subscriptions, sink } = state(socket);
      // The digest's limit per client address, shared with HTTP digests: a
      // refused one subscribes to nothing (send it again later, or without
      // the digest).
      if (since) await this.limits.consume('digest-ip', state(socket).address);
      // The account as it is at this moment decides what the subscription
      // may follow and replay (later changes reach it through followAccounts).
      const user = await this.currentUser(socket);
      const key = keyOf(input);
      const previous = subscriptions.get(key);
      if (previous) this.realtime.unsubscribe(previous);
      const result = await this.realtime.subscribe(sink, targetOf(input), input.after);
      if (!socket.connected) {
        this.realtime.unsubscribe(result.subscription);
        return ackError(new DomainError(ErrorCode.ServiceUnavailable, 'Disconnected'));
      }
      if (since) {
        // Made after the catch-up, for the account as it is now, by the same
        // service (and visibility policy) as GET /api/articles/:slug/digest.
        // A digest that cannot be made undoes the subscription.
        try {
          emitSession(socket, 'digest', await this.digests.digest(input.article!, since, user));
        } catch (error) {
          this.realtime.unsubscribe(result.subscription);
          subscriptions.delete(key);
          throw error;
        }
      }
      subscriptions.set(key, result.subscription);
      if (input.feed) {
        void socket.join('moderators');
        return { feed: input.feed, seq: result.seq, resync: result.resync };
      }
      void socket.join(`article:${result.subscription.articleId}`);
      if (user && isModerator(user)) {
        void socket.join(`article:${result.subscription.articleId}:mod`);
        void this.sendHealthTo(socket, result.subscription.articleId);
      }
      return {
        articleId: result.subscription.articleId,
        seq: result.seq,
        viewers: result.viewers,
        resync: result.resync,
      };
    } catch (error) {
      return ackError(error);
    }
  }

  @SubscribeMessage('unsubscribe')
  unsubscribe(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    try {
      const input = parseInput(unsubscribeSchema, body);
      const key = keyOf(input);
      const subscription = state(socket).subscriptions.get(key);
      if (subscription) {
        this.realtime.unsubscribe(subscription);
        state(socket).subscriptions.delete(key);
        if (input.article) {
          void socket.leave(`article:${subscription.articleId}`);
          void socket.leave(`article:${subscription.articleId}:mod`);
        }
      }
      return { ok: true };
    } catch (error) {
      return ackError(error);
    }
  }

  // One service, two doors: the same validation, rules and idempotency as
  // POST /api/articles/:slug/comments.
  @SubscribeMessage('comment.create')
  async createComment(
    @ConnectedSocket() socket: Socket,
    @MessageBody() body: unknown,
  ): Promise<{ comment: CommentView; created: boolean } | AckError> {
    // The node's posting admission, shared with HTTP posts (ADR 26).
    const leave = this.admission.enter();
    if (!leave) return ackError(this.admission.refusal());
    try {
      // The account as it is now: role (moderators skip premoderation and
      // limits), and a token that may have expired since the handshake.
      const user = await this.currentUser(socket);
      if (!user) throw new DomainError(state(socket).expired ? ErrorCode.TokenExpired : ErrorCode.Unauthenticated);
      const { article, ...input } = parseInput(postSchema, body);
      return await this.posting.create(user, article, input, {
        ip: state(socket).address,
        userAgent: socket.handshake.headers['user-agent'],
      });
    } catch (error) {
      return ackError(error);
    } finally {
      leave();
    }
  }

  // Signs the socket in (again) with a fresh token, without reconnecting:
  // after `auth.expired`, or to sign in an anonymous reader.
  @SubscribeMessage('auth')
  async auth(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    try {
      const { token } = parseInput(authSchema, body);
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
    } catch (error) {
      return ackError(error);
    }
  }

  private async authenticate(socket: Socket): Promise<void> {
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
  private async currentUser(socket: Socket): Promise<AuthUser | null> {
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
