import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from './generated/prisma/client.js';

export const DATABASE_OPTIONS = Symbol('DATABASE_OPTIONS');

export interface DatabaseOptions {
  url: string;
  poolSize: number;
}

// Prisma 7 with the node-postgres driver adapter (no query engine binary).
@Injectable()
export class PrismaService extends PrismaClient implements OnModuleDestroy {
  private readonly pool: pg.Pool;

  constructor(@Inject(DATABASE_OPTIONS) options: DatabaseOptions) {
    const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize });
    super({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
    this.pool = pool;
  }

  // Connections lent out, idle, and requests waiting for one (for metrics).
  poolStats(): { in_use: number; idle: number; waiting: number } {
    const { totalCount, idleCount, waitingCount } = this.pool;
    return { in_use: totalCount - idleCount, idle: idleCount, waiting: waitingCount };
  }

  async onModuleDestroy(): Promise<void> {
    await this.$disconnect();
  }
}
