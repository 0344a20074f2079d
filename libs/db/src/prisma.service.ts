import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { PrismaPg } from '@prisma/adapter-pg';
import type pg from 'pg';
import { PrismaClient } from './generated/prisma/client.js';
import { connectionErrors, createDatabasePools, DatabaseTimeouts, TransactionPool } from './database-pool.js';
import { databaseFailure } from './database-errors.js';

export const DATABASE_OPTIONS = Symbol('DATABASE_OPTIONS');

const tracer = trace.getTracer('rejoinder');

// A span around one statement sent on the driver (Prisma traces its own), in
// the caller's trace; a no-op unless tracing is configured.
function traced<T>(name: string, text: string, run: () => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(
    name,
    { kind: SpanKind.CLIENT, attributes: { 'db.query.text': text } },
    async (span) => {
      try {
        return await run();
      } catch (error) {
        span.setStatus({ code: SpanStatusCode.ERROR });
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

export interface DatabaseOptions {
  url: string;
  poolSize: number;
  // Unset (admin commands): no limit on how long the work may take.
  timeouts?: DatabaseTimeouts;
}

// Prisma 7 with the node-postgres driver adapter (no query engine binary), on
// pools built here: every connection has an error listener for its whole
// life, waits are bounded, and transactions have connections of their own.
@Injectable()
export class PrismaService extends PrismaClient implements OnModuleDestroy {
  private readonly pool: TransactionPool;

  constructor(@Inject(DATABASE_OPTIONS) options: DatabaseOptions) {
    const logger = new Logger('Database');
    // A lost connection is replaced on the next request; the statement that
    // was using it fails and answers 503.
    const pool = createDatabasePools(options, connectionErrors('Database', logger));
    const { timeouts } = options;
    super({
      adapter: new PrismaPg(pool),
      // Prisma's own limits sit just behind the pool's, so the pool reports first.
      ...(timeouts
        ? { transactionOptions: { maxWait: timeouts.acquireMs + 500, timeout: timeouts.transactionMs } }
        : {}),
    });
    this.pool = pool;
  }

  // A read of one statement on the driver directly (ADR 26), for the hot
  // reads: the pool of single statements, with the same connections, limits
  // and error handling as Prisma's own single statements, traced as `db:query`.
  read<R>(statement: { text: string; values: unknown[] }): Promise<{ rows: R[] }> {
    return traced('db:query', statement.text, async () => {
      const { rows } = await this.pool.statements.query(statement.text, statement.values);
      return { rows: rows as R[] };
    });
  }

  // A write of one statement that may wait on a row lock (ADR 26), on a
  // connection of the transaction pool: writers queued behind a lock leave
  // the statement pool to reads, as transactions do. A connection that failed
  // is dropped rather than handed out again.
  // Traced as `db:write`.
  write<R>(statement: { text: string; values: unknown[] }): Promise<{ rows: R[] }> {
    return traced('db:write', statement.text, async () => {
      const client = await this.pool.connect();
      let failure: unknown;
      try {
        const { rows } = await client.query(statement.text, statement.values);
        return { rows: rows as R[] };
      } catch (error) {
        failure = error;
        throw error;
      } finally {
        client.release(
          failure !== undefined && databaseFailure(failure) === 'unavailable' ? (failure as Error) : undefined,
        );
      }
    });
  }

  // Connections lent out, idle, and requests waiting for one, over the
  // statement and transaction pools (for metrics).
  poolStats(): { in_use: number; idle: number; waiting: number } {
    const pools = [this.pool, this.pool.statements];
    const sum = (read: (pool: pg.Pool) => number) => pools.reduce((n, pool) => n + read(pool), 0);
    const idle = sum((pool) => pool.idleCount);
    return { in_use: sum((pool) => pool.totalCount) - idle, idle, waiting: sum((pool) => pool.waitingCount) };
  }

  async onModuleDestroy(): Promise<void> {
    await this.$disconnect();
    await this.pool.endAll();
  }
}
