import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit, Optional } from '@nestjs/common';
import type { AuthUser } from '@rejoinder/accounts';
import {
  APP_CONFIG,
  CommittedEvent,
  commentRendering,
  DomainError,
  DomainEventBus,
  ErrorCode,
  Metrics,
  MODERATION_FEED,
  storedData,
} from '@rejoinder/common';
import type { AppConfig, UserMessage } from '@rejoinder/common';
import { ArticlesService, canSee, CommentsRepository, ReadCache, renderEvent } from '@rejoinder/forum';
import type { CommentRow } from '@rejoinder/forum';
import { randomUUID } from 'node:crypto';
import { ArticleEventsRepository } from './article-events.repository.js';
import { ArticleStream, Subscription } from './article-stream.js';
import {
  ClusterLink,
  ClusterMessage,
  commentIdOf,
  EventSink,
  fromLog,
  markLogged,
  streamKey,
} from './realtime.types.js';
import { isModerator } from '@rejoinder/accounts';

// Most bytes one catch-up may send a socket; past it the reader is told to
// resync (reload over HTTP) instead, so a replay is bounded however many
// events were missed and however large they are.
export const MAX_REPLAY_BYTES = 512 * 1024;

export interface SubscribeResult {
  subscription: Subscription;
  // Every event up to this seq that the reader may see has been sent.
  seq: number;
  viewers: number;
  // Too much was missed: reload through REST, then follow from `seq`.
  resync: boolean;
}

export interface EventsPage {
  events: (CommittedEvent & { type: string })[];
  seq: number;
  resync: boolean;
}

// How often each followed article is compared with the database: the longest
// an event can take to reach a reader when no node told this one about it
// (its writer died, or the link between nodes is down).
export const SWEEP_MS = 2000;

// Follows articles for the readers connected to this node: one ordered stream
// per followed article, fed by this node's commits, by other nodes through the
// cluster link, and by the event table when anything is missing; plus
// presence counts shared across nodes.
@Injectable()
export class RealtimeService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(RealtimeService.name);
  private readonly node = randomUUID();
  private readonly streams = new Map<string, { stream: ArticleStream; ready: Promise<void> }>();
  private readonly remotePresence = new Map<string, { counts: Record<string, number>; at: number }>();
  private readonly lastPresence = new Map<string, string>();
  private readonly rowReads = new Map<string, Promise<Map<string, CommentRow>>>();
  private cluster: ClusterLink | null = null;
  private unsubscribeBus: (() => void) | null = null;
  private unsubscribeUser: (() => void) | null = null;
  private timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly events: ArticleEventsRepository,
    private readonly articles: ArticlesService,
    private readonly comments: CommentsRepository,
    private readonly readCache: ReadCache,
    private readonly bus: DomainEventBus,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() private readonly metrics?: Metrics,
  ) {}

  onModuleInit(): void {
    this.metrics?.sample('subscriptions', () => {
      let count = 0;
      for (const { stream } of this.streams.values()) count += stream.subscriptions.size;
      return count;
    });
    this.unsubscribeBus = this.bus.subscribe((event) => {
      this.streams.get(streamKey(event))?.stream.offer(event);
      this.cluster?.publish({ kind: 'event', event });
    });
    this.timers.push(setInterval(() => void this.sweep(), SWEEP_MS).unref());
    this.timers.push(setInterval(() => this.presenceTick(), this.config.PRESENCE_INTERVAL_MS).unref());
  }

  onModuleDestroy(): void {
    this.unsubscribeBus?.();
    this.unsubscribeUser?.();
    for (const timer of this.timers) clearInterval(timer);
  }

  onUserMessage(listener: (message: UserMessage) => void): void {
    this.unsubscribeUser = this.bus.subscribeUser(listener);
  }

  attachCluster(link: ClusterLink): void {
    this.cluster = link;
  }

  receive(message: ClusterMessage): void {
    switch (message.kind) {
      case 'event':
        // Another node's commit: this node's cached pages of the article
        // are out of date (its own commits reach the cache through the bus).
        if (!message.event.stream) this.readCache.invalidate(message.event.articleId, message.event.seq);
        this.streams.get(streamKey(message.event))?.stream.offer(message.event);
        return;
      case 'presence':
        if (message.node !== this.node)
          this.remotePresence.set(message.node, { counts: message.counts, at: Date.now() });
        return;
    }
  }

  // Follows an article (by slug), or the moderators' feed across articles,
  // as the sink's reader (their account as it is now).
  async subscribe(sink: EventSink, target: string, after?: number): Promise<SubscribeResult> {
    // One catch-up at a time per socket, and not while the last one is still
    // waiting to be read: a reader that stops reading cannot pile them up.
    if (after !== undefined && !sink.beginReplay()) {
      throw new DomainError(ErrorCode.ReplayInProgress);
    }
    try {
      return await this.follow(sink, target, after);
    } finally {
      if (after !== undefined) sink.endReplay();
    }
  }

  private async follow(sink: EventSink, target: string, after?: number): Promise<SubscribeResult> {
    let key: string;
    if (target === MODERATION_FEED) {
      if (!sink.viewer) throw new DomainError(ErrorCode.Unauthenticated);
      if (!isModerator(sink.viewer))
        throw new DomainError(ErrorCode.Forbidden, 'The moderation feed is for moderators');
      key = MODERATION_FEED;
    } else {
      // The id only (cached): a reconnect storm does not load the article.
      key = await this.articles.idOf(target);
    }
    const entry = this.streamFor(key);
    await entry.ready;
    const { stream } = entry;
    const subscription = new Subscription(key, sink, after ?? stream.delivered);
    stream.subscriptions.add(subscription);
    let resync = false;
    try {
      if (after !== undefined) {
        const limit = this.config.REALTIME_BACKLOG_LIMIT;
        // What the stream still holds is replayed from memory; older events,
        // and a seq this node has not reached, come from the table.
        const recent = key === MODERATION_FEED ? null : stream.eventsAfter(after);
        let missed: CommittedEvent[];
        let head: number;
        if (recent) {
          head = stream.delivered;
          const viewer = sink.viewer;
          missed = await this.rendered(recent.filter((event) => canSee(event, viewer)).slice(0, limit + 1));
          this.metrics?.tailReplays.inc();
        } else {
          missed = await this.logged(key, after, limit + 1, sink.viewer);
          head = (await this.events.head(key)) ?? 0;
        }
        // More than a reconnect should replay (in events or in bytes), or a
        // seq from a database that was reset: the reader reloads and follows
        // from the head.
        if (missed.length > limit || after > head || !subscription.replay(missed, MAX_REPLAY_BYTES)) {
          resync = true;
          subscription.lastSeq = Math.max(head, stream.delivered);
          this.metrics?.resyncs.inc();
        } else {
          this.metrics?.replays.inc();
        }
      }
      subscription.goLive();
    } catch (error) {
      this.unsubscribe(subscription);
      throw error;
    }
    return { subscription, seq: subscription.lastSeq, viewers: this.viewers(key), resync };
  }

  // Events from the stream's tail as the log would give them: the stored
  // data (no comment), marked with each comment's current row, so a replay
  // from memory renders exactly what a replay from the table renders.
  private async rendered(events: CommittedEvent[]): Promise<CommittedEvent[]> {
    const ids = new Set<string>();
    for (const event of events) {
      const id = commentRendering(event.type) ? commentIdOf(event) : null;
      if (id) ids.add(id);
    }
    const rows = await this.rowsOf([...ids]);
    return events.map((event) => {
      const id = commentRendering(event.type) ? commentIdOf(event) : null;
      const { articleId, stream, seq, type, audience, userId, at, data } = event;
      const logged = { articleId, ...(stream ? { stream } : {}), seq, type, audience, userId, at };
      return markLogged({ ...logged, data: storedData(type, data) }, id ? rows.get(id) : undefined);
    });
  }

  // Comments' current rows; readers who reconnect together (a network blip)
  // miss the same events and share one read.
  private rowsOf(ids: string[]): Promise<Map<string, CommentRow>> {
    if (ids.length === 0) return Promise.resolve(new Map<string, CommentRow>());
    const key = ids.join(',');
    let read = this.rowReads.get(key);
    if (!read) {
      read = this.comments
        .findMany(ids)
        .then((rows) => new Map<string, CommentRow>(rows.map((row) => [row.id, row])))
        .finally(() => this.rowReads.delete(key));
      this.rowReads.set(key, read);
    }
    return read;
  }

  // Events from the log, each marked with its comment's current row (one
  // query for the page), so every delivery renders what its reader may see now.
  private async logged(
    articleId: string,
    after: number,
    limit: number,
    viewer?: AuthUser | null,
  ): Promise<CommittedEvent[]> {
    const events = await this.events.after(articleId, after, limit, viewer);
    const ids = [...new Set(events.filter((e) => e.commentId && commentRendering(e.type)).map((e) => e.commentId!))];
    const rows = new Map((await this.comments.findMany(ids)).map((row) => [row.id, row]));
    return events.map(({ commentId, ...event }) => markLogged(event, commentId ? rows.get(commentId) : undefined));
  }

  unsubscribe(subscription: Subscription): void {
    const entry = this.streams.get(subscription.articleId);
    if (!entry) return;
    entry.stream.subscriptions.delete(subscription);
    if (entry.stream.subscriptions.size === 0 && entry.stream.started) {
      this.streams.delete(subscription.articleId);
      this.lastPresence.delete(subscription.articleId);
    }
  }

  // For polling clients: the same events a socket would replay.
  async eventsAfter(slug: string, after: number, limit: number, viewer: AuthUser | null): Promise<EventsPage> {
    const article = await this.articles.get(slug);
    if (after > article.seq) {
      this.metrics?.resyncs.inc();
      return { events: [], seq: article.seq, resync: true };
    }
    const logged = await this.logged(article.id, after, limit, viewer);
    const events: CommittedEvent[] = [];
    for (const event of logged) {
      const visible = renderEvent(event, fromLog(event)?.row, viewer);
      if (visible) events.push(visible);
    }
    return { events, seq: logged.at(-1)?.seq ?? article.seq, resync: false };
  }

  viewers(articleId: string): number {
    const local = this.streams.get(articleId)?.stream.subscriptions.size ?? 0;
    const horizon = Date.now() - this.config.PRESENCE_INTERVAL_MS * 3;
    let remote = 0;
    for (const [node, entry] of this.remotePresence) {
      if (entry.at < horizon) this.remotePresence.delete(node);
      else remote += entry.counts[articleId] ?? 0;
    }
    return local + remote;
  }

  // Viewer counts cannot include the other nodes' latest while the link
  // between nodes is down.
  get presenceApproximate(): boolean {
    return this.cluster?.degraded ?? false;
  }

  private streamFor(articleId: string) {
    let entry = this.streams.get(articleId);
    if (!entry) {
      const stream = new ArticleStream(
        articleId,
        (id, after, limit) => this.logged(id, after, limit),
        (error, during) =>
          this.logger.error(
            { err: error, articleId },
            during === 'read' ? 'Could not read missed events' : 'Could not deliver an event',
          ),
        undefined,
        undefined,
        this.config.REALTIME_TAIL_EVENTS,
      );
      // Registered before the head is read, so events that commit meanwhile
      // are kept and sorted out by start().
      const ready = this.events.head(articleId).then((head) => stream.start(head ?? 0));
      entry = { stream, ready };
      this.streams.set(articleId, entry);
      ready.catch(() => this.streams.delete(articleId));
    }
    return entry;
  }

  // A lost notification (a node that died between its commit and its
  // broadcast) is caught within one sweep.
  private async sweep(): Promise<void> {
    const ids = [...this.streams.keys()];
    if (ids.length === 0) return;
    try {
      const heads = await this.events.heads(ids);
      for (const [id, head] of heads) this.streams.get(id)?.stream.behind(head);
    } catch (error) {
      this.logger.warn({ err: error }, 'Event sweep failed');
    }
  }

  // At most one presence message per article per interval, and only when the
  // count (or whether it is approximate) changed.
  private presenceTick(): void {
    const counts: Record<string, number> = {};
    for (const [id, { stream }] of this.streams) counts[id] = stream.subscriptions.size;
    this.cluster?.publish({ kind: 'presence', node: this.node, counts });
    const approximate = this.presenceApproximate;
    // While the link is down no node hears from the others: their last counts
    // stand (flagged approximate) instead of expiring, and expire normally
    // once the link is back and fresh ones do not come (a node that died).
    if (approximate) for (const entry of this.remotePresence.values()) entry.at = Date.now();
    for (const [id, { stream }] of this.streams) {
      if (id === MODERATION_FEED) continue;
      const viewers = this.viewers(id);
      const shown = `${viewers}${approximate ? '~' : ''}`;
      if (this.lastPresence.get(id) === shown) continue;
      this.lastPresence.set(id, shown);
      for (const subscription of stream.subscriptions) subscription.sink.presence(id, viewers, approximate);
    }
  }
}
