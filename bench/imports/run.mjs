// npm run bench:import — a generated Disqus export of 100,000 comments imported
// by the command-line tool as a process, as a newsroom would run it: the time
// it takes and the peak memory (resident set) of the process, then a second
// run of the same file (everything already imported). Settings:
//
//   BENCH_DATABASE_SERVER   postgresql://postgres@127.0.0.1:5432/postgres
//   BENCH_IMPORT_POSTS      100000
//   BENCH_IMPORT_THREADS    2000
//   BENCH_IMPORT_HEAP_MIB   512      heap cap of the third run
//
// Writes bench/results/import.json. Traffic stays on 127.0.0.1.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { writeDisqusExport } from './disqus-export.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const env = process.env;
const SETTINGS = {
  server: env.BENCH_DATABASE_SERVER || 'postgresql://postgres@127.0.0.1:5432/postgres',
  posts: Number(env.BENCH_IMPORT_POSTS || 100_000),
  threads: Number(env.BENCH_IMPORT_THREADS || 2_000),
  cappedHeapMiB: Number(env.BENCH_IMPORT_HEAP_MIB || 512),
  dbName: 'rejoinder_bench_import',
};

async function admin(sql) {
  const client = new pg.Client({ connectionString: SETTINGS.server });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function databaseUrl(name) {
  const url = new URL(SETTINGS.server);
  url.pathname = `/${name}`;
  return url.toString();
}

// Peak resident set of a process: VmHWM from /proc, read until it exits.
function peakRssMiB(pid, peak) {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    if (match) peak.kib = Math.max(peak.kib, Number(match[1]));
  } catch {
    // Gone.
  }
}

async function importOnce(file, url, nodeFlags = []) {
  const started = process.hrtime.bigint();
  const child = spawn(
    process.execPath,
    [...nodeFlags, 'dist/apps/cli/src/main.js', 'import:disqus', file, '--create-articles'],
    {
      cwd: ROOT,
      env: { ...env, DATABASE_URL: url, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const peak = { kib: 0 };
  const timer = setInterval(() => peakRssMiB(child.pid, peak), 50);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => (stdout += c));
  child.stderr.on('data', (c) => (stderr += c));
  const code = await new Promise((resolve) => child.once('close', resolve));
  clearInterval(timer);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (code !== 0) throw new Error(`import exited ${code}: ${stderr.slice(-2000)}`);
  const summary = stdout
    .trim()
    .split('\n')
    .filter((l) => /^(Imported|Articles|Already|Skipped|Kept)/.test(l));
  const read = /Read .* in ([\d.]+) s/.exec(stderr);
  return {
    seconds: Number(seconds.toFixed(1)),
    readSeconds: read ? Number(read[1]) : null,
    peakRssMiB: Math.round(peak.kib / 1024),
    summary,
  };
}

async function main() {
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  const file = join(ROOT, 'bench/results', `disqus-${SETTINGS.posts}.xml`);
  const generated = await writeDisqusExport(file, { posts: SETTINGS.posts, threads: SETTINGS.threads });
  const bytes = statSync(file).size;
  console.error(
    `Generated ${file}: ${(bytes / 2 ** 20).toFixed(1)} MiB, ${generated.posts} posts, ${generated.threads} threads`,
  );
  await admin(`DROP DATABASE IF EXISTS ${SETTINGS.dbName} WITH (FORCE)`);
  await admin(`CREATE DATABASE ${SETTINGS.dbName}`);
  const url = databaseUrl(SETTINGS.dbName);
  try {
    // The first run also applies the migrations to the empty database.
    const first = await importOnce(file, url);
    console.error(`First import: ${first.seconds} s, peak RSS ${first.peakRssMiB} MiB`);
    const again = await importOnce(file, url);
    console.error(`Second import of the same file: ${again.seconds} s, peak RSS ${again.peakRssMiB} MiB`);
    // V8 lets the heap grow long before it collects: the same import with the
    // heap capped shows the memory the import really needs.
    await admin(`DROP DATABASE IF EXISTS ${SETTINGS.dbName} WITH (FORCE)`);
    await admin(`CREATE DATABASE ${SETTINGS.dbName}`);
    const capped = await importOnce(file, url, [`--max-old-space-size=${SETTINGS.cappedHeapMiB}`]);
    console.error(
      `First import, heap capped at ${SETTINGS.cappedHeapMiB} MiB: ${capped.seconds} s, peak RSS ${capped.peakRssMiB} MiB`,
    );
    const report = {
      at: new Date().toISOString(),
      settings: { posts: SETTINGS.posts, threads: SETTINGS.threads },
      file: { mib: Number((bytes / 2 ** 20).toFixed(1)), ...generated },
      first,
      again,
      capped: { heapMiB: SETTINGS.cappedHeapMiB, ...capped },
    };
    writeFileSync(join(ROOT, 'bench/results/import.json'), `${JSON.stringify(report, null, 2)}\n`);
    console.log(JSON.stringify(report, null, 2));
  } finally {
    await admin(`DROP DATABASE IF EXISTS ${SETTINGS.dbName} WITH (FORCE)`);
    rmSync(file, { force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
