export * from './prisma.service.js';
export * from './db.module.js';
export * from './database-health.repository.js';
export * from './database.js';
export * from './embedded-postgres.js';
export { Prisma } from './generated/prisma/client.js';
export type { PrismaClient } from './generated/prisma/client.js';
export * from './generated/prisma/enums.js';
export * from './migrations/migrator.js';
