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

function reader(stream: ArticleStream) {
  const received: number[] = [];
  const resyncs: number[] = [];
  const sink: EventSink = {
    id: 'reader',
    viewer: null,
    beginReplay: () => true,
    endReplay: () => undefined,
    send: (e) => received.push(e.seq),
    presence: () => undefined,
    resync: (_article, seq) => resyncs.push(seq),
  };
  const subscription = new Subscription(ARTICLE, sink, 0);
  subscription.goLive();
  stream.subscriptions.add(subscription);
  return { received, resyncs };
}

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
});
