// npm run bench:read — read-path benchmark of the API against a bare
// node:http + pg baseline running the same SQL. See bench/README.md.
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
import autocannon from 'autocannon';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { apiNodeFlags } from '../../scripts/api-node-flags.mjs';
import { cpuWindow as cpuWindowOf, memory, postgresTicks } from '../lib/cpu.mjs';
import { freePort, startNode, stopAll as stopChildren, stopChildrenOnExit, waitReady } from '../lib/processes.mjs';
import { ARTICLES, ensureDataset } from './dataset.mjs';
import { pacedRun, percentiles } from './paced.mjs';

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
};
const JWT_SECRET = 'bench-read-jwt-secret-0123456789abcdef';

const started = Date.now();
const log = (msg) => console.log(`[bench ${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s] ${msg}`);

// ---------------------------------------------------------------- children
const startChild = (name, args, childEnv) => startNode(name, args, { cwd: ROOT, env: childEnv });
const stopAll = () => stopChildren(5000);
const watchdog = stopChildrenOnExit({ log, maxSeconds: SETTINGS.maxSeconds, timeoutMs: 5000 });

// ------------------------------------------------------------------ /proc
// CPU over a window: the server and, when the database runs on this machine,
// every PostgreSQL process on it.
const cpuWindow = (serverPid) => cpuWindowOf(serverPid, () => (localDb ? postgresTicks() : null));

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
  const window = cpuWindow(server.pid);
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
    ...memory(server.pid),
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
  const [apiPort, basePort] = await Promise.all([freePort(), freePort()]);
  // The caller's environment minus every setting the app reads (a REDIS_URL
  // or REALTIME_ADAPTER left in the shell would change what is measured);
  // the app's defaults apply except for what is set here.
  const { configSchema } = await import(join(ROOT, 'dist/libs/common/src/config/app-config.js'));
  const inherited = Object.fromEntries(Object.entries(env).filter(([key]) => !(key in (configSchema?.shape ?? {}))));
  const common = { ...inherited, DATABASE_URL: dataset.databaseUrl, DATABASE_POOL_SIZE: String(SETTINGS.poolSize) };
  const api = startChild('API (node dist/apps/api/src/main.js)', [...apiNodeFlags(), 'dist/apps/api/src/main.js'], {
    ...common,
    PORT: String(apiPort),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    SEED: 'false',
    JWT_SECRET,
    NODE_ENV: 'production',
  });
  const baseline = startChild('baseline (bench/read/baseline-server.mjs)', ['bench/read/baseline-server.mjs'], {
    ...common,
    PORT: String(basePort),
    HOST: '127.0.0.1',
  });
  const servers = {
    api: { ...api, base: `http://127.0.0.1:${apiPort}` },
    baseline: { ...baseline, base: `http://127.0.0.1:${basePort}` },
  };
  await Promise.all([
    waitReady(api, `${servers.api.base}/ready`),
    waitReady(baseline, `${servers.baseline.base}/health`),
  ]);
  const idle = { api: memory(api.pid), baseline: memory(baseline.pid) };
  log(`API pid ${api.pid} on :${apiPort}, baseline pid ${baseline.pid} on :${basePort}`);

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

  const results = {};
  for (const key of selected) {
    const c = CASES[key];
    results[key] = { title: c.title, path: c.path, responseBytes: checks[key].bytes };
    for (const which of ['api', 'baseline']) {
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
      await pacedRun({ url: target, rate, duration: SETTINGS.warmup, connections: SETTINGS.connections });
      const runs = [];
      for (let i = 0; i < SETTINGS.latencyRepeats; i++) {
        const window = cpuWindow(server.pid);
        const run = await pacedRun({
          url: target,
          rate,
          duration: SETTINGS.duration,
          connections: SETTINGS.connections,
        });
        Object.assign(run, window());
        runs.push(run);
        log(
          `  run ${i + 1}: from due time p50 ${run.latencyFromDue.p50.toFixed(2)} ms, p99 ${run.latencyFromDue.p99.toFixed(2)} ms; ` +
            `service p50 ${run.latencyFromSend.p50.toFixed(2)} ms, p99 ${run.latencyFromSend.p99.toFixed(2)} ms` +
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
        otherCpuPercent: r.otherCpuPercent,
        non2xx: r.non2xx,
        errors: r.errors,
      }));
      return median;
    };
    const paced = await pacedSeries('api');
    // The same paced load on the baseline: what tail the machine itself has.
    const pacedBaseline = await pacedSeries('baseline');
    latency = { rate, autocannonOverallRate: ac, paced, pacedBaseline };
  }
  const final = { api: memory(api.pid), baseline: memory(baseline.pid) };
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
    cases: results,
    compression,
    latency,
    explain,
  };
  report.targets = evaluateTargets(report);
  // Runs during which other processes on the machine (not the servers, not
  // postgres, not this load generator) used more than 15% of a core.
  const disturbed = [];
  for (const [key, r] of Object.entries(results)) {
    for (const which of ['api', 'baseline'])
      if (r[which].otherCpuPercent > 15) disturbed.push(`${key}/${which} ${r[which].otherCpuPercent.toFixed(0)}%`);
  }
  for (const [i, r] of (latency?.paced.allRuns ?? []).entries())
    if (r.otherCpuPercent > 15) disturbed.push(`API paced run ${i + 1} ${r.otherCpuPercent.toFixed(0)}%`);
  for (const [i, r] of (latency?.pacedBaseline.allRuns ?? []).entries())
    if (r.otherCpuPercent > 15) disturbed.push(`baseline paced run ${i + 1} ${r.otherCpuPercent.toFixed(0)}%`);
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
    [latency?.autocannonOverallRate, latency?.paced, latency?.pacedBaseline].some((r) => r && (r.non2xx || r.errors));
  if (failures) throw new Error('Some requests failed (non-2xx or errors): see above');
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
      target: `case a: API p99 <= 10 ms at half max rate (${latency.rate} req/s), evenly paced, from due time`,
      value: `${latency.paced.latencyFromDue.p99.toFixed(2)} ms`,
      met: latency.paced.latencyFromDue.p99 <= 10 && latency.paced.non2xx === 0 && latency.paced.errors === 0,
    });
  }
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
    for (const which of ['api', 'baseline']) {
      const m = r[which];
      rows.push([
        which === 'api' ? `${key}: ${r.title}` : '',
        which,
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
    const pb = report.latency.pacedBaseline;
    lines.push(
      `  baseline, same pacing  : p50 ${f(pb.latencyFromDue.p50, 2)} ms, p99 ${f(pb.latencyFromDue.p99, 2)} ms from due time ` +
        `(median-p99 run of ${pb.allRuns.length}; p99s ${pb.allRuns.map((r) => f(r.p99, 1)).join(', ')} ms)`,
    );
  }
  lines.push('');
  lines.push(
    'EXPLAIN (ANALYZE) of the tree statement: ' +
      Object.entries(report.explain)
        .map(([k, e]) => `${k} ${f(e.executionMs, 2)} ms${e.seqScanOnComments ? ' (seq scan)' : ''}`)
        .join(', '),
  );
  lines.push(
    `Memory idle: API ${f(report.memory.idle.api.rssMiB)} MiB, baseline ${f(report.memory.idle.baseline.rssMiB)} MiB; ` +
      `after the runs: API ${f(report.memory.final.api.rssMiB)} MiB (peak ${f(report.memory.final.api.hwmMiB)}), baseline ${f(report.memory.final.baseline.rssMiB)} MiB (peak ${f(report.memory.final.baseline.hwmMiB)})`,
  );
  lines.push('');
  if (report.disturbedRuns.length > 0) {
    lines.push(
      `WARNING: other processes used CPU during some runs (${report.disturbedRuns.join(', ')}): those figures are unreliable; run again on a quiet machine.`,
    );
    lines.push('');
  }
  lines.push('Targets:');
  for (const t of report.targets) lines.push(`  [${t.met ? 'met' : 'NOT MET'}] ${t.target}: ${t.value}`);
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
