// Runs once per test run, before the workers. Jest loads this file outside its
// module system, so it uses the build in dist/ (npm test builds first).
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { applyMigrations, ensureDatabase, startEmbeddedPostgres, withDatabase } from '../dist/libs/db/src/index.js';

// One fresh database per test run, on DATABASE_URL's server when it is set,
// else on an embedded PostgreSQL kept under .data/test-postgres. Tests isolate
// themselves by creating their own users and articles, so workers share it.
export default async function globalSetup() {
  let serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const dir = join(process.cwd(), '.data', 'test-postgres');
    const port = Number(process.env.TEST_PG_PORT ?? 54339);
    const server = await startEmbeddedPostgres({ dir, port }).catch((error) => {
      throw new Error(
        `Could not start the embedded PostgreSQL in ${dir} on port ${port} (${error?.message ?? error}). ` +
          'Is another test run using it? Set DATABASE_URL to use another server, or TEST_PG_PORT.',
      );
    });
    globalThis.__EMBEDDED_PG__ = server;
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
