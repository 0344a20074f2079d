import { dropDatabase, ensureDatabase, startEmbeddedPostgres, withDatabase } from '@rejoinder/db';
import type { EmbeddedServer } from '@rejoinder/db';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

export interface OwnPostgres {
  // The test's database on that server.
  url: string;
  port: number;
  // Fast shutdown (sessions get FATAL 57P01), as `pg_ctl stop -m fast` does.
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

// A PostgreSQL of one test's own, which the test may stop and start without
// touching the run's shared server. Ports sit 30 above TEST_PG_PORT, one per
// spec (`slot`), so parallel runs with their own TEST_PG_PORT do not meet.
export async function startOwnPostgres(slot: number): Promise<OwnPostgres> {
  const port = Number(process.env.TEST_PG_PORT ?? 54339) + 30 + slot;
  const dir = join(process.cwd(), '.data', `own-postgres-${port}`);
  let server: EmbeddedServer | null = await startEmbeddedPostgres({ dir, port });
  const name = `rejoinder_own_${Date.now()}_${randomBytes(3).toString('hex')}`;
  await ensureDatabase(server.serverUrl, name);
  const serverUrl = server.serverUrl;
  return {
    url: withDatabase(serverUrl, name),
    port,
    stop: async () => {
      await server?.stop();
      server = null;
    },
    start: async () => {
      server ??= await startEmbeddedPostgres({ dir, port });
    },
    close: async () => {
      if (!server) server = await startEmbeddedPostgres({ dir, port });
      await dropDatabase(serverUrl, name).catch(() => undefined);
      await server.stop();
      server = null;
    },
  };
}
