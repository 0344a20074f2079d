import { DomainError } from './domain-error.js';
import { translatorFor, SOURCE_LOCALE } from '../i18n/locales.js';
import { ErrorCode } from './error-codes.js';
import { errorDescription } from './error-descriptions.js';

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

// `title` and `detail` read in the locale asked for (the request's language);
// `code` and `type` are the same in every language.
export function problemFor(error: DomainError, instance?: string, locale: string = SOURCE_LOCALE): Problem {
  const { status, title } = errorDescription(error.code);
  const i18n = translatorFor(locale);
  const detail = error.message !== (error.code as string) ? localizedDetail(error, locale) : undefined;
  return {
    type: `urn:rejoinder:problem:${error.code.toLowerCase()}`,
    title: i18n._(title),
    status,
    code: error.code,
    ...(detail ? { detail } : {}),
    ...(instance ? { instance } : {}),
    // Extras never overwrite the standard members.
    ...Object.fromEntries(Object.entries(error.extras).filter(([key]) => !STANDARD.has(key))),
  };
}

// A detail raised with a catalogue message reads in the locale; one written
// as plain text (most carry the offending value) stays as written.
function localizedDetail(error: DomainError, locale: string): string {
  return error.detailMessage ? translatorFor(locale)._(error.detailMessage) : error.message;
}
