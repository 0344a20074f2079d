import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import type pg from 'pg';
import { createPool } from './database-pool.js';
import { DATABASE_OPTIONS, PrismaService } from './prisma.service.js';
import type { DatabaseOptions } from './prisma.service.js';

const PING_TIMEOUT_MS = 2000;

// The readiness probe's one question to the database, on a connection of its
// own: a write path stuck behind a lock, or a pool busy with reads, does not
// make the probe wait, and the answer comes within two seconds.
@Injectable()
export class DatabaseHealthRepository implements OnModuleDestroy {
  private readonly pool: pg.Pool;

  constructor(
    @Inject(DATABASE_OPTIONS) options: DatabaseOptions,
    private readonly prisma: PrismaService,
  ) {
    const logger = new Logger('Database');
    this.pool = createPool(
      {
        connectionString: options.url,
        max: 1,
        connectionTimeoutMillis: PING_TIMEOUT_MS,
        statement_timeout: PING_TIMEOUT_MS,
        // A cut network answers nothing at all: give up on the client side too.
        query_timeout: PING_TIMEOUT_MS,
        // An idle probe connection is not kept: a restarted server is seen on the next probe.
        idleTimeoutMillis: 1000,
      },
      (error) => logger.debug({ err: error }, 'Readiness connection lost'),
    );
  }

  // False rather than an error: the caller decides what "down" means.
  async ping(): Promise<boolean> {
    try {
      await this.pool.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  poolStats(): { in_use: number; idle: number; waiting: number } {
    return this.prisma.poolStats();
  }

  async onModuleDestroy(): Promise<void> {
    await this.pool.end();
  }
}
