import { Injectable } from '@nestjs/common';
import { PrismaService } from './prisma.service.js';

// The readiness probe's one question to the database, and the pool's state for metrics.
@Injectable()
export class DatabaseHealthRepository {
  constructor(private readonly prisma: PrismaService) {}

  // False rather than an error: the caller decides what "down" means.
  async ping(): Promise<boolean> {
    try {
      await this.prisma.$queryRaw`SELECT 1`;
      return true;
    } catch {
      return false;
    }
  }

  poolStats(): { in_use: number; idle: number; waiting: number } {
    return this.prisma.poolStats();
  }
}
