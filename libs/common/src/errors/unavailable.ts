import { DomainError, type DetailMessage } from './domain-error.js';
import { ErrorCode } from './error-codes.js';

// How long a client should wait before retrying after a dependency failed.
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 1;

// The one answer for a dependency that is down or too slow (the database,
// Redis) or a node that is shutting down: 503 SERVICE_UNAVAILABLE with the
// seconds to wait (the Retry-After header over HTTP) and `retryable: true`,
// which socket clients read from the ack. Nothing was done; the same request
// may be sent again, on this node or another.
export function serviceUnavailable(
  detail: string | DetailMessage,
  extras: { dependency?: string; retryAfterSeconds?: number } = {},
): DomainError {
  const retryAfterSeconds = extras.retryAfterSeconds ?? UNAVAILABLE_RETRY_AFTER_SECONDS;
  return new DomainError(ErrorCode.ServiceUnavailable, detail, {
    ...(extras.dependency ? { dependency: extras.dependency } : {}),
    retryable: true,
    retryAfterSeconds,
    retryAfterMs: retryAfterSeconds * 1000,
  });
}
