// npm run bench:write — what posting a comment costs one API node and
// PostgreSQL: posts per second, latency, and CPU per post in the API process
// and in the database backends serving it. See bench/README.md.
//
// Settings (environment):
//   BENCH_DATABASE_SERVER   postgresql://postgres@127.0.0.1:5432/postgres
//   BENCH_DB_NAME           rejoinder_bench_write (created at start, dropped at the end)
//   BENCH_CONNECTIONS       8      concurrent posting connections
//   BENCH_SECONDS           15     seconds measured
//   BENCH_WARMUP            3      seconds of warm-up
//   DATABASE_POOL_SIZE      10     the API's pool
import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { cpuSeconds, machineTicks, rssMiB, sleep } from '../live/lib.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const env = process.env;
const SETTINGS = {
  server: env.BENCH_DATABASE_SERVER || 'postgresql://postgres@127.0.0.1:5432/postgres',
  dbName: env.BENCH_DB_NAME || 'rejoinder_bench_write',
  connections: Number(env.BENCH_CONNECTIONS || 8),
  seconds: Number(env.BENCH_SECONDS || 15),
  warmup: Number(env.BENCH_WARMUP || 3),
  poolSize: Number(env.DATABASE_POOL_SIZE || 10),
};
const SLUG = 'putin-and-kim-jong-un-are-not-so-different';
const started = Date.now();
const log = (msg) => console.log(`[bench ${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s] ${msg}`);

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {net.AddressInfo} */ (srv.address());
      srv.close(() => resolve(port));
    });
  });
}

function databaseUrl(name) {
  const url = new URL(SETTINGS.server);
  url.pathname = `/${name}`;
  return url.toString();
}

async function admin(sql) {
  const client = new pg.Client({ connectionString: SETTINGS.server });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

// The database backends serving the bench database, and their CPU seconds.
async function backendCpu(client) {
  const { rows } = await client.query(
    'SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
    [SETTINGS.dbName],
  );
  let seconds = 0;
  for (const { pid } of rows) seconds += cpuSeconds(pid) || 0;
  return { seconds, backends: rows.length };
}

async function startApi(url) {
  const port = await freePort();
  const child = spawn(process.execPath, ['dist/apps/api/src/main.js'], {
    cwd: ROOT,
    env: {
      ...env,
      NODE_ENV: 'production',
      DATABASE_URL: url,
      DATABASE_POOL_SIZE: String(SETTINGS.poolSize),
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      JWT_SECRET: 'bench-write-jwt-secret-0123456789abcdef',
      RATE_COMMENTS_PER_USER: '1000000',
      RATE_COMMENTS_PER_NEW_USER: '1000000',
      RATE_COMMENTS_PER_IP: '1000000',
      // The load is the point here, not the automatic slow mode it would trigger.
      SLOW_MODE_AUTO_COMMENTS_PER_MINUTE: '0',
      SLOW_MODE_AUTO_REPORTS_PER_MINUTE: '0',
      RATE_AUTH_PER_IP: '1000000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c) => (output = (output + c.toString()).slice(-20_000)));
  child.stderr.on('data', (c) => (output = (output + c.toString()).slice(-20_000)));
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i += 1) {
    if (child.exitCode !== null) throw new Error(`the API exited:\n${output}`);
    const ready = await fetch(`${base}/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return { child, base, output: () => output };
    await sleep(100);
  }
  throw new Error(`the API did not become ready:\n${output}`);
}

async function register(base) {
  const username = `bench_${Date.now().toString(36)}`;
  const res = await fetch(`${base}/api/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, email: `${username}@example.test`, password: 'bench password 123' }),
  });
  if (res.status !== 201) throw new Error(`register: ${res.status} ${await res.text()}`);
  return /** @type {{ accessToken: string }} */ (await res.json()).accessToken;
}

// Every body differs across runs too (the duplicate check refuses repeats).
let sent = 0;

function post(base, token, seconds) {
  return autocannon({
    url: base,
    connections: SETTINGS.connections,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        path: `/api/articles/${SLUG}/comments`,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        setupRequest: (request) => {
          sent += 1;
          // 280 characters, as in bench:live.
          const body = `Comment ${sent} from the write benchmark. `.padEnd(280, 'lorem ipsum ');
          return { ...request, body: JSON.stringify({ body }) };
        },
      },
    ],
  });
}

async function main() {
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  await admin(`DROP DATABASE IF EXISTS ${SETTINGS.dbName} WITH (FORCE)`);
  await admin(`CREATE DATABASE ${SETTINGS.dbName}`);
  const url = databaseUrl(SETTINGS.dbName);
  const api = await startApi(url);
  const probe = new pg.Client({ connectionString: url });
  await probe.connect();
  try {
    const token = await register(api.base);
    log(`API ready at ${api.base}; warm-up ${SETTINGS.warmup} s`);
    await post(api.base, token, SETTINGS.warmup);

    const apiBefore = cpuSeconds(api.child.pid);
    const pgBefore = await backendCpu(probe);
    const machineBefore = machineTicks();
    log(`posting for ${SETTINGS.seconds} s over ${SETTINGS.connections} connections`);
    const result = await post(api.base, token, SETTINGS.seconds);
    const apiCpu = cpuSeconds(api.child.pid) - apiBefore;
    const pgAfter = await backendCpu(probe);
    const machineAfter = machineTicks();

    const posts = result['2xx'];
    const { rows } = await probe.query('SELECT count(*)::int AS n FROM comments');
    const report = {
      at: new Date().toISOString(),
      settings: SETTINGS,
      machine: { cpus: os.cpus().length, node: process.version, loadAverage: os.loadavg() },
      posts,
      non2xx: result.non2xx,
      statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, s]) => [code, s.count])),
      errors: result.errors,
      postsPerSecond: posts / SETTINGS.seconds,
      latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
      apiCpuMsPerPost: (apiCpu * 1000) / posts,
      apiCpuPercent: (apiCpu / SETTINGS.seconds) * 100,
      postgresCpuMsPerPost: ((pgAfter.seconds - pgBefore.seconds) * 1000) / posts,
      postgresCpuPercent: ((pgAfter.seconds - pgBefore.seconds) / SETTINGS.seconds) * 100,
      postgresBackends: pgAfter.backends,
      machineBusyPercent:
        ((machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total)) *
        100 *
        os.cpus().length,
      apiRssMiB: rssMiB(api.child.pid),
      commentsStored: rows[0].n,
    };
    const file = join(ROOT, `bench/results/write-${report.at.replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
    log(
      `${posts} posts (${report.postsPerSecond.toFixed(0)}/s; statuses ${JSON.stringify(report.statusCodes)}), ` +
        `p50 ${report.latencyMs.p50} ms, p99 ${report.latencyMs.p99} ms; ` +
        `API ${report.apiCpuMsPerPost.toFixed(2)} ms CPU/post (${report.apiCpuPercent.toFixed(0)} % of a core), ` +
        `PostgreSQL ${report.postgresCpuMsPerPost.toFixed(2)} ms CPU/post (${report.postgresCpuPercent.toFixed(0)} %), ` +
        `machine ${report.machineBusyPercent.toFixed(0)} % of one core busy in all; ${file}`,
    );
  } finally {
    await probe.end();
    api.child.kill('SIGTERM');
    await new Promise((resolve) => api.child.once('exit', resolve));
    await admin(`DROP DATABASE IF EXISTS ${SETTINGS.dbName} WITH (FORCE)`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
