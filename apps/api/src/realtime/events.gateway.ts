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
import { AccountsService, isModerator } from '@rejoinder/accounts';
import type { AuthUser } from '@rejoinder/accounts';
import { APP_CONFIG, CommittedEvent, DomainError, ErrorCode, MODERATION_FEED, parseInput, realtimeAdapter, RedisConnections } from '@rejoinder/common';
import type { AppConfig } from '@rejoinder/common';
import { CommentsService, createCommentSchema } from '@rejoinder/forum';
import type { CommentView } from '@rejoinder/forum';
import { envelope, EventSink, RealtimeService } from '@rejoinder/realtime';
import type { ClusterMessage, Subscription } from '@rejoinder/realtime';
import type { Server, Socket } from 'socket.io';
import { PacketType } from 'socket.io-parser';
import { z } from 'zod';
import { toProblem } from '../http/problem.js';
import { AckError, ackError } from './socket-ack.js';
import { SocketRateLimiter } from './socket-rate-limiter.js';

// Either an article (by slug) or the moderators' feed across all articles.
const targetSchema = {
  article: z.string().min(1).max(200).optional(),
  feed: z.literal(MODERATION_FEED).optional(),
};
const oneTarget = (t: { article?: string; feed?: string }) => (t.article === undefined) !== (t.feed === undefined);
const subscribeSchema = z
  .strictObject({ ...targetSchema, after: z.number().int().min(0).optional() })
  .refine(oneTarget, { message: 'give either article or feed' });
const unsubscribeSchema = z.strictObject(targetSchema).refine(oneTarget, { message: 'give either article or feed' });
const targetOf = (t: { article?: string; feed?: string }) => (t.feed ? t.feed : t.article!);
const keyOf = (t: { article?: string; feed?: string }) => (t.feed ? `feed:${t.feed}` : `article:${t.article}`);
const postSchema = createCommentSchema.extend({ article: z.string().min(1).max(200) });

export const CLIENT_EVENTS = ['subscribe', 'unsubscribe', 'comment.create'] as const;
const KNOWN = new Set<string>(CLIENT_EVENTS);
const CLUSTER_CHANNEL = 'rejoinder:cluster';

// A reader that stops reading must not make the server buffer without end:
// past this mark of live data waiting for it, the socket is dropped, and the
// client catches up from the event log when it reconnects.
export const MAX_BUFFERED_BYTES = 1024 * 1024;

interface SocketState {
  user: AuthUser | null;
  subscriptions: Map<string, Subscription>;
  limiter: SocketRateLimiter;
}

const state = (socket: Socket): SocketState => socket.data as SocketState;

// The encoded form of each live event, shared by every socket it goes to.
const encoded = new WeakMap<CommittedEvent, unknown[]>();

class SocketSink implements EventSink {
  constructor(private readonly socket: Socket) {}

  get id(): string {
    return this.socket.id;
  }

  send(event: CommittedEvent, live: boolean): void {
    if (live && this.overloaded()) {
      this.socket.disconnect(true);
      return;
    }
    // One event goes to many sockets: encode it once, as a room broadcast
    // would (socket.io's own path for pre-encoded packets).
    const client = this.socket.client as unknown as {
      encoder: { encode(packet: object): unknown[] };
      _packet(packets: unknown[], opts: { preEncoded: boolean }): void;
    };
    let packets = encoded.get(event);
    if (!packets) {
      packets = client.encoder.encode({ type: PacketType.EVENT, nsp: this.socket.nsp.name, data: [event.type, envelope(event)] });
      encoded.set(event, packets);
    }
    client._packet(packets, { preEncoded: true });
  }

  presence(articleId: string, viewers: number, approximate: boolean): void {
    if (!this.overloaded()) this.socket.volatile.emit('presence', { articleId, viewers, approximate });
  }

  // engine.io queues packets while the transport is busy writing (a reader
  // that does not read keeps it busy), and ws keeps what the kernel refused.
  private overloaded(): boolean {
    const conn = this.socket.conn as unknown as {
      writeBuffer: { data?: unknown }[];
      transport: { socket?: { bufferedAmount?: number } };
    };
    let bytes = conn.transport.socket?.bufferedAmount ?? 0;
    if (bytes > MAX_BUFFERED_BYTES) return true;
    if (conn.writeBuffer.length < 16) return false;
    for (const packet of conn.writeBuffer) {
      bytes += typeof packet.data === 'string' ? packet.data.length : 64;
      if (bytes > MAX_BUFFERED_BYTES) return true;
    }
    return false;
  }
}

@WebSocketGateway()
export class EventsGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect {
  private readonly logger = new Logger('Realtime');
  @WebSocketServer() private server!: Server;

  constructor(
    private readonly accounts: AccountsService,
    private readonly comments: CommentsService,
    private readonly realtime: RealtimeService,
    private readonly redis: RedisConnections,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  afterInit(server: Server): void {
    // Nest guards do not run on connect: the handshake token is checked here.
    server.use((socket, next) => {
      void this.authenticate(socket).then(
        () => next(),
        (error: unknown) => {
          const { problem } = toProblem(error);
          next(Object.assign(new Error(problem.code), { data: { code: problem.code, status: problem.status } }));
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
  }

  handleConnection(socket: Socket): void {
    const { user } = state(socket);
    if (user) void socket.join(`user:${user.id}`);
    // Every incoming event passes the rate limit and must be one we know.
    socket.use(([event, ...args], next) => {
      const ack = typeof args.at(-1) === 'function' ? (args.at(-1) as (reply: AckError) => void) : null;
      const { limiter } = state(socket);
      const wait = limiter.take();
      if (wait > 0) {
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
    const subscriptions = state(socket).subscriptions;
    for (const subscription of subscriptions?.values() ?? []) this.realtime.unsubscribe(subscription);
    subscriptions?.clear();
  }

  @SubscribeMessage('subscribe')
  async subscribe(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    try {
      const input = parseInput(subscribeSchema, body);
      const { user, subscriptions } = state(socket);
      const key = keyOf(input);
      const previous = subscriptions.get(key);
      if (previous) this.realtime.unsubscribe(previous);
      const result = await this.realtime.subscribe(new SocketSink(socket), user, targetOf(input), input.after);
      if (!socket.connected) {
        this.realtime.unsubscribe(result.subscription);
        return ackError(new DomainError(ErrorCode.ServiceUnavailable, 'Disconnected'));
      }
      subscriptions.set(key, result.subscription);
      if (input.feed) {
        void socket.join('moderators');
        return { feed: input.feed, seq: result.seq, resync: result.resync };
      }
      void socket.join(`article:${result.subscription.articleId}`);
      if (user && isModerator(user)) void socket.join(`article:${result.subscription.articleId}:mod`);
      return { articleId: result.subscription.articleId, seq: result.seq, viewers: result.viewers, resync: result.resync };
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
        if (input.article) void socket.leave(`article:${subscription.articleId}`);
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
    try {
      const { user } = state(socket);
      if (!user) throw new DomainError(ErrorCode.Unauthenticated);
      const { article, ...input } = parseInput(postSchema, body);
      return await this.comments.create(user, article, input, { ip: socket.handshake.address });
    } catch (error) {
      return ackError(error);
    }
  }

  private async authenticate(socket: Socket): Promise<void> {
    const token: unknown = (socket.handshake.auth as Record<string, unknown> | undefined)?.token;
    let user: AuthUser | null = null;
    if (token !== undefined && token !== null) {
      if (typeof token !== 'string' || token.length === 0) throw new DomainError(ErrorCode.InvalidToken);
      user = await this.accounts.authenticate(token);
    }
    const data: SocketState = {
      user,
      subscriptions: new Map(),
      limiter: new SocketRateLimiter(this.config.SOCKET_EVENTS_PER_MINUTE),
    };
    socket.data = data;
  }
}
