import type { ErrorCode } from './error-codes.js';
import { accountsErrors } from './error-descriptions.accounts.js';
import { commentsErrors } from './error-descriptions.comments.js';
import { moderationErrors } from './error-descriptions.moderation.js';
import { requestsErrors } from './error-descriptions.requests.js';

export interface ErrorDescription {
  status: number;
  title: string;
}

// The title as a catalogue message: its id, and the English source text.
export interface TitleMessage {
  id: string;
  message: string;
}

export interface ErrorEntry {
  status: number;
  title: TitleMessage;
}

// One table maps a code to its HTTP status and title, put together from one
// part per area; its type asks for every code, so a new code cannot ship
// without them. The titles are extracted into locales/server/*.po (the
// /*i18n*/ marks) and translated there; problem documents read them in the
// request's language.
const ERRORS: Record<ErrorCode, ErrorEntry> = {
  ...requestsErrors,
  ...accountsErrors,
  ...commentsErrors,
  ...moderationErrors,
};

export function errorDescription(code: ErrorCode): ErrorEntry {
  return ERRORS[code];
}

// A code's status and its title in English (the API documents, the CLI).
export function describeError(code: ErrorCode): ErrorDescription {
  const { status, title } = errorDescription(code);
  return { status, title: title.message };
}
