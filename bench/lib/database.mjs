// The benchmark databases: made on BENCH_DATABASE_SERVER, named by the run.
import pg from 'pg';
import { sleep } from './processes.mjs';

export const DEFAULT_DATABASE_SERVER = 'postgresql://postgres@127.0.0.1:5432/postgres';

// The URL of database `name` on the server `server` points to.
export function databaseUrl(server, name) {
  const url = new URL(server);
  url.pathname = `/${name}`;
  return url.toString();
}

// One statement on the server's maintenance database (CREATE / DROP DATABASE).
export async function adminQuery(server, sql) {
  const client = new pg.Client({ connectionString: server });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

// Database names go into DDL as they are: plain identifiers only.
export function plainIdentifier(name, variable = 'BENCH_DB_NAME') {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`${variable} must be a plain identifier: ${name}`);
  return name;
}

// Waits (up to 30 s) until no statement runs on `probe`'s database (a
// connected pg client), then 300 ms more.
/** @param {import('pg').Client} probe */
export async function settle(probe) {
  for (let i = 0; i < 300; i += 1) {
    const { rows } = await probe.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid()`,
    );
    if (rows[0].n === 0) break;
    await sleep(100);
  }
  await sleep(300);
}
