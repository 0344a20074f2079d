import type { AuthUser } from '@rejoinder/accounts';
import type { PostArticle } from '../articles/articles.repository.js';

export type HoldReason = 'premoderation' | 'user_premoderated' | 'suspect_word';

export interface PolicyInput {
  author: AuthUser;
  article: PostArticle;
  body: string;
}

// Rules from outside the forum (sanctions, slow mode, word lists) that a new
// comment must pass. Throw a DomainError to refuse; return a hold reason to
// keep the comment for review.
export interface CommentPolicy {
  review(input: PolicyInput): Promise<HoldReason | null>;
  // Refuses a user who may not take part at all (banned, suspended): voting.
  participate(user: AuthUser): Promise<void>;
  // For an edit: the same, but slow mode (an edit is not a new comment).
  screen(input: PolicyInput): Promise<HoldReason | null>;
}

export const COMMENT_POLICY = Symbol('COMMENT_POLICY');
