import pg from 'pg';

export interface DatabaseTimeouts {
  // Longest one statement may run, and wait for a row lock.
  statementMs: number;
  lockMs: number;
  // Longest a caller waits for a free connection.
  acquireMs: number;
  // Longest one interactive transaction may stay open.
  transactionMs: number;
}

// A pg pool whose every client has an error listener for its whole life.
// pg-pool takes its own idle listener off a client while handing it to a
// waiting caller, who attaches theirs a moment later; a connection error that
// arrives in between (PostgreSQL restarting: FATAL 57P01) would otherwise be
// an unhandled 'error' event, and end the process.
export function createPool(config: pg.PoolConfig, onError: (error: Error) => void): pg.Pool {
  return listenForErrors(new pg.Pool(config), onError);
}

// Whether this process is stopping in order. Its database connections then
// end as part of the stop (the embedded server may stop before the pools do:
// a Ctrl-C or a signal to the whole process group reaches PostgreSQL too),
// which is not a failure worth a warning and a stack per connection.
let stopping = false;
export function markDatabaseStopping(): void {
  stopping = true;
}

interface ConnectionLog {
  warn(details: object, message: string): void;
  log(message: string): void;
}

// How long a connection ended by the server's shutdown (57P01) waits to be
// reported: a Ctrl-C reaches the embedded PostgreSQL and this process at once,
// and the database may act on it first.
export const SHUTDOWN_GRACE_MS = 2000;

// The error listener of one component's pool: a lost connection is a warning
// with its error while the process runs; during an orderly stop, one info
// line for the component, however many connections end.
export function connectionErrors(component: string, log: ConnectionLog): (error: Error) => void {
  let said = false;
  const report = (error: Error) => {
    if (!stopping) {
      log.warn({ err: error }, `${component}: connection lost`);
      return;
    }
    if (said) return;
    said = true;
    log.log(`${component}: connections closed as the process stops (${error.message})`);
  };
  return (error) => {
    if (stopping || (error as { code?: unknown }).code !== '57P01') return report(error);
    setTimeout(() => report(error), SHUTDOWN_GRACE_MS).unref();
  };
}

function listenForErrors<P extends pg.Pool>(pool: P, onError: (error: Error) => void): P {
  pool.on('error', onError);
  pool.on('connect', (client) => client.on('error', onError));
  return pool;
}

// Settings of one connection: server-side limits, so a statement stuck behind
// a lock is cancelled by PostgreSQL itself rather than holding a connection
// (and the request) until the lock goes.
function connectionSettings(url: string, max: number, timeouts?: DatabaseTimeouts): pg.PoolConfig {
  // TCP keepalive notices a peer that vanished (a cut network, a failed-over host).
  const base = { connectionString: url, max, keepAlive: true, keepAliveInitialDelayMillis: 10_000 };
  if (!timeouts) return base;
  return {
    ...base,
    statement_timeout: Math.min(timeouts.statementMs, timeouts.transactionMs),
    lock_timeout: timeouts.lockMs,
    // A transaction left open by a client that went away keeps its locks no longer than this.
    idle_in_transaction_session_timeout: timeouts.transactionMs,
    connectionTimeoutMillis: timeouts.acquireMs,
  };
}

// Interactive transactions take connections from this pool; single statements
// (reads, and writes of one statement) from a pool of their own. Writers
// queued behind a locked row can then hold every transaction connection and
// still leave reads theirs. @prisma/adapter-pg starts a transaction with
// `connect()` and runs every other statement with `query()`.
export class TransactionPool extends pg.Pool {
  constructor(
    config: pg.PoolConfig,
    readonly statements: pg.Pool,
  ) {
    super(config);
    this.query = statements.query.bind(statements);
  }

  async endAll(): Promise<void> {
    await Promise.all([this.end(), this.statements.end()]);
  }
}

// The pools behind one PrismaClient: `poolSize` connections for single
// statements, and as many for transactions.
export function createDatabasePools(
  options: { url: string; poolSize: number; timeouts?: DatabaseTimeouts },
  onError: (error: Error) => void,
): TransactionPool {
  const settings = connectionSettings(options.url, options.poolSize, options.timeouts);
  return listenForErrors(new TransactionPool(settings, createPool(settings, onError)), onError);
}
