import type { CommentViewData } from '@rejoinder/common';
import { CommentRow } from './comment.types.js';

// What readers see of a comment: the type comes from the same schema as the
// OpenAPI description and the events (libs/common/src/events/event-catalogue.ts).
export type CommentView = CommentViewData;

export interface CommentNode extends CommentView {
  replies: CommentNode[];
  // Pass to GET /api/comments/:id/replies to load the replies not shown here;
  // null when every reply is shown.
  repliesCursor: string | null;
}

// The whole comment, body and author included. Only the visibility policy
// (visibility.ts) decides who gets it.
export function fullView(row: CommentRow): CommentView {
  return {
    id: row.id,
    articleId: row.articleId,
    parentId: row.parentId,
    depth: row.depth,
    status: row.status,
    author: { id: row.authorId, username: row.authorName, displayName: row.authorDisplayName ?? null },
    body: row.bodySource,
    html: row.bodyHtml,
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
    anchor: row.anchorQuote === null ? null : { paragraph: row.anchorParagraph, quote: row.anchorQuote },
    stance: row.stance,
    lang: row.lang,
  };
}

// Keeps the comment's place in a thread, without body or author.
export function placeholderView(row: CommentRow): CommentView {
  return { ...fullView(row), author: null, body: null, html: null };
}
