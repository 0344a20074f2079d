import { INestApplicationContext, Logger } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { MessageMappingProperties } from '@nestjs/websockets';
import { createAdapter as createPostgresAdapter } from '@socket.io/postgres-adapter';
import { createAdapter as createRedisAdapter } from '@socket.io/redis-adapter';
import { clientView, ErrorCode, realtimeAdapter } from '@rejoinder/common';
import type { AppConfig, RedisConnection, RedisConnections } from '@rejoinder/common';
import { connectionErrors, createPool } from '@rejoinder/db';
import { SWEEP_MS } from '@rejoinder/realtime';
import type { IncomingMessage } from 'node:http';
import type { RedisClientType } from 'redis';
import type { Observable } from 'rxjs';
import type { Server, ServerOptions, Socket } from 'socket.io';
import { clientAddress, proxyTrust } from '../edge/client-address.js';

export const SOCKET_MAX_BUFFER_BYTES = 64 * 1024;

type AdapterFactory = ReturnType<typeof createRedisAdapter> | ReturnType<typeof createPostgresAdapter>;

export function originAllowed(origin: string | undefined, allowed: string[], host?: string): boolean {
  // Browsers always send Origin on a WebSocket handshake; other clients need
  // no protection against cross-site hijacking.
  if (!origin) return true;
  // The server's own pages (reader page, console, embed frame) may always
  // connect, under whichever name the browser reached the server.
  if (host && sameHost(origin, host)) return true;
  return allowed.includes('*') || allowed.includes(origin);
}

function sameHost(origin: string, host: string): boolean {
  try {
    return new URL(origin).host === host.toLowerCase();
  } catch {
    return false;
  }
}

// The adapter publishes without waiting for the result. While Redis is down
// a message is dropped at once instead of queued or left to reject unhandled:
// the other nodes read what they missed from the event log.
function publisher(connection: RedisConnection): RedisClientType {
  const { client } = connection;
  const publish = (channel: string, message: string | Buffer): Promise<number> =>
    connection.up ? connection.bounded(client.publish(channel, message)).catch(() => 0) : Promise.resolve(0);
  return clientView(client, { publish: () => publish });
}

// The adapter subscribes once, at start-up, and unsubscribes when it closes,
// without handling a failure. A subscription waits until Redis is connected
// (node-redis can misread replies to subscriptions queued before its
// handshake) and is made again if Redis did not confirm it; an
// unsubscription that fails (closing while Redis is down) does not matter.
function subscriber(connection: RedisConnection): RedisClientType {
  const { client } = connection;
  type Method = 'subscribe' | 'pSubscribe' | 'unsubscribe' | 'pUnsubscribe';
  const call = (method: Method, args: unknown[]) =>
    (client[method] as (...a: unknown[]) => Promise<unknown>).apply(client, args);
  const whenReady = (then: () => Promise<unknown>) =>
    new Promise<unknown>((resolve) => client.once('ready', () => resolve(then())));
  const retried =
    (method: Method) =>
    (...args: unknown[]): Promise<unknown> => {
      const attempt = (): Promise<unknown> =>
        client.isReady ? call(method, args).catch(() => whenReady(attempt)) : whenReady(attempt);
      return attempt();
    };
  const settled =
    (method: Method) =>
    (...args: unknown[]): Promise<unknown> =>
      call(method, args).catch(() => undefined);
  return clientView(client, {
    subscribe: () => retried('subscribe'),
    pSubscribe: () => retried('pSubscribe'),
    unsubscribe: () => settled('unsubscribe'),
    pUnsubscribe: () => settled('pUnsubscribe'),
  });
}

// socket.io on the API's HTTP server, with an origin allowlist, a 64 KB
// message limit, and the adapter that shares rooms between API nodes:
// Redis, PostgreSQL (LISTEN/NOTIFY), or one node in memory.
export class RealtimeIoAdapter extends IoAdapter {
  private readonly log = new Logger('Realtime');
  private factory: AdapterFactory | null = null;
  private readonly closers: (() => Promise<unknown>)[] = [];

  constructor(
    app: INestApplicationContext,
    private readonly config: AppConfig,
    private readonly databaseUrl: string,
    private readonly redis: RedisConnections,
  ) {
    super(app);
  }

  async connect(): Promise<void> {
    switch (realtimeAdapter(this.config)) {
      case 'memory':
        return;
      case 'redis': {
        const [pub, sub] = await Promise.all([this.redis.open('publish'), this.redis.open('subscribe')]);
        this.factory = createRedisAdapter(publisher(pub), subscriber(sub));
        this.log.log('Sharing rooms through Redis');
        // One line when the link between nodes breaks and one when it is back,
        // however many reconnection attempts lie between.
        let linked = true;
        const changed = () => {
          const now = pub.up && sub.up;
          if (now === linked) return;
          linked = now;
          if (now) this.log.log('Redis answers again: live events and viewer counts go between nodes directly');
          else
            this.log.warn(
              `Redis unavailable: other nodes read live events from the event log (within ${SWEEP_MS / 1000} s); viewer counts are approximate`,
            );
        };
        pub.onChange(changed);
        sub.onChange(changed);
        changed();
        return;
      }
      case 'postgres': {
        const pool = createPool(
          { connectionString: this.databaseUrl, max: 2 },
          connectionErrors('PostgreSQL adapter', this.log),
        );
        this.factory = createPostgresAdapter(pool);
        this.closers.push(() => pool.end());
        this.log.log('Sharing rooms through PostgreSQL');
        return;
      }
    }
  }

  get clustered(): boolean {
    return this.factory !== null;
  }

  override createIOServer(port: number, options?: Partial<ServerOptions>): Server {
    const allowed = this.config.ALLOWED_ORIGINS;
    const trust = proxyTrust(this.config.TRUST_PROXY);
    const cap = this.config.SOCKET_CONNECTIONS_PER_IP;
    // Open engine.io connections per client address (as TRUST_PROXY reads it).
    const open = new Map<string, number>();
    const server: Server = super.createIOServer(port, {
      ...(options as ServerOptions),
      serveClient: false,
      maxHttpBufferSize: SOCKET_MAX_BUFFER_BYTES,
      cors: { origin: allowed.includes('*') ? true : allowed, credentials: false },
      allowRequest: (req: IncomingMessage, callback: (err: string | null, ok: boolean) => void) => {
        if (!originAllowed(req.headers.origin, allowed, req.headers.host))
          return callback(ErrorCode.OriginNotAllowed, false);
        if ((open.get(clientAddress(req, trust)) ?? 0) >= cap) return callback(ErrorCode.TooManyConnections, false);
        callback(null, true);
      },
    });
    // The count is kept as connections open and close, so handshakes that
    // raced past the check above are held to the cap here.
    server.engine.on(
      'connection',
      (conn: { request: IncomingMessage; close(): void; once(event: 'close', listener: () => void): void }) => {
        const address = clientAddress(conn.request, trust);
        const count = (open.get(address) ?? 0) + 1;
        if (count > cap) {
          conn.close();
          return;
        }
        open.set(address, count);
        conn.once('close', () => {
          const left = (open.get(address) ?? 1) - 1;
          if (left === 0) open.delete(address);
          else open.set(address, left);
        });
      },
    );
    if (this.factory) server.adapter(this.factory);
    return server;
  }

  // One plain listener per message and socket. Nest's default builds an rxjs
  // pipeline per handler and socket (fromEvent, mergeMap, takeUntil the
  // disconnect): about 16 KB of closures and subscribers for every open
  // socket. `callback` is Nest's handler with its guards, pipes, interceptors
  // and filters; `transform` turns its result into an observable, as before.
  // A reply is acknowledged unless the socket has gone (as takeUntil did).
  override bindMessageHandlers(
    socket: Socket,
    handlers: MessageMappingProperties[],
    transform: (data: unknown) => Observable<unknown>,
  ): void {
    for (const { message, callback, isAckHandledManually } of handlers) {
      socket.on(message as string, (...args: unknown[]) => {
        const { data, ack } = this.mapPayload(args.length === 1 ? args[0] : args) as { data: unknown; ack?: unknown };
        const reply = (response: unknown) => {
          if (response === null || response === undefined || !socket.connected) return;
          const { event, data: eventData } = response as { event?: string; data?: unknown };
          if (event) socket.emit(event, eventData);
          else if (!isAckHandledManually && typeof ack === 'function') (ack as (r: unknown) => void)(response);
        };
        const failed = (error: unknown) => this.log.error(error);
        try {
          transform(callback(data, ack)).subscribe({ next: reply, error: failed });
        } catch (error) {
          failed(error);
        }
      });
    }
  }

  override async close(server: Server): Promise<void> {
    await super.close(server);
    for (const close of this.closers.splice(0)) await close().catch(() => undefined);
  }
}
