import type { CommentStatus } from '@rejoinder/db';
import type { ArticleRecord } from '../articles/articles.repository.js';

// The rows an import writes, as the plan (import-plan.ts) makes them and the
// repository stores them.

export interface ImportedAccount {
  id: string;
  // The handle wanted; the one written is made free (handleBase, then "-2", ...).
  username: string;
  // What readers see, for accounts brought in from another system.
  displayName?: string | null;
  claimEmail?: string | null;
  importedFrom?: string | null;
}

export interface ImportedCommentRow {
  id: string;
  parentId: string | null;
  authorId: string;
  path: string[];
  depth: number;
  status: CommentStatus;
  listed: boolean;
  bodySource: string;
  bodyHtml: string;
  replyCount: number;
  descendantCount: number;
  upvotes: number;
  downvotes: number;
  score: number;
  bestScore: number;
  controversy: number;
  createdAt: Date;
  editedAt: Date | null;
  featured: boolean;
  pinned: boolean;
  moderationReason: string | null;
}

// An article the import creates: the columns of an article that are not
// derived (counts, seq, timestamps).
export type NewArticle = Pick<
  ArticleRecord,
  | 'slug'
  | 'title'
  | 'byline'
  | 'publishedAt'
  | 'sourceUrl'
  | 'externalId'
  | 'urlKey'
  | 'bodySource'
  | 'bodyHtml'
  | 'state'
  | 'premoderation'
  | 'slowModeSeconds'
>;

export interface ImportUnit {
  // An article already in the database, or one to create.
  article: { id: string } | NewArticle;
  accounts: ImportedAccount[];
  comments: ImportedCommentRow[];
  // Comments imported before that gain replies now: counts to add, and
  // whether a hidden one becomes a listed tombstone.
  updates?: { id: string; replies: number; descendants: number; list: boolean }[];
}

export interface KnownCommentRow {
  id: string;
  articleId: string;
  parentId: string | null;
  path: string[];
  depth: number;
  listed: boolean;
}

export type ImportConflict = { kind: 'article-exists'; slug: string } | { kind: 'comment-exists'; id: string };
