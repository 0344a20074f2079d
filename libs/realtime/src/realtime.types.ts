import type { AuthUser } from '@rejoinder/accounts';
import type { CommittedEvent } from '@rejoinder/common';
import type { CommentRow } from '@rejoinder/forum';

// What a client receives for every event: the event name is the type.
export interface EventEnvelope {
  seq: number;
  articleId: string;
  // Only on events of the moderators' feed, whose `seq` counts in that feed.
  stream?: string;
  at: string;
  data: unknown;
}

export function envelope(event: CommittedEvent): EventEnvelope {
  return event.stream
    ? { seq: event.seq, articleId: event.articleId, stream: event.stream, at: event.at, data: event.data }
    : { seq: event.seq, articleId: event.articleId, at: event.at, data: event.data };
}

// The stream an event belongs to: its article's, or another feed.
export function streamKey(event: Pick<CommittedEvent, 'articleId' | 'stream'>): string {
  return event.stream ?? event.articleId;
}

// An event read back from the log keeps only ids; this marks it with the
// current row of its comment, which each reader's delivery renders for them.
const LOGGED = Symbol('logged');
type Logged = { row: CommentRow | undefined };

export function markLogged<E extends CommittedEvent>(event: E, row: CommentRow | undefined): E {
  return Object.assign(event, { [LOGGED]: { row } });
}

export function fromLog(event: CommittedEvent): Logged | undefined {
  return (event as { [LOGGED]?: Logged })[LOGGED];
}

// The comment an event is about: its row for an event read from the log,
// else `commentId` or the rendered comment's id in its data.
export function commentIdOf(event: CommittedEvent): string | null {
  const logged = fromLog(event);
  if (logged) return logged.row?.id ?? null;
  const data = event.data as { commentId?: unknown; comment?: { id?: unknown } | null } | null;
  const id = data?.commentId ?? data?.comment?.id;
  return typeof id === 'string' ? id : null;
}

// Where a subscription's events go (a socket, in the gateway).
export interface EventSink {
  readonly id: string;
  // The reader's account as it is now (null: anonymous); read at every delivery.
  readonly viewer: AuthUser | null;
  // A catch-up may start (false: one is still being sent or read); endReplay when sent.
  beginReplay(): boolean;
  endReplay(): void;
  send(event: CommittedEvent): void;
  presence(articleId: string, viewers: number, approximate: boolean): void;
  // Events up to `seq` are missing from the log: reload, then follow from `seq`.
  resync(articleId: string, seq: number): void;
}

// Messages between API nodes, carried by the socket.io adapter.
export type ClusterMessage =
  { kind: 'event'; event: CommittedEvent } | { kind: 'presence'; node: string; counts: Record<string, number> };

export interface ClusterLink {
  publish(message: ClusterMessage): void;
  // Messages cannot get through (Redis down): other nodes catch up from the
  // event log, and viewer counts are approximate.
  readonly degraded: boolean;
}
