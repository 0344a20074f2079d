import { trace } from '@opentelemetry/api';
import type { AuthUser } from '@rejoinder/accounts';
import type { CommittedEvent } from '@rejoinder/common';
import { renderEvent } from '@rejoinder/forum';
import { canSee, envelope, EventSink, fromLog } from './realtime.types.js';

export type EventSource = (articleId: string, after: number, limit: number) => Promise<CommittedEvent[]>;

const FILL_BATCH = 500;
const tracer = trace.getTracer('rejoinder');
const FAILED_READ_RETRY_MS = 1000;

// How long a stream waits for missing events to arrive by themselves (from
// this node's commits or through the cluster link, which may deliver out of
// order) before it reads them from the event table.
export const GAP_WAIT_MS = 100;

// One article's events on this node, in seq order, each exactly once.
// Events arrive from this node's commits and from other nodes, possibly out
// of order or twice; a gap is filled from the event table. Seq N+1 cannot
// commit before N (both take the article's row lock), so when N+1 is known,
// N can be read - and if it is not in the table (a hole: history pruned or
// erased, a manual write), it never will be: the stream moves on and tells
// its readers to resync.
export class ArticleStream {
  private nextSeq: number | null = null;
  private readonly pending = new Map<number, CommittedEvent>();
  // The highest seq known to exist (from an event, or the article's head).
  private known = 0;
  private filling: Promise<void> | null = null;
  private refill = false;
  private gapTimer: NodeJS.Timeout | null = null;
  // Reads of the event table, and rows read (for measurements).
  readonly reads = { queries: 0, rows: 0 };
  readonly subscriptions = new Set<Subscription>();

  constructor(
    readonly articleId: string,
    private readonly source: EventSource,
    private readonly onError: (error: unknown) => void,
    private readonly gapWaitMs = GAP_WAIT_MS,
  ) {}

  // Starts after `head`, the article's last seq read from the database.
  start(head: number): void {
    this.nextSeq = head + 1;
    this.known = Math.max(this.known, head);
    for (const seq of this.pending.keys()) if (seq <= head) this.pending.delete(seq);
    this.advance();
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
    this.known = Math.max(this.known, event.seq);
    if (this.nextSeq !== null) this.advance();
  }

  // The database says the article is at `head`: what this node lacks is
  // read after the usual wait (it is most likely on its way).
  behind(head: number): boolean {
    this.known = Math.max(this.known, head);
    const lagging = this.nextSeq !== null && head >= this.nextSeq;
    if (lagging) this.scheduleFill();
    return lagging;
  }

  private advance(): void {
    this.drain();
    if (this.missing() > 0) this.scheduleFill();
  }

  // How many events are known to exist but have not arrived.
  private missing(): number {
    if (this.nextSeq === null) return 0;
    return this.gapEnd() - this.nextSeq;
  }

  // The seq after the missing range: the first event waiting, or past the head.
  private gapEnd(): number {
    let first = this.known + 1;
    for (const seq of this.pending.keys()) if (seq < first) first = seq;
    return first;
  }

  private scheduleFill(waitMs = this.gapWaitMs): void {
    if (this.gapTimer || this.filling) return;
    this.gapTimer = setTimeout(() => {
      this.gapTimer = null;
      void this.fill();
    }, waitMs);
    this.gapTimer.unref?.();
  }

  // Reads each missing range once, in order; what the table does not have is
  // a hole to step over.
  private fill(): Promise<void> {
    if (this.filling) {
      this.refill = true;
      return this.filling;
    }
    if (this.gapTimer) clearTimeout(this.gapTimer);
    this.gapTimer = null;
    this.filling = (async () => {
      do {
        this.refill = false;
        const missing = this.missing();
        if (missing <= 0) break;
        const from = this.delivered;
        const limit = Math.min(missing, FILL_BATCH);
        const rows = await this.source(this.articleId, from, limit);
        this.reads.queries++;
        this.reads.rows += rows.length;
        for (const row of rows)
          if (row.seq > this.delivered && !this.pending.has(row.seq)) this.pending.set(row.seq, row);
        this.drain();
        // Every seq up to from + limit was asked for; one that did not come is not in the table.
        if (this.delivered < from + limit) this.skipHole(from + limit);
        if (this.missing() > 0) this.refill = true;
      } while (this.refill);
    })()
      .then(
        () => false,
        (error: unknown) => {
          this.onError(error);
          return true;
        },
      )
      .then((failed) => {
        this.filling = null;
        // A read that failed (the database away) is tried again a second later.
        if (this.missing() > 0) this.scheduleFill(failed ? FAILED_READ_RETRY_MS : this.gapWaitMs);
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
        attributes: {
          'rejoinder.event.type': event.type,
          'rejoinder.event.seq': event.seq,
          'rejoinder.subscriptions': this.subscriptions.size,
        },
      });
      for (const subscription of this.subscriptions) subscription.offer(event);
      span.end();
    }
  }

  // Events missing from the table up to `asked`: continue after them, and
  // tell the readers, who may have missed something they should see.
  private skipHole(asked: number): void {
    const end = Math.min(this.gapEnd(), asked + 1);
    const last = end - 1;
    this.nextSeq = end;
    for (const subscription of this.subscriptions) subscription.resync(last);
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

  // Events up to `seq` could not all be delivered: the reader reloads.
  // A reader still catching up reads the log itself, holes and all.
  resync(seq: number): void {
    if (!this.buffer && seq > this.lastSeq) this.sink.resync(this.articleId, seq);
  }

  goLive(): void {
    const buffered = this.buffer ?? [];
    this.buffer = null;
    for (const event of buffered) this.deliver(event);
  }
}
