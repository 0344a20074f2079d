import { ErrorCode } from './error-codes.js';

// A failure a client can act on. Services throw it; the HTTP filter and the
// socket ack mapper turn it into a problem document or an error ack.
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    detail?: string,
    readonly extras: Record<string, unknown> = {},
  ) {
    super(detail ?? code);
    this.name = 'DomainError';
  }
}

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}
