import { DomainError } from './domain-error.js';
import { describeError, ErrorCode } from './error-codes.js';

// RFC 9457 problem document, with our stable `code`.
export interface Problem {
  type: string;
  title: string;
  status: number;
  code: ErrorCode;
  detail?: string;
  instance?: string;
  [extension: string]: unknown;
}

const STANDARD = new Set(['type', 'title', 'status', 'code', 'detail', 'instance']);

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export function problemFor(error: DomainError, instance?: string): Problem {
  const { status, title } = describeError(error.code);
  const detail = error.message !== (error.code as string) ? error.message : undefined;
  return {
    type: `urn:rejoinder:problem:${error.code.toLowerCase()}`,
    title,
    status,
    code: error.code,
    ...(detail ? { detail } : {}),
    ...(instance ? { instance } : {}),
    // Extras never overwrite the standard members.
    ...Object.fromEntries(Object.entries(error.extras).filter(([key]) => !STANDARD.has(key))),
  };
}
