// Preloaded into a server under test (`node --import ./bench/write/sql-log.mjs`)
// so the write benchmark can check that the baseline runs the statements the
// API runs, with the same parameters: SIGUSR2 starts recording every statement
// sent through node-postgres (Prisma's driver adapter included), its text and
// its values; a second SIGUSR2 writes them, one JSON line each
// ({ text, values }), to BENCH_SQL_LOG and stops. Costs one flag test per
// statement when not recording.
import { appendFileSync } from 'node:fs';
import pg from 'pg';

const file = process.env.BENCH_SQL_LOG;
let recording = null;
const query = pg.Client.prototype.query;
pg.Client.prototype.query = function (config, ...rest) {
  if (recording) {
    const text = typeof config === 'string' ? config : config?.text;
    const values = typeof config === 'string' ? rest[0] : (config?.values ?? rest[0]);
    if (typeof text === 'string') recording.push({ text, values: Array.isArray(values) ? values : [] });
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
  if (file) appendFileSync(file, done.map((s) => `${JSON.stringify(s)}\n`).join('') + '"--"\n');
});
