import type { ARTICLE_EVENTS, ArticleEventName, EventAudience, EventData } from '@rejoinder/common';
import type { CommentRow } from '../comments/comment.types.js';

// One event a comment's change appends to its article's log.
export interface EventRow {
  type: ArticleEventName;
  audience: EventAudience;
  userId: string | null;
  // Built from the stored comment (after the change), inside the transaction;
  // without the comment itself, which the catalogue's rendering adds.
  payload: (comment: CommentRow) => unknown;
}

type RenderedKey<N extends ArticleEventName> = (typeof ARTICLE_EVENTS)[N] extends {
  comment: { key: infer K extends string };
}
  ? K
  : never;
type Payloads = { [N in ArticleEventName]: Omit<EventData<N>, RenderedKey<N>> };
export type EventPayload<N extends ArticleEventName> = Payloads[N];

// Services build every event through the catalogue: the name fixes the
// payload's type (`eventRow('queue.added').to('moderators', null, (c) => ...)`).
export function eventRow<N extends ArticleEventName>(type: N) {
  return {
    to: (audience: EventAudience, userId: string | null, payload: (comment: CommentRow) => Payloads[N]): EventRow => ({
      type,
      audience,
      userId,
      payload,
    }),
  };
}
