// npm run bench:live — live-updates benchmark: post-to-delivery latency,
// server CPU per delivery, memory per idle connection and loss of the API's
// socket.io gateway, against a bare socket.io baseline. See bench/README.md.
//
// Settings (environment):
//   BENCH_DATABASE_SERVER   postgresql://postgres@127.0.0.1:5432/postgres
//   BENCH_DB_NAME           rejoinder_bench_live (created at start, dropped at the end)
//   BENCH_KEEP_DB=1         keep the database at the end
//   BENCH_SIZES             1000,5000   subscriber counts (10000: the one-node target)
//   BENCH_TARGETS           api,baseline
//   BENCH_RATE              1000:20,5000:4,10000:2  comments per second: one rate, or size:rate
//                                  pairs (the default keeps 20,000 deliveries/s at every size)
//   BENCH_SECONDS           20     seconds of posting per measured phase
//   BENCH_FANOUT_WARMUP_SECONDS 3  seconds of posting to the connected subscribers before
//                                  the measured phases (not measured)
//   BENCH_BODY_CHARS        280    comment body length (stamp + padding)
//   BENCH_SOCKETS_PER_PROCESS 500  sockets per subscriber process
//   BENCH_DROP=0            skip the drop runs (default: on, with the first size and 10000)
//   BENCH_DROP_SIZES        sizes with a drop run (default: the first size, and 10000 if run)
//   BENCH_DROP_EVERY        10     every 10th socket (10 %) drops
//   BENCH_DROP_DOWN_MS      2000   how long a dropped socket stays away
//   BENCH_CPU_PROF=1        run the servers with --cpu-prof (profiles in bench/results/)
//   BENCH_API_NODE_FLAGS    more Node.js flags for the API, after package.json's start
//                                  script's (e.g. --trace-gc, --max-semi-space-size=32)
//   BENCH_HEAP_PROF=1       sample the servers' allocations during each phase, garbage
//                                  included (.heapprofile files in bench/results/)
//   BENCH_PIN=0             do not pin (default: server on core 0, load generator on core 1)
//   BENCH_LOG_LEVEL         warn   the API's LOG_LEVEL
//   BENCH_MAX_SECONDS       600    hard stop for the whole run
//   BENCH_STRICT=1          exit 1 when a target is not met
import { execFileSync, fork, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import { apiNodeFlags } from '../../scripts/api-node-flags.mjs';
import { io } from 'socket.io-client';
import { CLK_TCK, cpuSeconds, machineTicks, memory, openFilesLimit, postgresCpuSeconds, rssMiB } from '../lib/cpu.mjs';
import { adminQuery, databaseUrl as urlOn, plainIdentifier } from '../lib/database.mjs';
import { Histogram, quantileOf } from '../lib/histogram.mjs';
import {
  freePort,
  sleep,
  stopAll as stopChildren,
  stopChild,
  stopChildrenOnExit,
  track as trackChild,
  waitReady,
} from '../lib/processes.mjs';
import { inspectorSession, inspectorUrl, now, stampBody } from './lib.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const env = process.env;
const SETTINGS = {
  databaseServer: env.BENCH_DATABASE_SERVER || 'postgresql://postgres@127.0.0.1:5432/postgres',
  dbName: env.BENCH_DB_NAME || 'rejoinder_bench_live',
  keepDb: env.BENCH_KEEP_DB === '1',
  sizes: (env.BENCH_SIZES || '1000,5000').split(',').map(Number),
  targets: (env.BENCH_TARGETS || 'api,baseline').split(',').map((s) => s.trim()),
  // Comments per second: one number for every size, or size:rate pairs.
  rates: parseRates(env.BENCH_RATE || '1000:20,5000:4,10000:2'),
  seconds: Number(env.BENCH_SECONDS || 20),
  bodyChars: Number(env.BENCH_BODY_CHARS || 280),
  perProcess: Number(env.BENCH_SOCKETS_PER_PROCESS || 500),
  drop: env.BENCH_DROP !== '0',
  dropSizes: env.BENCH_DROP_SIZES ? env.BENCH_DROP_SIZES.split(',').map(Number) : null,
  dropEvery: Number(env.BENCH_DROP_EVERY || 10),
  dropDownMs: Number(env.BENCH_DROP_DOWN_MS || 2000),
  cpuProf: env.BENCH_CPU_PROF === '1',
  apiExtraFlags: (env.BENCH_API_NODE_FLAGS || '').split(/\s+/).filter(Boolean),
  // Server on core 0, load generator (this process, the subscribers) on
  // core 1, so the generator does not steal the server's CPU.
  pin: env.BENCH_PIN !== '0' && os.cpus().length >= 2 && existsSync('/usr/bin/taskset'),
  logLevel: env.BENCH_LOG_LEVEL || 'warn',
  maxSeconds: Number(env.BENCH_MAX_SECONDS || 600),
  warmupSeconds: 2,
  fanoutWarmupSeconds: Number(env.BENCH_FANOUT_WARMUP_SECONDS || 3),
  noSubscriberSeconds: 3,
  settleMs: 3000,
  socketEventsPerMinute: 100_000,
};
function parseRates(text) {
  const pairs = text.split(',').map((p) => p.trim().split(':').map(Number));
  if (pairs.length === 1 && pairs[0].length === 1) return { default: pairs[0][0] };
  return Object.fromEntries(pairs.map(([n, r]) => [n, r]));
}
const rateFor = (subscribers) => SETTINGS.rates[subscribers] ?? SETTINGS.rates.default ?? 20;

const ARTICLE = 'putin-and-kim-jong-un-are-not-so-different';
const JWT_SECRET = 'bench-live-jwt-secret-0123456789abcdef';
// Per size (`default` for the others): API p99 at most this many times the
// baseline's (same size, same run), RSS per idle socket, the API's peak RSS.
const TARGETS = {
  p99VsBaseline: { default: 1.2, 10000: 1.0 },
  kbPerIdleConnection: { default: 20, 10000: 15 },
  apiPeakRssMiB: { default: null, 10000: 512 },
};
const targetFor = (name, size) => TARGETS[name][size] ?? TARGETS[name].default;
// Open files each process needs beyond its sockets (modules, pipes, the database pool).
const SPARE_FILES = 1024;
const STAMP = new Date().toISOString().replace(/[:.]/g, '-');
const RESULTS_DIR = join(ROOT, 'bench/results');
mkdirSync(RESULTS_DIR, { recursive: true });

const started = Date.now();
// Read before this process pins itself to one core (availableParallelism
// follows the affinity mask).
const MACHINE_AT_START = { nproc: os.availableParallelism?.() ?? os.cpus().length, cpus: os.cpus().length };
const log = (msg) => console.log(`[live ${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s] ${msg}`);

// ---------------------------------------------------------------- children
const track = (name, child) => trackChild(name, child, 2_000_000);
const stopAll = () => stopChildren(3000);
stopChildrenOnExit({ log, maxSeconds: SETTINGS.maxSeconds, timeoutMs: 3000 });

// ---------------------------------------------------------------- database
const databaseUrl = (name) => urlOn(SETTINGS.databaseServer, name);

async function createDatabase() {
  const name = plainIdentifier(SETTINGS.dbName);
  await adminQuery(SETTINGS.databaseServer, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await adminQuery(SETTINGS.databaseServer, `CREATE DATABASE ${name}`);
  const url = databaseUrl(name);
  const { applyMigrations } = await import(pathToFileURL(join(ROOT, 'dist/libs/db/src/index.js')).href);
  const applied = await applyMigrations({ databaseUrl: url });
  log(`Database ${name}: ${applied.length} migration(s) applied`);
  return url;
}

async function dropDatabase() {
  if (SETTINGS.keepDb) return;
  await adminQuery(SETTINGS.databaseServer, `DROP DATABASE IF EXISTS ${SETTINGS.dbName} WITH (FORCE)`).catch((error) =>
    log(`Could not drop ${SETTINGS.dbName}: ${error.message}`),
  );
}

// --------------------------------------------------------------- servers
const SERVER_CORE = '0';
const LOAD_CORE = '1';
// The command that starts node for a child: its open-files limit raised to
// `files` (sh's ulimit, up to the hard limit: openFilesFor checked it), and
// pinned to `core`. sh, then taskset, exec node: the child's pid is node's.
function nodeCommand(core, files) {
  const pin = SETTINGS.pin ? ['/usr/bin/taskset', '-c', core] : [];
  return ['/bin/sh', '-c', 'ulimit -S -n "$0" && exec "$@"', String(files), ...pin, process.execPath];
}
// Open files for a process holding `sockets` sockets; fails, saying what to
// do, when the hard limit does not allow as many.
function openFilesFor(sockets) {
  const need = sockets + SPARE_FILES;
  const { soft, hard } = openFilesLimit();
  if (typeof hard === 'number' && need > hard)
    throw new Error(
      `${sockets} sockets in one process need ${need} open files, above the hard limit of ${hard} (ulimit -Hn). ` +
        `Raise it (e.g. \`ulimit -n ${need}\` as root, or nofile in /etc/security/limits.conf), or run fewer subscribers (BENCH_SIZES).`,
    );
  return typeof soft === 'number' ? Math.max(soft, need) : need;
}
function spawnNode(core, files, nodeArgs, options) {
  const [command, ...args] = nodeCommand(core, files);
  return spawn(command, [...args, ...nodeArgs], options);
}

function profileArgs(label) {
  if (!SETTINGS.cpuProf) return [];
  const dir = join(RESULTS_DIR, `live-${STAMP}-profiles`);
  mkdirSync(dir, { recursive: true });
  return ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-name', `${label}.cpuprofile`];
}
async function startApi(dbUrl, label, sockets = 0) {
  const port = await freePort();
  const args = [
    ...apiNodeFlags(),
    ...SETTINGS.apiExtraFlags,
    '--inspect=127.0.0.1:0',
    ...profileArgs(label),
    join(ROOT, 'dist/apps/api/src/main.js'),
  ];
  const child = spawnNode(SERVER_CORE, openFilesFor(sockets), args, {
    cwd: ROOT,
    env: {
      PATH: env.PATH,
      HOME: env.HOME,
      NODE_ENV: 'production',
      DATABASE_URL: dbUrl,
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: SETTINGS.logLevel,
      JWT_SECRET,
      SEED: 'true',
      SOCKET_EVENTS_PER_MINUTE: String(SETTINGS.socketEventsPerMinute),
      // One poster writes every comment: lift the per-user and per-IP comment
      // limits (bodies differ, so the duplicate check never fires).
      RATE_COMMENTS_PER_USER: '1000000',
      RATE_COMMENTS_PER_NEW_USER: '1000000',
      RATE_COMMENTS_PER_IP: '1000000',
      // The load is the point here, not the automatic slow mode it would trigger.
      SLOW_MODE_AUTO_COMMENTS_PER_MINUTE: '0',
      SLOW_MODE_AUTO_REPORTS_PER_MINUTE: '0',
      // Every subscriber connects from 127.0.0.1.
      SOCKET_CONNECTIONS_PER_IP: '1000000',
      DATA_DIR: join(ROOT, '.data/bench-live'),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const handle = track(`api(${label})`, child);
  const base = `http://127.0.0.1:${port}`;
  await waitReady(handle, `${base}/ready`);
  return { kind: 'api', handle, base };
}

async function startBaseline(label, sockets) {
  const port = await freePort();
  const child = spawnNode(
    SERVER_CORE,
    openFilesFor(sockets),
    ['--inspect=127.0.0.1:0', ...profileArgs(label), join(ROOT, 'bench/live/baseline-server.mjs')],
    {
      cwd: ROOT,
      env: { PATH: env.PATH, HOST: '127.0.0.1', PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const handle = track(`baseline(${label})`, child);
  const base = `http://127.0.0.1:${port}`;
  await waitReady(handle, `${base}/health`);
  return { kind: 'baseline', handle, base };
}

// pino writes one JSON object per line: count the warnings and errors.
function serverComplaints(handle) {
  const lines = handle.output().split('\n');
  const out = { warn: 0, error: 0, other: 0, samples: [] };
  for (const line of lines) {
    if (!line.trim()) continue;
    let level = null;
    try {
      level = JSON.parse(line).level;
    } catch {
      out.other += 1;
      if (out.samples.length < 5) out.samples.push(line.slice(0, 300));
      continue;
    }
    if (level >= 50) out.error += 1;
    else if (level >= 40) out.warn += 1;
    if (level >= 40 && out.samples.length < 5) out.samples.push(line.slice(0, 300));
  }
  return out;
}

// ------------------------------------------------------------ subscribers
function startSubscriber(index) {
  const [execPath, ...execArgv] = nodeCommand(LOAD_CORE, openFilesFor(SETTINGS.perProcess));
  const child = fork(join(ROOT, 'bench/live/subscriber.mjs'), [], {
    cwd: ROOT,
    execPath,
    execArgv,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const handle = track(`subscriber-${index}`, child);
  let nextId = 0;
  const pending = new Map();
  const ready = new Promise((resolve, reject) => {
    child.on('message', (/** @type {any} */ message) => {
      if (message.ready) return resolve();
      const p = pending.get(message.id);
      if (!p) return;
      pending.delete(message.id);
      if (message.ok) p.resolve(message.result);
      else p.reject(new Error(`${handle.name}: ${message.error}`));
    });
    handle.exited.then((info) => {
      const error = new Error(`${handle.name} exited (${JSON.stringify(info)}): ${handle.output().slice(-2000)}`);
      reject(error);
      for (const p of pending.values()) p.reject(error);
      pending.clear();
    });
  });
  handle.call = async (cmd, args) => {
    await ready;
    return new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      child.send({ id, cmd, args });
    });
  };
  return handle;
}

async function startSubscribers(server, total) {
  const count = Math.ceil(total / SETTINGS.perProcess);
  const subs = Array.from({ length: count }, (_, i) => startSubscriber(i));
  const t0 = now();
  const results = await Promise.all(
    subs.map((s, i) =>
      s.call('connect', {
        url: server.base,
        article: ARTICLE,
        count: Math.min(SETTINGS.perProcess, total - i * SETTINGS.perProcess),
      }),
    ),
  );
  const ok = results.reduce((a, r) => a + r.ok, 0);
  const failed = results.reduce((a, r) => a + r.failed, 0);
  const connect = {
    processes: count,
    ok,
    failed,
    errors: [...new Set(results.flatMap((r) => r.errors))].slice(0, 5),
    resync: results.reduce((a, r) => a + r.resync, 0),
    seconds: (now() - t0) / 1000,
  };
  log(
    `  ${ok}/${total} subscribed in ${connect.seconds.toFixed(1)} s over ${count} processes${failed ? `, ${failed} failed: ${connect.errors.join('; ')}` : ''}`,
  );
  return { subs, connect };
}

// ----------------------------------------------------------------- poster
// One socket.io-client socket that posts at a steady rate: `comment.create`
// with a token on the API (its ack returns after the commit), `publish` on
// the baseline. The body carries the send time.
async function openPoster(server, token) {
  const socket = io(server.base, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    auth: token ? { token } : {},
  });
  await new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(undefined));
    socket.once('connect_error', reject);
  });
  return { socket, kind: server.kind, lastSeq: 0, template: null };
}

const FALLBACK_TEMPLATE = {
  id: '00000000-0000-4000-8000-000000000000',
  articleId: '00000000-0000-4000-8000-000000000001',
  parentId: null,
  depth: 0,
  status: 'published',
  author: { id: '00000000-0000-4000-8000-000000000002', username: 'live_poster' },
  body: '',
  html: '',
  createdAt: new Date().toISOString(),
  editedAt: null,
  score: 0,
  upvotes: 0,
  downvotes: 0,
  replyCount: 0,
  descendantCount: 0,
};
let commentTemplate = null;

async function postOne(poster, n) {
  const sentAt = now();
  const body = stampBody(sentAt, n, SETTINGS.bodyChars);
  let ack;
  if (poster.kind === 'api') {
    ack = await poster.socket.timeout(15_000).emitWithAck('comment.create', { article: ARTICLE, body });
    if (!ack || ack.error || !ack.comment) throw new Error(JSON.stringify(ack?.error ?? ack));
    commentTemplate ??= ack.comment;
  } else {
    const comment = {
      ...(commentTemplate ?? FALLBACK_TEMPLATE),
      id: randomUUID(),
      body,
      html: `<p>${body}</p>\n`,
      createdAt: new Date().toISOString(),
    };
    ack = await poster.socket.timeout(15_000).emitWithAck('publish', { article: ARTICLE, comment });
    poster.lastSeq = Math.max(poster.lastSeq, ack.seq);
  }
  return now() - sentAt;
}

// Posts `rate`/s for `seconds`, open loop (a slow ack does not delay the next
// post). `during(i)` runs before post i (the drop run uses it).
async function postSteadily(poster, rate, seconds, during) {
  const total = Math.round(rate * seconds);
  const interval = 1000 / rate;
  const acks = [];
  const failures = [];
  const inflight = [];
  const start = now() + 20;
  for (let i = 0; i < total; i++) {
    const wait = start + i * interval - now();
    if (wait > 0) await sleep(wait);
    during?.(i, total);
    inflight.push(
      postOne(poster, i).then(
        (ms) => acks.push(ms),
        (error) => failures.push(String(error.message ?? error)),
      ),
    );
  }
  await Promise.all(inflight);
  return {
    posted: total,
    ok: acks.length,
    failed: failures.length,
    failures: [...new Set(failures)].slice(0, 5),
    acks,
  };
}

const spread = (values) => {
  const r = (v) => (v === null ? null : Math.round(v * 10) / 10);
  return { p50: r(quantileOf(values, 0.5)), p99: r(quantileOf(values, 0.99)), max: r(quantileOf(values, 1)) };
};

let pgPool = null;
let machineBusyBefore = null;
async function head(server, poster) {
  if (server.kind === 'baseline') return poster.lastSeq;
  const { rows } = await pgPool.query('SELECT last_seq FROM articles WHERE slug = $1', [ARTICLE]);
  return rows[0].last_seq;
}

// ---------------------------------------------------------------- phases
// RSS (median of 3 readings, each after a full GC) and V8 heap in use.
async function idleMemory(pid, inspector) {
  const rss = [];
  let heap = null;
  for (let i = 0; i < 3; i++) {
    await inspector?.gc();
    await sleep(300);
    rss.push(rssMiB(pid));
    heap = (await inspector?.heapUsedMiB()) ?? null;
  }
  return { rss: quantileOf(rss, 0.5), heap };
}

// One measured phase: post, wait until every subscriber has every event (or
// 20 s passed), read the server's CPU, then collect the subscribers' reports.
// The API's database connections while a phase runs (sampled every 200 ms):
// how many were busy at once, and how many waited on a lock.
function sampleDatabase() {
  const stats = { samples: 0, maxActive: 0, maxLockWaits: 0, activeSum: 0 };
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      try {
        const { rows } = await pgPool.query(
          `SELECT count(*) FILTER (WHERE state = 'active') AS active,
                  count(*) FILTER (WHERE wait_event_type = 'Lock') AS lock_waits
           FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() AND application_name <> 'bench-live-sampler'`,
          [SETTINGS.dbName],
        );
        const active = Number(rows[0].active);
        stats.samples += 1;
        stats.activeSum += active;
        stats.maxActive = Math.max(stats.maxActive, active);
        stats.maxLockWaits = Math.max(stats.maxLockWaits, Number(rows[0].lock_waits));
      } catch {
        // a failed sample is skipped
      }
      await sleep(200);
    }
  })();
  return async () => {
    stopped = true;
    await loop;
    return {
      samples: stats.samples,
      maxActive: stats.maxActive,
      meanActive: stats.samples ? Math.round((100 * stats.activeSum) / stats.samples) / 100 : null,
      maxLockWaits: stats.maxLockWaits,
    };
  };
}

/** @param {{ server: any, poster: any, subs: any, size: number, subscribers: number, name: string, drop?: any, inspector: any }} phase */
async function measurePhase({ server, poster, subs, size, subscribers, name, drop, inspector }) {
  const pid = server.handle.pid;
  const from = await head(server, poster);
  await Promise.all(subs.map((s) => s.call('phase')));
  const loopDelay = (await inspector?.loopDelayStart().catch(() => false)) ?? false;
  const heapProf = process.env.BENCH_HEAP_PROF;
  if ((heapProf === '1' || heapProf === 'promoted') && inspector)
    await inspector.call('HeapProfiler.startSampling', {
      samplingInterval: 16384,
      includeObjectsCollectedByMajorGC: true,
      // promoted: only what outlived a young-generation collection (what
      // the old generation, and so its full collections, pay for).
      includeObjectsCollectedByMinorGC: heapProf === '1',
    });
  const stopSampling = server.kind === 'api' ? sampleDatabase() : null;
  const cpu0 = cpuSeconds(pid);
  const subCpu0 = subs.reduce((a, s) => a + cpuSeconds(s.pid), 0);
  const pgCpu0 = postgresCpuSeconds(SETTINGS.dbName);
  const machine0 = machineTicks();
  const self0 = process.cpuUsage();
  const t0 = now();
  let dropping = null;
  const post = await postSteadily(poster, rateFor(size), SETTINGS.seconds, (i, total) => {
    if (drop && i === Math.floor(total / 2)) {
      log(`  dropping every ${SETTINGS.dropEvery}th socket for ${SETTINGS.dropDownMs} ms`);
      dropping = Promise.all(
        subs.map((s) =>
          s.call('drop', {
            url: server.base,
            article: ARTICLE,
            every: SETTINGS.dropEvery,
            downMs: SETTINGS.dropDownMs,
          }),
        ),
      );
    }
  });
  const postSeconds = (now() - t0) / 1000;
  const dropResults = dropping ? await dropping : null;
  const to = await head(server, poster);
  const expected = subscribers * (to - from);
  // Drain: until every delivery is in, or nothing moved for 3 s, or 20 s.
  let delivered = 0;
  let lastChange = now();
  const drainStart = now();
  while (now() - drainStart < 20_000) {
    const counts = await Promise.all(subs.map((s) => s.call('count')));
    const sum = counts.reduce((a, c) => a + c.deliveries, 0);
    if (sum !== delivered) lastChange = now();
    delivered = sum;
    if (delivered >= expected || now() - lastChange > 3000) break;
    await sleep(100);
  }
  const wall = (now() - t0) / 1000;
  const cpu = cpuSeconds(pid) - cpu0;
  const subCpu = subs.reduce((a, s) => a + cpuSeconds(s.pid), 0) - subCpu0;
  const pgCpu = postgresCpuSeconds(SETTINGS.dbName) - pgCpu0;
  const machine1 = machineTicks();
  const selfCpu = (() => {
    const u = process.cpuUsage(self0);
    return (u.user + u.system) / 1e6;
  })();
  const reports = await Promise.all(subs.map((s) => s.call('report', { from, to })));
  const eventLoopDelayMs = loopDelay ? await inspector.loopDelayRead().catch(() => null) : null;
  if ((heapProf === '1' || heapProf === 'promoted') && inspector) {
    const { profile } = await inspector.call('HeapProfiler.stopSampling');
    mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
    writeFileSync(join(ROOT, `bench/results/live-${name}.heapprofile`), JSON.stringify(profile));
  }
  const database = stopSampling ? await stopSampling() : null;

  const steady = new Histogram();
  const dropped = new Histogram();
  const fanout = new Map();
  const first = new Map();
  const perSeqCounts = new Array(to - from).fill(0);
  const sum = (key) => reports.reduce((a, r) => a + r[key], 0);
  const reasons = {};
  for (const r of reports) {
    steady.merge(r.steady);
    dropped.merge(r.dropped);
    r.perSeqCounts.forEach((c, k) => (perSeqCounts[k] += c));
    for (const [seq, , max, min] of r.fanout) {
      fanout.set(seq, Math.max(fanout.get(seq) ?? -Infinity, max));
      first.set(seq, Math.min(first.get(seq) ?? Infinity, min));
    }
    for (const [reason, n] of Object.entries(r.disconnectReasons)) reasons[reason] = (reasons[reason] ?? 0) + n;
  }
  const all = new Histogram().merge(steady.toJSON()).merge(dropped.toJSON());
  const deliveries = sum('deliveries');
  const completion = [...fanout.values()];
  const r2 = (v) => (v === null || v === undefined || Number.isNaN(v) ? null : Math.round(v * 100) / 100);
  const result = {
    name,
    seqFrom: from + 1,
    seqTo: to,
    events: to - from,
    subscribers,
    post: {
      via: server.kind === 'api' ? 'socket comment.create (ack after commit)' : 'socket publish (baseline)',
      rate: rateFor(size),
      seconds: r2(postSeconds),
      posted: post.posted,
      ok: post.ok,
      failed: post.failed,
      failures: post.failures,
      ackP50Ms: r2(quantileOf(post.acks, 0.5)),
      ackP99Ms: r2(quantileOf(post.acks, 0.99)),
    },
    expectedDeliveries: expected,
    deliveries,
    // Sockets that stayed connected (all of them outside the drop run).
    latencyMs: steady.summary(),
    latencyAllMs: all.summary(),
    latencyDroppedSocketsMs: dropped.summary(),
    // Per event: the latency of its first delivery (post, commit, first
    // write) and of its last one (the fan-out's completion), over the sockets
    // that were not dropped.
    firstDeliveryMs: {
      p50: r2(quantileOf([...first.values()], 0.5)),
      p99: r2(quantileOf([...first.values()], 0.99)),
    },
    // Per event, in seq order: [seq, first delivery ms, last delivery ms].
    perEvent: [...fanout.keys()].sort((a, b) => a - b).map((seq) => [seq, r2(first.get(seq)), r2(fanout.get(seq))]),
    completionMs: {
      p50: r2(quantileOf(completion, 0.5)),
      p99: r2(quantileOf(completion, 0.99)),
      max: r2(quantileOf(completion, 1)),
    },
    loss: {
      missing: sum('missing'),
      duplicates: sum('duplicates'),
      outOfOrder: sum('outOfOrder'),
      socketsWithLoss: sum('socketsWithLoss'),
      outsidePhase: sum('outsidePhase'),
      unexpectedDisconnects: sum('unexpectedDisconnects'),
      disconnectReasons: reasons,
      seqsNotDeliveredToAll: perSeqCounts.filter((c) => c !== subscribers).length,
    },
    envelopeBytes: reports.find((r) => r.sampleBytes)?.sampleBytes ?? null,
    // The server's event-loop delay over the phase (perf_hooks via the inspector).
    eventLoopDelayMs,
    database,
    serverCpuSeconds: r2(cpu),
    wallSeconds: r2(wall),
    serverCpuPercent: r2((100 * cpu) / wall),
    subscriberCpuPercent: r2((100 * subCpu) / wall),
    // The backends of the benchmark's database (the API's pool, and the
    // sampler's few queries a second); none for the baseline.
    postgresCpuPercent: r2((100 * pgCpu) / wall),
    machineBusyPercent: r2((100 * (machine1.busy - machine0.busy)) / (machine1.total - machine0.total)),
    // CPU of everything else (PostgreSQL, the kernel's softirq time, any other
    // program), in % of one core: a large figure means a skewed measurement.
    otherCpuPercent: r2(
      (100 * (machine1.busy - machine0.busy)) / CLK_TCK / wall - (100 * (cpu + subCpu + selfCpu + pgCpu)) / wall,
    ),
    posterCpuPercent: r2((100 * selfCpu) / wall),
    deliveriesPerCpuSecond: Math.round(deliveries / cpu),
    cpuMicrosPerDelivery: r2((1e6 * cpu) / deliveries),
    drop: dropResults && {
      dropped: dropResults.reduce((a, r) => a + r.dropped, 0),
      reconnected: dropResults.reduce((a, r) => a + r.reconnected, 0),
      failed: dropResults.reduce((a, r) => a + r.failed, 0),
      errors: [...new Set(dropResults.flatMap((r) => r.errors))],
      resync: dropResults.reduce((a, r) => a + r.resync, 0),
      awayMsMax: r2(Math.max(...dropResults.map((r) => r.awayMs))),
      // Per reconnecting socket: the websocket handshake, then the subscribe
      // with `after` until its ack (which follows the replay of what it missed).
      reconnectConnectMs: spread(dropResults.flatMap((r) => r.connectMs)),
      resubscribeAckMs: spread(dropResults.flatMap((r) => r.subscribeMs)),
    },
  };
  const l = result.latencyMs;
  log(
    `  ${name}: ${result.events} events, ${deliveries}/${expected} deliveries, p50 ${l.p50} ms, p99 ${l.p99} ms, ` +
      `${result.deliveriesPerCpuSecond} deliveries/CPU-s, server CPU ${result.serverCpuPercent} %, PostgreSQL ${result.postgresCpuPercent} %, subscribers ${result.subscriberCpuPercent} %, other ${result.otherCpuPercent} %, machine ${result.machineBusyPercent} % busy, ` +
      `loop delay p99 ${eventLoopDelayMs?.p99} ms max ${eventLoopDelayMs?.max} ms, ` +
      (database ? `db active max ${database.maxActive} mean ${database.meanActive}, ` : '') +
      `missing ${result.loss.missing}, dup ${result.loss.duplicates}, out-of-order ${result.loss.outOfOrder}, unexpected disconnects ${result.loss.unexpectedDisconnects}`,
  );
  return result;
}

async function scenario(target, subscribers, { dbUrl, token, drop }) {
  const label = `${target}-${subscribers}`;
  log(`Scenario ${label}${drop ? ' (+ drop run)' : ''}`);
  const server = target === 'api' ? await startApi(dbUrl, label, subscribers) : await startBaseline(label, subscribers);
  const pid = server.handle.pid;
  const out = { target, subscribers };
  let subs = [];
  let inspector = null;
  try {
    const poster = await openPoster(server, target === 'api' ? token : null);
    // Warm-up (JIT, pools), then a short run with no subscriber: the cost of
    // posting itself, to tell it apart from the fan-out.
    const warm = await postSteadily(poster, rateFor(subscribers), SETTINGS.warmupSeconds);
    if (warm.failed > 0) throw new Error(`${label}: posting fails during the warm-up: ${warm.failures.join('; ')}`);
    await sleep(500);
    const cpu0 = cpuSeconds(pid);
    const quiet = await postSteadily(poster, rateFor(subscribers), SETTINGS.noSubscriberSeconds);
    await sleep(300);
    out.noSubscribers = {
      posted: quiet.ok,
      cpuMsPerPost: Math.round((100 * 1000 * (cpuSeconds(pid) - cpu0)) / Math.max(quiet.ok, 1)) / 100,
      ackP50Ms: Math.round(quantileOf(quiet.acks, 0.5) * 100) / 100,
      ackP99Ms: Math.round(quantileOf(quiet.acks, 0.99) * 100) / 100,
    };
    await sleep(1500);
    const url = await inspectorUrl(server.handle.output);
    inspector = url ? await inspectorSession(url).catch(() => null) : null;
    if (!inspector) log('  (no inspector session: memory readings without a forced GC)');
    const before = await idleMemory(pid, inspector);
    const connectCpu0 = cpuSeconds(pid);
    const started = await startSubscribers(server, subscribers);
    started.connect.serverCpuMsPerConnection =
      Math.round((1e5 * (cpuSeconds(pid) - connectCpu0)) / started.connect.ok) / 100;
    subs = started.subs;
    out.connect = started.connect;
    await sleep(SETTINGS.settleMs);
    const after = await idleMemory(pid, inspector);
    const perConn = (a, b) => Math.round(((b - a) * 1024 * 10) / started.connect.ok) / 10;
    out.memory = {
      afterFullGc: Boolean(inspector),
      rssBeforeMiB: Math.round(before.rss * 10) / 10,
      rssIdleMiB: Math.round(after.rss * 10) / 10,
      kbPerIdleConnection: perConn(before.rss, after.rss),
      heapBeforeMiB: before.heap === null ? null : Math.round(before.heap * 10) / 10,
      heapIdleMiB: after.heap === null ? null : Math.round(after.heap * 10) / 10,
      heapKbPerIdleConnection: before.heap === null ? null : perConn(before.heap, after.heap),
    };
    log(
      `  RSS ${out.memory.rssBeforeMiB} MiB -> ${out.memory.rssIdleMiB} MiB idle: ${out.memory.kbPerIdleConnection} KB per connection` +
        ` (V8 heap ${out.memory.heapBeforeMiB} -> ${out.memory.heapIdleMiB} MiB: ${out.memory.heapKbPerIdleConnection} KB)`,
    );
    // The fan-out's own warm-up (JIT of the socket writes, which the warm-up
    // without subscribers never ran), at the phase's rate; then its last
    // deliveries drain before the measured phase starts.
    const fanoutWarm = await postSteadily(poster, rateFor(subscribers), SETTINGS.fanoutWarmupSeconds);
    if (fanoutWarm.failed > 0)
      throw new Error(`${label}: posting fails during the fan-out warm-up: ${fanoutWarm.failures.join('; ')}`);
    await sleep(SETTINGS.settleMs);
    out.phases = [];
    out.phases.push(
      await measurePhase({
        server,
        poster,
        subs,
        size: subscribers,
        subscribers: started.connect.ok,
        name: `${label} steady`,
        inspector,
      }),
    );
    if (drop) {
      await sleep(1000);
      out.phases.push(
        await measurePhase({
          server,
          poster,
          subs,
          size: subscribers,
          subscribers: started.connect.ok,
          name: `${label} drop`,
          drop: true,
          inspector,
        }),
      );
    }
    // The fan-out's own share: the phase's CPU less what the same number of
    // posts cost with no subscriber.
    for (const p of out.phases) {
      p.fanoutCpuMicrosPerDelivery =
        Math.round((1e8 * (p.serverCpuSeconds - (p.post.ok * out.noSubscribers.cpuMsPerPost) / 1000)) / p.deliveries) /
        100;
    }
    await inspector?.gc();
    out.rssEndMiB = Math.round(rssMiB(pid) * 10) / 10;
    // The server's peak resident memory over its whole life (VmHWM).
    out.rssPeakMiB = Math.round(memory(pid).hwmMiB * 10) / 10;
    out.heapEndMiB = inspector ? Math.round((await inspector.heapUsedMiB()) * 10) / 10 : null;
    poster.socket.close();
    await Promise.all(subs.map((s) => s.call('close').catch(() => undefined)));
  } finally {
    inspector?.close();
    await Promise.all(subs.map((s) => stopChild(s, 3000)));
    const exit = await stopChild(server.handle, 15_000);
    out.serverExit = exit;
    out.serverLog = serverComplaints(server.handle);
    writeFileSync(join(RESULTS_DIR, `live-${STAMP}-${label}.log`), server.handle.output());
  }
  return out;
}

// ---------------------------------------------------------------- report
function machine() {
  return {
    nproc: MACHINE_AT_START.nproc,
    cpu: os.cpus()[0]?.model,
    memTotalGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${os.type()} ${os.release()}`,
    openFiles: openFilesLimit(),
  };
}

const r1 = (v) => Math.round(v * 10) / 10;

function table(scenarios) {
  const rows = [
    [
      'server',
      'subscribers',
      'phase',
      'posts/s',
      'events',
      'deliveries',
      'p50 ms',
      'p99 ms',
      'first-delivery p50 ms',
      'last-delivery p99 ms',
      'deliveries/CPU-s',
      'server CPU µs/delivery',
      'of which fan-out µs',
      'KB/idle conn (RSS)',
      'KB/idle conn (V8 heap)',
      'missing/dup/out-of-order',
      'CPU % server / PostgreSQL / load generator',
      'other CPU %',
    ],
  ];
  for (const s of scenarios) {
    for (const p of s.phases ?? []) {
      const steady = p.name.endsWith('steady');
      rows.push([
        s.target,
        String(s.subscribers),
        p.name.split(' ').at(-1),
        String(p.post.rate),
        String(p.events),
        `${p.deliveries}/${p.expectedDeliveries}`,
        String(p.latencyMs.p50),
        String(p.latencyMs.p99),
        String(p.firstDeliveryMs.p50),
        String(p.completionMs.p99),
        String(p.deliveriesPerCpuSecond),
        String(p.cpuMicrosPerDelivery),
        String(p.fanoutCpuMicrosPerDelivery),
        steady ? String(s.memory.kbPerIdleConnection) : '',
        steady ? String(s.memory.heapKbPerIdleConnection) : '',
        `${p.loss.missing}/${p.loss.duplicates}/${p.loss.outOfOrder}`,
        `${p.serverCpuPercent} / ${p.postgresCpuPercent} / ${r1(p.subscriberCpuPercent + p.posterCpuPercent)}`,
        String(p.otherCpuPercent),
      ]);
    }
  }
  const head = `| ${rows[0].join(' | ')} |`;
  const sep = `| ${rows[0].map(() => '---').join(' | ')} |`;
  return [head, sep, ...rows.slice(1).map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

// The API beside the baseline, steady phase of each size.
function sideBySide(scenarios) {
  const lines = ['API beside the baseline (steady phases):'];
  for (const n of SETTINGS.sizes) {
    const pick = (target) => {
      const s = scenarios.find((x) => x.target === target && x.subscribers === n);
      return s && { s, p: s.phases?.find((p) => p.name.endsWith('steady')) };
    };
    const api = pick('api');
    const base = pick('baseline');
    if (!api?.p || !base?.p) continue;
    const ratio = (a, b) => `${Math.round((100 * a) / b) / 100}x`;
    lines.push(
      `  ${n} subscribers: p99 ${api.p.latencyMs.p99} vs ${base.p.latencyMs.p99} ms (${ratio(api.p.latencyMs.p99, base.p.latencyMs.p99)}), ` +
        `p50 ${api.p.latencyMs.p50} vs ${base.p.latencyMs.p50} ms, ` +
        `µs/delivery ${api.p.cpuMicrosPerDelivery} vs ${base.p.cpuMicrosPerDelivery} (fan-out ${api.p.fanoutCpuMicrosPerDelivery} vs ${base.p.fanoutCpuMicrosPerDelivery}), ` +
        `KB/idle conn ${api.s.memory.kbPerIdleConnection} vs ${base.s.memory.kbPerIdleConnection}, ` +
        `other CPU ${api.p.otherCpuPercent} / ${base.p.otherCpuPercent} %`,
    );
  }
  return lines.join('\n');
}

function evaluate(scenarios) {
  const find = (target, n, phase = 'steady') =>
    scenarios.find((s) => s.target === target && s.subscribers === n)?.phases?.find((p) => p.name.endsWith(phase));
  const checks = [];
  for (const n of SETTINGS.sizes) {
    const api = find('api', n);
    const base = find('baseline', n);
    if (!api || !base) continue;
    const factor = targetFor('p99VsBaseline', n);
    checks.push({
      target: `API p99 <= ${factor}x baseline p99 with ${n.toLocaleString('en')} subscribers`,
      measured: `${api.latencyMs.p99} ms vs ${base.latencyMs.p99} ms (${Math.round((100 * api.latencyMs.p99) / base.latencyMs.p99) / 100}x)`,
      met: api.latencyMs.p99 <= factor * base.latencyMs.p99,
    });
    // The comparison holds only if both sides delivered the same events to the same sockets.
    checks.push({
      target: `same deliveries on both sides with ${n.toLocaleString('en')} subscribers`,
      measured: `API ${api.deliveries} (${api.events} events x ${api.subscribers}), baseline ${base.deliveries} (${base.events} x ${base.subscribers})`,
      met: api.deliveries === base.deliveries && api.events === base.events && api.subscribers === base.subscribers,
    });
  }
  for (const s of scenarios.filter((x) => x.connect)) {
    checks.push({
      target: `every subscriber connected (${s.target}, ${s.subscribers})`,
      measured: `${s.connect.ok}/${s.subscribers}${s.connect.failed ? `: ${s.connect.errors.join('; ')}` : ''}`,
      met: s.connect.ok === s.subscribers,
    });
  }
  for (const s of scenarios.filter((x) => x.target === 'api' && x.memory)) {
    const kb = targetFor('kbPerIdleConnection', s.subscribers);
    checks.push({
      target: `<= ${kb} KB per idle connection (${s.subscribers})`,
      measured: `${s.memory.kbPerIdleConnection} KB`,
      met: s.memory.kbPerIdleConnection <= kb,
    });
    const peak = targetFor('apiPeakRssMiB', s.subscribers);
    if (peak !== null)
      checks.push({
        target: `API peak RSS <= ${peak} MiB (${s.subscribers})`,
        measured: `${s.rssPeakMiB} MiB`,
        met: s.rssPeakMiB <= peak,
      });
  }
  for (const s of scenarios.filter((x) => x.target === 'api')) {
    for (const p of s.phases ?? []) {
      const l = p.loss;
      checks.push({
        target: `loss 0 (${p.name})`,
        measured:
          `missing ${l.missing}, duplicates ${l.duplicates}, out-of-order ${l.outOfOrder}, unexpected disconnects ${l.unexpectedDisconnects}, failed posts ${p.post.failed}` +
          (p.drop ? `, ${p.drop.reconnected}/${p.drop.dropped} dropped sockets back (${p.drop.failed} failed)` : ''),
        met:
          l.missing + l.duplicates + l.outOfOrder + l.unexpectedDisconnects + p.post.failed + (p.drop?.failed ?? 0) ===
            0 && p.deliveries === p.expectedDeliveries,
      });
    }
  }
  return checks;
}

// ------------------------------------------------------------------ main
async function main() {
  const limits = openFilesLimit();
  log(`Open-files limit ${limits.soft} (hard ${limits.hard}); sockets per subscriber process ${SETTINGS.perProcess}`);
  // Each server and subscriber process starts with its open-files limit
  // raised to what it holds; checked here, before anything starts.
  const largest = Math.max(...SETTINGS.sizes);
  log(
    `Open files: servers ${openFilesFor(largest)}, subscriber processes ${openFilesFor(SETTINGS.perProcess)} (raised for each child)`,
  );
  log(`Settings: ${JSON.stringify({ ...SETTINGS, databaseServer: undefined })}`);
  if (SETTINGS.pin)
    execFileSync('/usr/bin/taskset', ['-a', '-p', '-c', LOAD_CORE, String(process.pid)], { stdio: 'ignore' });
  // Another benchmark on this 2-core machine would skew every number: say so.
  const m0 = machineTicks();
  await sleep(2000);
  const m1 = machineTicks();
  machineBusyBefore = Math.round((1000 * (m1.busy - m0.busy)) / (m1.total - m0.total)) / 10;
  log(
    `Machine busy before the run: ${machineBusyBefore} %${machineBusyBefore > 15 ? ' (WARNING: something else is running; numbers will be skewed)' : ''}`,
  );
  const dbUrl = await createDatabase();
  pgPool = new pg.Pool({ connectionString: dbUrl, max: 2, application_name: 'bench-live-sampler' });
  const scenarios = [];
  let token = null;
  try {
    if (SETTINGS.targets.includes('api')) {
      // Seed the article and register the poster on a first start.
      const api = await startApi(dbUrl, 'setup');
      const res = await fetch(`${api.base}/api/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          username: 'live_poster',
          email: 'live_poster@bench.invalid',
          password: 'bench-live-password-1',
        }),
      });
      if (!res.ok) throw new Error(`register: ${res.status} ${await res.text()}`);
      token = /** @type {{ accessToken: string }} */ (await res.json()).accessToken;
      await stopChild(api.handle, 15_000);
    }
    for (const [i, n] of SETTINGS.sizes.entries()) {
      for (const target of SETTINGS.targets) {
        const drop = SETTINGS.drop && target === 'api' && (SETTINGS.dropSizes?.includes(n) ?? (i === 0 || n === 10000));
        scenarios.push(await scenario(target, n, { dbUrl, token, drop }));
      }
    }
  } finally {
    await pgPool.end();
    await stopAll();
    await dropDatabase();
  }
  const checks = evaluate(scenarios);
  const results = {
    date: new Date().toISOString(),
    machine: { ...machine(), busyPercentBeforeRun: machineBusyBefore },
    settings: { ...SETTINGS, databaseServer: SETTINGS.databaseServer.replace(/\/\/[^@]*@/, '//***@') },
    article: ARTICLE,
    targets: TARGETS,
    scenarios,
    checks,
    totalSeconds: Math.round((Date.now() - started) / 100) / 10,
  };
  const file = join(RESULTS_DIR, `live-${STAMP}.json`);
  writeFileSync(file, JSON.stringify(results, null, 2));
  console.log('\n' + table(scenarios) + '\n');
  for (const s of scenarios) {
    const m = s.memory;
    console.log(
      `${s.target} ${s.subscribers}: RSS ${m.rssBeforeMiB} -> ${m.rssIdleMiB} MiB idle (${m.kbPerIdleConnection} KB/conn), ` +
        `peak ${s.rssPeakMiB} MiB, connect ${s.connect.seconds.toFixed(1)} s; no-subscriber posting ${s.noSubscribers.cpuMsPerPost} ms CPU/post; ` +
        `server log: ${s.serverLog.warn} warn, ${s.serverLog.error} error`,
    );
  }
  console.log(`\n${sideBySide(scenarios)}`);
  console.log('\nTargets:');
  for (const c of checks) console.log(`  [${c.met ? 'met' : 'NOT met'}] ${c.target}: ${c.measured}`);
  console.log(`\nResults: ${file} (${results.totalSeconds} s)`);
  // A benchmark reports; BENCH_STRICT=1 makes unmet targets fail the command.
  process.exitCode = env.BENCH_STRICT === '1' && !checks.every((c) => c.met) ? 1 : 0;
}

main().catch(async (error) => {
  console.error(error);
  await stopAll();
  await pgPool?.end().catch(() => undefined);
  await dropDatabase();
  process.exit(2);
});
