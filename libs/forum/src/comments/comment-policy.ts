import type { AuthUser } from '@rejoinder/accounts';
import type { PostArticle } from '../articles/articles.repository.js';

// Why a comment waits for a moderator; a comment may be held for several at once.
export const HOLD_REASONS = [
  'premoderation',
  'user_premoderated',
  'suspect_word',
  'reports',
  'new_commenter',
  'links',
  'email_domain',
  'spam',
] as const;
export type HoldReason = (typeof HOLD_REASONS)[number];

export interface PolicyInput {
  author: AuthUser;
  article: PostArticle;
  body: string;
  // The rendered, sanitised HTML (links are counted in it).
  html: string;
  // Where the post came from, for the spam check.
  client?: { ip?: string; userAgent?: string };
}

// What the rules decided about a new comment or an edit.
export interface Screening {
  // Every rule that holds it for review (empty: publish).
  hold: HoldReason[];
  // The spam check's verdict, recorded with the comment once it is stored.
  spam?: { verdict: 'spam' | 'ham'; ip: string | null; userAgent: string | null };
  // The author is ghost-banned: the comment is stored shadowed (its author
  // reads it as published; nobody else sees it).
  ghost?: boolean;
}

// Rules from outside the forum (sanctions, slow mode, word lists, trust,
// email domains, the spam check) that a new comment must pass. Throw a
// DomainError to refuse; return hold reasons to keep the comment for review.
export interface CommentPolicy {
  review(input: PolicyInput): Promise<Screening>;
  // Refuses a user who may not take part at all (banned, suspended): voting.
  participate(user: AuthUser): Promise<void>;
  // For an edit: the same, but slow mode (an edit is not a new comment).
  screen(input: PolicyInput): Promise<Screening>;
  // After the comment is stored: what the screening needs to remember.
  stored?(commentId: string, screening: Screening): Promise<void>;
}

export const COMMENT_POLICY = Symbol('COMMENT_POLICY');
