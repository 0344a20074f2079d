import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ensureDatabase, startEmbeddedPostgres, withDatabase } from '../libs/db/src/embedded-postgres.js';
import { applyMigrations } from '../libs/db/src/migrations/migrator.js';

// One fresh database per test run, on DATABASE_URL's server when it is set,
// else on an embedded PostgreSQL kept under .data/test-postgres. Tests isolate
// themselves by creating their own users and articles, so workers share it.
export default async function globalSetup(): Promise<void> {
  let serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const server = await startEmbeddedPostgres({
      dir: join(process.cwd(), '.data', 'test-postgres'),
      port: Number(process.env.TEST_PG_PORT ?? 54339),
    });
    (globalThis as Record<string, unknown>).__EMBEDDED_PG__ = server;
    serverUrl = server.serverUrl;
  }
  const name = `rejoinder_test_${Date.now()}_${randomBytes(3).toString('hex')}`;
  await ensureDatabase(serverUrl, name);
  const url = withDatabase(serverUrl, name);
  await applyMigrations({ databaseUrl: url });
  process.env.TEST_SERVER_URL = serverUrl;
  process.env.TEST_DATABASE_NAME = name;
  process.env.TEST_DATABASE_URL = url;
}
