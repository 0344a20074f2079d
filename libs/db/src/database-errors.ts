// Recognises the errors that mean "the database cannot serve this now" (as
// opposed to a bug or bad input), however they arrive: a Prisma error code,
// a driver adapter error, a PostgreSQL SQLSTATE, a socket error, or a message
// of pg / pg-pool. A caller answers these with 503 and a time to retry.
export type DatabaseFailure =
  // Not reachable, restarting, or the connection was cut.
  | 'unavailable'
  // Reachable but too slow: a statement, lock, pool or transaction timeout, or a deadlock.
  | 'timeout';

const PRISMA_CODES: Record<string, DatabaseFailure> = {
  P1001: 'unavailable', // can't reach the server
  P1002: 'timeout', // reached, but timed out
  P1008: 'timeout', // operation timed out
  P1017: 'unavailable', // server closed the connection
  P2024: 'timeout', // timed out fetching a connection from the pool
  P2028: 'timeout', // transaction could not start in time, or expired
  P2034: 'timeout', // write conflict or deadlock: retry
  P2037: 'unavailable', // too many connections
};

const ADAPTER_KINDS: Record<string, DatabaseFailure> = {
  DatabaseNotReachable: 'unavailable',
  ConnectionClosed: 'unavailable',
  SocketTimeout: 'timeout',
  TooManyConnections: 'unavailable',
  TransactionWriteConflict: 'timeout',
};

const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

function sqlState(code: string): DatabaseFailure | null {
  if (code.startsWith('08')) return 'unavailable'; // connection exception
  switch (code) {
    case '57P01': // admin_shutdown
    case '57P02': // crash_shutdown
    case '57P03': // cannot_connect_now (starting up, or in recovery)
    case '53300': // too_many_connections
    case '25P03': // idle_in_transaction_session_timeout
      return 'unavailable';
    case '57014': // query_canceled: statement_timeout
    case '55P03': // lock_not_available: lock_timeout
    case '40001': // serialization_failure
    case '40P01': // deadlock_detected
      return 'timeout';
    default:
      return null;
  }
}

const MESSAGES: [RegExp, DatabaseFailure][] = [
  [/timeout exceeded when trying to connect/i, 'timeout'],
  [/Connection terminated/i, 'unavailable'],
  [/is not queryable/i, 'unavailable'],
  [/Can't reach database server/i, 'unavailable'],
];

export function databaseFailure(error: unknown): DatabaseFailure | null {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0) {
    const current = queue.shift();
    if (!current || typeof current !== 'object' || seen.has(current)) continue;
    seen.add(current);
    const found = classify(current as Record<string, unknown>);
    if (found) return found;
    const { cause, meta } = current as { cause?: unknown; meta?: { driverAdapterError?: unknown } };
    queue.push(cause, meta?.driverAdapterError);
  }
  return null;
}

function classify(error: Record<string, unknown>): DatabaseFailure | null {
  const { code, originalCode, kind, message } = error;
  if (typeof code === 'string') {
    const found =
      PRISMA_CODES[code] ??
      (SOCKET_CODES.has(code) ? 'unavailable' : null) ??
      (/^[0-9A-Z]{5}$/.test(code) ? sqlState(code) : null);
    if (found) return found;
  }
  if (typeof originalCode === 'string') {
    const found = sqlState(originalCode) ?? (SOCKET_CODES.has(originalCode) ? 'unavailable' : null);
    if (found) return found;
  }
  if (typeof kind === 'string' && ADAPTER_KINDS[kind]) return ADAPTER_KINDS[kind];
  if (typeof message === 'string') {
    for (const [pattern, failure] of MESSAGES) if (pattern.test(message)) return failure;
  }
  return null;
}
