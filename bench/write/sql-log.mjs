// Preloaded into a server under test (`node --import ./bench/write/sql-log.mjs`)
// so the write benchmark can check that the baseline runs the statements the
// API runs: SIGUSR2 starts recording the text of every statement sent through
// node-postgres (Prisma's driver adapter included), a second SIGUSR2 writes
// them, one JSON line each, to BENCH_SQL_LOG and stops. Costs one flag test
// per statement when not recording.
import { appendFileSync } from 'node:fs';
import pg from 'pg';

const file = process.env.BENCH_SQL_LOG;
let recording = null;
const query = pg.Client.prototype.query;
pg.Client.prototype.query = function (config, ...rest) {
  if (recording) {
    const text = typeof config === 'string' ? config : config?.text;
    if (typeof text === 'string') recording.push(text);
  }
  return query.call(this, config, ...rest);
};
process.on('SIGUSR2', () => {
  if (!recording) {
    recording = [];
    return;
  }
  const done = recording;
  recording = null;
  if (file) appendFileSync(file, done.map((text) => `${JSON.stringify(text)}\n`).join('') + '"--"\n');
});
