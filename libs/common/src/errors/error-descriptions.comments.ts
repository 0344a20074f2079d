import { ErrorCode } from './error-codes.js';
import type { ErrorEntry } from './error-descriptions.js';

// Articles, comments and their threads, and webhooks.
export const commentsErrors = {
  [ErrorCode.ArticleNotFound]: {
    status: 404,
    title: /*i18n*/ { id: 'problem.ArticleNotFound', message: 'No such article' },
  },
  [ErrorCode.ArticleClosed]: {
    status: 403,
    title: /*i18n*/ { id: 'problem.ArticleClosed', message: 'The article is closed for comments' },
  },
  [ErrorCode.CommentNotFound]: {
    status: 404,
    title: /*i18n*/ { id: 'problem.CommentNotFound', message: 'No such comment' },
  },
  [ErrorCode.CommentBodyEmpty]: {
    status: 400,
    title: /*i18n*/ { id: 'problem.CommentBodyEmpty', message: 'The comment is empty' },
  },
  [ErrorCode.CommentBodyTooLong]: {
    status: 400,
    title: /*i18n*/ { id: 'problem.CommentBodyTooLong', message: 'The comment is too long' },
  },
  [ErrorCode.ParentNotFound]: {
    status: 400,
    title: /*i18n*/ { id: 'problem.ParentNotFound', message: 'The comment being replied to does not exist' },
  },
  [ErrorCode.ParentInOtherArticle]: {
    status: 400,
    title: /*i18n*/ {
      id: 'problem.ParentInOtherArticle',
      message: 'The comment being replied to belongs to another article',
    },
  },
  [ErrorCode.ParentNotReplyable]: {
    status: 400,
    title: /*i18n*/ {
      id: 'problem.ParentNotReplyable',
      message: 'The comment being replied to cannot take replies',
    },
  },
  [ErrorCode.ThreadTooDeep]: {
    status: 400,
    title: /*i18n*/ { id: 'problem.ThreadTooDeep', message: 'The thread is too deep for another reply' },
  },
  [ErrorCode.CommentIdConflict]: {
    status: 409,
    title: /*i18n*/ { id: 'problem.CommentIdConflict', message: 'A different comment already has this id' },
  },
  [ErrorCode.CannotVoteOwnComment]: {
    status: 403,
    title: /*i18n*/ { id: 'problem.CannotVoteOwnComment', message: 'You cannot vote on your own comment' },
  },
  [ErrorCode.EditWindowClosed]: {
    status: 403,
    title: /*i18n*/ { id: 'problem.EditWindowClosed', message: 'The time to edit this comment is over' },
  },
  [ErrorCode.NotYourComment]: {
    status: 403,
    title: /*i18n*/ { id: 'problem.NotYourComment', message: 'Only the author may do this' },
  },
  [ErrorCode.DuplicateComment]: {
    status: 429,
    title: /*i18n*/ { id: 'problem.DuplicateComment', message: 'You posted the same comment a moment ago' },
  },
  [ErrorCode.ParagraphNotFound]: {
    status: 400,
    title: /*i18n*/ { id: 'problem.ParagraphNotFound', message: 'The article has no such passage' },
  },
  [ErrorCode.QuoteNotInParagraph]: {
    status: 400,
    title: /*i18n*/ {
      id: 'problem.QuoteNotInParagraph',
      message: 'The quoted words are not in that passage of the article',
    },
  },
  [ErrorCode.TopLevelOnly]: {
    status: 400,
    title: /*i18n*/ {
      id: 'problem.TopLevelOnly',
      message: 'Only a top-level comment may quote a passage or declare a stance',
    },
  },
  [ErrorCode.InvalidSince]: {
    status: 400,
    title: /*i18n*/ {
      id: 'problem.InvalidSince',
      message: '`since` must be an event number (a whole number, 0 or more) or an ISO 8601 time',
    },
  },
  [ErrorCode.SinceAhead]: {
    status: 400,
    title: /*i18n*/ {
      id: 'problem.SinceAhead',
      message: '`since` is ahead of the article: a later event number than it has, or a time to come',
    },
  },
  [ErrorCode.ArticleUrlTaken]: {
    status: 409,
    title: /*i18n*/ { id: 'problem.ArticleUrlTaken', message: 'Another article already has this canonical URL' },
  },
  [ErrorCode.ArticleUrlInvalid]: {
    status: 400,
    title: /*i18n*/ {
      id: 'problem.ArticleUrlInvalid',
      message: 'The article URL is not an http(s) URL of an allowed site',
    },
  },
  [ErrorCode.WebhookNotFound]: {
    status: 404,
    title: /*i18n*/ { id: 'problem.WebhookNotFound', message: 'No such webhook' },
  },
  [ErrorCode.WebhookUrlRefused]: {
    status: 400,
    title: /*i18n*/ {
      id: 'problem.WebhookUrlRefused',
      message:
        'The webhook URL must be https and reach a public address (not loopback, private, link-local or metadata)',
    },
  },
} satisfies Partial<Record<ErrorCode, ErrorEntry>>;
