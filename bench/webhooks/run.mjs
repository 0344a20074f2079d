// npm run bench:webhooks — what signed webhooks cost the posting path and how
// fast they arrive. One API process against its own database; 5 receivers in
// a child process of their own (bench/webhooks/receivers.mjs, node:http),
// each verifying every delivery with the standardwebhooks package, as a
// newsroom's receiver would.
//
// 1. Delivery: comments posted at BENCH_RATE a second for BENCH_SECONDS,
//    paced from each post's due time (a late answer does not delay the next
//    post), on an article with 5 endpoints; latency from the post's due time
//    to its arrival at each receiver. Pass: every comment reaches all 5, and
//    p99 under 1 s.
// 2. Throughput: BENCH_CLIENTS clients post as fast as they are answered for
//    BENCH_ROUND_SECONDS, in BENCH_ROUNDS pairs of rounds with the 5
//    endpoints off and on (the same process and database), the order
//    alternating from pair to pair (off-on, on-off, ...), the deliveries of a
//    round with webhooks drained before the next round starts. Each round's
//    posts a second and CPU (API, PostgreSQL, receivers, other) are printed;
//    pass: the median of the pairs' ratios (with / without) at least 0.90.
// Prints pass/miss, p50/p99 and the server's RSS; BENCH_STRICT=1 exits 1 on a
// miss. See bench/README.md.
//
// Settings (environment):
//   BENCH_DATABASE_SERVER  postgresql://postgres@127.0.0.1:5432/postgres
//   BENCH_DB_NAME          rejoinder_bench_webhooks (created at start, dropped at the end)
//   BENCH_RATE             100 posts a second
//   BENCH_SECONDS          20
//   BENCH_CLIENTS          16
//   BENCH_ROUND_SECONDS    8
//   BENCH_ROUNDS           5 (pairs)
//   BENCH_STRICT           1: exit code 1 on a miss
//   BENCH_API_ENV          extra settings for the API, "KEY=value,KEY=value"
//   BENCH_API_DIST         the build to run (dist; another commit's build to compare)
//   BENCH_SENDER           separate: a second API node sends (WEBHOOK_SENDER=false on the posting one)
import { fork, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { apiNodeFlags } from '../../scripts/api-node-flags.mjs';
import { cpuTicks, cpuWindow, CLK_TCK, postgresTicks, procStat, rssMiB } from '../lib/cpu.mjs';
import { Histogram } from '../lib/histogram.mjs';
import { freePort, sleep } from '../lib/processes.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const env = process.env;
const SETTINGS = {
  server: env.BENCH_DATABASE_SERVER || 'postgresql://postgres@127.0.0.1:5432/postgres',
  dbName: env.BENCH_DB_NAME || 'rejoinder_bench_webhooks',
  rate: Number(env.BENCH_RATE || 100),
  seconds: Number(env.BENCH_SECONDS || 20),
  clients: Number(env.BENCH_CLIENTS || 16),
  roundSeconds: Number(env.BENCH_ROUND_SECONDS || 8),
  rounds: Number(env.BENCH_ROUNDS || 5),
  strict: env.BENCH_STRICT === '1',
  dist: env.BENCH_API_DIST || 'dist',
  separateSender: env.BENCH_SENDER === 'separate',
  apiEnv: Object.fromEntries(
    (env.BENCH_API_ENV || '')
      .split(',')
      .filter(Boolean)
      .map((kv) => kv.split('=')),
  ),
  receivers: 5,
};
const JWT_SECRET = 'bench-webhooks-jwt-secret-0123456789abcdef';
const SLUG = 'bench-webhooks';
const started = Date.now();
const log = (msg) => console.log(`[bench ${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s] ${msg}`);
const dbUrl = SETTINGS.server.replace(/\/[^/]*$/, `/${SETTINGS.dbName}`);

/** @returns {Promise<any[]>} */
async function query(url, text, values = []) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, values)).rows;
  } finally {
    await client.end();
  }
}

// ---------------------------------------------------------------- receivers
// When each comment was due (epoch ms), by its client id.
const dueAt = new Map();

// The receivers' process: its URLs, and a way to ask it what arrived.
async function startReceivers() {
  const child = fork(join(ROOT, 'bench/webhooks/receivers.mjs'), [], {
    env: { ...env, RECEIVERS: String(SETTINGS.receivers) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.add(child);
  const urls = await new Promise((resolve, reject) => {
    child.once('message', (/** @type {any} */ m) => resolve(m.urls));
    child.once('exit', () => reject(new Error('the receivers exited')));
  });
  const ask = (message, answer) =>
    new Promise((resolve) => {
      const on = (m) => {
        if (m.type !== answer) return;
        child.off('message', on);
        resolve(m);
      };
      child.on('message', on);
      child.send(message);
    });
  return { child, urls, ask };
}

// -------------------------------------------------------------------- posts
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

function request(base, method, path, token, body) {
  return new Promise((resolve) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      `${base}${path}`,
      {
        method,
        agent,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
        },
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          resolve({ status: res.statusCode, body: text ? JSON.parse(text) : null });
        });
      },
    );
    req.on('error', (error) => resolve({ status: 'error', body: { error: String(error) } }));
    req.end(payload);
  });
}

let sent = 0;
const post = (base, tokens, id) => {
  sent += 1;
  return request(base, 'POST', `/api/articles/${SLUG}/comments`, tokens[sent % tokens.length], {
    id,
    body: `Comment ${sent} from the webhooks benchmark. `.padEnd(280, 'lorem ipsum '),
  });
};

// Posts at `rate` a second for `seconds`, each sent at its due time.
async function paced(base, tokens) {
  const total = Math.round(SETTINGS.rate * SETTINGS.seconds);
  const answers = new Histogram();
  const ids = [];
  let failed = 0;
  const codes = {};
  const t0 = performance.now() + 100;
  const inFlight = [];
  for (let i = 0; i < total; i += 1) {
    const due = t0 + (i * 1000) / SETTINGS.rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const id = randomUUID();
    dueAt.set(id, performance.timeOrigin + due);
    ids.push(id);
    inFlight.push(
      post(base, tokens, id).then((answer) => {
        if (answer.status === 201) answers.add(performance.now() - due);
        else {
          failed += 1;
          const code = `${answer.status} ${answer.body?.code ?? ''}`.trim();
          codes[code] = (codes[code] ?? 0) + 1;
        }
      }),
    );
  }
  await Promise.all(inFlight);
  return { total, ids, failed, codes, answers: answers.summary(), seconds: (performance.now() - t0) / 1000 };
}

// `clients` clients, each posting again as soon as it is answered.
async function closedLoop(base, tokens) {
  let ok = 0;
  let failed = 0;
  const end = performance.now() + SETTINGS.roundSeconds * 1000;
  const client = async () => {
    while (performance.now() < end) {
      const answer = await post(base, tokens, randomUUID());
      if (performance.now() > end) break;
      if (answer.status === 201) ok += 1;
      else failed += 1;
    }
  };
  await Promise.all(Array.from({ length: SETTINGS.clients }, client));
  return { perSecond: ok / SETTINGS.roundSeconds, failed };
}

// ---------------------------------------------------------------------- run
const children = new Set();
async function main() {
  await query(SETTINGS.server, `DROP DATABASE IF EXISTS ${SETTINGS.dbName}`);
  await query(SETTINGS.server, `CREATE DATABASE ${SETTINGS.dbName}`);
  // One API node that posts (and sends, unless BENCH_SENDER=separate: then a
  // second node, with no traffic of its own, sends and the first does not).
  const startApi = async (extra) => {
    const port = await freePort();
    const child = spawn(process.execPath, [...apiNodeFlags(), join(ROOT, SETTINGS.dist, 'apps/api/src/main.js')], {
      cwd: ROOT,
      env: {
        ...env,
        NODE_ENV: 'production',
        DATABASE_URL: dbUrl,
        PORT: String(port),
        HOST: '127.0.0.1',
        SEED: 'false',
        LOG_LEVEL: 'warn',
        JWT_SECRET,
        REDIS_URL: '',
        RATE_COMMENTS_PER_USER: '100000000',
        RATE_COMMENTS_PER_NEW_USER: '100000000',
        RATE_COMMENTS_PER_IP: '100000000',
        RATE_AUTH_PER_IP: '100000000',
        SLOW_MODE_AUTO_COMMENTS_PER_MINUTE: '0',
        SLOW_MODE_AUTO_REPORTS_PER_MINUTE: '0',
        // The receivers are on this machine.
        WEBHOOK_ALLOW_PRIVATE: 'true',
        WEBHOOK_SENDER: 'true',
        ...SETTINGS.apiEnv,
        ...extra,
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    children.add(child);
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i += 1) {
      if (child.exitCode !== null) throw new Error('the API exited');
      const ready = await fetch(`${base}/ready`).then(
        (r) => r.ok,
        () => false,
      );
      if (ready) break;
      if (i > 600) throw new Error('the API did not become ready');
      await sleep(100);
    }
    return { child, base };
  };
  const { child: api, base } = await startApi(SETTINGS.separateSender ? { WEBHOOK_SENDER: 'false' } : {});
  const sender = SETTINGS.separateSender ? (await startApi({ WEBHOOK_SENDER: 'true' })).child : null;

  await query(
    dbUrl,
    `INSERT INTO articles (id, slug, title, byline, published_at, body_source, body_html, updated_at)
     VALUES (gen_random_uuid(), $1, 'Bench article', 'Bench', now(), 'Body', '<p>Body</p>', now())`,
    [SLUG],
  );
  const tokens = [];
  for (let i = 0; i < 16; i += 1) {
    const username = `bench_${i}_${Date.now().toString(36)}`;
    const res = await request(base, 'POST', '/api/auth/register', null, {
      username,
      email: `${username}@example.test`,
      password: 'bench password 123',
    });
    if (res.status !== 201) throw new Error(`register: ${res.status} ${JSON.stringify(res.body)}`);
    tokens.push(res.body.accessToken);
  }
  await query(dbUrl, `UPDATE users SET role = 'admin' WHERE username LIKE 'bench_0_%'`);
  const admin = tokens[0];

  const receivers = await startReceivers();
  const hooks = [];
  for (const url of receivers.urls) {
    const res = await request(base, 'POST', '/api/admin/webhooks', admin, { url, events: ['comment.published'] });
    if (res.status !== 201) throw new Error(`webhook: ${res.status} ${JSON.stringify(res.body)}`);
    hooks.push(res.body);
  }
  receivers.child.send({ type: 'secrets', secrets: hooks.map((h) => h.secret) });
  const setEnabled = async (enabled) => {
    for (const h of hooks) {
      const res = await request(base, 'PATCH', `/api/admin/webhooks/${h.id}`, admin, { enabled });
      if (res.status !== 200) throw new Error(`webhook update: ${res.status} ${JSON.stringify(res.body)}`);
    }
  };
  // The PostgreSQL server's postmaster (its CPU and its backends').
  const probe = new pg.Client({ connectionString: dbUrl });
  await probe.connect();
  const backend = (await probe.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
  const postmaster = Number(procStat(backend)?.f[1]);
  await probe.end();
  if (!postmaster) throw new Error('the PostgreSQL postmaster was not found');

  // Warm-up: a round of posts, delivered, then forgotten.
  await closedLoop(base, tokens);
  await drained();

  log(`delivery: ${SETTINGS.rate} posts/s for ${SETTINGS.seconds} s, ${SETTINGS.receivers} endpoints`);
  const rssBefore = rssMiB(api.pid);
  const run = await paced(base, tokens);
  const expected = run.ids.length * SETTINGS.receivers;
  receivers.child.send({ type: 'due', due: run.ids.map((id) => [id, dueAt.get(id)]) });
  const deadline = Date.now() + 30_000;
  let counted = await receivers.ask({ type: 'count' }, 'count');
  while (counted.arrived < expected && Date.now() < deadline) {
    await sleep(100);
    counted = await receivers.ask({ type: 'count' }, 'count');
  }
  const rssPaced = rssMiB(api.pid);
  const latency = counted.latency;
  await drained();

  log(
    `throughput: ${SETTINGS.clients} clients, ${SETTINGS.rounds} pairs of ${SETTINGS.roundSeconds} s rounds, ` +
      `order alternating`,
  );
  const pairs = [];
  const round = async (enabled) => {
    await setEnabled(enabled);
    const receiversTicks = cpuTicks(receivers.child.pid);
    const senderTicks = sender ? cpuTicks(sender.pid) : 0;
    const window = cpuWindow(api.pid, () => postgresTicks(postmaster));
    const result = await closedLoop(base, tokens);
    const cpu = window();
    const receiversSeconds = (cpuTicks(receivers.child.pid) - receiversTicks) / CLK_TCK;
    const senderSeconds = sender ? (cpuTicks(sender.pid) - senderTicks) / CLK_TCK : 0;
    // The receivers and a sender node are not "other".
    const other = Math.max(0, cpu.otherCpuPercent - (100 * (receiversSeconds + senderSeconds)) / cpu.wall);
    const posts = result.perSecond * SETTINGS.roundSeconds;
    // Deliveries still to send (or events still to derive) when the round
    // ends: the sender's lag. They are sent before the next round starts.
    const backlog = enabled ? await unsent() : 0;
    if (enabled) await drained();
    // What the round's posts cost in all, their deliveries sent after the
    // round included: the same whether the sender kept up or lagged.
    const all = window();
    const allSenderSeconds = sender ? (cpuTicks(sender.pid) - senderTicks) / CLK_TCK : 0;
    return {
      ...result,
      apiMsPerPost: (1000 * cpu.serverSeconds) / posts,
      senderMsPerPost: (1000 * senderSeconds) / posts,
      postgresMsPerPost: (1000 * cpu.postgresSeconds) / posts,
      receiversCpuPercent: (100 * receiversSeconds) / cpu.wall,
      loadGeneratorCpuPercent: cpu.loadGeneratorCpuPercent,
      otherCpuPercent: other,
      backlog,
      drainSeconds: all.wall - cpu.wall,
      allMsPerPost: (1000 * (all.serverSeconds + all.postgresSeconds + allSenderSeconds)) / posts,
    };
  };
  for (let i = 0; i < SETTINGS.rounds; i += 1) {
    const onFirst = i % 2 === 1;
    const first = await round(onFirst);
    const second = await round(!onFirst);
    const pair = onFirst ? { on: first, off: second, order: 'on-off' } : { off: first, on: second, order: 'off-on' };
    pair.ratio = pair.on.perSecond / pair.off.perSecond;
    pairs.push(pair);
    const f = (r) =>
      `${r.perSecond.toFixed(1)}/s (API ${r.apiMsPerPost.toFixed(2)} ms, ` +
      `${sender ? `sender node ${r.senderMsPerPost.toFixed(2)} ms, ` : ''}PostgreSQL ${r.postgresMsPerPost.toFixed(2)} ms ` +
      `CPU a post; receivers ${r.receiversCpuPercent.toFixed(0)} %, other ${r.otherCpuPercent.toFixed(0)} %` +
      `${r === pair.on ? `; ${r.backlog} unsent at the end, sent in ${r.drainSeconds.toFixed(1)} s` : ''}; ` +
      `API and PostgreSQL ${r.allMsPerPost.toFixed(2)} ms a post in all)`;
    log(`pair ${i + 1} (${pair.order}): without ${f(pair.off)}; with ${f(pair.on)}; ratio ${pair.ratio.toFixed(3)}`);
  }
  const rssEnd = rssMiB(api.pid);
  const sorted = pairs.map((p) => p.ratio).sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const ratio = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  const mean = (rs) => rs.reduce((s, r) => s + r.perSecond, 0) / rs.length;
  const meanRatio = mean(pairs.map((p) => p.on)) / mean(pairs.map((p) => p.off));

  const delivered = counted.arrived;
  const deliveryPass =
    delivered === expected && latency.p99 !== undefined && latency.p99 < 1000 && counted.refused === 0;
  const ratePass = run.failed === 0 && run.total / run.seconds >= SETTINGS.rate * 0.95;
  const throughputPass = ratio >= 0.9;
  const r0 = (v) => Math.round(v);
  console.log('');
  console.log(
    `paced posting: ${run.total} posts in ${run.seconds.toFixed(1)} s (${(run.total / run.seconds).toFixed(1)}/s), ` +
      `${run.failed} failed ${JSON.stringify(run.codes)}; answer p50 ${run.answers.p50} ms, p99 ${run.answers.p99} ms  [${ratePass ? 'pass' : 'miss'}]`,
  );
  console.log(
    `delivery: ${delivered} of ${expected} arrived, ${counted.refused} refused signatures; publish→delivery ` +
      `p50 ${latency.p50} ms, p99 ${latency.p99} ms, max ${latency.max} ms (target p99 < 1000)  [${deliveryPass ? 'pass' : 'miss'}]`,
  );
  console.log(
    `throughput: without webhooks ${pairs.map((p) => p.off.perSecond.toFixed(1)).join(', ')} posts/s; ` +
      `with 5 ${pairs.map((p) => p.on.perSecond.toFixed(1)).join(', ')} posts/s; ` +
      `ratios ${pairs.map((p) => p.ratio.toFixed(3)).join(', ')}; median ${ratio.toFixed(3)} ` +
      `(of the means ${meanRatio.toFixed(3)}; target median >= 0.90)  [${throughputPass ? 'pass' : 'miss'}]`,
  );
  const avg = (k, on) => (pairs.reduce((s, p) => s + p[on ? 'on' : 'off'][k], 0) / pairs.length).toFixed(2);
  console.log(
    `CPU a post: API ${avg('apiMsPerPost', false)} ms without, ${avg('apiMsPerPost', true)} ms with; ` +
      (sender ? `sender node ${avg('senderMsPerPost', false)} ms / ${avg('senderMsPerPost', true)} ms; ` : '') +
      `PostgreSQL ${avg('postgresMsPerPost', false)} ms without, ${avg('postgresMsPerPost', true)} ms with; ` +
      `other processes ${avg('otherCpuPercent', false)} % / ${avg('otherCpuPercent', true)} % of a core; ` +
      `in all (API, sender node and PostgreSQL, the deliveries sent after the round included) ` +
      `${avg('allMsPerPost', false)} ms without, ${avg('allMsPerPost', true)} ms with`,
  );
  console.log(
    `API RSS: ${r0(rssBefore)} MiB before, ${r0(rssPaced)} MiB after the paced run, ${r0(rssEnd)} MiB at the end`,
  );
  const pass = deliveryPass && ratePass && throughputPass;
  console.log(`result: ${pass ? 'pass' : 'miss'}`);
  if (!pass && SETTINGS.strict) process.exitCode = 1;

  async function drained() {
    for (let i = 0; i < 300 && (await unsent()) > 0; i += 1) await sleep(100);
  }

  // Deliveries left to send and events left to derive.
  async function unsent() {
    const rows = await query(
      dbUrl,
      `SELECT (SELECT count(*) FROM webhook_deliveries WHERE status = 'pending')::int
              + (SELECT count(*) FROM article_events e, webhook_cursor c
                 WHERE (e.tx, e.article_id, e.seq) > (c.tx, c.article_id, c.seq))::int AS n`,
    );
    return rows[0].n;
  }

  for (const child of sender ? [api, sender] : [api]) {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('close', r));
    children.delete(child);
  }
  agent.destroy();
  receivers.child.kill('SIGTERM');
  children.delete(receivers.child);
  await query(SETTINGS.server, `DROP DATABASE IF EXISTS ${SETTINGS.dbName}`);
}

process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});
await main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
process.exit();
