// npm run bench:read — read-path benchmark of the API against a bare
// node:http + pg baseline running the same SQL and, on the hot page (case a),
// against the machine's ceiling: a bare node:http server answering the API's
// own bytes and headers from memory. See bench/README.md.
//
// Settings (environment):
//   BENCH_DATABASE_SERVER   postgresql://postgres@127.0.0.1:5432/postgres
//   BENCH_DB_NAME           rejoinder_bench (dropped and rebuilt when stale)
//   BENCH_REBUILD=1         rebuild the data set even when it is cached
//   BENCH_CONNECTIONS       20     concurrent connections (autocannon and paced run)
//   BENCH_DURATION          10     seconds measured per run
//   BENCH_WARMUP            3      seconds of warm-up before each measured run
//   BENCH_CASES             a,b,c,d  which cases to run
//   BENCH_LATENCY_REPEATS   3      paced latency runs (the median p99 one is reported)
//   BENCH_COMPRESSION_ROUNDS 3     rounds of case a plain, in Brotli and in gzip (the median is reported)
//   BENCH_MAX_SECONDS       900    hard stop for the whole run
//   DATABASE_POOL_SIZE      10     pool size of both servers (the API's default)
//   BENCH_API_PROCESSES     1      2: two API processes behind HAProxy (deploy/haproxy.cfg's
//                                  shape), measured next to one API process behind the same proxy
//   BENCH_PIN_GENERATOR     1      0: do not pin the paced load generator to the last core
//   BENCH_PACED             api,baseline,ceiling  the servers of the paced latency series
//   BENCH_PACED_CLIENT      raw    raw: the paced generator on raw keep-alive sockets; http: on node:http's client
//   BENCH_STRICT=1                 exit 1 when a target is missed
import autocannon from 'autocannon';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { apiNodeFlags } from '../../scripts/api-node-flags.mjs';
import { CLK_TCK, cpuTicks, cpuWindow as cpuWindowOf, memory, postgresTicks } from '../lib/cpu.mjs';
import {
  freePort,
  startNode,
  stopAll as stopChildren,
  stopChildrenOnExit,
  track,
  waitReady,
} from '../lib/processes.mjs';
import { ARTICLES, ensureDataset } from './dataset.mjs';
import { percentiles } from './paced.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const env = process.env;
const SETTINGS = {
  connections: Number(env.BENCH_CONNECTIONS || 20),
  duration: Number(env.BENCH_DURATION || 10),
  warmup: Number(env.BENCH_WARMUP || 3),
  poolSize: Number(env.DATABASE_POOL_SIZE || 10),
  cases: (env.BENCH_CASES || 'a,b,c,d').split(',').map((s) => s.trim()),
  dbName: env.BENCH_DB_NAME || 'rejoinder_bench',
  maxSeconds: Number(env.BENCH_MAX_SECONDS || 900),
  deepPage: 500,
  pageSize: 20,
  permalinkDepth: 10,
  latencyRepeats: Number(env.BENCH_LATENCY_REPEATS || 3),
  compressionRounds: Number(env.BENCH_COMPRESSION_ROUNDS || 3),
  apiProcesses: Number(env.BENCH_API_PROCESSES || 1),
  pinGenerator: env.BENCH_PIN_GENERATOR !== '0',
  strict: env.BENCH_STRICT === '1',
  pacedClient: env.BENCH_PACED_CLIENT || 'raw',
  paced: (env.BENCH_PACED || 'api,baseline,ceiling').split(',').map((s) => s.trim()),
};
const JWT_SECRET = 'bench-read-jwt-secret-0123456789abcdef';

const started = Date.now();
const log = (msg) => console.log(`[bench ${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s] ${msg}`);

// ---------------------------------------------------------------- children
const startChild = (name, args, childEnv) => startNode(name, args, { cwd: ROOT, env: childEnv });
const stopAll = () => stopChildren(5000);
const watchdog = stopChildrenOnExit({ log, maxSeconds: SETTINGS.maxSeconds, timeoutMs: 5000 });

// ------------------------------------------------------------------ /proc
// CPU over a window: the server (all its processes: two API processes and
// the proxy in front of them count as one server) and, when the database runs
// on this machine, every PostgreSQL process on it. `generator`: the CPU
// seconds a load generator in a process of its own used (it is not "other").
const cpuWindow = (server) => {
  const pids = server.pids ?? [server.pid];
  const window = cpuWindowOf(pids[0], () => (localDb ? postgresTicks() : null));
  const rest = () => pids.slice(1).reduce((n, pid) => n + (cpuTicks(pid) || 0), 0);
  const rest0 = rest();
  return (generator = 0) => {
    const r = window();
    const extra = (rest() - rest0) / CLK_TCK;
    const pct = (x) => (100 * x) / r.wall;
    r.serverSeconds += extra;
    r.serverCpuPercent += pct(extra);
    if (generator) r.loadGeneratorCpuPercent = pct(generator);
    if (r.otherCpuPercent !== null) r.otherCpuPercent = Math.max(0, r.otherCpuPercent - pct(extra) - pct(generator));
    return r;
  };
};

// Memory of a server: its largest process (RSS now, and its peak: VmHWM).
const memoryOf = (server) => {
  const all = (server.memPids ?? [server.pid]).map((pid) => memory(pid));
  return {
    rssMiB: Math.max(...all.map((m) => m.rssMiB)),
    hwmMiB: Math.max(...all.map((m) => m.hwmMiB)),
    ...(all.length > 1 ? { processes: all } : {}),
  };
};

/** @param {{ server: any, url: string, duration: number, overallRate?: number, headers?: Record<string, string> }} run */
async function measure({ server, url, duration, overallRate, headers }) {
  const latencies = [];
  const opts = {
    url,
    connections: SETTINGS.connections,
    duration,
    ...(overallRate ? { overallRate } : {}),
    ...(headers ? { headers } : {}),
  };
  const window = cpuWindow(server);
  const instance = autocannon(opts);
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
  });
  const result = await instance;
  const cpu = window();
  const ok = result['2xx'];
  const lat = percentiles(latencies);
  return {
    reqPerSec: ok / result.duration,
    requests: ok,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    p50: lat.p50,
    p90: lat.p90,
    p99: lat.p99,
    max: lat.max,
    mean: lat.mean,
    autocannon: {
      requestsAverage: result.requests.average,
      latencyP50: result.latency.p50,
      latencyP99: result.latency.p99,
      bytesPerSec: result.throughput.average,
    },
    serverCpuPercent: cpu.serverCpuPercent,
    postgresCpuPercent: cpu.postgresCpuPercent,
    loadGeneratorCpuPercent: cpu.loadGeneratorCpuPercent,
    machineCpuPercent: cpu.machineCpuPercent,
    otherCpuPercent: cpu.otherCpuPercent,
    serverCpuMsPerRequest: (1000 * cpu.serverSeconds) / Math.max(ok, 1),
    ...memoryOf(server),
  };
}

// ------------------------------------------------------------- responses
function flattenNodes(nodes, out = []) {
  for (const n of nodes) {
    out.push(n.id);
    flattenNodes(n.replies ?? [], out);
  }
  return out;
}

function idsOf(kind, body, which) {
  if (kind === 'thread') {
    const pinned = (body.pinned ?? []).map((r) => r.id);
    return which === 'api' ? [...flattenNodes(body.items), ...pinned] : [...body.items.map((r) => r.id), ...pinned];
  }
  if (which === 'api')
    return [body.comment.id, ...flattenNodes(body.comment.replies), ...body.ancestors.map((a) => a.id)];
  return [body.comment.id, ...body.replies.map((r) => r.id), ...body.ancestors.map((a) => a.id)];
}

async function getJson(url) {
  const res = await fetch(url);
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET ${url} -> ${res.status}: ${text.slice(0, 2000)}`);
  return { body: JSON.parse(text), bytes: Buffer.byteLength(text) };
}

const encodeCursor = (kind, key) => Buffer.from(JSON.stringify([kind, ...key])).toString('base64url');

// ------------------------------------------------------------------ main
let localDb = false;
let statements = null;

// What the current service runs per request, as the baseline mirrors it.
async function statementsPerRequest() {
  const { CommentsService } = await import(join(ROOT, 'dist/libs/forum/src/comments/comments.service.js'));
  const { CommentsRepository } = await import(join(ROOT, 'dist/libs/forum/src/comments/comments.repository.js'));
  const { ArticlesService } = await import(join(ROOT, 'dist/libs/forum/src/articles/articles.service.js'));
  const slugCache =
    typeof CommentsService?.prototype?.articleIdOf === 'function' ||
    typeof ArticlesService?.prototype?.idOf === 'function';
  const pinnedStatement = typeof CommentsRepository?.prototype?.pinned === 'function';
  return {
    threadFirstPage:
      [slugCache ? null : 'article by slug', 'tree (+ pinned rows)', pinnedStatement ? 'pinned' : null]
        .filter(Boolean)
        .join(', ') + (slugCache ? ' (article id cached per slug)' : ''),
    threadLaterPage: [slugCache ? null : 'article by slug', 'tree'].filter(Boolean).join(', '),
    permalink:
      typeof CommentsService?.prototype?.cachedPermalink === 'function'
        ? 'from memory for anonymous readers; on a miss: article seq, comment by id, then ancestors || subtree tree'
        : 'comment by id, then ancestors || subtree tree',
  };
}

async function main() {
  for (const file of ['dist/apps/api/src/main.js', 'dist/libs/forum/src/comments/comments.repository.js']) {
    if (!existsSync(join(ROOT, file)))
      throw new Error(`${file} is missing: run \`npm run build\` (npm run bench:read does)`);
  }
  const { serverUrl } = await import('./dataset.mjs');
  localDb = ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(serverUrl()).hostname);
  log(
    `Settings: ${SETTINGS.connections} connections, ${SETTINGS.warmup} s warm-up + ${SETTINGS.duration} s per run, ` +
      `pool ${SETTINGS.poolSize}, cases ${SETTINGS.cases.join(',')}`,
  );

  const dataset = await ensureDataset({ root: ROOT, dbName: SETTINGS.dbName, log });
  statements = await statementsPerRequest();
  log(`Statements per request (API and baseline alike): ${JSON.stringify(statements)}`);
  const db = new pg.Client({ connectionString: dataset.databaseUrl });
  await db.connect();
  let params;
  let explain;
  try {
    params = await caseParameters(db);
    explain = await explainCases(db, params);
  } finally {
    await db.end();
  }

  // ---- servers
  const [basePort, ceilingPort] = await Promise.all([freePort(), freePort()]);
  const apiPorts = [];
  for (let i = 0; i < SETTINGS.apiProcesses; i++) apiPorts.push(await freePort());
  // The caller's environment minus every setting the app reads (a REDIS_URL
  // or REALTIME_ADAPTER left in the shell would change what is measured);
  // the app's defaults apply except for what is set here.
  const { configSchema } = await import(join(ROOT, 'dist/libs/common/src/config/app-config.js'));
  const inherited = Object.fromEntries(Object.entries(env).filter(([key]) => !(key in (configSchema?.shape ?? {}))));
  const common = { ...inherited, DATABASE_URL: dataset.databaseUrl, DATABASE_POOL_SIZE: String(SETTINGS.poolSize) };
  const apis = apiPorts.map((port, i) =>
    startChild(`API ${i + 1} (node dist/apps/api/src/main.js)`, [...apiNodeFlags(), 'dist/apps/api/src/main.js'], {
      ...common,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      SEED: 'false',
      JWT_SECRET,
      NODE_ENV: 'production',
    }),
  );
  const api = apis[0];
  const baseline = startChild('baseline (bench/read/baseline-server.mjs)', ['bench/read/baseline-server.mjs'], {
    ...common,
    PORT: String(basePort),
    HOST: '127.0.0.1',
  });
  // The API process itself (with two: the first, asked directly).
  const direct = `http://127.0.0.1:${apiPorts[0]}`;
  /** @type {Record<string, any>} */
  const servers = {
    api: { ...api, base: direct },
    baseline: { ...baseline, base: `http://127.0.0.1:${basePort}` },
  };
  await Promise.all([
    ...apis.map((a, i) => waitReady(a, `http://127.0.0.1:${apiPorts[i]}/ready`)),
    waitReady(baseline, `${servers.baseline.base}/health`),
  ]);
  if (apis.length > 1) {
    // Two API processes behind HAProxy as deploy/haproxy.cfg runs them, and
    // one of them behind the same proxy (a frontend of its own): the same
    // proxy hop on both sides, so the ratio is what the second process buys.
    const proxy = await startProxy(apiPorts);
    const pids = [...apis.map((a) => a.pid), proxy.pid];
    servers.api = { ...api, pids, memPids: apis.map((a) => a.pid), base: proxy.both };
    servers.apiOne = { ...api, pids: [api.pid, proxy.pid], memPids: [api.pid], base: proxy.one };
    log(`HAProxy pid ${proxy.pid}: both API processes at ${proxy.both}, the first alone at ${proxy.one}`);
  }
  // The ceiling answers what the API answered for case a, as it answered it.
  const caseA = `/api/articles/${params.a50.slug}/comments?sort=newest`;
  const captured = await captureAnswers(direct + caseA);
  const answersDir = mkdtempSync(join(os.tmpdir(), 'bench-read-'));
  const answersFile = join(answersDir, 'ceiling-answers.json');
  writeFileSync(answersFile, JSON.stringify({ path: caseA, ...captured }));
  const ceiling = startChild('ceiling (bench/read/ceiling-server.mjs)', ['bench/read/ceiling-server.mjs'], {
    ...inherited,
    CEILING_ANSWERS: answersFile,
    PORT: String(ceilingPort),
    HOST: '127.0.0.1',
  });
  servers.ceiling = { ...ceiling, base: `http://127.0.0.1:${ceilingPort}` };
  await waitReady(ceiling, `${servers.ceiling.base}/health`);
  rmSync(answersDir, { recursive: true, force: true });
  const idle = { api: memoryOf(servers.api), baseline: memory(baseline.pid), ceiling: memory(ceiling.pid) };
  log(
    `API pid ${apis.map((a) => a.pid).join(', ')} on :${apiPorts.join(', :')}, baseline pid ${baseline.pid} on :${basePort}, ` +
      `ceiling pid ${ceiling.pid} on :${ceilingPort}`,
  );

  // ---- the cases
  const CASES = {
    a: {
      title: '50k article, first page (newest)',
      kind: 'thread',
      path: `/api/articles/${params.a50.slug}/comments?sort=newest`,
    },
    b: {
      title: `200k article, page ~${SETTINGS.deepPage + 1} (cursor)`,
      kind: 'thread',
      path: `/api/articles/${params.a200.slug}/comments?sort=newest&limit=${SETTINGS.pageSize}&cursor=${params.deepCursor}`,
    },
    c: {
      title: '200k article, first page (newest)',
      kind: 'thread',
      path: `/api/articles/${params.a200.slug}/comments?sort=newest`,
    },
    d: {
      title: `200k article, permalink (depth ${params.deep.depth})`,
      kind: 'permalink',
      path: `/api/comments/${params.deep.id}`,
    },
  };
  const selected = SETTINGS.cases.filter((c) => CASES[c]);

  // ---- correctness before speed: both servers answer 200 with the same comments
  const checks = await sanityChecks(CASES, selected, servers, params);
  const ceilingChecks = await ceilingCheck(direct + caseA, servers.ceiling.base + caseA);
  log(
    `check a, ceiling: the same bytes and headers as the API in ${Object.entries(ceilingChecks)
      .map(([e, c]) => `${e} (${c.bytes} B, ${c.headers} headers)`)
      .join(', ')}, and the same 304s`,
  );

  const results = {};
  for (const key of selected) {
    const c = CASES[key];
    results[key] = { title: c.title, path: c.path, responseBytes: checks[key].bytes };
    const which3 =
      key === 'a' ? ['api', ...(servers.apiOne ? ['apiOne'] : []), 'baseline', 'ceiling'] : ['api', 'baseline'];
    for (const which of which3) {
      const server = servers[which];
      const url = server.base + c.path;
      log(`case ${key} (${c.title}) on ${which}: warm-up ${SETTINGS.warmup} s, then ${SETTINGS.duration} s`);
      await measure({ server, url, duration: SETTINGS.warmup });
      const r = await measure({ server, url, duration: SETTINGS.duration });
      results[key][which] = r;
      log(
        `  ${r.reqPerSec.toFixed(0)} req/s, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms, ` +
          `server CPU ${r.serverCpuPercent.toFixed(0)}%${r.postgresCpuPercent === null ? '' : `, postgres CPU ${r.postgresCpuPercent.toFixed(0)}%`}, ` +
          `load generator ${r.loadGeneratorCpuPercent.toFixed(0)}%${r.otherCpuPercent === null ? '' : `, other processes ${r.otherCpuPercent.toFixed(0)}%`}, ` +
          `RSS ${r.rssMiB.toFixed(0)} MiB${r.non2xx || r.errors ? `, NON-2XX ${r.non2xx}, ERRORS ${r.errors}` : ''}`,
      );
    }
    results[key].ratio = results[key].api.reqPerSec / results[key].baseline.reqPerSec;
    if (results[key].ceiling) results[key].ceilingRatio = results[key].api.reqPerSec / results[key].ceiling.reqPerSec;
    if (results[key].apiOne)
      results[key].secondProcessRatio = results[key].api.reqPerSec / results[key].apiOne.reqPerSec;
  }

  // ---- compression on the hot page (case a): the same API, asked for the
  // page as it is and in Brotli and gzip (the cached page keeps its
  // compressed bytes, so none is compressed per request). Rounds in rotating
  // order, so a change in the machine's load falls on every encoding alike;
  // the median run of each stands for it.
  let compression = null;
  if (results.a) {
    const encodings = ['identity', 'br', 'gzip'];
    const url = servers.api.base + CASES.a.path;
    const all = Object.fromEntries(encodings.map((e) => [e, []]));
    const bytes = {};
    for (const encoding of encodings) bytes[encoding] = await encodedBytes(url, { 'accept-encoding': encoding });
    for (let round = 0; round < SETTINGS.compressionRounds; round++) {
      for (const encoding of [...encodings.slice(round % 3), ...encodings.slice(0, round % 3)]) {
        const headers = { 'accept-encoding': encoding };
        log(
          `compression round ${round + 1}: case a on api, accept-encoding ${encoding}: warm-up ${SETTINGS.warmup} s, then ${SETTINGS.duration} s`,
        );
        await measure({ server: servers.api, url, duration: SETTINGS.warmup, headers });
        const r = await measure({ server: servers.api, url, duration: SETTINGS.duration, headers });
        all[encoding].push(r);
        log(
          `  ${r.reqPerSec.toFixed(0)} req/s, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms, ` +
            `${bytes[encoding]} B per answer, server CPU ${r.serverCpuPercent.toFixed(0)}%, other processes ${r.otherCpuPercent?.toFixed(0) ?? '-'}%, RSS ${r.rssMiB.toFixed(0)} MiB`,
        );
      }
    }
    compression = {
      path: CASES.a.path,
      rounds: SETTINGS.compressionRounds,
      failedRequests: Object.values(all)
        .flat()
        .reduce((n, r) => n + r.non2xx + r.errors, 0),
      runs: {},
    };
    for (const encoding of encodings) {
      const sorted = [...all[encoding]].sort((x, y) => x.reqPerSec - y.reqPerSec);
      compression.runs[encoding] = {
        bytes: bytes[encoding],
        ...sorted[Math.floor(sorted.length / 2)],
        allReqPerSec: all[encoding].map((r) => r.reqPerSec),
      };
    }
    for (const encoding of ['br', 'gzip']) {
      compression.runs[encoding].ratioToIdentity =
        compression.runs[encoding].reqPerSec / compression.runs.identity.reqPerSec;
      compression.runs[encoding].ratioToBaseline = compression.runs[encoding].reqPerSec / results.a.baseline.reqPerSec;
    }
  }

  // ---- latency at half the API's max rate (case a)
  let latency = null;
  if (results.a) {
    const rate = Math.max(1, Math.floor(results.a.api.reqPerSec / 2));
    const url = servers.api.base + CASES.a.path;
    log(`latency: API, case a, autocannon overallRate ${rate} req/s for ${SETTINGS.duration} s`);
    await measure({ server: servers.api, url, duration: SETTINGS.warmup });
    const ac = await measure({ server: servers.api, url, duration: SETTINGS.duration, overallRate: rate });
    log(`  p50 ${ac.p50.toFixed(2)} ms, p99 ${ac.p99.toFixed(2)} ms (${ac.reqPerSec.toFixed(0)} req/s achieved)`);
    const pacedSeries = async (which) => {
      const server = servers[which];
      const target = server.base + CASES.a.path;
      log(
        `latency: ${which}, case a, evenly paced ${rate} req/s: ${SETTINGS.warmup} s warm-up, then ${SETTINGS.latencyRepeats} x ${SETTINGS.duration} s`,
      );
      await pacedInChild({ url: target, rate, duration: SETTINGS.warmup, connections: SETTINGS.connections });
      const runs = [];
      for (let i = 0; i < SETTINGS.latencyRepeats; i++) {
        const window = cpuWindow(server);
        const run = await pacedInChild({
          url: target,
          rate,
          duration: SETTINGS.duration,
          connections: SETTINGS.connections,
        });
        Object.assign(run, window(run.generatorCpuSeconds));
        runs.push(run);
        log(
          `  run ${i + 1}: from due time p50 ${run.latencyFromDue.p50.toFixed(2)} ms, p99 ${run.latencyFromDue.p99.toFixed(2)} ms; ` +
            `service p50 ${run.latencyFromSend.p50.toFixed(2)} ms, p99 ${run.latencyFromSend.p99.toFixed(2)} ms; ` +
            `generator late p99 ${run.generatorIssueLag.p99.toFixed(2)} ms, max ${run.generatorIssueLag.max.toFixed(2)} ms, ` +
            `GC ${run.generatorGc.count} pauses, max ${run.generatorGc.maxMs.toFixed(2)} ms; server CPU ${run.serverCpuPercent.toFixed(0)}%` +
            `; machine CPU ${run.machineCpuPercent.toFixed(0)}%` +
            (run.otherCpuPercent === null ? '' : ` (other processes ${run.otherCpuPercent.toFixed(0)}%)`) +
            (run.non2xx || run.errors ? `; NON-2XX ${run.non2xx}, ERRORS ${run.errors}` : ''),
        );
      }
      // The run with the median p99 stands for the set (all runs are in the JSON).
      const median = [...runs].sort((x, y) => x.latencyFromDue.p99 - y.latencyFromDue.p99)[Math.floor(runs.length / 2)];
      median.allRuns = runs.map((r) => ({
        p50: r.latencyFromDue.p50,
        p99: r.latencyFromDue.p99,
        serviceP99: r.latencyFromSend.p99,
        generatorLateP99: r.generatorIssueLag.p99,
        otherCpuPercent: r.otherCpuPercent,
        non2xx: r.non2xx,
        errors: r.errors,
      }));
      return median;
    };
    const paced = await pacedSeries('api');
    // The same paced load on the baseline: what tail the machine itself has.
    const pacedBaseline = SETTINGS.paced.includes('baseline') ? await pacedSeries('baseline') : null;
    // And on the ceiling: the tail of node:http and this machine at that rate.
    const pacedCeiling = SETTINGS.paced.includes('ceiling') ? await pacedSeries('ceiling') : null;
    latency = { rate, autocannonOverallRate: ac, paced, pacedBaseline, pacedCeiling };
  }
  const final = { api: memoryOf(servers.api), baseline: memory(baseline.pid), ceiling: memory(servers.ceiling.pid) };
  await stopAll();

  // ---- report
  const report = {
    date: new Date().toISOString(),
    machine: machineInfo(),
    code: codeInfo(),
    settings: SETTINGS,
    statementsPerRequest: statements,
    dataset: { database: SETTINGS.dbName, rebuilt: dataset.rebuilt, buildSeconds: dataset.seconds, articles: ARTICLES },
    parameters: { deepCursor: params.deepCursor, deepCursorKey: params.deepKey, permalink: params.deep },
    memory: { idle, final },
    // API req/s over the ceiling's on case a (also under cases.a).
    ceilingRatio: results.a?.ceilingRatio ?? null,
    cases: results,
    ceilingChecks,
    compression,
    latency,
    explain,
  };
  report.targets = evaluateTargets(report);
  // Runs during which other processes on the machine (not the servers, not
  // postgres, not this load generator) used more than 15% of a core.
  const disturbed = [];
  for (const [key, r] of Object.entries(results)) {
    for (const which of ['api', 'apiOne', 'baseline', 'ceiling'])
      if (r[which]?.otherCpuPercent > 15) disturbed.push(`${key}/${which} ${r[which].otherCpuPercent.toFixed(0)}%`);
  }
  for (const [i, r] of (latency?.paced.allRuns ?? []).entries())
    if (r.otherCpuPercent > 15) disturbed.push(`API paced run ${i + 1} ${r.otherCpuPercent.toFixed(0)}%`);
  for (const [i, r] of (latency?.pacedBaseline?.allRuns ?? []).entries())
    if (r.otherCpuPercent > 15) disturbed.push(`baseline paced run ${i + 1} ${r.otherCpuPercent.toFixed(0)}%`);
  for (const [i, r] of (latency?.pacedCeiling?.allRuns ?? []).entries())
    if (r.otherCpuPercent > 15) disturbed.push(`ceiling paced run ${i + 1} ${r.otherCpuPercent.toFixed(0)}%`);
  for (const [encoding, r] of Object.entries(compression?.runs ?? {}))
    if (r.otherCpuPercent > 15) disturbed.push(`compression ${encoding} ${r.otherCpuPercent.toFixed(0)}%`);
  if (latency?.autocannonOverallRate.otherCpuPercent > 15)
    disturbed.push(`overallRate run ${latency.autocannonOverallRate.otherCpuPercent.toFixed(0)}%`);
  report.disturbedRuns = disturbed;
  printReport(report);
  const dir = join(ROOT, 'bench/results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `read-${report.date.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify(report, null, 2));
  log(`Wrote ${file}`);
  const failures =
    Object.values(results).some((r) => r.api.non2xx || r.api.errors || r.baseline.non2xx || r.baseline.errors) ||
    compression?.failedRequests > 0 ||
    [latency?.autocannonOverallRate, latency?.paced, latency?.pacedBaseline, latency?.pacedCeiling].some(
      (r) => r && (r.non2xx || r.errors),
    ) ||
    Object.values(results).some((r) => r.ceiling?.non2xx || r.ceiling?.errors || r.apiOne?.non2xx || r.apiOne?.errors);
  if (failures) throw new Error('Some requests failed (non-2xx or errors): see above');
  const missed = report.targets.filter((t) => !t.met);
  if (SETTINGS.strict && missed.length > 0)
    throw new Error(`BENCH_STRICT=1: ${missed.length} target(s) missed: ${missed.map((t) => t.target).join('; ')}`);
}

// ---------------------------------------------------------------- ceiling
const ENCODINGS = ['identity', 'br', 'gzip'];
// Written by node:http itself or different on every answer: not compared
// byte for byte (the request id is compared by its echo of a sent id).
const PER_ANSWER = new Set(['date', 'connection', 'keep-alive', 'x-request-id']);

// One GET as sent on the wire: status, headers (lower-case names, in order)
// and the body's bytes, not decoded.
function rawGet(url, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => {
        const list = [];
        for (let i = 0; i < res.rawHeaders.length; i += 2)
          list.push([res.rawHeaders[i].toLowerCase(), res.rawHeaders[i + 1]]);
        resolve({ status: res.statusCode, headers: list, body: Buffer.concat(chunks) });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

// The API's answers to case a in each encoding, and its 304s, as the ceiling
// server replays them.
async function captureAnswers(url) {
  const answers = {};
  const notModified = {};
  for (const encoding of ENCODINGS) {
    const ok = await rawGet(url, { 'accept-encoding': encoding });
    if (ok.status !== 200) throw new Error(`${url} in ${encoding}: ${ok.status}`);
    const etag = ok.headers.find(([name]) => name === 'etag')?.[1];
    if (!etag) throw new Error(`${url} in ${encoding}: no ETag`);
    const nm = await rawGet(url, { 'accept-encoding': encoding, 'if-none-match': etag });
    if (nm.status !== 304) throw new Error(`${url} in ${encoding} with If-None-Match ${etag}: ${nm.status}, not 304`);
    const keep = (list) => list.filter(([name]) => !PER_ANSWER.has(name));
    answers[encoding] = { status: 200, headers: keep(ok.headers), body: ok.body.toString('base64') };
    notModified[encoding] = { headers: keep(nm.headers) };
  }
  return { answers, notModified };
}

// The ceiling answers exactly what the API answers: the same bytes, the same
// header set (names and values, but the per-answer ones), a request id (the
// caller's when it sends one), the same 304 to a matching If-None-Match.
async function ceilingCheck(apiUrl, ceilingUrl) {
  const headerSet = (r) =>
    r.headers
      .filter(([name]) => !PER_ANSWER.has(name))
      .map(([name, value]) => `${name}: ${value}`)
      .sort()
      .join('\n');
  const out = {};
  for (const encoding of ENCODINGS) {
    for (const conditional of [false, true]) {
      const id = `bench-${encoding}-${conditional ? 'inm' : 'get'}`;
      const headers = { 'accept-encoding': encoding, 'x-request-id': id };
      if (conditional) headers['if-none-match'] = out[encoding].etag;
      const [a, c] = await Promise.all([rawGet(apiUrl, headers), rawGet(ceilingUrl, headers)]);
      const what = `ceiling check, ${encoding}${conditional ? ', If-None-Match' : ''}`;
      if (a.status !== c.status) throw new Error(`${what}: API ${a.status}, ceiling ${c.status}`);
      if (a.status !== (conditional ? 304 : 200)) throw new Error(`${what}: status ${a.status}`);
      if (!a.body.equals(c.body))
        throw new Error(`${what}: the bodies differ (${a.body.length} B vs ${c.body.length} B)`);
      if (headerSet(a) !== headerSet(c))
        throw new Error(`${what}: the headers differ:\nAPI:\n${headerSet(a)}\nceiling:\n${headerSet(c)}`);
      for (const [who, r] of [
        ['API', a],
        ['ceiling', c],
      ]) {
        const echoed = r.headers.find(([name]) => name === 'x-request-id')?.[1];
        if (echoed !== id) throw new Error(`${what}: ${who} answered x-request-id ${echoed}, not ${id}`);
      }
      if (!conditional)
        out[encoding] = {
          etag: a.headers.find(([name]) => name === 'etag')[1],
          bytes: a.body.length,
          headers: a.headers.filter(([name]) => !PER_ANSWER.has(name)).length,
        };
    }
  }
  return out;
}

// The proxy of deploy/haproxy.cfg (its defaults and its backend: round robin,
// the node cookie, health checks) without its per-request log, with a second
// frontend whose backend is the first API process alone.
async function startProxy(apiPorts) {
  const [bothPort, onePort] = [await freePort(), await freePort()];
  const deploy = readFileSync(join(ROOT, 'deploy/haproxy.cfg'), 'utf8');
  const config =
    deploy
      .split('\n')
      .filter((line) => !/^\s*(log\s|option httplog)/.test(line))
      .join('\n') +
    `
frontend one
  bind 127.0.0.1:${onePort}
  default_backend api_one

backend api_one
  option httpchk GET /ready
  http-check expect status 200
  default-server check inter 1s fall 2 rise 2
  server api-1 127.0.0.1:${apiPorts[0]}
`;
  const dir = mkdtempSync(join(os.tmpdir(), 'bench-read-haproxy-'));
  const file = join(dir, 'haproxy.cfg');
  writeFileSync(file, config);
  const child = spawn('haproxy', ['-db', '-f', file], {
    env: {
      ...env,
      PROXY_BIND: `127.0.0.1:${bothPort}`,
      API1_ADDR: `127.0.0.1:${apiPorts[0]}`,
      API2_ADDR: `127.0.0.1:${apiPorts[1]}`,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const handle = track('HAProxy', child);
  const both = `http://127.0.0.1:${bothPort}`;
  const one = `http://127.0.0.1:${onePort}`;
  // Ready when the proxy has both nodes in rotation (each answers /ready once).
  const deadline = Date.now() + 15_000;
  const seen = new Set();
  while (seen.size < 2) {
    if (Date.now() > deadline) throw new Error(`HAProxy did not reach both API processes: ${handle.output()}`);
    const node = await fetch(`${both}/ready`).then(
      (res) => (res.ok ? /rejoinder_node=([\w-]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1] : undefined),
      () => undefined,
    );
    if (node) seen.add(node);
    else await new Promise((r) => setTimeout(r, 100));
  }
  await waitReady(handle, `${one}/ready`);
  rmSync(dir, { recursive: true, force: true });
  return { pid: child.pid, both, one };
}

// A paced run in a process of its own (paced-child.mjs), pinned to the last
// core when taskset is there, so the generator's timers and garbage collection
// neither share an event loop with the runner nor wander onto the server's core.
let taskset = null;
function pacedInChild(settings) {
  if (taskset === null) {
    try {
      execFileSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' });
      taskset = SETTINGS.pinGenerator;
    } catch {
      taskset = false;
    }
  }
  const cores = os.availableParallelism?.() ?? os.cpus().length;
  const node = [
    process.execPath,
    join(ROOT, 'bench/read/paced-child.mjs'),
    JSON.stringify({ ...settings, client: SETTINGS.pacedClient }),
  ];
  const [cmd, ...args] = taskset ? ['taskset', '-c', String(cores - 1), ...node] : node;
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const handle = track('paced load generator', child);
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    handle.exited.then(({ code }) => {
      const last = stdout.trim().split('\n').at(-1);
      if (code !== 0 || !last) reject(new Error(`paced load generator exited with ${code}: ${handle.output()}`));
      else resolve({ ...JSON.parse(last), generatorPinnedToCore: taskset ? cores - 1 : null });
    });
  });
}

// The size of one answer as sent with these request headers (compressed or not).
async function encodedBytes(url, headers) {
  const { request } = await import('node:http');
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      let bytes = 0;
      res.on('data', (chunk) => (bytes += chunk.length));
      res.on('end', () =>
        res.statusCode === 200
          ? resolve(bytes)
          : reject(new Error(`${url}: ${res.statusCode} with ${JSON.stringify(headers)}`)),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

async function caseParameters(db) {
  const { rows: arts } = await db.query(`SELECT id, slug FROM articles WHERE slug = ANY($1)`, [
    ARTICLES.map((a) => a.slug),
  ]);
  const a50 = arts.find((a) => a.slug === ARTICLES[0].slug);
  const a200 = arts.find((a) => a.slug === ARTICLES[1].slug);
  const nth = async (articleId, offset) =>
    (
      await db.query(
        `SELECT id, created_at FROM comments WHERE article_id = $1 AND parent_id IS NULL AND listed
         ORDER BY created_at DESC, id DESC OFFSET $2 LIMIT 1`,
        [articleId, offset],
      )
    ).rows[0];
  // Cursors are base64url JSON of ["t:newest:<articleId>", createdAt, id] of
  // the last row of the previous page: the last row of page 500 opens page 501.
  const last = await nth(a200.id, SETTINGS.deepPage * SETTINGS.pageSize - 1);
  const firstOfDeep = await nth(a200.id, SETTINGS.deepPage * SETTINGS.pageSize);
  const deepKey = [last.created_at.toISOString(), last.id];
  const deepCursor = encodeCursor(`t:newest:${a200.id}`, deepKey);
  const page1Last = await nth(a50.id, SETTINGS.pageSize - 1);
  const page1Cursor = encodeCursor(`t:newest:${a50.id}`, [page1Last.created_at.toISOString(), page1Last.id]);
  // A deep comment with replies, so the permalink has a subtree to expand.
  const { rows } = await db.query(
    `SELECT id, depth, reply_count, descendant_count FROM comments
     WHERE article_id = $1 AND depth = $2 AND listed
     ORDER BY (reply_count > 0) DESC, descendant_count DESC, id LIMIT 1`,
    [a200.id, SETTINGS.permalinkDepth],
  );
  if (!rows[0]) throw new Error(`No comment at depth ${SETTINGS.permalinkDepth} in ${a200.slug}`);
  return { a50, a200, deepKey, deepCursor, firstOfDeep: firstOfDeep.id, page1Cursor, deep: rows[0] };
}

// EXPLAIN (ANALYZE, BUFFERS) of the statements each case runs, after two
// warm executions; the plans go into the results file.
async function explainCases(db, params) {
  // thread-query.js, or in earlier versions the comments repository, which held it.
  const threadQuery = join(ROOT, 'dist/libs/forum/src/comments/thread-query.js');
  const { treeQuery } = await import(
    existsSync(threadQuery) ? threadQuery : join(ROOT, 'dist/libs/forum/src/comments/comments.repository.js')
  );
  const { DEFAULT_TREE } = await import(join(ROOT, 'dist/libs/forum/src/comments/comments.service.js'));
  const thread = (articleId, after) =>
    treeQuery({
      articleId,
      parentId: null,
      sort: 'newest',
      after,
      limit: SETTINGS.pageSize,
      shape: DEFAULT_TREE,
      withPinned: !after,
    });
  const statements = {
    a: thread(params.a50.id),
    b: thread(params.a200.id, { sort: 'newest', createdAt: params.deepKey[0], id: params.deepKey[1] }),
    c: thread(params.a200.id),
    'c-top': treeQuery({
      articleId: params.a200.id,
      parentId: null,
      sort: 'top',
      limit: SETTINGS.pageSize,
      shape: DEFAULT_TREE,
      withPinned: true,
    }),
    'd-subtree': treeQuery({
      articleId: params.a200.id,
      parentId: params.deep.id,
      sort: 'oldest',
      limit: DEFAULT_TREE.repliesPerLevel,
      shape: { ...DEFAULT_TREE, levels: DEFAULT_TREE.levels - 1 },
    }),
  };
  const out = {};
  for (const [key, q] of Object.entries(statements)) {
    for (let i = 0; i < 2; i++) await db.query(q.text, q.values);
    const { rows } = await db.query(`EXPLAIN (ANALYZE, BUFFERS) ${q.text}`, q.values);
    const plan = rows.map((r) => r['QUERY PLAN']);
    const ms = Number(/Execution Time: ([\d.]+) ms/.exec(plan.join('\n'))?.[1]);
    const hits = plan.join('\n').match(/shared hit=(\d+)/);
    out[key] = {
      executionMs: ms,
      sharedHitBuffers: hits ? Number(hits[1]) : null,
      seqScanOnComments: plan.some((l) => /Seq Scan on comments/.test(l)),
      plan,
    };
    log(
      `EXPLAIN ${key}: ${ms.toFixed(3)} ms, ${out[key].sharedHitBuffers} buffers` +
        (out[key].seqScanOnComments ? ', SEQ SCAN on comments' : ''),
    );
  }
  return out;
}

async function sanityChecks(CASES, selected, servers, params) {
  const out = {};
  for (const key of selected) {
    const c = CASES[key];
    const [api, base] = await Promise.all([
      getJson(servers.api.base + c.path),
      getJson(servers.baseline.base + c.path),
    ]);
    const a = idsOf(c.kind, api.body, 'api').sort();
    const b = idsOf(c.kind, base.body, 'baseline').sort();
    if (a.length === 0 || a.join() !== b.join()) {
      throw new Error(`case ${key}: the API and the baseline return different comments (${a.length} vs ${b.length})`);
    }
    if (key === 'a' && api.body.nextCursor !== params.page1Cursor) {
      throw new Error(`case a: the API's nextCursor ${api.body.nextCursor} is not the computed ${params.page1Cursor}`);
    }
    if (key === 'b' && api.body.items[0]?.id !== params.firstOfDeep) {
      throw new Error(`case b: the deep page starts at ${api.body.items[0]?.id}, expected ${params.firstOfDeep}`);
    }
    out[key] = { bytes: { api: api.bytes, baseline: base.bytes }, comments: a.length };
    log(
      `check ${key}: both servers return the same ${a.length} comments (API ${api.bytes} B, baseline ${base.bytes} B)`,
    );
  }
  return out;
}

function machineInfo() {
  const sh = (cmd, args) => {
    try {
      return execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'ignore'] })
        .toString()
        .trim();
    } catch {
      return null;
    }
  };
  return {
    nproc: os.availableParallelism?.() ?? os.cpus().length,
    cpu: os.cpus()[0]?.model,
    memTotalGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    node: process.version,
    postgres: sh('psql', [
      '-XAtc',
      'SHOW server_version',
      env.BENCH_DATABASE_SERVER || 'postgresql://postgres@127.0.0.1:5432/postgres',
    ]),
    kernel: os.release(),
  };
}

// Which code was measured (read-only git commands).
function codeInfo() {
  const git = (args) => {
    try {
      return execFileSync('git', args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] })
        .toString()
        .trim();
    } catch {
      return null;
    }
  };
  const status = git(['status', '--porcelain']);
  return {
    commit: git(['rev-parse', 'HEAD']),
    changedFiles: status === null ? null : status.split('\n').filter(Boolean).length,
    migrations: readdirSync(join(ROOT, 'prisma/migrations'), { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort(),
  };
}

function evaluateTargets(report) {
  const t = [];
  const { cases, latency } = report;
  for (const [key, r] of Object.entries(cases)) {
    t.push({
      target: `case ${key}: API req/s >= 0.8 x baseline`,
      value: `${r.ratio.toFixed(3)} x`,
      met: r.ratio >= 0.8,
    });
  }
  if (cases.a) {
    // Page 1 of a hot thread comes from memory: it must beat running the SQL.
    t.push({
      target: 'case a: API req/s >= 5 x baseline (served from memory)',
      value: `${cases.a.ratio.toFixed(3)} x`,
      met: cases.a.ratio >= 5,
    });
    // Against what node:http answers with the same bytes from memory.
    t.push({
      target: 'case a: API req/s >= 0.5 x the ceiling (ceilingRatio)',
      value: `${cases.a.ceilingRatio.toFixed(3)} x`,
      met: cases.a.ceilingRatio >= 0.5,
    });
  }
  if (report.compression) {
    // Compression must not cost the hot page its throughput: compressed, it
    // still beats running the SQL fivefold, and keeps 90 % of the plain rate.
    for (const encoding of ['br', 'gzip']) {
      const r = report.compression.runs[encoding];
      t.push({
        target: `case a in ${encoding}: API req/s >= 5 x baseline`,
        value: `${r.ratioToBaseline.toFixed(3)} x`,
        met: r.ratioToBaseline >= 5,
      });
      t.push({
        target: `case a in ${encoding}: API req/s >= 0.9 x the same page uncompressed`,
        value: `${r.ratioToIdentity.toFixed(3)} x`,
        met: r.ratioToIdentity >= 0.9,
      });
    }
  }
  if (latency) {
    const ac = latency.autocannonOverallRate;
    t.push({
      target: `case a: API p99 <= 10 ms at half max rate (${latency.rate} req/s), autocannon overallRate`,
      value: `${ac.p99.toFixed(2)} ms`,
      met: ac.p99 <= 10,
    });
    t.push({
      target: `case a: API p99 <= 5 ms at half max rate (${latency.rate} req/s), evenly paced, from due time`,
      value: `${latency.paced.latencyFromDue.p99.toFixed(2)} ms`,
      met: latency.paced.latencyFromDue.p99 <= 5 && latency.paced.non2xx === 0 && latency.paced.errors === 0,
    });
  }
  // The peak resident memory of the API process (of each, with two) through the run.
  const hwm = report.memory.final.api.hwmMiB;
  t.push({ target: 'API RSS <= 256 MiB at its peak through the run', value: `${hwm.toFixed(0)} MiB`, met: hwm <= 256 });
  if (cases.a) {
    for (const key of ['b', 'c']) {
      if (!cases[key]) continue;
      // Throughput is the measure: slowdown = req/s of case a / req/s of the case.
      const slow = cases.a.api.reqPerSec / cases[key].api.reqPerSec;
      const p50 = cases[key].api.p50 / cases.a.api.p50;
      t.push({
        target: `case ${key} within 1.2 x of case a (API req/s ratio a/${key}; p50 ratio ${p50.toFixed(2)} x for reference)`,
        value: `${slow.toFixed(2)} x`,
        met: slow <= 1.2,
      });
    }
  }
  return t;
}

function printReport(report) {
  const f = (n, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : '-');
  const lines = [];
  lines.push('');
  lines.push(
    `Read benchmark, ${report.settings.connections} connections, ${report.settings.duration} s per run (after ${report.settings.warmup} s warm-up), pool ${report.settings.poolSize}`,
  );
  lines.push(
    `${report.machine.nproc} cores, ${report.machine.memTotalGiB} GiB, node ${report.machine.node}, PostgreSQL ${report.machine.postgres}; ` +
      `code ${report.code.commit?.slice(0, 10)}${report.code.changedFiles ? ` + ${report.code.changedFiles} uncommitted files` : ''}`,
  );
  lines.push('');
  const head = [
    'case',
    'server',
    'req/s',
    'p50 ms',
    'p99 ms',
    'API/base',
    'srv CPU%',
    'CPU ms/req',
    'pg CPU%',
    'other%',
    'RSS MiB',
    'HWM MiB',
  ];
  const rows = [head];
  for (const [key, r] of Object.entries(report.cases)) {
    for (const which of ['api', 'apiOne', 'baseline', 'ceiling']) {
      const m = r[which];
      if (!m) continue;
      rows.push([
        which === 'api' ? `${key}: ${r.title}` : '',
        { api: report.settings.apiProcesses > 1 ? 'api x2 (proxy)' : 'api', apiOne: 'api x1 (proxy)' }[which] ?? which,
        f(m.reqPerSec),
        f(m.p50, 2),
        f(m.p99, 2),
        which === 'api' ? f(r.ratio, 2) : '',
        f(m.serverCpuPercent),
        f(m.serverCpuMsPerRequest, 2),
        m.postgresCpuPercent === null ? '-' : f(m.postgresCpuPercent),
        m.otherCpuPercent === null ? '-' : f(m.otherCpuPercent),
        f(m.rssMiB),
        f(m.hwmMiB),
      ]);
    }
  }
  const widths = head.map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  for (const r of rows)
    lines.push(r.map((c, i) => (i < 2 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  '));
  if (report.cases.a?.ceiling) {
    lines.push('');
    lines.push(
      `case a against the ceiling (bare node:http, the API's bytes and headers from memory): ceilingRatio ${f(report.cases.a.ceilingRatio, 3)}` +
        (report.cases.a.secondProcessRatio === undefined
          ? ''
          : `; two API processes behind HAProxy ${f(report.cases.a.secondProcessRatio, 2)} x one behind the same proxy`),
    );
  }
  if (report.compression) {
    lines.push('');
    lines.push(`Compression, API, case a (the same cached page; median of ${report.compression.rounds} rounds):`);
    for (const [encoding, r] of Object.entries(report.compression.runs)) {
      lines.push(
        `  ${encoding.padEnd(8)}: ${f(r.reqPerSec)} req/s (runs ${r.allReqPerSec.map((x) => f(x)).join(', ')}), p50 ${f(r.p50, 2)} ms, p99 ${f(r.p99, 2)} ms, ${r.bytes} B per answer` +
          (r.ratioToIdentity === undefined
            ? ''
            : `, ${f(r.ratioToIdentity, 2)} x uncompressed, ${f(r.ratioToBaseline, 2)} x baseline`),
      );
    }
  }
  if (report.latency) {
    const { rate, autocannonOverallRate: ac, paced } = report.latency;
    lines.push('');
    lines.push(`Latency, API, case a, at half the max rate (${rate} req/s):`);
    lines.push(
      `  autocannon overallRate : p50 ${f(ac.p50, 2)} ms, p99 ${f(ac.p99, 2)} ms, ${f(ac.reqPerSec)} req/s achieved`,
    );
    lines.push(
      `  evenly paced           : p50 ${f(paced.latencyFromDue.p50, 2)} ms, p99 ${f(paced.latencyFromDue.p99, 2)} ms from due time; ` +
        `service p50 ${f(paced.latencyFromSend.p50, 2)} ms, p99 ${f(paced.latencyFromSend.p99, 2)} ms ` +
        `(median-p99 run of ${paced.allRuns.length}; p99s ${paced.allRuns.map((r) => f(r.p99, 1)).join(', ')} ms)`,
    );
    lines.push(
      `                           generator (own process${paced.generatorPinnedToCore === null ? '' : `, core ${paced.generatorPinnedToCore}`}): ` +
        `issued late p99 ${f(paced.generatorIssueLag.p99, 2)} ms, max ${f(paced.generatorIssueLag.max, 2)} ms; ` +
        `GC ${paced.generatorGc.count} pauses, max ${f(paced.generatorGc.maxMs, 2)} ms; server CPU ${f(paced.serverCpuPercent)}%`,
    );
    for (const [name, pb] of [
      ['baseline, same pacing  ', report.latency.pacedBaseline],
      ['ceiling, same pacing   ', report.latency.pacedCeiling],
    ]) {
      if (!pb) continue;
      lines.push(
        `  ${name}: p50 ${f(pb.latencyFromDue.p50, 2)} ms, p99 ${f(pb.latencyFromDue.p99, 2)} ms from due time; ` +
          `service p99 ${f(pb.latencyFromSend.p99, 2)} ms ` +
          `(median-p99 run of ${pb.allRuns.length}; p99s ${pb.allRuns.map((r) => f(r.p99, 1)).join(', ')} ms)`,
      );
    }
  }
  lines.push('');
  lines.push(
    'EXPLAIN (ANALYZE) of the tree statement: ' +
      Object.entries(report.explain)
        .map(([k, e]) => `${k} ${f(e.executionMs, 2)} ms${e.seqScanOnComments ? ' (seq scan)' : ''}`)
        .join(', '),
  );
  lines.push(
    `Memory idle: API ${f(report.memory.idle.api.rssMiB)} MiB, baseline ${f(report.memory.idle.baseline.rssMiB)} MiB, ceiling ${f(report.memory.idle.ceiling.rssMiB)} MiB; ` +
      `after the runs: API ${f(report.memory.final.api.rssMiB)} MiB (peak ${f(report.memory.final.api.hwmMiB)}), baseline ${f(report.memory.final.baseline.rssMiB)} MiB (peak ${f(report.memory.final.baseline.hwmMiB)}), ` +
      `ceiling ${f(report.memory.final.ceiling.rssMiB)} MiB (peak ${f(report.memory.final.ceiling.hwmMiB)})`,
  );
  lines.push('');
  if (report.disturbedRuns.length > 0) {
    lines.push(
      `WARNING: other processes used CPU during some runs (${report.disturbedRuns.join(', ')}): those figures are unreliable; run again on a quiet machine.`,
    );
    lines.push('');
  }
  lines.push('Targets:');
  for (const t of report.targets) lines.push(`  [${t.met ? 'pass' : 'MISS'}] ${t.target}: ${t.value}`);
  lines.push('');
  console.log(lines.join('\n'));
}

main().then(
  () => {
    clearTimeout(watchdog);
    process.exit(0);
  },
  async (error) => {
    console.error(`\nbench:read failed: ${error.stack ?? error}`);
    await stopAll();
    process.exit(1);
  },
);
