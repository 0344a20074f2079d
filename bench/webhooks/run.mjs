// npm run bench:webhooks — what signed webhooks cost the posting path and how
// fast they arrive. One API process against its own database; 5 receivers in
// this process (node:http), each verifying every delivery with the
// standardwebhooks package, as a newsroom's receiver would.
//
// 1. Delivery: comments posted at BENCH_RATE a second for BENCH_SECONDS,
//    paced from each post's due time (a late answer does not delay the next
//    post), on an article with 5 endpoints; latency from the post's due time
//    to its arrival at each receiver. Pass: every comment reaches all 5, and
//    p99 under 1 s.
// 2. Throughput: BENCH_CLIENTS clients post as fast as they are answered for
//    BENCH_ROUND_SECONDS, in rounds that alternate the 5 endpoints off and on
//    (BENCH_ROUNDS pairs, the same process and database). Pass: posts a
//    second with webhooks within 10 % of without.
// Prints pass/miss, p50/p99 and the server's RSS. See bench/README.md.
//
// Settings (environment):
//   BENCH_DATABASE_SERVER  postgresql://postgres@127.0.0.1:5432/postgres
//   BENCH_DB_NAME          rejoinder_bench_webhooks (created at start, dropped at the end)
//   BENCH_RATE             100 posts a second
//   BENCH_SECONDS          20
//   BENCH_CLIENTS          16
//   BENCH_ROUND_SECONDS    8
//   BENCH_ROUNDS           2
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { Webhook } from 'standardwebhooks';
import { apiNodeFlags } from '../../scripts/api-node-flags.mjs';
import { rssMiB } from '../lib/cpu.mjs';
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
  rounds: Number(env.BENCH_ROUNDS || 2),
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
// When each comment was due, by its client id; and each receiver's arrivals.
const dueAt = new Map();
const delivery = new Histogram();
let refused = 0;

async function startReceiver() {
  const receiver = { secret: '', url: '', seen: new Set(), server: /** @type {http.Server | null} */ (null) };
  receiver.server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const arrived = performance.now();
      const raw = Buffer.concat(chunks).toString('utf8');
      const headers = /** @type {Record<string, string>} */ (req.headers);
      try {
        new Webhook(receiver.secret).verify(raw, headers);
      } catch {
        refused += 1;
        res.statusCode = 401;
        res.end();
        return;
      }
      const id = JSON.parse(raw).data?.comment?.id;
      const due = dueAt.get(id);
      if (due !== undefined && !receiver.seen.has(id)) {
        receiver.seen.add(id);
        delivery.add(arrived - due);
      }
      res.end('ok');
    });
  });
  await new Promise((resolve) => receiver.server?.listen(0, '127.0.0.1', () => resolve(undefined)));
  receiver.url = `http://127.0.0.1:${/** @type {import('node:net').AddressInfo} */ (receiver.server.address()).port}/hooks`;
  return receiver;
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
    dueAt.set(id, due);
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
  const port = await freePort();
  const api = spawn(process.execPath, [...apiNodeFlags(), join(ROOT, 'dist/apps/api/src/main.js')], {
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
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  children.add(api);
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i += 1) {
    if (api.exitCode !== null) throw new Error('the API exited');
    const ready = await fetch(`${base}/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (i > 600) throw new Error('the API did not become ready');
    await sleep(100);
  }

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

  const receivers = [];
  for (let i = 0; i < SETTINGS.receivers; i += 1) {
    const receiver = await startReceiver();
    const res = await request(base, 'POST', '/api/admin/webhooks', admin, {
      url: receiver.url,
      events: ['comment.published'],
    });
    if (res.status !== 201) throw new Error(`webhook: ${res.status} ${JSON.stringify(res.body)}`);
    receiver.secret = res.body.secret;
    receiver.id = res.body.id;
    receivers.push(receiver);
  }
  const setEnabled = async (enabled) => {
    for (const r of receivers) {
      const res = await request(base, 'PATCH', `/api/admin/webhooks/${r.id}`, admin, { enabled });
      if (res.status !== 200) throw new Error(`webhook update: ${res.status} ${JSON.stringify(res.body)}`);
    }
  };

  // Warm-up: a second of posts, delivered, then forgotten.
  await closedLoop(base, tokens);
  for (let i = 0; i < 200 && !(await allSent()); i += 1) await sleep(100);

  log(`delivery: ${SETTINGS.rate} posts/s for ${SETTINGS.seconds} s, ${SETTINGS.receivers} endpoints`);
  const rssBefore = rssMiB(api.pid);
  const run = await paced(base, tokens);
  const expected = run.ids.length * SETTINGS.receivers;
  const deadline = Date.now() + 30_000;
  const arrived = () => receivers.reduce((n, r) => n + run.ids.filter((id) => r.seen.has(id)).length, 0);
  while (arrived() < expected && Date.now() < deadline) await sleep(100);
  const rssPaced = rssMiB(api.pid);
  const latency = delivery.summary();

  log(`throughput: ${SETTINGS.clients} clients, ${SETTINGS.rounds} rounds each without and with webhooks`);
  const without = [];
  const withHooks = [];
  for (let round = 0; round < SETTINGS.rounds; round += 1) {
    await setEnabled(false);
    without.push(await closedLoop(base, tokens));
    await setEnabled(true);
    withHooks.push(await closedLoop(base, tokens));
    for (let i = 0; i < 300 && !(await allSent()); i += 1) await sleep(100);
  }
  const rssEnd = rssMiB(api.pid);
  const mean = (rs) => rs.reduce((s, r) => s + r.perSecond, 0) / rs.length;
  const ratio = mean(withHooks) / mean(without);

  const delivered = arrived();
  const deliveryPass = delivered === expected && latency.p99 !== undefined && latency.p99 < 1000 && refused === 0;
  const ratePass = run.failed === 0 && run.total / run.seconds >= SETTINGS.rate * 0.95;
  const throughputPass = ratio >= 0.9;
  const r0 = (v) => Math.round(v);
  console.log('');
  console.log(
    `paced posting: ${run.total} posts in ${run.seconds.toFixed(1)} s (${(run.total / run.seconds).toFixed(1)}/s), ` +
      `${run.failed} failed ${JSON.stringify(run.codes)}; answer p50 ${run.answers.p50} ms, p99 ${run.answers.p99} ms  [${ratePass ? 'pass' : 'miss'}]`,
  );
  console.log(
    `delivery: ${delivered} of ${expected} arrived, ${refused} refused signatures; publish→delivery ` +
      `p50 ${latency.p50} ms, p99 ${latency.p99} ms, max ${latency.max} ms (target p99 < 1000)  [${deliveryPass ? 'pass' : 'miss'}]`,
  );
  console.log(
    `throughput: without webhooks ${without.map((r) => r.perSecond.toFixed(1)).join(', ')} posts/s; ` +
      `with 5 ${withHooks.map((r) => r.perSecond.toFixed(1)).join(', ')} posts/s; ratio ${ratio.toFixed(3)} ` +
      `(target >= 0.90)  [${throughputPass ? 'pass' : 'miss'}]`,
  );
  console.log(
    `API RSS: ${r0(rssBefore)} MiB before, ${r0(rssPaced)} MiB after the paced run, ${r0(rssEnd)} MiB at the end`,
  );
  console.log(`result: ${deliveryPass && ratePass && throughputPass ? 'pass' : 'miss'}`);

  // Nothing left to derive or to send.
  async function allSent() {
    const rows = await query(
      dbUrl,
      `SELECT (SELECT count(*) FROM webhook_deliveries WHERE status = 'pending')::int
              + (SELECT count(*) FROM article_events e, webhook_cursor c
                 WHERE (e.tx, e.article_id, e.seq) > (c.tx, c.article_id, c.seq))::int AS n`,
    );
    return rows[0].n === 0;
  }

  api.kill('SIGTERM');
  await new Promise((r) => api.once('close', r));
  children.delete(api);
  agent.destroy();
  for (const r of receivers) r.server.close();
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
