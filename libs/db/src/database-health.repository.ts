import { Injectable } from '@nestjs/common';
import { PrismaService } from './prisma.service.js';

// The readiness probe's one question to the database.
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
}
