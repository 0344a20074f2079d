import { DomainError, ErrorCode } from '@rejoinder/common';
import { CommentStatus } from '@rejoinder/db';
import { eventRow } from '@rejoinder/forum';
import type { CommentRow, EventRow, StateChange } from '@rejoinder/forum';
import type { ModerationActionName } from './dto/moderation.dto.js';

// What each moderation action does to a comment in each state (the change,
// or INVALID_TRANSITION), and the events it sends: the table of
// docs/moderation.md, as pure functions.

const published = { status: CommentStatus.published, listed: true } as const;

function invalid(action: string, current: CommentRow): DomainError {
  return new DomainError(ErrorCode.InvalidTransition, `Cannot ${action} a ${current.status} comment`, {
    commentStatus: current.status,
  });
}

export function transition(action: ModerationActionName, current: CommentRow, reason: string | null): StateChange {
  switch (action) {
    case 'approve':
      // A shadowed comment (ghost ban) may be let out to everyone.
      if (current.status === CommentStatus.pending || current.status === CommentStatus.shadowed)
        return { ...published, resolveReports: true, moderationReason: null };
      if (current.status === CommentStatus.published && current.openReports > 0) return { resolveReports: true };
      throw invalid(action, current);
    case 'reject':
      if (current.status === CommentStatus.pending || current.status === CommentStatus.shadowed)
        return { status: CommentStatus.rejected, listed: false, resolveReports: true, moderationReason: reason };
      throw invalid(action, current);
    case 'remove':
      if (current.status === CommentStatus.published) {
        return {
          status: CommentStatus.removed,
          listed: true,
          resolveReports: true,
          featured: false,
          pinned: false,
          moderationReason: reason,
        };
      }
      throw invalid(action, current);
    case 'restore':
      // A body purged by the retention job cannot come back.
      if (
        (current.status === CommentStatus.removed || current.status === CommentStatus.rejected) &&
        current.bodySource !== ''
      ) {
        return { ...published, moderationReason: null };
      }
      throw invalid(action, current);
    case 'feature':
    case 'unfeature':
      if (current.status !== CommentStatus.published) throw invalid(action, current);
      return { featured: action === 'feature' };
    case 'pin':
    case 'unpin':
      if (current.status !== CommentStatus.published || current.depth !== 0) throw invalid(action, current);
      return { pinned: action === 'pin' };
  }
}

// What each action tells readers, the author and the moderators.
export function eventsFor(action: ModerationActionName, before: CommentRow, reason: string | null): EventRow[] {
  const resolved = eventRow('queue.resolved').to('moderators', null, (c) => ({
    commentId: c.id,
    action,
    status: c.status,
    version: c.version,
  }));
  const wasVisible = before.status === CommentStatus.published;
  switch (action) {
    case 'approve':
      return wasVisible ? [resolved] : [eventRow('comment.created').to('public', null, () => ({})), resolved];
    case 'reject':
      return [
        eventRow('comment.removed').to('user', before.authorId, (c) => ({
          commentId: c.id,
          status: 'rejected',
          reasonCode: reason,
        })),
        resolved,
      ];
    case 'remove':
      return [
        eventRow('comment.removed').to('public', null, (c) => ({
          commentId: c.id,
          status: 'removed',
          reasonCode: reason,
        })),
        resolved,
      ];
    case 'restore':
      return [
        before.status === CommentStatus.removed
          ? eventRow('comment.updated').to('public', null, () => ({}))
          : eventRow('comment.created').to('public', null, () => ({})),
        resolved,
      ];
    case 'feature':
    case 'unfeature':
    case 'pin':
    case 'unpin':
      return [eventRow('comment.updated').to('public', null, () => ({})), resolved];
  }
}
