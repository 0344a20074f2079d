import { trace } from '@opentelemetry/api';
import type { Span } from '@opentelemetry/api';
import type { AuthUser } from '@rejoinder/accounts';
import type { CommittedEvent } from '@rejoinder/common';
import { canSee, renderEvent } from '@rejoinder/forum';
import { envelope, EventSink, fromLog } from './realtime.types.js';

type Outgoing = { event: CommittedEvent; resync?: undefined } | { event?: undefined; resync: number };

export type EventSource = (articleId: string, after: number, limit: number) => Promise<CommittedEvent[]>;

const FILL_BATCH = 500;
// Sockets one event goes to before the stream lets other work run: one
// event to thousands of readers must not hold the event loop for its whole
// fan-out (posts, acknowledgements and handshakes wait meanwhile).
export const FANOUT_CHUNK = 500;
// Recent events each stream keeps, so a reader who reconnects after a short
// absence is replayed from memory instead of the event table.
export const TAIL_EVENTS = 256;
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
//
// Delivery goes event by event, in order, to every subscription, at most
// `chunk` subscriptions at a time: the first chunk at once, the rest after
// the event loop has run what was waiting (setImmediate). What arrives
// meanwhile queues behind, so each reader still receives every event in
// order, and a `resync` after the events before it.
//
// The stream keeps its last `tailSize` events (the tail): every seq in
// (tailFrom, delivered] is there, so a catch-up after tailFrom needs no read
// of the event table.
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
  // Events and resyncs in order, not yet handed to every subscription.
  private readonly outbox: Outgoing[] = [];
  private fanout: { item: Outgoing; rest: Iterator<Subscription>; span: Span } | null = null;
  private pumping = false;
  private scheduled = false;
  private readonly tail: CommittedEvent[] = [];
  private tailStart = 0;
  private tailFromSeq = 0;

  constructor(
    readonly articleId: string,
    private readonly source: EventSource,
    private readonly onError: (error: unknown, during: 'read' | 'delivery') => void,
    private readonly gapWaitMs = GAP_WAIT_MS,
    private readonly chunk = FANOUT_CHUNK,
    private readonly tailSize = TAIL_EVENTS,
  ) {}

  // Starts after `head`, the article's last seq read from the database.
  start(head: number): void {
    this.nextSeq = head + 1;
    this.tailFromSeq = head;
    this.known = Math.max(this.known, head);
    for (const seq of this.pending.keys()) if (seq <= head) this.pending.delete(seq);
    this.advance();
  }

  get started(): boolean {
    return this.nextSeq !== null;
  }

  // The last seq taken in order: handed to the subscriptions, or queued to be.
  get delivered(): number {
    return (this.nextSeq ?? 1) - 1;
  }

  // The tail holds every event after this seq, up to `delivered`.
  get tailFrom(): number {
    return this.tailFromSeq;
  }

  // The events after `after` from the tail, in order, or null when the tail
  // does not reach back that far (or the stream is not there yet).
  eventsAfter(after: number): CommittedEvent[] | null {
    if (this.nextSeq === null || after < this.tailFromSeq || after > this.delivered) return null;
    const out: CommittedEvent[] = [];
    for (let i = this.tail.length - 1; i >= this.tailStart && this.tail[i].seq > after; i--) out.push(this.tail[i]);
    return out.reverse();
  }

  // Events handed to the subscriptions or queued, not yet sent to all of them.
  get queued(): number {
    return this.outbox.length + (this.fanout ? 1 : 0);
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
          this.onError(error, 'read');
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
    let taken = false;
    for (let event = this.pending.get(this.nextSeq); event; event = this.pending.get(this.nextSeq)) {
      this.pending.delete(this.nextSeq);
      this.nextSeq += 1;
      this.remember(event);
      this.outbox.push({ event });
      taken = true;
    }
    if (taken) this.kick();
  }

  // Delivery starts at once unless a fan-out is already under way: then its
  // next turn takes what was queued.
  private kick(): void {
    if (!this.scheduled) this.pump();
  }

  private remember(event: CommittedEvent): void {
    this.tail.push(event);
    if (this.tail.length - this.tailStart > this.tailSize) {
      this.tailFromSeq = this.tail[this.tailStart].seq;
      this.tailStart++;
      // Compact now and then rather than shifting the array on every event.
      if (this.tailStart >= this.tailSize) {
        this.tail.splice(0, this.tailStart);
        this.tailStart = 0;
      }
    }
  }

  // Hands queued events on, `chunk` subscriptions at a time.
  private pump(): void {
    // Re-entered from a delivery (a socket dropped as too slow): the running
    // loop takes what was queued.
    if (this.pumping) return;
    this.pumping = true;
    try {
      let budget = this.chunk;
      while (budget > 0) {
        if (!this.fanout) {
          const item = this.outbox.shift();
          if (!item) return;
          this.fanout = { item, rest: this.subscriptions.values(), span: this.startSpan(item) };
        }
        const { item, rest } = this.fanout;
        // A Set's iterator sees subscriptions added while it runs and skips removed ones.
        for (; budget > 0; budget--) {
          const next = rest.next();
          if (next.done) {
            this.fanout.span.end();
            this.fanout = null;
            break;
          }
          // One reader's failure must not keep the event from the others.
          try {
            if (item.event) next.value.offer(item.event);
            else next.value.resync(item.resync);
          } catch (error) {
            this.onError(error, 'delivery');
          }
        }
      }
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.pump();
        });
      }
    } finally {
      this.pumping = false;
    }
  }

  // Part of the posting request's trace when the event was committed on this node.
  private startSpan(item: Outgoing): Span {
    return tracer.startSpan(
      'realtime.fanout',
      item.event
        ? {
            attributes: {
              'rejoinder.event.type': item.event.type,
              'rejoinder.event.seq': item.event.seq,
              'rejoinder.subscriptions': this.subscriptions.size,
            },
          }
        : { attributes: { 'rejoinder.resync.seq': item.resync } },
    );
  }

  // Events missing from the table up to `asked`: continue after them, and
  // tell the readers, who may have missed something they should see.
  private skipHole(asked: number): void {
    const end = Math.min(this.gapEnd(), asked + 1);
    const last = end - 1;
    this.nextSeq = end;
    // The tail stops short of the hole: a catch-up from before it reads the table.
    this.tail.length = 0;
    this.tailStart = 0;
    this.tailFromSeq = last;
    this.outbox.push({ resync: last });
    this.kick();
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
