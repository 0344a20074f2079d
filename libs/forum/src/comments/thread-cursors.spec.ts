import { DomainError, ErrorCode } from '@rejoinder/common';
import { CommentStatus } from '@rejoinder/db';
import type { CommentRow } from './comment.types.js';
import type { CommentView } from './comment.view.js';
import {
  assemble,
  decodeSiblingKey,
  encodeBalancedKey,
  encodeSiblingKey,
  moreRepliesCursor,
  nodeIds,
  repliesKind,
  threadKind,
} from './thread-cursors.js';

const ARTICLE = 'b0000000-0000-4000-8000-000000000001';
const id = (n: number) => `c0000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

function row(n: number, extra: Partial<CommentRow> = {}): CommentRow {
  return {
    id: id(n),
    articleId: ARTICLE,
    parentId: null,
    authorId: 'a0000000-0000-4000-8000-000000000001',
    authorName: 'author',
    authorDisplayName: null,
    depth: 0,
    status: CommentStatus.published,
    bodySource: `comment ${n}`,
    bodyHtml: `<p>comment ${n}</p>`,
    replyCount: 0,
    descendantCount: 0,
    upvotes: 0,
    downvotes: 0,
    score: n,
    createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, n)),
    editedAt: null,
    listed: true,
    version: 1,
    openReports: 0,
    featured: false,
    pinned: false,
    moderationReason: null,
    bestScore: n / 100,
    controversy: 0,
    anchorParagraph: null,
    anchorQuote: null,
    anchorPrefix: null,
    anchorSuffix: null,
    stance: null,
    lang: null,
    level: 0,
    ...extra,
  };
}

const view = (r: CommentRow): CommentView => assemble([{ ...r, level: 0 }])[0];

function refusal(run: () => unknown): ErrorCode | null {
  try {
    run();
    return null;
  } catch (error) {
    return error instanceof DomainError ? error.code : null;
  }
}

describe('thread cursors', () => {
  it('round-trip the key of each sort', () => {
    const last = view(row(7, { replyCount: 4 }));
    const kind = threadKind('newest', ARTICLE);
    expect(decodeSiblingKey(kind, 'newest', encodeSiblingKey(kind, 'newest', last))).toEqual({
      sort: 'newest',
      createdAt: last.createdAt,
      id: last.id,
    });
    for (const sort of ['top', 'best', 'controversial', 'replies'] as const) {
      const ranked = threadKind(sort, ARTICLE);
      const key = decodeSiblingKey(ranked, sort, encodeSiblingKey(ranked, sort, last));
      expect(key).toMatchObject({ sort, createdAt: last.createdAt, id: last.id });
    }
    expect(
      decodeSiblingKey(threadKind('top', ARTICLE), 'top', encodeSiblingKey(threadKind('top', ARTICLE), 'top', last)),
    ).toMatchObject({ rank: 7 });
    expect(
      decodeSiblingKey(
        threadKind('replies', ARTICLE),
        'replies',
        encodeSiblingKey(threadKind('replies', ARTICLE), 'replies', last),
      ),
    ).toMatchObject({ rank: 4 });
  });

  it('are good only for the list they were made for', () => {
    const last = view(row(1));
    const cursor = encodeSiblingKey(threadKind('newest', ARTICLE), 'newest', last);
    expect(refusal(() => decodeSiblingKey(threadKind('oldest', ARTICLE), 'oldest', cursor))).toBe(
      ErrorCode.InvalidCursor,
    );
    expect(refusal(() => decodeSiblingKey(threadKind('newest', ARTICLE, 2), 'newest', cursor))).toBe(
      ErrorCode.InvalidCursor,
    );
    expect(refusal(() => decodeSiblingKey(repliesKind(last.id), 'oldest', cursor))).toBe(ErrorCode.InvalidCursor);
    expect(refusal(() => decodeSiblingKey(threadKind('newest', ARTICLE), 'newest', 'not a cursor'))).toBe(
      ErrorCode.InvalidCursor,
    );
  });

  it('keep, for sort=balanced, where each stance group stopped and whose turn is next', () => {
    const kind = threadKind('balanced', ARTICLE);
    const agree = view(row(1, { stance: 'agree' }));
    const disagree = view(row(2, { stance: 'disagree' }));
    const first = decodeSiblingKey(kind, 'balanced', encodeBalancedKey(kind, undefined, [agree, disagree]));
    expect(first).toEqual({
      sort: 'balanced',
      next: 2,
      keys: [
        { rank: agree.bestScore, createdAt: agree.createdAt, id: agree.id },
        { rank: disagree.bestScore, createdAt: disagree.createdAt, id: disagree.id },
        null,
        null,
        null,
      ],
    });
    // The next page keeps the groups it did not reach.
    const unstanced = view(row(3));
    const second = decodeSiblingKey(kind, 'balanced', encodeBalancedKey(kind, first, [unstanced]));
    const [agreeKey, disagreeKey] = (first as { keys: unknown[] }).keys;
    expect(second).toEqual({
      sort: 'balanced',
      next: 0,
      keys: [
        agreeKey,
        disagreeKey,
        null,
        null,
        { rank: unstanced.bestScore, createdAt: unstanced.createdAt, id: unstanced.id },
      ],
    });
  });
});

describe('nesting the rows of a tree query', () => {
  it('puts roots in page order and replies under their parents, with a cursor for replies not shown', () => {
    const rootA = row(1, { replyCount: 3 });
    const rootB = row(2);
    const reply = row(3, { parentId: rootA.id, depth: 1, level: 1 });
    const nodes = assemble([rootB, rootA, reply]);
    expect(nodes.map((n) => n.id)).toEqual([rootB.id, rootA.id]);
    expect(nodes[1].replies.map((n) => n.id)).toEqual([reply.id]);
    expect(nodes[1].repliesCursor).not.toBeNull();
    expect(nodes[0].repliesCursor).toBeNull();
    expect(nodeIds(nodes)).toEqual([rootB.id, rootA.id, reply.id]);
    // The cursor continues after the last reply shown, in that comment's replies.
    expect(decodeSiblingKey(repliesKind(rootA.id), 'oldest', nodes[1].repliesCursor!)).toEqual({
      sort: 'oldest',
      createdAt: nodes[1].replies[0].createdAt,
      id: reply.id,
    });
  });

  it('gives no replies cursor when every reply is shown', () => {
    expect(moreRepliesCursor(row(1, { replyCount: 0 }), [])).toBeNull();
    expect(moreRepliesCursor(row(1, { replyCount: 1 }), [view(row(2))])).toBeNull();
    expect(moreRepliesCursor(row(1, { replyCount: 1 }), [])).not.toBeNull();
  });
});
