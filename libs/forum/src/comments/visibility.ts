import type { AuthUser } from '@rejoinder/accounts';
import { isModerator } from '@rejoinder/accounts';
import { commentRendering } from '@rejoinder/common';
import type { CommittedEvent } from '@rejoinder/common';
import { CommentStatus, Prisma, Role } from '@rejoinder/db';
import { CommentRow } from './comment.types.js';
import { CommentView, fullView, placeholderView } from './comment.view.js';

// The one place that decides who sees what of a comment. Every door asks it:
// thread pages, replies, permalinks and their ancestors, notifications, the
// events endpoint, socket replays and live events, the moderators' queue,
// feed and revisions, digests and exports. The table is in docs/moderation.md
// ("Who sees what").
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
    case CommentStatus.shadowed:
      // Written under a ghost ban: its author reads it as published (see
      // asSeenBy), moderators read it as it is, nobody else knows of it.
      return staff || own ? 'full' : 'hidden';
  }
}

// The status a viewer is shown: a ghost-banned author's comment is
// published to them, so the sanction never shows through to its author.
export function statusSeenBy(comment: Pick<CommentRow, 'status' | 'authorId'>, viewer: Viewer): CommentStatus {
  if (comment.status !== CommentStatus.shadowed || isModerator(viewer)) return comment.status;
  return viewer !== null && viewer.id === comment.authorId ? CommentStatus.published : comment.status;
}

// The whole comment as this viewer is shown it (the status as they see it).
function fullViewFor(row: CommentRow, viewer: Viewer): CommentView {
  const status = statusSeenBy(row, viewer);
  return status === row.status ? fullView(row) : { ...fullView(row), status };
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
      return fullViewFor(row, viewer);
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

// Who may receive an event, by its audience (docs/realtime.md): every reader,
// the article's moderators (and the one user it names, such as the author of
// a pending comment), or that one user alone.
export function canSee(event: Pick<CommittedEvent, 'audience' | 'userId'>, viewer: Viewer): boolean {
  switch (event.audience) {
    case 'public':
      return true;
    case 'moderators':
      return viewer !== null && (isModerator(viewer) || viewer.id === event.userId);
    case 'user':
      return viewer !== null && viewer.id === event.userId;
  }
}

// canSee as SQL over article_events (alias `e`), for reads of the log that
// filter in the database; the event-audience test holds the two to one table.
export function canSeeSql(viewer: Viewer): Prisma.Sql {
  return Prisma.sql`(e.audience = 'public' OR e.user_id = ${viewer?.id ?? null}::uuid
                     OR (e.audience = 'moderators' AND ${isModerator(viewer)}))`;
}

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

// What the newsroom's own systems are sent of a comment (webhooks), per
// event: at `reader` level what an anonymous reader sees (a published
// comment is news for everyone); at `moderator` level, for moderation's
// business (a report, also of a held comment), what a moderator reads while
// the comment is in moderation's hands (held, reported, under a ghost ban).
// At either level a comment taken down (removed, rejected) or withdrawn
// leaves without its text and author: a decision holds for every delivery
// made after it, whatever the event was when it happened.
export type SystemLevel = 'reader' | 'moderator';

export function systemView(row: CommentRow, level: SystemLevel): CommentView {
  if (level === 'reader') return viewInChain(row, null);
  switch (row.status) {
    case CommentStatus.removed:
    case CommentStatus.rejected:
    case CommentStatus.deleted:
      return placeholderView(row);
    case CommentStatus.published:
    case CommentStatus.pending:
    case CommentStatus.shadowed:
      return fullView(row);
  }
}

// An event as the newsroom's systems are sent it now: its comment rendered
// by systemView from the comment's current row (a removal's tombstone stays
// a tombstone), or null when the comment is no longer kept.
export function renderEventForSystems(
  event: CommittedEvent,
  row: CommentRow | undefined,
  level: SystemLevel,
): CommittedEvent {
  const rendering = commentRendering(event.type);
  if (!rendering) return event;
  const comment = !row
    ? null
    : rendering.mode === 'view'
      ? systemView(row, level)
      : row.listed
        ? placeholderView(row)
        : null;
  return { ...event, data: { ...(event.data as object), [rendering.key]: comment } };
}

// The data of an event as it is committed: its audience is exactly who may
// see the comment in its new state, so the live event carries the whole
// comment (or its tombstone); the log keeps the rest (storedData). An event
// addressed to one user carries the comment as that user is shown it (a
// ghost-banned author's comment reads as published to them).
export function withComment(
  type: string,
  data: unknown,
  row: CommentRow,
  to?: { audience: string; userId: string | null },
): unknown {
  const rendering = commentRendering(type);
  if (!rendering) return data;
  const reader: Viewer =
    to?.audience === 'user' && to.userId ? { id: to.userId, username: '', role: Role.commenter } : null;
  const rendered =
    rendering.mode === 'view'
      ? reader
        ? fullViewFor(row, reader)
        : fullView(row)
      : row.listed
        ? placeholderView(row)
        : null;
  return { ...(data as object), [rendering.key]: rendered };
}

// Moderation actions on an account that its owner is never shown (in their
// data export or anywhere else): a ghost ban works only while its author does
// not know of it, and trust levels are for moderators' eyes.
export const ACTIONS_HIDDEN_FROM_THEIR_TARGET = [
  'ghost_ban',
  'lift_ghost_ban',
  'pin_trust_level',
  'unpin_trust_level',
] as const;
