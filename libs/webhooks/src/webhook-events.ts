import type { CommittedEvent } from '@rejoinder/common';
import { placeholderView, renderEvent } from '@rejoinder/forum';
import type { CommentRow } from '@rejoinder/forum';

// What a newsroom can subscribe to, each derived from events of an article's
// log (the event catalogue's), never from anything else.
export const WEBHOOK_EVENTS = [
  'comment.published',
  'comment.removed',
  'report.created',
  'article.created',
  'article.closed',
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export interface LogEntry {
  articleId: string;
  seq: number;
  type: string;
  audience: string;
  commentId: string | null;
  payload: unknown;
  createdAt: Date;
}

// The webhook event a log entry is, if any. `closedBefore` is whether the
// article was closed as of the previous entry (article.closed is the change).
export function webhookEventOf(entry: LogEntry, closedBefore: boolean): WebhookEvent | null {
  const data = entry.payload as Record<string, unknown> | null;
  switch (entry.type) {
    case 'comment.created':
      // Published for everyone (a pending comment's event is addressed to its author and moderators).
      return entry.audience === 'public' ? 'comment.published' : null;
    case 'comment.removed':
      return data?.status === 'removed' ? 'comment.removed' : null;
    case 'queue.added':
      return data?.queue === 'reported' ? 'report.created' : null;
    case 'article.created':
      return 'article.created';
    case 'article.updated': {
      const state = (data?.article as { state?: string } | undefined)?.state;
      return state === 'closed' && !closedBefore ? 'article.closed' : null;
    }
    default:
      return null;
  }
}

export function closedAfter(entry: LogEntry, closedBefore: boolean): boolean {
  if (entry.type !== 'article.updated') return closedBefore;
  return (entry.payload as { article?: { state?: string } } | null)?.article?.state === 'closed';
}

// The delivery's body, made when it is sent: the catalogue's event with its
// comment rendered from the comment's current row as an anonymous reader may
// see it now, so a comment removed (or held back) before the delivery leaves
// without its text and author, whatever the event was when it happened.
export function webhookPayload(
  deliveryType: string,
  entry: LogEntry,
  row: CommentRow | undefined,
): { type: string; timestamp: string; data: Record<string, unknown> } {
  const event: CommittedEvent = {
    articleId: entry.articleId,
    seq: entry.seq,
    type: entry.type,
    audience: entry.audience as CommittedEvent['audience'],
    userId: null,
    at: entry.createdAt.toISOString(),
    data: entry.payload,
  };
  let data = (renderEvent(event, row, null)?.data ?? null) as Record<string, unknown> | null;
  // Hidden from readers now (held back, rejected): the event, without the comment.
  if (data === null) data = { ...(entry.payload as object), comment: row ? placeholderView(row) : null };
  return {
    type: deliveryType,
    timestamp: entry.createdAt.toISOString(),
    data: { articleId: entry.articleId, seq: entry.seq, ...data },
  };
}
