import { join } from 'node:path';
import { ensureDatabase, startEmbeddedPostgres, withDatabase } from './embedded-postgres.js';

export interface DatabaseHandle {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

export interface DatabaseSettings {
  DATABASE_URL?: string;
  DATA_DIR: string;
  EMBEDDED_PG_PORT: number;
}

// DATABASE_URL when it is set; otherwise an embedded PostgreSQL under
// DATA_DIR, started here or, when another process runs it already, shared.
export async function openDatabase(
  settings: DatabaseSettings,
  log: (message: string) => void = () => undefined,
): Promise<DatabaseHandle> {
  if (settings.DATABASE_URL) {
    return { url: settings.DATABASE_URL, embedded: false, stop: () => Promise.resolve() };
  }
  log(`DATABASE_URL is not set: using the embedded PostgreSQL in ${join(settings.DATA_DIR, 'postgres')}`);
  const server = await startEmbeddedPostgres({
    dir: join(settings.DATA_DIR, 'postgres'),
    port: settings.EMBEDDED_PG_PORT,
    log,
  });
  await ensureDatabase(server.serverUrl, 'rejoinder');
  // Only the process that started the server stops it.
  return { url: withDatabase(server.serverUrl, 'rejoinder'), embedded: true, stop: () => server.stop() };
}
