import type { AuthUser } from '@rejoinder/accounts';
import { isModerator } from '@rejoinder/accounts';
import { commentRendering } from '@rejoinder/common';
import type { CommittedEvent } from '@rejoinder/common';
import { CommentStatus } from '@rejoinder/db';
import { CommentRow } from './comment.types.js';
import { CommentView, fullView, placeholderView } from './comment.view.js';

// The one place that decides who sees what of a comment. Every door asks it:
// thread pages, replies, permalinks and their ancestors, notifications, the
// events endpoint, socket replays and live events, the moderators' queue,
// feed and revisions. The table is in docs/moderation.md ("Who sees what").
//   full: body and author;
//   placeholder: the comment keeps its place, without body or author;
//   hidden: the reader may not know of it (an ancestor still shows as a
//           placeholder, so the thread keeps its shape).
export type Visibility = 'full' | 'placeholder' | 'hidden';

export type Viewer = AuthUser | null;

export function visibility(comment: Pick<CommentRow, 'status' | 'authorId'>, viewer: Viewer): Visibility {
  const staff = isModerator(viewer);
  const own = viewer !== null && viewer.id === comment.authorId;
  switch (comment.status) {
    case CommentStatus.published:
      return 'full';
    case CommentStatus.pending:
    case CommentStatus.rejected:
      return staff || own ? 'full' : 'hidden';
    case CommentStatus.removed:
      // Taken down: moderators still read it (to restore it, or to answer
      // for the decision); nobody else does, its author included.
      return staff ? 'full' : 'placeholder';
    case CommentStatus.deleted:
      // Withdrawn by its author: gone for everyone.
      return 'placeholder';
  }
}

// Earlier bodies of an edited comment: moderators only, and not once the
// comment is deleted.
export function mayReadRevisions(comment: Pick<CommentRow, 'status' | 'authorId'>, viewer: Viewer): boolean {
  return isModerator(viewer) && visibility(comment, viewer) === 'full';
}

// The comment as this viewer may see it, or null when it is hidden from them.
export function viewComment(row: CommentRow, viewer: Viewer): CommentView | null {
  switch (visibility(row, viewer)) {
    case 'full':
      return fullView(row);
    case 'placeholder':
      return placeholderView(row);
    case 'hidden':
      return null;
  }
}

// A link in a chain (an ancestor on a permalink): never dropped, at worst a placeholder.
export function viewInChain(row: CommentRow, viewer: Viewer): CommentView {
  return viewComment(row, viewer) ?? placeholderView(row);
}

// Thread pages and replies are the same for every reader (so they can be
// cached): what the policy shows an anonymous one.
export const publicView = (row: CommentRow): CommentView => viewInChain(row, null);

// An event as this viewer may receive it now: its comment rendered from the
// comment's current state, or null when the event has nothing left for them.
// The log stores ids only, so a replay never carries what was hidden since.
export function renderEvent(event: CommittedEvent, row: CommentRow | undefined, viewer: Viewer): CommittedEvent | null {
  const rendering = commentRendering(event.type);
  if (!rendering) return event;
  if (!row) return null;
  let rendered: CommentView | null;
  if (rendering.mode === 'view') {
    rendered = viewComment(row, viewer);
    if (!rendered) return null;
  } else {
    rendered = row.listed ? placeholderView(row) : null;
  }
  return { ...event, data: { ...(event.data as object), [rendering.key]: rendered } };
}

// The data of an event as it is committed: its audience is exactly who may
// see the comment in its new state, so the live event carries the whole
// comment (or its tombstone); the log keeps the rest (storedData).
export function withComment(type: string, data: unknown, row: CommentRow): unknown {
  const rendering = commentRendering(type);
  if (!rendering) return data;
  const rendered = rendering.mode === 'view' ? fullView(row) : row.listed ? placeholderView(row) : null;
  return { ...(data as object), [rendering.key]: rendered };
}
