import { CommentStatus, Role } from '@rejoinder/db';
import type { EventAudience } from '@rejoinder/common';
import type { CommentRow } from './comment.types.js';
import {
  canSee,
  mayReadRevisions,
  renderEvent,
  statusSeenBy,
  visibility,
  viewComment,
  viewInChain,
  withComment,
} from './visibility.js';
import type { Viewer, Visibility } from './visibility.js';

const AUTHOR = { id: 'a0000000-0000-4000-8000-000000000001', username: 'author', role: Role.commenter };
const READER = { id: 'a0000000-0000-4000-8000-000000000002', username: 'reader', role: Role.commenter };
const MODERATOR = { id: 'a0000000-0000-4000-8000-000000000003', username: 'mod', role: Role.moderator };
const ADMIN = { id: 'a0000000-0000-4000-8000-000000000004', username: 'admin', role: Role.admin };
const VIEWERS: [string, Viewer][] = [
  ['anonymous', null],
  ['another reader', READER],
  ['its author', AUTHOR],
  ['a moderator', MODERATOR],
  ['an admin', ADMIN],
];

function row(status: CommentStatus, extra: Partial<CommentRow> = {}): CommentRow {
  return {
    id: 'c0000000-0000-4000-8000-000000000001',
    articleId: 'b0000000-0000-4000-8000-000000000001',
    parentId: null,
    authorId: AUTHOR.id,
    authorName: AUTHOR.username,
    authorDisplayName: null,
    depth: 0,
    status,
    bodySource: 'words',
    bodyHtml: '<p>words</p>',
    replyCount: 0,
    descendantCount: 0,
    upvotes: 0,
    downvotes: 0,
    score: 0,
    createdAt: new Date('2026-01-01T00:00:00Z'),
    editedAt: null,
    listed: status === CommentStatus.published,
    version: 1,
    openReports: 0,
    featured: false,
    pinned: false,
    moderationReason: null,
    bestScore: 0,
    controversy: 0,
    anchorParagraph: null,
    anchorQuote: null,
    anchorPrefix: null,
    anchorSuffix: null,
    stance: null,
    lang: null,
    ...extra,
  };
}

// The table of docs/moderation.md ("Who sees what"): for each state, what
// anonymous / another reader / its author / a moderator / an admin see.
const WHO_SEES_WHAT: Record<CommentStatus, Visibility[]> = {
  published: ['full', 'full', 'full', 'full', 'full'],
  pending: ['hidden', 'hidden', 'full', 'full', 'full'],
  rejected: ['hidden', 'hidden', 'full', 'full', 'full'],
  removed: ['placeholder', 'placeholder', 'placeholder', 'full', 'full'],
  deleted: ['placeholder', 'placeholder', 'placeholder', 'placeholder', 'placeholder'],
  shadowed: ['hidden', 'hidden', 'full', 'full', 'full'],
};

describe('the visibility policy', () => {
  it.each(Object.values(CommentStatus))('shows a %s comment to each viewer as the table says', (status) => {
    expect(VIEWERS.map(([, viewer]) => visibility(row(status), viewer))).toEqual(WHO_SEES_WHAT[status]);
  });

  it('renders what it decides: the whole comment, a placeholder without body or author, or nothing', () => {
    expect(viewComment(row(CommentStatus.published), null)).toMatchObject({ body: 'words', author: { id: AUTHOR.id } });
    expect(viewComment(row(CommentStatus.removed), READER)).toMatchObject({ body: null, author: null });
    expect(viewComment(row(CommentStatus.pending), READER)).toBeNull();
    // An ancestor is never dropped from a chain.
    expect(viewInChain(row(CommentStatus.pending), READER)).toMatchObject({ id: row(CommentStatus.pending).id });
  });

  it('shows a ghost-banned author their comment as published, and everyone else as it is', () => {
    const shadowed = row(CommentStatus.shadowed);
    expect(statusSeenBy(shadowed, AUTHOR)).toBe(CommentStatus.published);
    expect(viewComment(shadowed, AUTHOR)?.status).toBe(CommentStatus.published);
    expect(statusSeenBy(shadowed, MODERATOR)).toBe(CommentStatus.shadowed);
    expect(statusSeenBy(shadowed, READER)).toBe(CommentStatus.shadowed);
  });

  it('lets moderators read earlier bodies, not once the author deleted the comment', () => {
    expect(mayReadRevisions(row(CommentStatus.published), MODERATOR)).toBe(true);
    expect(mayReadRevisions(row(CommentStatus.published), AUTHOR)).toBe(false);
    expect(mayReadRevisions(row(CommentStatus.deleted), MODERATOR)).toBe(false);
  });
});

// Who receives an event, by its audience and the one user it names (the
// integration test event-audience.spec.ts holds canSee's SQL twin to the same table).
const AUDIENCES: [EventAudience, 'nobody' | 'author', boolean[]][] = [
  ['public', 'nobody', [true, true, true, true, true]],
  ['moderators', 'nobody', [false, false, false, true, true]],
  ['moderators', 'author', [false, false, true, true, true]],
  ['user', 'author', [false, false, true, false, false]],
];

describe('who receives an event', () => {
  it.each(AUDIENCES)('an event for %s naming %s', (audience, named, expected) => {
    const event = { audience, userId: named === 'author' ? AUTHOR.id : null };
    expect(VIEWERS.map(([, viewer]) => canSee(event, viewer))).toEqual(expected);
  });

  it('renders an event from the comment as it is now, and drops it when the comment is hidden since', () => {
    const event = {
      articleId: row(CommentStatus.published).articleId,
      seq: 1,
      type: 'comment.created',
      audience: 'public' as const,
      userId: null,
      at: '2026-01-01T00:00:00.000Z',
      data: {},
    };
    expect(renderEvent(event, row(CommentStatus.published), null)?.data).toMatchObject({ comment: { body: 'words' } });
    expect(renderEvent(event, row(CommentStatus.pending), null)).toBeNull();
    expect(renderEvent(event, undefined, null)).toBeNull();
    // An event that carries no comment passes as it is.
    const voted = { ...event, type: 'article.updated', data: { title: 'T' } };
    expect(renderEvent(voted, undefined, null)).toBe(voted);
  });

  it('commits an event for its author with the comment as the author is shown it', () => {
    const data = withComment('comment.created', {}, row(CommentStatus.shadowed), {
      audience: 'user',
      userId: AUTHOR.id,
    });
    expect(data).toMatchObject({ comment: { status: CommentStatus.published } });
    const forModerators = withComment('comment.created', {}, row(CommentStatus.shadowed), {
      audience: 'moderators',
      userId: null,
    });
    expect(forModerators).toMatchObject({ comment: { status: CommentStatus.shadowed } });
  });
});
