import { defineConfig } from 'prisma/config';

// Used by the Prisma CLI (generate, and migrate where its engine can be downloaded).
// The application reads DATABASE_URL itself, or starts an embedded PostgreSQL.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://localhost:5432/rejoinder' },
});
