import { HttpException, HttpStatus } from '@nestjs/common';
import { DomainError, ErrorCode, Problem, problemFor, serviceUnavailable } from '@rejoinder/common';
import { databaseFailure } from '@rejoinder/db';

// Any error -> the problem document a client gets, its words in `locale`. Errors we did not expect
// become a 500 without details, and are marked for logging.
export function toProblem(
  error: unknown,
  instance?: string,
  locale?: string,
): { problem: Problem; unexpected: boolean } {
  if (error instanceof DomainError) return { problem: problemFor(error, instance, locale), unexpected: false };
  const known = knownError(error) ?? dataError(error) ?? dependencyFailure(error);
  if (known) return { problem: problemFor(known, instance, locale), unexpected: false };
  return { problem: problemFor(new DomainError(ErrorCode.Internal), instance, locale), unexpected: true };
}

function knownError(error: unknown): DomainError | null {
  if (error instanceof HttpException) {
    // Fastify's own request errors arrive wrapped, with the original as cause.
    const cause = fastifyError(error.cause);
    if (cause) return cause;
    switch (error.getStatus() as HttpStatus) {
      case HttpStatus.NOT_FOUND:
        return new DomainError(ErrorCode.RouteNotFound);
      case HttpStatus.METHOD_NOT_ALLOWED:
        return new DomainError(ErrorCode.MethodNotAllowed);
      case HttpStatus.PAYLOAD_TOO_LARGE:
        return new DomainError(ErrorCode.PayloadTooLarge);
      case HttpStatus.UNSUPPORTED_MEDIA_TYPE:
        return new DomainError(ErrorCode.UnsupportedMediaType);
      case HttpStatus.UNAUTHORIZED:
        return new DomainError(ErrorCode.Unauthenticated);
      case HttpStatus.FORBIDDEN:
        return new DomainError(ErrorCode.Forbidden);
      case HttpStatus.BAD_REQUEST:
        return new DomainError(ErrorCode.ValidationFailed, error.message);
      default:
        return null;
    }
  }
  return fastifyError(error);
}

// A dependency that is down or too slow answers 503 with a time to retry,
// never 500: the request did nothing and may be sent again.
export function dependencyFailure(error: unknown): DomainError | null {
  switch (databaseFailure(error)) {
    case 'unavailable':
      return serviceUnavailable(
        /*i18n*/ { id: 'detail.database-unavailable', message: 'The database is not available' },
        { dependency: 'database' },
      );
    case 'timeout':
      return serviceUnavailable(
        /*i18n*/ { id: 'detail.database-timeout', message: 'The database did not answer in time' },
        { dependency: 'database' },
      );
    case null:
      return null;
  }
}

// Errors raised by Fastify while reading the request, before any handler runs.
function fastifyError(error: unknown): DomainError | null {
  const fastify = error as { code?: unknown; statusCode?: unknown; message?: unknown } | null;
  if (fastify && typeof fastify === 'object') {
    switch (fastify.code) {
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return new DomainError(
          ErrorCode.MalformedJson,
          /*i18n*/ { id: 'detail.body-empty', message: 'The body is empty' },
        );
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
        return new DomainError(ErrorCode.MalformedJson);
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return new DomainError(ErrorCode.UnsupportedMediaType);
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return new DomainError(ErrorCode.PayloadTooLarge);
      case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
        return new DomainError(
          ErrorCode.ValidationFailed,
          /*i18n*/ {
            id: 'detail.content-length',
            message: 'Content-Length does not match the body',
          },
        );
      case 'FST_ERR_NOT_FOUND':
        return new DomainError(ErrorCode.RouteNotFound);
      case 'FST_ERR_BAD_URL':
        return new DomainError(
          ErrorCode.ValidationFailed,
          /*i18n*/ { id: 'detail.bad-url', message: 'The URL is not valid' },
        );
      case 'FST_ERR_MAX_PARAM_LENGTH':
        return new DomainError(
          ErrorCode.ValidationFailed,
          /*i18n*/ {
            id: 'detail.path-too-long',
            message: 'A part of the path is too long',
          },
        );
    }
    // JSON.parse failures from the body parser carry a 400 and no code.
    if (fastify.statusCode === 400 && error instanceof SyntaxError) return new DomainError(ErrorCode.MalformedJson);
  }
  return null;
}

// PostgreSQL's class 22 (data exception: a value out of range, malformed
// text for a type, a NUL byte) can only come from input that validation
// should have refused; if one slips through, it is still the client's input.
function dataError(error: unknown): DomainError | null {
  const code = postgresCode(error);
  return code?.startsWith('22')
    ? new DomainError(
        ErrorCode.ValidationFailed,
        /*i18n*/ {
          id: 'detail.value-malformed',
          message: 'A value in the request is out of range or malformed',
        },
      )
    : null;
}

// The SQLSTATE of a database error, as node-postgres or Prisma's driver adapter carries it.
function postgresCode(error: unknown): string | null {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const e = current as {
      code?: unknown;
      originalCode?: unknown;
      meta?: { code?: unknown; driverAdapterError?: unknown };
      cause?: unknown;
    };
    for (const candidate of [e.originalCode, e.code, e.meta?.code]) {
      if (typeof candidate === 'string' && /^[0-9A-Z]{5}$/.test(candidate) && !candidate.startsWith('P'))
        return candidate;
    }
    current = e.meta?.driverAdapterError ?? e.cause;
  }
  return null;
}
