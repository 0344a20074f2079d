// The benchmark databases: made on BENCH_DATABASE_SERVER, named by the run.
import pg from 'pg';

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
