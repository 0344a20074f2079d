import { SOURCE_LOCALE, translatorFor } from '../i18n/locales.js';
import { ErrorCode } from './error-codes.js';

// A detail written for translation: its catalogue id, the English source
// (ICU MessageFormat) and the values it names. Marked /*i18n*/ where written
// so the extraction finds it.
export interface DetailMessage {
  id: string;
  message: string;
  values?: Record<string, string | number>;
}

// A failure a client can act on. Services throw it; the HTTP filter and the
// socket ack mapper turn it into a problem document or an error ack.
export class DomainError extends Error {
  readonly detailMessage: DetailMessage | null;

  constructor(
    readonly code: ErrorCode,
    detail?: string | DetailMessage,
    readonly extras: Record<string, unknown> = {},
  ) {
    super(typeof detail === 'object' ? translatorFor(SOURCE_LOCALE)._(detail) : (detail ?? code));
    this.detailMessage = typeof detail === 'object' ? detail : null;
    this.name = 'DomainError';
  }
}

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}
