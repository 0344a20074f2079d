// The database of `npm run dev` (scripts/dev.mjs): the embedded PostgreSQL
// under DATA_DIR, started once for the whole session in a process group of
// its own, the way the CLI and the API open it (libs/db). The API, restarted
// on every change, uses this running server instead of starting and stopping
// its own; and a Ctrl-C in the terminal reaches the API, which stops in order,
// not the database under it. Stops when dev.mjs goes (its IPC channel closes).
import { loadConfig } from '../../dist/libs/common/src/index.js';
import { openDatabase } from '../../dist/libs/db/src/index.js';

const config = loadConfig();
const database = await openDatabase(config, (message) => {
  if (message.startsWith('Using the embedded')) console.error(message);
});
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await database.stop();
  process.exit(0);
};
process.on('disconnect', () => void stop());
process.on('SIGTERM', () => void stop());
// In its own process group, a Ctrl-C does not reach it; dev.mjs ends it.
process.on('SIGINT', () => undefined);
process.send?.({ ready: true, url: new URL(database.url).host });
