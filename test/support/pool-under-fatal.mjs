// Run as a child process by the connection-error fault test: one pool client
// finishes a query and is handed to a waiting caller just as PostgreSQL's
// FATAL arrives. `bare`: a plain pg.Pool, with the listeners @prisma/adapter-pg
// attaches. `guarded`: the project's pool (dist/, built by npm test).
import pg from 'pg';
import { createPool } from '../../dist/libs/db/src/database-pool.js';

const [mode, port] = process.argv.slice(2);
const config = { host: '127.0.0.1', port: Number(port), user: 'u', database: 'd', max: 1 };
const pool =
  mode === 'guarded' ? createPool(config, (error) => console.log(`handled ${error.code}`)) : new pg.Pool(config);
if (mode === 'bare') pool.on('error', () => undefined);

const first = pool.query('SELECT 1').then(
  () => console.log('first query answered'),
  (error) => console.log(`first query failed: ${error.message}`),
);
// As the adapter starts a transaction: wait for a client, then listen for its errors.
const second = pool.connect().then(
  (client) => {
    client.on('error', () => undefined);
    client.release(true);
  },
  (error) => console.log(`second connect failed: ${error.message}`),
);
await Promise.allSettled([first, second]);
await new Promise((resolve) => setTimeout(resolve, 200));
console.log('survived');
await pool.end().catch(() => undefined);
