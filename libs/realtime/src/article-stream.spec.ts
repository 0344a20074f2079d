import { Role } from '@rejoinder/db';
import type { AuthUser } from '@rejoinder/accounts';
import type { CommittedEvent } from '@rejoinder/common';
import { ArticleStream, Subscription } from './article-stream.js';
import type { EventSink } from './realtime.types.js';

const ARTICLE = 'article-1';

function event(
  seq: number,
  audience: CommittedEvent['audience'] = 'public',
  userId: string | null = null,
): CommittedEvent {
  return {
    articleId: ARTICLE,
    seq,
    type: 'comment.created',
    audience,
    userId,
    at: '2026-11-30T00:00:00.000Z',
    data: { seq },
  };
}

class RecordingSink implements EventSink {
  readonly id = 'sink';
  readonly sent: number[] = [];
  constructor(readonly viewer: AuthUser | null = null) {}
  beginReplay(): boolean {
    return true;
  }
  endReplay(): void {}
  send(e: CommittedEvent): void {
    this.sent.push(e.seq);
  }
  presence(): void {}
}

// The event table, as far as the stream can tell.
function table(rows: CommittedEvent[]) {
  const calls: { after: number; limit: number }[] = [];
  const source = (_id: string, after: number, limit: number) => {
    calls.push({ after, limit });
    return Promise.resolve(rows.filter((r) => r.seq > after).slice(0, limit));
  };
  return { source, calls };
}

function follow(stream: ArticleStream, after = stream.delivered): { sink: RecordingSink; subscription: Subscription } {
  const sink = new RecordingSink();
  const subscription = new Subscription(ARTICLE, sink, after);
  stream.subscriptions.add(subscription);
  subscription.goLive();
  return { sink, subscription };
}

const seqs = (sink: RecordingSink) => sink.sent;

describe('ArticleStream', () => {
  const noError = (error: unknown) => {
    throw error;
  };

  it('hands events on in seq order, each once, whatever order and how often they arrive', () => {
    const stream = new ArticleStream(ARTICLE, table([]).source, noError);
    stream.start(0);
    const { sink } = follow(stream);
    for (const seq of [1, 3, 2, 2, 1, 4, 3]) stream.offer(event(seq));
    expect(seqs(sink)).toEqual([1, 2, 3, 4]);
    expect(stream.delivered).toBe(4);
  });

  it('keeps what arrives before start and drops what the head already covers', () => {
    const stream = new ArticleStream(ARTICLE, table([]).source, noError);
    stream.offer(event(5));
    stream.offer(event(6));
    expect(stream.started).toBe(false);
    const { sink } = follow(stream, 5);
    stream.start(5);
    expect(seqs(sink)).toEqual([6]);
  });

  it('fills a gap from the event table', async () => {
    const rows = [1, 2, 3, 4].map((seq) => event(seq));
    const { source, calls } = table(rows);
    const stream = new ArticleStream(ARTICLE, source, noError);
    stream.start(0);
    const { sink } = follow(stream);
    stream.offer(rows[0]);
    stream.offer(rows[3]);
    expect(seqs(sink)).toEqual([1]);
    await stream.fill();
    expect(seqs(sink)).toEqual([1, 2, 3, 4]);
    expect(calls[0]).toEqual({ after: 1, limit: 500 });
  });

  it('says when the database is ahead of it', () => {
    const stream = new ArticleStream(ARTICLE, table([]).source, noError);
    expect(stream.behind(3)).toBe(false);
    stream.start(2);
    expect(stream.behind(2)).toBe(false);
    expect(stream.behind(3)).toBe(true);
  });

  it('skips history the table no longer has instead of waiting for it', async () => {
    const stream = new ArticleStream(ARTICLE, table([]).source, noError);
    stream.start(0);
    const { sink } = follow(stream);
    stream.offer(event(7));
    await stream.fill();
    expect(seqs(sink)).toEqual([7]);
  });

  it('reports a failed read and keeps going', async () => {
    const errors: unknown[] = [];
    const stream = new ArticleStream(
      ARTICLE,
      () => Promise.reject(new Error('database away')),
      (e) => errors.push(e),
    );
    stream.start(0);
    stream.offer(event(2));
    await stream.fill();
    expect(errors).toHaveLength(1);
    stream.offer(event(1));
    expect(stream.delivered).toBe(2);
  });
});

describe('Subscription', () => {
  it('buffers live events while catching up, then sends each once, in order', () => {
    const sink = new RecordingSink();
    const subscription = new Subscription(ARTICLE, sink, 0);
    subscription.offer(event(3));
    subscription.offer(event(4));
    expect(sink.sent).toEqual([]);
    // The replay from the table overlaps what was buffered.
    expect(
      subscription.replay(
        [1, 2, 3].map((seq) => event(seq)),
        1_000_000,
      ),
    ).toBe(true);
    subscription.goLive();
    subscription.offer(event(4));
    subscription.offer(event(5));
    expect(sink.sent).toEqual([1, 2, 3, 4, 5]);
    expect(subscription.lastSeq).toBe(5);
  });

  it('sends nothing of a replay larger than its byte budget', () => {
    const sink = new RecordingSink();
    const subscription = new Subscription(ARTICLE, sink, 0);
    expect(
      subscription.replay(
        [1, 2, 3].map((seq) => event(seq)),
        100,
      ),
    ).toBe(false);
    expect(sink.sent).toEqual([]);
    expect(subscription.lastSeq).toBe(0);
  });

  it('moves past events the reader may not see without sending them', () => {
    const reader = { id: 'reader', username: 'reader', role: Role.commenter };
    const sink = new RecordingSink(reader);
    const subscription = new Subscription(ARTICLE, sink, 0);
    subscription.goLive();
    subscription.offer(event(1, 'moderators'));
    subscription.offer(event(2, 'user', 'someone-else'));
    subscription.offer(event(3, 'user', 'reader'));
    subscription.offer(event(4));
    expect(seqs(sink)).toEqual([3, 4]);
    expect(subscription.lastSeq).toBe(4);
  });
});
