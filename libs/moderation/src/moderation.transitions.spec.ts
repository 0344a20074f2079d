import { DomainError, ErrorCode } from '@rejoinder/common';
import { CommentStatus } from '@rejoinder/db';
import type { CommentRow } from '@rejoinder/forum';
import { MODERATION_ACTIONS } from './dto/moderation.dto.js';
import type { ModerationActionName } from './dto/moderation.dto.js';
import { transition } from './moderation.transitions.js';

function comment(status: CommentStatus, extra: Partial<CommentRow> = {}): CommentRow {
  return { status, depth: 0, openReports: 0, ...extra } as CommentRow;
}

function outcome(action: ModerationActionName, current: CommentRow) {
  try {
    return transition(action, current, 'spam');
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
}

describe('moderation transitions', () => {
  it('approves a pending comment into the thread, or clears the reports on a published one', () => {
    expect(outcome('approve', comment(CommentStatus.pending))).toEqual({
      status: CommentStatus.published,
      listed: true,
      resolveReports: true,
      moderationReason: null,
    });
    expect(outcome('approve', comment(CommentStatus.published, { openReports: 2 }))).toEqual({ resolveReports: true });
    expect(outcome('approve', comment(CommentStatus.published))).toBe(ErrorCode.InvalidTransition);
  });

  it('rejects only pending comments, keeping them out of lists', () => {
    expect(outcome('reject', comment(CommentStatus.pending))).toEqual({
      status: CommentStatus.rejected,
      listed: false,
      resolveReports: true,
      moderationReason: 'spam',
    });
    expect(outcome('reject', comment(CommentStatus.published))).toBe(ErrorCode.InvalidTransition);
  });

  it('removes a published comment to a listed tombstone that loses its pin and feature', () => {
    expect(outcome('remove', comment(CommentStatus.published))).toEqual({
      status: CommentStatus.removed,
      listed: true,
      resolveReports: true,
      featured: false,
      pinned: false,
      moderationReason: 'spam',
    });
  });

  it('restores removed and rejected comments only', () => {
    for (const status of [CommentStatus.removed, CommentStatus.rejected]) {
      expect(outcome('restore', comment(status))).toEqual({
        status: CommentStatus.published,
        listed: true,
        moderationReason: null,
      });
    }
    expect(outcome('restore', comment(CommentStatus.deleted))).toBe(ErrorCode.InvalidTransition);
  });

  it('pins only top-level published comments, and features only published ones', () => {
    expect(outcome('pin', comment(CommentStatus.published))).toEqual({ pinned: true });
    expect(outcome('unpin', comment(CommentStatus.published))).toEqual({ pinned: false });
    expect(outcome('pin', comment(CommentStatus.published, { depth: 1 }))).toBe(ErrorCode.InvalidTransition);
    expect(outcome('feature', comment(CommentStatus.published, { depth: 3 }))).toEqual({ featured: true });
    expect(outcome('unfeature', comment(CommentStatus.pending))).toBe(ErrorCode.InvalidTransition);
  });

  it('never acts on an author-deleted comment', () => {
    for (const action of MODERATION_ACTIONS) {
      expect(outcome(action, comment(CommentStatus.deleted))).toBe(ErrorCode.InvalidTransition);
    }
  });
});
