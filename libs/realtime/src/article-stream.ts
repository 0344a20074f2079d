import { trace } from '@opentelemetry/api';
import type { AuthUser } from '@rejoinder/accounts';
import type { CommittedEvent } from '@rejoinder/common';
import { canSee, EventSink } from './realtime.types.js';

export type EventSource = (articleId: string, after: number, limit: number) => Promise<CommittedEvent[]>;

const FILL_BATCH = 500;
const tracer = trace.getTracer('rejoinder');

// One article's events on this node, in seq order, each exactly once.
// Events arrive from this node's commits and from other nodes, possibly out
// of order or twice; a gap is filled from the event table. Seq N+1 cannot
// commit before N (both take the article's row lock), so when N+1 is known,
// N can be read.
export class ArticleStream {
  private nextSeq: number | null = null;
  private readonly pending = new Map<number, CommittedEvent>();
  private filling: Promise<void> | null = null;
  private refill = false;
  readonly subscriptions = new Set<Subscription>();

  constructor(
    readonly articleId: string,
    private readonly source: EventSource,
    private readonly onError: (error: unknown) => void,
  ) {}

  // Starts after `head`, the article's last seq read from the database.
  start(head: number): void {
    this.nextSeq = head + 1;
    for (const seq of this.pending.keys()) if (seq <= head) this.pending.delete(seq);
    this.drain();
    if (this.pending.size > 0) void this.fill();
  }

  get started(): boolean {
    return this.nextSeq !== null;
  }

  // The last seq handed to the subscriptions.
  get delivered(): number {
    return (this.nextSeq ?? 1) - 1;
  }

  offer(event: CommittedEvent): void {
    if (this.nextSeq !== null && event.seq < this.nextSeq) return;
    this.pending.set(event.seq, event);
    if (this.nextSeq === null) return;
    this.drain();
    if (this.pending.size > 0) void this.fill();
  }

  // The database says the article is at `head`: read what this node lacks.
  behind(head: number): boolean {
    return this.nextSeq !== null && head >= this.nextSeq;
  }

  fill(): Promise<void> {
    if (this.filling) {
      this.refill = true;
      return this.filling;
    }
    this.filling = (async () => {
      do {
        this.refill = false;
        const from = this.delivered;
        const rows = await this.source(this.articleId, from, FILL_BATCH);
        for (const row of rows) if (row.seq > from && !this.pending.has(row.seq)) this.pending.set(row.seq, row);
        this.drain();
        if (rows.length === FILL_BATCH) this.refill = true;
        else if (rows.length === 0 && this.pending.size > 0) this.skipMissing();
      } while (this.refill);
    })()
      .catch(this.onError)
      .finally(() => {
        this.filling = null;
      });
    return this.filling;
  }

  private drain(): void {
    if (this.nextSeq === null) return;
    for (let event = this.pending.get(this.nextSeq); event; event = this.pending.get(this.nextSeq)) {
      this.pending.delete(this.nextSeq);
      this.nextSeq += 1;
      // Part of the posting request's trace when the event was committed on this node.
      const span = tracer.startSpan('realtime.fanout', {
        attributes: { 'rejoinder.event.type': event.type, 'rejoinder.event.seq': event.seq, 'rejoinder.subscriptions': this.subscriptions.size },
      });
      for (const subscription of this.subscriptions) subscription.offer(event);
      span.end();
    }
  }

  // The table has nothing before the first pending event (pruned history):
  // continue from there rather than wait forever.
  private skipMissing(): void {
    this.nextSeq = Math.min(...this.pending.keys());
    this.drain();
  }
}

// One reader following one article. While it catches up from the database,
// live events wait in a buffer; afterwards everything goes through deliver(),
// which drops what was already sent, so nothing arrives twice.
export class Subscription {
  private buffer: CommittedEvent[] | null = [];

  constructor(
    readonly articleId: string,
    readonly viewer: AuthUser | null,
    readonly sink: EventSink,
    public lastSeq: number,
  ) {}

  offer(event: CommittedEvent): void {
    if (this.buffer) this.buffer.push(event);
    else this.deliver(event, true);
  }

  // `live` is false for the replay of missed events, which is bounded by the
  // backlog limit and must not count against a slow reader.
  deliver(event: CommittedEvent, live = false): void {
    if (event.seq <= this.lastSeq) return;
    this.lastSeq = event.seq;
    if (canSee(event, this.viewer)) this.sink.send(event, live);
  }

  goLive(): void {
    const buffered = this.buffer ?? [];
    this.buffer = null;
    for (const event of buffered) this.deliver(event, true);
  }
}
