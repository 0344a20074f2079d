import { ErrorCode } from './error-codes.js';
import type { ErrorEntry } from './error-descriptions.js';

// What a request can get wrong before any feature sees it, the realtime
// doors' own refusals, and the service's own failures.
export const requestsErrors = {
  [ErrorCode.ValidationFailed]: {
    status: 400,
    title: /*i18n*/ { id: 'problem.ValidationFailed', message: 'The request is not valid' },
  },
  [ErrorCode.UnknownFields]: {
    status: 400,
    title: /*i18n*/ { id: 'problem.UnknownFields', message: 'The request has fields that are not accepted' },
  },
  [ErrorCode.MalformedJson]: {
    status: 400,
    title: /*i18n*/ { id: 'problem.MalformedJson', message: 'The request body is not valid JSON' },
  },
  [ErrorCode.UnsupportedMediaType]: {
    status: 415,
    title: /*i18n*/ { id: 'problem.UnsupportedMediaType', message: 'The request body must be application/json' },
  },
  [ErrorCode.PayloadTooLarge]: {
    status: 413,
    title: /*i18n*/ { id: 'problem.PayloadTooLarge', message: 'The request body is too large' },
  },
  [ErrorCode.InvalidCursor]: {
    status: 400,
    title: /*i18n*/ { id: 'problem.InvalidCursor', message: 'The cursor is not valid for this list' },
  },
  [ErrorCode.RouteNotFound]: { status: 404, title: /*i18n*/ { id: 'problem.RouteNotFound', message: 'No such route' } },
  [ErrorCode.MethodNotAllowed]: {
    status: 405,
    title: /*i18n*/ { id: 'problem.MethodNotAllowed', message: 'Method not allowed' },
  },
  [ErrorCode.UnknownEvent]: { status: 400, title: /*i18n*/ { id: 'problem.UnknownEvent', message: 'No such event' } },
  [ErrorCode.RateLimited]: {
    status: 429,
    title: /*i18n*/ { id: 'problem.RateLimited', message: 'Too many requests; slow down' },
  },
  [ErrorCode.PostingBusy]: {
    status: 429,
    title: /*i18n*/ {
      id: 'problem.PostingBusy',
      message: 'Too many comments are being posted right now; send it again in a moment',
    },
  },
  [ErrorCode.OriginNotAllowed]: {
    status: 403,
    title: /*i18n*/ { id: 'problem.OriginNotAllowed', message: 'This origin may not connect' },
  },
  [ErrorCode.ReplayInProgress]: {
    status: 429,
    title: /*i18n*/ {
      id: 'problem.ReplayInProgress',
      message: 'The last catch-up has not been read yet; subscribe with after once it has',
    },
  },
  [ErrorCode.TooManyConnections]: {
    status: 429,
    title: /*i18n*/ { id: 'problem.TooManyConnections', message: 'Too many open connections from this address' },
  },
  [ErrorCode.OneSocketPerConnection]: {
    status: 400,
    title: /*i18n*/ {
      id: 'problem.OneSocketPerConnection',
      message: 'A connection holds one socket; open another connection for another',
    },
  },
  [ErrorCode.ServiceUnavailable]: {
    status: 503,
    title: /*i18n*/ { id: 'problem.ServiceUnavailable', message: 'The service is not ready' },
  },
  [ErrorCode.Internal]: {
    status: 500,
    title: /*i18n*/ { id: 'problem.Internal', message: 'Something went wrong on our side' },
  },
} satisfies Partial<Record<ErrorCode, ErrorEntry>>;
