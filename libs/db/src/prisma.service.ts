import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import type pg from 'pg';
import { PrismaClient } from './generated/prisma/client.js';

export const DATABASE_OPTIONS = Symbol('DATABASE_OPTIONS');

export interface DatabaseOptions {
  url: string;
  poolSize: number;
}

// Prisma 7 with the node-postgres driver adapter (no query engine binary).
@Injectable()
export class PrismaService extends PrismaClient implements OnModuleDestroy {
  private pool: pg.Pool | null = null;

  constructor(@Inject(DATABASE_OPTIONS) options: DatabaseOptions) {
    // The adapter makes and owns its pool; keep a handle on it for metrics.
    const factory = new PrismaPg({ connectionString: options.url, max: options.poolSize });
    const connect = factory.connect.bind(factory);
    super({ adapter: factory });
    factory.connect = async () => {
      const adapter = await connect();
      this.pool = adapter.underlyingDriver();
      return adapter;
    };
  }

  // Connections lent out, idle, and requests waiting for one (for metrics).
  poolStats(): { in_use: number; idle: number; waiting: number } {
    if (!this.pool) return { in_use: 0, idle: 0, waiting: 0 };
    const { totalCount, idleCount, waitingCount } = this.pool;
    return { in_use: totalCount - idleCount, idle: idleCount, waiting: waitingCount };
  }

  async onModuleDestroy(): Promise<void> {
    await this.$disconnect();
  }
}
