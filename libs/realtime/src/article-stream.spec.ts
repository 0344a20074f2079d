import type { CommittedEvent } from '@rejoinder/common';
import { ArticleStream, Subscription } from './article-stream.js';
import type { EventSink } from './realtime.types.js';

const ARTICLE = '00000000-0000-0000-0000-000000000001';

const event = (seq: number): CommittedEvent => ({
  articleId: ARTICLE,
  seq,
  type: 'comment.created',
  audience: 'public',
  userId: null,
  at: new Date(0).toISOString(),
  data: { n: seq },
});

// The event table as the stream reads it: rows after `after`, in order.
function table(seqs: number[]) {
  const rows = seqs.map(event);
  return (_article: string, after: number, limit: number) =>
    Promise.resolve(rows.filter((r) => r.seq > after).slice(0, limit));
}

function reader(stream: ArticleStream, lastSeq = 0) {
  const received: number[] = [];
  const resyncs: number[] = [];
  // Events and resyncs as one sequence, to check their order.
  const log: string[] = [];
  const sink: EventSink = {
    id: 'reader',
    viewer: null,
    beginReplay: () => true,
    endReplay: () => undefined,
    send: (e) => {
      received.push(e.seq);
      log.push(`event ${e.seq}`);
    },
    presence: () => undefined,
    resync: (_article, seq) => {
      resyncs.push(seq);
      log.push(`resync ${seq}`);
    },
  };
  const subscription = new Subscription(ARTICLE, sink, lastSeq);
  subscription.goLive();
  stream.subscriptions.add(subscription);
  return { received, resyncs, log, subscription };
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
const fail = (error: unknown) => {
  throw error;
};

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
}

describe('ArticleStream', () => {
  it('moves past an event missing from the log and tells its readers to resync', async () => {
    const stream = new ArticleStream(
      ARTICLE,
      table([1, 3, 4]),
      (error) => {
        throw error;
      },
      10,
    );
    const { received, resyncs } = reader(stream);
    stream.start(0);
    stream.offer(event(1));
    stream.offer(event(3));
    await until(() => received.length === 2);
    expect(received).toEqual([1, 3]);
    expect(resyncs).toEqual([2]);
    // Later events flow live again, without another read.
    stream.offer(event(4));
    expect(received).toEqual([1, 3, 4]);
    expect(stream.reads.queries).toBe(1);
  });

  it('moves past missing events at the head that the sweep reports', async () => {
    const stream = new ArticleStream(
      ARTICLE,
      table([1, 2]),
      (error) => {
        throw error;
      },
      10,
    );
    const { received, resyncs } = reader(stream);
    stream.start(0);
    // The article's head says 4; events 3 and 4 are not in the table.
    expect(stream.behind(4)).toBe(true);
    await until(() => resyncs.length === 1);
    expect(received).toEqual([1, 2]);
    expect(resyncs).toEqual([4]);
    stream.offer(event(5));
    expect(received).toEqual([1, 2, 5]);
  });

  it('reads each missing range once under load, and nothing it already has', async () => {
    const total = 5500;
    const lost = new Set(Array.from({ length: total / 100 }, (_, i) => (i + 1) * 100 - 37));
    const stream = new ArticleStream(
      ARTICLE,
      table(Array.from({ length: total }, (_, i) => i + 1)),
      (error) => {
        throw error;
      },
      20,
    );
    const { received, resyncs } = reader(stream);
    stream.start(0);
    // Events arrive out of order within bursts of ten (two nodes' commits
    // crossing on the cluster link); one in a hundred never arrives (its
    // writer died between commit and broadcast).
    for (let first = 1; first <= total; first += 10) {
      const burst = Array.from({ length: 10 }, (_, i) => first + i).reverse();
      for (const seq of burst) if (!lost.has(seq)) stream.offer(event(seq));
      if (first % 50 === 1) await new Promise((r) => setTimeout(r, 1));
    }
    await until(() => received.length === total);
    expect(received).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(resyncs).toEqual([]);
    expect(stream.reads.rows).toBe(lost.size);
    expect(stream.reads.queries).toBeLessThanOrEqual(lost.size);
    console.log(
      `article stream: ${total} events, ${lost.size} never broadcast: ${stream.reads.queries} reads of the event table, ${stream.reads.rows} rows read`,
    );
  });

  it('hands each event to at most one chunk of readers per turn of the event loop, in order for each', async () => {
    const stream = new ArticleStream(ARTICLE, table([]), fail, 10, 2);
    const readers = Array.from({ length: 5 }, () => reader(stream));
    stream.start(0);
    stream.offer(event(1));
    stream.offer(event(2));
    // The first chunk at once, the rest on later turns.
    expect(readers.map((r) => r.received.length)).toEqual([1, 1, 0, 0, 0]);
    expect(stream.queued).toBe(2);
    await nextTurn();
    expect(readers.map((r) => r.received.length)).toEqual([1, 1, 1, 1, 0]);
    await until(() => stream.queued === 0);
    for (const r of readers) expect(r.received).toEqual([1, 2]);
    // Both events were taken in order before all readers had them.
    expect(stream.delivered).toBe(2);
  });

  it('gives a reader who subscribes during a fan-out each event once, in order', async () => {
    const stream = new ArticleStream(ARTICLE, table([]), fail, 10, 1);
    const first = reader(stream);
    reader(stream);
    stream.start(0);
    stream.offer(event(1));
    stream.offer(event(2));
    expect(first.received).toEqual([1]);
    // Joins while event 1 is on its way to the second reader, following
    // from what the stream has taken (as subscribe does without `after`).
    const late = reader(stream, 1);
    stream.offer(event(3));
    await until(() => stream.queued === 0);
    expect(first.received).toEqual([1, 2, 3]);
    expect(late.received).toEqual([2, 3]);
  });

  it('sends a resync after the events before it, even while they are still on their way', async () => {
    const stream = new ArticleStream(ARTICLE, table([1, 3]), fail, 5, 1);
    const a = reader(stream);
    const b = reader(stream);
    stream.start(0);
    stream.offer(event(1));
    stream.offer(event(3));
    await until(() => b.received.length === 2);
    for (const r of [a, b]) expect(r.log).toEqual(['event 1', 'resync 2', 'event 3']);
  });

  it('keeps its last events, and says when a catch-up must read the table instead', () => {
    const stream = new ArticleStream(ARTICLE, table([]), fail, 10, 500, 3);
    expect(stream.eventsAfter(0)).toBeNull();
    stream.start(10);
    expect(stream.eventsAfter(10)).toEqual([]);
    // Before the stream started: only the table knows.
    expect(stream.eventsAfter(9)).toBeNull();
    for (let seq = 11; seq <= 15; seq++) stream.offer(event(seq));
    expect(stream.tailFrom).toBe(12);
    expect(stream.eventsAfter(12)?.map((e) => e.seq)).toEqual([13, 14, 15]);
    expect(stream.eventsAfter(14)?.map((e) => e.seq)).toEqual([15]);
    expect(stream.eventsAfter(15)).toEqual([]);
    expect(stream.eventsAfter(11)).toBeNull();
    // A seq this node has not reached (or from another database).
    expect(stream.eventsAfter(16)).toBeNull();
    // Many more events: still the last three, in order.
    for (let seq = 16; seq <= 40; seq++) stream.offer(event(seq));
    expect(stream.eventsAfter(37)?.map((e) => e.seq)).toEqual([38, 39, 40]);
    expect(stream.eventsAfter(36)).toBeNull();
  });

  it('starts its tail again after a hole in the log', async () => {
    const stream = new ArticleStream(ARTICLE, table([1, 3]), fail, 5);
    const { received } = reader(stream);
    stream.start(0);
    stream.offer(event(1));
    stream.offer(event(3));
    await until(() => received.length === 2);
    expect(stream.eventsAfter(0)).toBeNull();
    expect(stream.eventsAfter(2)?.map((e) => e.seq)).toEqual([3]);
  });
});
