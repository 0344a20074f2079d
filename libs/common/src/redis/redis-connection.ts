import { createRequire } from 'node:module';
import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import type { RedisClientType } from 'redis';
import { APP_CONFIG } from '../config/app-config.js';
import type { AppConfig } from '../config/app-config.js';

export type RedisState = 'connecting' | 'up' | 'down';

export interface RedisConnectionStatus {
  state: RedisState;
  // When the connection entered that state.
  since: string;
  // How many times it went down since the process started.
  outages: number;
}

// How long a reconnect waits after `retries` failed attempts: doubling from
// 100 ms up to 5 s, with jitter so that nodes do not reconnect in step.
export function reconnectDelay(retries: number): number {
  return Math.min(100 * 2 ** Math.min(retries, 6), 5000) + Math.floor(Math.random() * 100);
}

// At start-up, how long to wait for a first answer (connected or refused)
// before serving with the fallbacks.
const CONNECT_TIMEOUT_MS = 2000;
// While down, how often a connection that still looks open is asked whether
// Redis answers again (a Redis that hangs leaves the socket open).
const PROBE_MS = 1000;

// One Redis connection and what is known about it. Every command is bounded:
// it fails at once while the connection is down (no offline queue that grows
// while Redis is away) and after `REDIS_COMMAND_TIMEOUT_MS` when Redis does
// not answer. The client reconnects by itself with backoff; callers learn of
// each change of state once, through onChange, not once per attempt.
// The Redis client package (some 570 modules) is loaded by the first
// connection, not at start: a node without REDIS_URL never loads it, and
// every full garbage collection of a running node walks the code it loaded.
const redis = () => createRequire(import.meta.url)('redis') as typeof import('redis');

export class RedisConnection {
  readonly client: RedisClientType;
  private current: RedisState = 'connecting';
  private since = Date.now();
  private outages = 0;
  private probe: NodeJS.Timeout | null = null;
  private closing = false;
  private readonly listeners = new Set<(state: RedisState, cause?: unknown) => void>();

  constructor(
    readonly name: string,
    url: string,
    private readonly commandTimeoutMs: number,
  ) {
    this.client = redis().createClient({
      url,
      // Subscriptions are not commands: the client makes them again after
      // a reconnection by itself.
      disableOfflineQueue: true,
      commandOptions: { timeout: commandTimeoutMs },
      socket: { connectTimeout: CONNECT_TIMEOUT_MS, reconnectStrategy: reconnectDelay },
    });
    this.client.on('ready', () => this.set('up'));
    // Emitted for every failed attempt: counted as one outage.
    this.client.on('error', (error: unknown) => this.set('down', error));
  }

  get state(): RedisState {
    return this.current;
  }

  // Known to work: commands sent now are expected to be answered.
  get up(): boolean {
    return this.current === 'up' && this.client.isReady;
  }

  status(): RedisConnectionStatus {
    return { state: this.current, since: new Date(this.since).toISOString(), outages: this.outages };
  }

  onChange(listener: (state: RedisState, cause?: unknown) => void): void {
    this.listeners.add(listener);
  }

  // A command failed (timed out, or refused while offline): treat Redis as
  // down until it answers again.
  reportFailure(cause: unknown): void {
    this.set('down', cause);
  }

  // The client's command timeout covers the wait to send a command, not the
  // wait for its answer (a Redis that hangs): this bounds both, and counts a
  // timeout as a failure.
  bounded<T>(command: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () => reject(new Error(`Redis did not answer within ${this.commandTimeoutMs} ms`)),
        this.commandTimeoutMs,
      );
    });
    return Promise.race([command, timeout])
      .catch((error: unknown) => {
        this.reportFailure(error);
        throw error;
      })
      .finally(() => clearTimeout(timer));
  }

  // Starts connecting and waits for the first outcome, so a node whose Redis
  // is away at start-up serves with the fallbacks instead of waiting for it.
  async open(): Promise<void> {
    const outcome = new Promise<void>((resolve) => {
      this.client.once('ready', resolve);
      this.client.once('error', () => resolve());
    });
    this.client.connect().catch(() => undefined);
    await outcome;
  }

  close(): void {
    this.closing = true;
    this.stopProbe();
    if (this.client.isOpen) this.client.destroy();
  }

  private set(state: RedisState, cause?: unknown): void {
    if (this.closing || state === this.current) return;
    if (state === 'down') this.outages += 1;
    this.current = state;
    this.since = Date.now();
    if (state === 'down') this.startProbe();
    else this.stopProbe();
    for (const listener of this.listeners) listener(state, cause);
  }

  private startProbe(): void {
    if (this.probe) return;
    this.probe = setInterval(() => {
      if (!this.client.isReady) return; // reconnecting: 'ready' will say when it is back
      this.bounded(this.client.ping()).then(
        () => this.set('up'),
        () => undefined,
      );
    }, PROBE_MS).unref();
  }

  private stopProbe(): void {
    if (this.probe) clearInterval(this.probe);
    this.probe = null;
  }
}

// The client as a library that takes one sees it, with some members
// replaced (each given as a function that returns the member).
export function clientView(client: RedisClientType, members: Record<string, () => unknown>): RedisClientType {
  return new Proxy(client, {
    get(target, property) {
      if (typeof property === 'string' && Object.hasOwn(members, property)) return members[property]();
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

export type RedisHealth = 'up' | 'degraded' | 'unused';

// Every Redis connection of this node, for whoever needs one (rate limits,
// the socket.io adapter) and for the health report.
@Injectable()
export class RedisConnections implements OnApplicationShutdown {
  private readonly connections = new Map<string, RedisConnection>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  // A connection to REDIS_URL under `name`, once its first attempt is over
  // (it may be down: it keeps reconnecting by itself).
  async open(name: string): Promise<RedisConnection> {
    if (!this.config.REDIS_URL) throw new Error('REDIS_URL is not set');
    const connection = new RedisConnection(name, this.config.REDIS_URL, this.config.REDIS_COMMAND_TIMEOUT_MS);
    this.connections.set(name, connection);
    await connection.open();
    return connection;
  }

  // Whether the named connections that this node opened all work.
  up(...names: string[]): boolean {
    return names.every((name) => this.connections.get(name)?.up ?? true);
  }

  health(): RedisHealth {
    if (this.connections.size === 0) return 'unused';
    for (const connection of this.connections.values()) if (!connection.up) return 'degraded';
    return 'up';
  }

  status(): Record<string, RedisConnectionStatus> {
    return Object.fromEntries([...this.connections].map(([name, connection]) => [name, connection.status()]));
  }

  onApplicationShutdown(): void {
    for (const connection of this.connections.values()) connection.close();
  }
}
