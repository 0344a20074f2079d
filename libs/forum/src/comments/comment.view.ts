import { CommentStatus } from '@rejoinder/db';
import { CommentRow } from './comment.types.js';

// What readers see of a comment. Tombstones (removed, deleted) keep their
// place in the tree but show neither body nor author.
export interface CommentView {
  id: string;
  articleId: string;
  parentId: string | null;
  depth: number;
  status: CommentStatus;
  author: { id: string; username: string } | null;
  body: string | null;
  html: string | null;
  createdAt: string;
  editedAt: string | null;
  score: number;
  upvotes: number;
  downvotes: number;
  replyCount: number;
  descendantCount: number;
  featured: boolean;
  pinned: boolean;
  // Lower bound of the Wilson score interval of the votes (sort=best).
  bestScore: number;
  controversy: number;
}

export interface CommentNode extends CommentView {
  replies: CommentNode[];
  // Pass to GET /api/comments/:id/replies to load the replies not shown here;
  // null when every reply is shown.
  repliesCursor: string | null;
}

const TOMBSTONES: ReadonlySet<CommentStatus> = new Set([CommentStatus.removed, CommentStatus.deleted]);

export function toCommentView(row: CommentRow): CommentView {
  const hidden = TOMBSTONES.has(row.status);
  return {
    id: row.id,
    articleId: row.articleId,
    parentId: row.parentId,
    depth: row.depth,
    status: row.status,
    author: hidden ? null : { id: row.authorId, username: row.authorName },
    body: hidden ? null : row.bodySource,
    html: hidden ? null : row.bodyHtml,
    createdAt: row.createdAt.toISOString(),
    editedAt: row.editedAt ? row.editedAt.toISOString() : null,
    score: row.score,
    upvotes: row.upvotes,
    downvotes: row.downvotes,
    replyCount: row.replyCount,
    descendantCount: row.descendantCount,
    featured: row.featured,
    pinned: row.pinned,
    bestScore: row.bestScore,
    controversy: row.controversy,
  };
}
