import { DynamicModule, Global, Module } from '@nestjs/common';
import { DatabaseHealthRepository } from './database-health.repository.js';
import { DATABASE_OPTIONS, DatabaseOptions, PrismaService } from './prisma.service.js';

@Global()
@Module({})
export class DbModule {
  static forRoot(options: DatabaseOptions): DynamicModule {
    return {
      module: DbModule,
      providers: [{ provide: DATABASE_OPTIONS, useValue: options }, PrismaService, DatabaseHealthRepository],
      exports: [PrismaService, DatabaseHealthRepository],
    };
  }
}
