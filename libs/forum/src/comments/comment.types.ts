import { CommentStatus } from '@rejoinder/db';

// A comment row as the read and write queries return it.
export interface CommentRow {
  id: string;
  articleId: string;
  parentId: string | null;
  authorId: string;
  authorName: string;
  // The name readers see for an imported account (null: the username).
  authorDisplayName: string | null;
  depth: number;
  status: CommentStatus;
  bodySource: string;
  bodyHtml: string;
  replyCount: number;
  descendantCount: number;
  upvotes: number;
  downvotes: number;
  score: number;
  createdAt: Date;
  editedAt: Date | null;
  listed: boolean;
  version: number;
  openReports: number;
  featured: boolean;
  pinned: boolean;
  moderationReason: string | null;
  bestScore: number;
  controversy: number;
  anchorParagraph: number | null;
  anchorQuote: string | null;
  anchorPrefix: string | null;
  anchorSuffix: string | null;
  stance: Stance | null;
  lang: string | null;
  // Level below the page's roots (0 for a root) in tree queries.
  level?: number;
}

export type Stance = 'agree' | 'disagree' | 'question' | 'other';
export const STANCES = ['agree', 'disagree', 'question', 'other'] as const satisfies readonly Stance[];

export type ThreadSort = 'newest' | 'oldest' | 'top' | 'best' | 'controversial' | 'replies' | 'balanced';
export const THREAD_SORTS = [
  'newest',
  'oldest',
  'top',
  'best',
  'controversial',
  'replies',
  'balanced',
] as const satisfies readonly ThreadSort[];
// Sorts by a ranked value first (then newest first among equals).
export type RankedSort = Exclude<ThreadSort, 'newest' | 'oldest' | 'balanced'>;

// Where a page of siblings starts: after this key in the sort's order.
export type SiblingKey =
  | { sort: 'newest' | 'oldest'; createdAt: string; id: string }
  | { sort: RankedSort; rank: number; createdAt: string; id: string }
  // Each stance group's last comment shown (null: none yet), and the group
  // whose turn is next.
  | { sort: 'balanced'; next: number; keys: ({ rank: number; createdAt: string; id: string } | null)[] };

export interface TreeShape {
  // Levels returned below each root, the root included (1 = roots only).
  levels: number;
  // Replies shown per node on the levels below the roots.
  repliesPerLevel: number;
}
