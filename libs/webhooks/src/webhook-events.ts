import type { CommittedEvent } from '@rejoinder/common';
import { renderEventForSystems } from '@rejoinder/forum';
import type { CommentRow, SystemLevel } from '@rejoinder/forum';

// What a newsroom can subscribe to, each derived from events of an article's
// log (the event catalogue's), never from anything else (which events: the
// deliveries repository's webhookType).
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

// Which policy level each event is sent at (visibility.ts, systemView): a
// report is moderation's business, and a moderator needs the reported
// comment's text and author (a held comment's too) to act on it; the rest is
// what readers see. Either way a comment removed, rejected or deleted before
// its delivery leaves without its text and author.
export function levelOf(deliveryType: string): SystemLevel {
  return deliveryType === 'report.created' ? 'moderator' : 'reader';
}

// The delivery's body, made when it is sent: the catalogue's event with its
// comment rendered from the comment's current row.
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
  const data = renderEventForSystems(event, row, levelOf(deliveryType)).data as Record<string, unknown>;
  return {
    type: deliveryType,
    timestamp: entry.createdAt.toISOString(),
    data: { articleId: entry.articleId, seq: entry.seq, ...data },
  };
}
