import { createHash, randomBytes } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import {
  applyMigrations,
  createMigration,
  diffMigrationsToSchema,
  MIGRATION_LOCKFILE_CONTENT,
  type MigrationOptions,
} from './migrator.js';
import { createDatabase, databaseUrlFor, dropDatabase } from './schema-engine.js';

// The server the scratch databases go on.
// The run's server (Jest's global setup: the embedded PostgreSQL 18, or
// DATABASE_URL's server), so the engine is exercised on what users run.
export function testServerUrl(): string {
  const url = process.env.TEST_SERVER_URL;
  if (!url) throw new Error('TEST_SERVER_URL is not set: run the tests through Jest');
  return url;
}

const projectRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const scratchDatabases: string[] = [];
const tempDirs: string[] = [];

async function scratchDatabase(): Promise<string> {
  const name = `migrator_spec_${Date.now()}_${randomBytes(4).toString('hex')}`;
  await createDatabase(testServerUrl(), name);
  scratchDatabases.push(name);
  return databaseUrlFor(testServerUrl(), name);
}

async function query<R extends pg.QueryResultRow>(url: string, sql: string): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(sql)).rows;
  } finally {
    await client.end();
  }
}

// A copy of prisma/ to change without touching the repository's.
async function projectCopy(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'migrator-spec-'));
  tempDirs.push(root);
  await cp(join(projectRoot, 'prisma/schema.prisma'), join(root, 'prisma/schema.prisma'));
  await cp(join(projectRoot, 'prisma/migrations'), join(root, 'prisma/migrations'), { recursive: true });
  return root;
}

async function writeMigration(root: string, folder: string, sql: string): Promise<void> {
  await mkdir(join(root, 'prisma/migrations', folder));
  await writeFile(join(root, 'prisma/migrations', folder, 'migration.sql'), sql);
}

// Records the engine's shadow databases, to check they are gone afterwards.
function shadowLog(): { log: (msg: string) => void; created: string[]; dropped: string[] } {
  const created: string[] = [];
  const dropped: string[] = [];
  const log = (msg: string) => {
    const match = /^(Created|Dropped) shadow database (\S+)$/.exec(msg);
    if (match) (match[1] === 'Created' ? created : dropped).push(match[2]);
  };
  return { log, created, dropped };
}

async function existingDatabases(names: string[]): Promise<string[]> {
  const rows = await query<{ datname: string }>(testServerUrl(), 'SELECT datname FROM pg_database');
  return rows.map((row) => row.datname).filter((name) => names.includes(name));
}

afterAll(async () => {
  for (const name of scratchDatabases) await dropDatabase(testServerUrl(), name);
  for (const dir of tempDirs) await rm(dir, { recursive: true, force: true });
});

describe('migrator', () => {
  it('applies the migrations once, in a _prisma_migrations table prisma migrate deploy recognises', async () => {
    const databaseUrl = await scratchDatabase();
    const migrationsDir = join(projectRoot, 'prisma/migrations');
    const folders = (await readdir(migrationsDir, { withFileTypes: true }))
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
    expect(folders.length).toBeGreaterThan(0);
    expect(await readFile(join(migrationsDir, 'migration_lock.toml'), 'utf8')).toBe(MIGRATION_LOCKFILE_CONTENT);

    expect(await applyMigrations({ databaseUrl, projectRoot })).toEqual(folders);

    const tables = await query<{ table_name: string }>(
      databaseUrl,
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'",
    );
    expect(tables.map((row) => row.table_name)).toEqual(
      expect.arrayContaining(['users', 'articles', 'comments', 'article_events', '_prisma_migrations']),
    );
    const rows = await query<{
      migration_name: string;
      checksum: string;
      finished_at: Date | null;
      rolled_back_at: Date | null;
      applied_steps_count: number;
    }>(
      databaseUrl,
      'SELECT migration_name, checksum, finished_at, rolled_back_at, applied_steps_count FROM _prisma_migrations ORDER BY migration_name',
    );
    // migrate deploy compares the checksum with the file's SHA-256.
    const expected = await Promise.all(
      folders.map(async (folder) => ({
        migration_name: folder,
        checksum: createHash('sha256')
          .update(await readFile(join(migrationsDir, folder, 'migration.sql')))
          .digest('hex'),
        finished_at: expect.any(Date),
        rolled_back_at: null,
        applied_steps_count: 1,
      })),
    );
    expect(rows).toEqual(expected);

    expect(await applyMigrations({ databaseUrl, projectRoot })).toEqual([]);
    expect(await diffMigrationsToSchema({ databaseUrl, projectRoot })).toBe('');
  });

  it('lets one of two concurrent runs apply the migrations, and the other find nothing to do', async () => {
    const databaseUrl = await scratchDatabase();
    const runs = await Promise.all([
      applyMigrations({ databaseUrl, projectRoot }),
      applyMigrations({ databaseUrl, projectRoot }),
    ]);
    const applied = runs.flat();
    expect(applied.length).toBeGreaterThan(0);
    expect(new Set(applied).size).toBe(applied.length);
    expect(runs.some((names) => names.length === 0)).toBe(true);
  });

  it('writes a migration for a schema change, applies it, then has nothing more to write', async () => {
    const databaseUrl = await scratchDatabase();
    const root = await projectCopy();
    const shadows = shadowLog();
    const opts: MigrationOptions = { databaseUrl, projectRoot: root, log: shadows.log };
    await applyMigrations(opts);
    const schemaPath = join(root, 'prisma/schema.prisma');
    await writeFile(
      schemaPath,
      `${await readFile(schemaPath, 'utf8')}\nmodel Tag {\n  id   Int    @id\n  name String @unique\n\n  @@map("tags")\n}\n`,
    );

    const folder = await createMigration('add_tags', opts);

    expect(folder).not.toBeNull();
    expect(basename(folder!)).toMatch(/^\d{14}_add_tags$/);
    expect(await readFile(join(folder!, 'migration.sql'), 'utf8')).toContain('CREATE TABLE "tags"');
    expect(await readFile(join(root, 'prisma/migrations/migration_lock.toml'), 'utf8')).toBe(
      MIGRATION_LOCKFILE_CONTENT,
    );
    expect(await applyMigrations(opts)).toEqual([basename(folder!)]);
    expect(await diffMigrationsToSchema(opts)).toBe('');
    expect(await createMigration('nothing_new', opts)).toBeNull();

    expect(shadows.created.length).toBeGreaterThan(0);
    expect(shadows.dropped).toEqual(shadows.created);
    expect(await existingDatabases(shadows.created)).toEqual([]);
  });

  it('runs each migration script whole: dollar-quoted bodies work, and a failing script leaves nothing behind', async () => {
    const databaseUrl = await scratchDatabase();
    const root = await projectCopy();
    await writeMigration(
      root,
      '29990101000000_functions',
      "CREATE FUNCTION twice(n int) RETURNS int AS $$ BEGIN RETURN n * 2; END; $$ LANGUAGE plpgsql;\nCREATE TABLE notes (body text DEFAULT 'a;b');\n",
    );
    await applyMigrations({ databaseUrl, projectRoot: root });
    expect(await query<{ twice: number }>(databaseUrl, 'SELECT twice(21)')).toEqual([{ twice: 42 }]);

    await writeMigration(root, '29990102000000_broken', 'CREATE TABLE half_done (id int);\nSELECT 1 / 0;\n');
    await expect(applyMigrations({ databaseUrl, projectRoot: root })).rejects.toThrow(/division by zero/);
    expect(await query(databaseUrl, "SELECT 1 FROM information_schema.tables WHERE table_name = 'half_done'")).toEqual(
      [],
    );
  });

  it('drops the shadow database when replaying the migrations fails', async () => {
    const databaseUrl = await scratchDatabase();
    const root = await projectCopy();
    await writeMigration(root, '29990101000000_broken', 'CREATE TABLE oops (;\n');
    const shadows = shadowLog();

    await expect(diffMigrationsToSchema({ databaseUrl, projectRoot: root, log: shadows.log })).rejects.toThrow(
      /29990101000000_broken/,
    );

    expect(shadows.created).toHaveLength(1);
    expect(await existingDatabases(shadows.created)).toEqual([]);
  });

  it('accepts only letters, digits and underscores in a migration name', async () => {
    // Checked before any connection: this URL would fail if it were used.
    const opts = { databaseUrl: 'postgresql://nobody@127.0.0.1:1/none', projectRoot };
    for (const name of ['', 'add-tags', 'add tags', '../escape', 'x'.repeat(201)]) {
      await expect(createMigration(name, opts)).rejects.toThrow(/Invalid migration name/);
    }
  });
});
