import type { AuthUser } from '@rejoinder/accounts';
import type { CommittedEvent } from '@rejoinder/common';
import { renderEvent } from '@rejoinder/forum';
import { canSee, envelope, EventSink, fromLog } from './realtime.types.js';

export type EventSource = (articleId: string, after: number, limit: number) => Promise<CommittedEvent[]>;

const FILL_BATCH = 500;

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
      for (const subscription of this.subscriptions) subscription.offer(event);
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
// which drops what was already sent, so nothing arrives twice. Every event
// passes the visibility policy for the reader's account as it is now.
export class Subscription {
  private buffer: CommittedEvent[] | null = [];

  constructor(
    readonly articleId: string,
    readonly sink: EventSink,
    public lastSeq: number,
  ) {}

  get viewer(): AuthUser | null {
    return this.sink.viewer;
  }

  offer(event: CommittedEvent): void {
    if (this.buffer) this.buffer.push(event);
    else this.deliver(event);
  }

  deliver(event: CommittedEvent): void {
    if (event.seq <= this.lastSeq) return;
    this.lastSeq = event.seq;
    const visible = this.render(event);
    if (visible) this.sink.send(visible);
  }

  // Replays missed events, unless they come to more than `maxBytes` as this
  // reader would receive them: then nothing is sent and false is returned.
  replay(events: CommittedEvent[], maxBytes: number): boolean {
    const out: CommittedEvent[] = [];
    let bytes = 0;
    for (const event of events) {
      if (event.seq <= this.lastSeq) continue;
      const visible = this.render(event);
      if (!visible) continue;
      bytes += event.type.length + JSON.stringify(envelope(visible)).length;
      if (bytes > maxBytes) return false;
      out.push(visible);
    }
    this.lastSeq = Math.max(this.lastSeq, events.at(-1)?.seq ?? this.lastSeq);
    for (const event of out) this.sink.send(event);
    return true;
  }

  // The event as this reader may receive it now, or null. Events read back
  // from the log get their comment rendered from its current state.
  private render(event: CommittedEvent): CommittedEvent | null {
    const viewer = this.viewer;
    if (!canSee(event, viewer)) return null;
    const logged = fromLog(event);
    return logged ? renderEvent(event, logged.row, viewer) : event;
  }

  goLive(): void {
    const buffered = this.buffer ?? [];
    this.buffer = null;
    for (const event of buffered) this.deliver(event);
  }
}
