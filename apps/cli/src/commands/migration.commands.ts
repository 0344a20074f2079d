import { relative } from 'node:path';
import { applyMigrations, createMigration, diffMigrationsToSchema } from '@rejoinder/db';

export async function migrateCommand(databaseUrl: string): Promise<void> {
  const applied = await applyMigrations({ databaseUrl, log: (msg) => console.log(msg) });
  console.log(applied.length === 0 ? 'The database is up to date.' : `Applied ${applied.length} migration(s).`);
}

// Migrations as a step before another command (seed, admin:create, imports):
// what it applies goes to standard error, which keeps standard output for the
// command's result; an up-to-date database says nothing.
export async function migrateBefore(databaseUrl: string): Promise<void> {
  const applied = await applyMigrations({ databaseUrl, log: (msg) => console.error(msg) });
  if (applied.length > 0) console.error(`Applied ${applied.length} migration(s).`);
}

export async function newMigrationCommand(databaseUrl: string, name: string): Promise<void> {
  const folder = await createMigration(name, { databaseUrl, log: (msg) => console.log(msg) });
  if (folder === null) {
    console.log('schema.prisma and prisma/migrations already agree: no migration written.');
    return;
  }
  console.log(`Review ${relative(process.cwd(), folder)}/migration.sql, then apply it with: npm run db:migrate`);
}

export async function checkMigrationsCommand(databaseUrl: string): Promise<boolean> {
  const drift = await diffMigrationsToSchema({ databaseUrl });
  if (drift === '') {
    console.log('schema.prisma and prisma/migrations agree.');
    return true;
  }
  console.error('schema.prisma and prisma/migrations disagree. SQL that would take the migrations to the schema:\n');
  // The SQL alone on stdout, so it can be redirected into a file.
  console.log(drift);
  console.error('Create a migration for it with: npm run db:migration:new -- <name>');
  return false;
}
