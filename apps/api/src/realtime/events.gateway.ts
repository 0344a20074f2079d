import { Inject, Logger } from '@nestjs/common';
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
import { isModerator } from '@rejoinder/accounts';
import {
  APP_CONFIG,
  DomainError,
  ErrorCode,
  Metrics,
  parseInput,
  RateLimits,
  realtimeAdapter,
  RedisConnections,
} from '@rejoinder/common';
import type { AppConfig } from '@rejoinder/common';
import { DigestService, parseSince, PostingService } from '@rejoinder/forum';
import type { CommentView, Since } from '@rejoinder/forum';
import { RealtimeService } from '@rejoinder/realtime';
import type { ClusterMessage } from '@rejoinder/realtime';
import type { Server, Socket } from 'socket.io';
import { z } from 'zod';
import { toProblem } from '../edge/problem.js';
import { PostingAdmission } from '../edge/posting-admission.js';
import { AckError, ackError, socketLocale } from './socket-ack.js';
import { authSchema, CLIENT_EVENTS, postSchema, subscribeSchema, unsubscribeSchema } from './client-messages.js';
import { SocketSessions } from './socket-sessions.js';
import { emitSession, state } from './socket-state.js';
import { ThreadHealthPush } from './thread-health-push.js';

export { MAX_BUFFERED_BYTES } from './socket-sink.js';

function digestSince(input: z.output<typeof subscribeSchema>): Since | null {
  if (input.digest === undefined) return null;
  if (input.digest === true) return { kind: 'seq', seq: input.after!, raw: String(input.after) };
  return parseSince(String(input.digest.since));
}
const targetOf = (t: { article?: string; feed?: string }) => (t.feed ? t.feed : t.article!);
const keyOf = (t: { article?: string; feed?: string }) => (t.feed ? `feed:${t.feed}` : `article:${t.article}`);

const KNOWN = new Set<string>(CLIENT_EVENTS);
const CLUSTER_CHANNEL = 'rejoinder:cluster';

// The socket each engine.io connection holds: one at a time. socket.io would
// open a socket (and check its token) for every CONNECT packet a client
// sends on one connection.
const holders = new WeakMap<object, Socket>();

// The socket.io door: subscriptions, posting, sign-in messages; who each
// socket is lives in SocketSessions, what it is sent in SocketSink, thread
// health in ThreadHealthPush.
@WebSocketGateway()
export class EventsGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect {
  private readonly logger = new Logger('Realtime');
  @WebSocketServer() private server!: Server;

  constructor(
    private readonly sessions: SocketSessions,
    private readonly healthPush: ThreadHealthPush,
    private readonly posting: PostingService,
    private readonly digests: DigestService,
    private readonly realtime: RealtimeService,
    private readonly redis: RedisConnections,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: Metrics,
    private readonly admission: PostingAdmission,
    private readonly limits: RateLimits,
  ) {}

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
      void this.sessions.authenticate(socket).then(
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
    this.sessions.start();
    this.healthPush.start(server);
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
    this.sessions.connected(socket);
    // Every incoming event passes the rate limit and must be one we know.
    socket.use(([event, ...args], next) => {
      const ack = typeof args.at(-1) === 'function' ? (args.at(-1) as (reply: AckError) => void) : null;
      const { limiter } = state(socket);
      const wait = limiter.take();
      if (wait > 0) {
        this.metrics.rateLimitRefusals.inc({ limit: 'socket' });
        ack?.(
          ackError(
            new DomainError(ErrorCode.RateLimited, `Retry in ${wait} ms`, { retryAfterMs: wait }),
            socketLocale(socket),
          ),
        );
        if (limiter.flooding) {
          this.logger.warn({ socket: socket.id, user: user?.id }, 'Disconnecting a flooding socket');
          socket.disconnect(true);
        }
        return;
      }
      if (!KNOWN.has(event)) {
        ack?.(
          ackError(
            new DomainError(ErrorCode.UnknownEvent, `Unknown event "${String(event).slice(0, 50)}"`),
            socketLocale(socket),
          ),
        );
        return;
      }
      next();
    });
  }

  handleDisconnect(socket: Socket): void {
    this.sessions.disconnected(socket);
    if (holders.get(socket.conn) === socket) holders.delete(socket.conn);
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
      const user = await this.sessions.currentUser(socket);
      const key = keyOf(input);
      const previous = subscriptions.get(key);
      if (previous) this.realtime.unsubscribe(previous);
      const result = await this.realtime.subscribe(sink, targetOf(input), input.after);
      if (!socket.connected) {
        this.realtime.unsubscribe(result.subscription);
        return ackError(new DomainError(ErrorCode.ServiceUnavailable, 'Disconnected'), socketLocale(socket));
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
        void this.healthPush.sendHealthTo(socket, result.subscription.articleId);
      }
      return {
        articleId: result.subscription.articleId,
        seq: result.seq,
        viewers: result.viewers,
        resync: result.resync,
      };
    } catch (error) {
      return ackError(error, socketLocale(socket));
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
      return ackError(error, socketLocale(socket));
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
    if (!leave) return ackError(this.admission.refusal(), socketLocale(socket));
    try {
      // The account as it is now: role (moderators skip premoderation and
      // limits), and a token that may have expired since the handshake.
      const user = await this.sessions.currentUser(socket);
      if (!user) throw new DomainError(state(socket).expired ? ErrorCode.TokenExpired : ErrorCode.Unauthenticated);
      const { article, ...input } = parseInput(postSchema, body);
      return await this.posting.create(user, article, input, {
        ip: state(socket).address,
        userAgent: socket.handshake.headers['user-agent'],
      });
    } catch (error) {
      return ackError(error, socketLocale(socket));
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
      return await this.sessions.signInWith(socket, token);
    } catch (error) {
      return ackError(error, socketLocale(socket));
    }
  }
}
