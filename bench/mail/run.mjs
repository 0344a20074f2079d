// npm run bench:mail — two measures in one run. Delivery: how fast one
// node's mail worker delivers to a local SMTP server (smtp-server, in this
// process): BENCH_MESSAGES reply notifications are queued at once, each to its
// own confirmed reader, and the worker sends them; messages per second from
// the first to the last received. Posting: replies to readers with confirmed
// addresses (replies on, the default) posted through the API with mail on
// (the outbox trigger, and the worker sending to the SMTP server meanwhile)
// and with mail off (no trigger, no worker), one node per mode, all at the
// same time, each on its own copy of the database: posts per second against
// mail off in the same round, p50/p99, memory, rows written and statements
// sent per post.
// See bench/README.md.
//
// Settings (environment):
//   BENCH_DATABASE_SERVER   postgresql://postgres@127.0.0.1:5432/postgres
//   BENCH_DB_NAME           rejoinder_bench_mail (created at start, dropped at the end)
//   BENCH_MESSAGES          2000
//   BENCH_CLIENTS           32     concurrent posting clients per node
//   BENCH_SECONDS           10     seconds measured per posting round
//   BENCH_WARMUP            3      seconds of warm-up per posting round
//   BENCH_ROUNDS            3      posting rounds (every mode at once in each)
//   BENCH_READERS           64     readers whose comments are replied to
//   BENCH_ACCOUNTS          16     posting accounts
//   MAIL_BATCH_SIZE         100 (the worker's default)
import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { SMTPServer } from 'smtp-server';
import { apiNodeFlags } from '../../scripts/api-node-flags.mjs';
import { rssMiB } from '../lib/cpu.mjs';
import { settle } from '../lib/database.mjs';
import { Histogram } from '../lib/histogram.mjs';
import { freePort, sleep } from '../lib/processes.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const env = process.env;
const server = env.BENCH_DATABASE_SERVER || 'postgresql://postgres@127.0.0.1:5432/postgres';
const dbName = env.BENCH_DB_NAME || 'rejoinder_bench_mail';
const messages = Number(env.BENCH_MESSAGES || 2000);
const POSTING = {
  clients: Number(env.BENCH_CLIENTS || 32),
  seconds: Number(env.BENCH_SECONDS || 10),
  warmup: Number(env.BENCH_WARMUP || 3),
  rounds: Number(env.BENCH_ROUNDS || 3),
  readers: Number(env.BENCH_READERS || 64),
  accounts: Number(env.BENCH_ACCOUNTS || 16),
};
const dbUrl = server.replace(/\/[^/]*$/, `/${dbName}`);
// off: no outbox trigger, no SMTP (the posting path without mail); on: the
// trigger queues and this node's worker sends to the bench's SMTP server with
// the defaults (a reader's notifications coalesced over 60 s); eager: the
// same, every notification sent at once (MAIL_COALESCE_SECONDS=0, polling
// every 50 ms); outbox: the trigger queues and this node sends nothing
// (another node would).
const MODES = ['off', 'on', 'eager', 'outbox'];
const SQL_LOG = join(ROOT, 'bench/results/.mail-sql.log');
const started = Date.now();
const log = (msg) => console.log(`[bench ${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s] ${msg}`);

async function query(url, text, values = []) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, values)).rows;
  } finally {
    await client.end();
  }
}

let received = 0;
let first = 0;
let last = 0;
// Messages received per sender (each posting node sends from its own address).
const sentBy = {};
const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  onData(stream, session, callback) {
    stream.on('data', () => undefined);
    stream.on('end', () => {
      const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
      sentBy[from] = (sentBy[from] ?? 0) + 1;
      received += 1;
      last = Date.now();
      if (received === 1) first = last;
      callback();
    });
  },
});
await new Promise((resolve) => smtp.listen(0, '127.0.0.1', () => resolve(undefined)));
const smtpPort = /** @type {import('node:net').AddressInfo} */ (smtp.server.address()).port;

const JWT_SECRET = 'bench-mail-jwt-secret-0123456789abcdef';
// One API node. `mail`: SMTP to the bench's server and the worker running
// (unless `worker` is false; `eager`: no coalescing); without it, no
// SMTP_URL (production: mail is off, no worker).
const children = new Set();
for (const signal of ['SIGINT', 'SIGTERM'])
  process.once(signal, () => {
    for (const child of children) child.kill('SIGTERM');
    process.exit(1);
  });
async function startApi(port, { url = dbUrl, mail, worker = true, eager = true, from = null }) {
  const child = spawn(
    process.execPath,
    [...apiNodeFlags(), '--import', join(ROOT, 'bench/write/sql-log.mjs'), 'dist/apps/api/src/main.js'],
    {
      cwd: ROOT,
      env: {
        ...env,
        NODE_ENV: 'production',
        DATABASE_URL: url,
        PORT: String(port),
        HOST: '127.0.0.1',
        JWT_SECRET,
        LOG_LEVEL: 'warn',
        BENCH_SQL_LOG: SQL_LOG,
        // One node, no limits: the load is the point (as in bench:write).
        REDIS_URL: '',
        RATE_COMMENTS_PER_USER: '100000000',
        RATE_COMMENTS_PER_NEW_USER: '100000000',
        RATE_COMMENTS_PER_IP: '100000000',
        RATE_AUTH_PER_IP: '100000000',
        SLOW_MODE_AUTO_COMMENTS_PER_MINUTE: '0',
        SLOW_MODE_AUTO_REPORTS_PER_MINUTE: '0',
        ...(mail
          ? {
              SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
              PUBLIC_URL: 'https://comments.example.test',
              ...(eager ? { MAIL_COALESCE_SECONDS: '0', MAIL_POLL_MS: '50' } : {}),
              MAIL_WORKER: String(worker),
              ...(from ? { MAIL_FROM: `Bench <${from}>` } : {}),
            }
          : { SMTP_URL: '' }),
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  children.add(child);
  const exited = new Promise((r) => child.once('close', r));
  void exited.then(() => children.delete(child));
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the API exited (${child.exitCode})`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/ready`)).ok) break;
    } catch {
      // not yet
    }
    await sleep(100);
  }
  return {
    child,
    base: `http://127.0.0.1:${port}`,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function delivery() {
  const port = await freePort();
  const api = await startApi(port, { mail: true, worker: false });
  log(`queueing ${messages} reply notifications`);
  // Only these: not the demo accounts' confirmation links.
  await query(dbUrl, 'DELETE FROM mail_outbox');
  const article = randomUUID();
  await query(
    dbUrl,
    `INSERT INTO articles (id, slug, title, byline, published_at, body_source, body_html, updated_at)
     VALUES ($1, 'bench', 'Bench article', 'Bench', now(), 'Body', '<p>Body</p>', now())`,
    [article],
  );
  await query(
    dbUrl,
    `WITH readers AS (
       INSERT INTO users (id, username, username_key, email, email_verified_at, updated_at)
       SELECT gen_random_uuid(), 'reader' || i, 'reader' || i, 'reader' || i || '@example.test', now(), now()
       FROM generate_series(1, $2::int) i RETURNING id
     ), replier AS (
       INSERT INTO users (id, username, username_key, email, updated_at)
       VALUES (gen_random_uuid(), 'replier', 'replier', 'replier@example.test', now()) RETURNING id
     ), parents AS (
       INSERT INTO comments (id, article_id, author_id, path, depth, body_source, body_html, updated_at)
       SELECT gen_random_uuid(), $1::uuid, r.id, ARRAY[]::uuid[], 0, 'Parent', '<p>Parent</p>', now() FROM readers r
       RETURNING id, author_id
     ), replies AS (
       INSERT INTO comments (id, article_id, parent_id, author_id, path, depth, body_source, body_html, updated_at)
       SELECT gen_random_uuid(), $1::uuid, p.id, (SELECT id FROM replier), ARRAY[p.id]::uuid[], 1,
              'A *reply* worth reading', '<p>A <em>reply</em> worth reading</p>', now()
       FROM parents p RETURNING id, parent_id
     )
     INSERT INTO mail_outbox (kind, recipient_id, cause, comment_id, article_id)
     SELECT 'reply', p.author_id, r.id::text, r.id, $1::uuid FROM replies r JOIN parents p ON p.id = r.parent_id`,
    [article, messages],
  );
  await api.stop();

  log('starting the worker');
  received = 0;
  const worker = await startApi(port, { mail: true });
  while (received < messages) await sleep(50);
  const seconds = (last - first) / 1000;
  const rate = (messages - 1) / seconds;
  log(`${messages} messages in ${seconds.toFixed(2)} s: ${rate.toFixed(0)} messages/s (target: 200)`);
  await worker.stop();
  return { messages, seconds, messagesPerSecond: rate, met: rate >= 200 };
}

// ------------------------------------------------------------------ posting
const SLUG = 'putin-and-kim-jong-un-are-not-so-different';
const bodyText = (n) => `Reply ${n} from the mail benchmark. `.padEnd(280, 'lorem ipsum ');

async function register(base, name) {
  const res = await fetch(`${base}/api/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: name, email: `${name}@example.test`, password: 'bench password 123' }),
  });
  if (res.status !== 201) throw new Error(`register: ${res.status} ${await res.text()}`);
  return /** @type {{ accessToken: string }} */ (await res.json()).accessToken;
}

function post(agent, base, token, body) {
  return new Promise((resolve) => {
    const req = http.request(
      `${base}/api/articles/${SLUG}/comments`,
      {
        method: 'POST',
        agent,
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
        res.on('error', () => resolve('error'));
      },
    );
    req.on('error', () => resolve('error'));
    req.end(body);
  });
}

let sent = 0;
// `clients` clients, each posting a reply to a random reader's comment,
// waiting for the answer, and posting again, for `seconds`.
async function load(base, tokens, parents, seconds) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: POSTING.clients });
  const latency = new Histogram();
  const statuses = {};
  let ok = 0;
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  const client = async () => {
    while (performance.now() < end) {
      sent += 1;
      const body = JSON.stringify({
        id: randomUUID(),
        body: bodyText(sent),
        parentId: parents[Math.floor(Math.random() * parents.length)],
      });
      const a = performance.now();
      const status = await post(agent, base, tokens[sent % tokens.length], body);
      const b = performance.now();
      if (b > end) break;
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (status === 201) {
        ok += 1;
        latency.add(b - a);
      }
    }
  };
  await Promise.all(Array.from({ length: POSTING.clients }, client));
  const wall = (performance.now() - t0) / 1000;
  agent.destroy();
  return { posts: ok, postsPerSecond: ok / wall, latencyMs: latency.summary(), statuses };
}

const COUNTS = `SELECT (SELECT count(*)::int FROM comments) AS comments,
  (SELECT count(*)::int FROM article_events) AS events,
  (SELECT count(*)::int FROM notifications) AS notifications,
  (SELECT count(*)::int FROM mail_outbox) AS outbox,
  (SELECT COALESCE(sum(calls), 0)::int FROM pg_stat_user_functions WHERE funcname LIKE 'mail_owed_by_event%') AS "triggerCalls",
  (SELECT COALESCE(sum(total_time), 0)::float FROM pg_stat_user_functions WHERE funcname LIKE 'mail_owed_by_event%') AS "triggerMs"`;

// What the posting path writes and runs per reply: rows added to each table
// (counted in the tables), calls of the outbox trigger and their time
// (pg_stat_user_functions, track_functions = pl), and the statements the API
// sends for one reply (recorded by bench/write/sql-log.mjs).
async function statementsOfOneReply(api, token, parentId) {
  rmSync(SQL_LOG, { force: true });
  api.child.kill('SIGUSR2');
  await sleep(100);
  const agent = new http.Agent({ keepAlive: false });
  const status = await post(agent, api.base, token, JSON.stringify({ id: randomUUID(), body: 'One reply', parentId }));
  if (status !== 201) throw new Error(`reply: ${status}`);
  api.child.kill('SIGUSR2');
  await sleep(300);
  return (
    readFileSync(SQL_LOG, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((l) => l !== '--')
      .map((t) => t.replace(/\s+/g, ' ').trim().slice(0, 60))
      // The worker's claims and the node's background jobs (the webhook
      // sender's turns, advisory locks) are not the post's.
      .filter((t) => !/mail_outbox|webhook_|pg_try_advisory_xact_lock|^BEGIN$|^COMMIT$/.test(t))
  );
}

async function posting() {
  let api = await startApi(await freePort(), { mail: false });
  log(`registering ${POSTING.accounts} posters and ${POSTING.readers} readers, each reader's comment to reply to`);
  const tokens = [];
  for (let i = 0; i < POSTING.accounts; i += 1) tokens.push(await register(api.base, `poster${i}`));
  const parents = [];
  const agent = new http.Agent({ keepAlive: true });
  for (let i = 0; i < POSTING.readers; i += 1) {
    const token = await register(api.base, `posting_reader${i}`);
    const id = randomUUID();
    const status = await post(agent, api.base, token, JSON.stringify({ id, body: `Reader ${i} comments.` }));
    if (status !== 201) throw new Error(`reader's comment: ${status}`);
    parents.push(id);
  }
  agent.destroy();
  // Confirmed addresses; replies on is the default setting.
  await query(dbUrl, `UPDATE users SET email_verified_at = now() WHERE username LIKE 'posting_reader%'`);
  // The accounts' confirmation links are not what is measured.
  await query(dbUrl, 'DELETE FROM mail_outbox');
  await api.stop();

  // The machine's load drifts (other work shares it): the modes run at the
  // same time, each node on its own copy of the database, so each round
  // compares them under the same load. Mail off: the copy's outbox trigger
  // is disabled and the node has no SMTP.
  const nodes = {};
  const probes = {};
  try {
    for (const mode of MODES) {
      await query(server, `DROP DATABASE IF EXISTS ${dbName}_${mode} WITH (FORCE)`);
      await query(server, `CREATE DATABASE ${dbName}_${mode} TEMPLATE ${dbName}`);
      await query(server, `ALTER DATABASE ${dbName}_${mode} SET track_functions = 'pl'`);
      const url = server.replace(/\/[^/]*$/, `/${dbName}_${mode}`);
      probes[mode] = new pg.Client({ connectionString: url });
      await probes[mode].connect();
      if (mode === 'off') await probes[mode].query('ALTER TABLE article_events DISABLE TRIGGER article_events_mail');
    }
    for (const mode of MODES) {
      nodes[mode] = await startApi(await freePort(), {
        url: server.replace(/\/[^/]*$/, `/${dbName}_${mode}`),
        mail: mode !== 'off',
        worker: mode !== 'outbox',
        eager: mode !== 'on',
        from: `${mode}@bench.example.test`,
      });
    }
    // The posting path's statements, recorded on the nodes where no worker sends.
    const statements = {};
    for (const mode of ['off', 'outbox'])
      statements[mode] = await statementsOfOneReply(nodes[mode], tokens[0], parents[0]);

    const rounds = [];
    for (let round = 1; round <= POSTING.rounds; round += 1) {
      await Promise.all(MODES.map((mode) => load(nodes[mode].base, tokens, parents, POSTING.warmup)));
      await Promise.all(MODES.map((mode) => settle(probes[mode])));
      const before = {};
      for (const mode of MODES) before[mode] = (await probes[mode].query(COUNTS)).rows[0];
      const sentBefore = { ...sentBy };
      const runs = await Promise.all(MODES.map((mode) => load(nodes[mode].base, tokens, parents, POSTING.seconds)));
      const rss = Object.fromEntries(MODES.map((mode) => [mode, rssMiB(nodes[mode].child.pid)]));
      await Promise.all(MODES.map((mode) => settle(probes[mode])));
      // Statistics reach the views when a backend is idle: give them a second.
      await sleep(1500);
      for (const [i, mode] of MODES.entries()) {
        await probes[mode].query('SELECT pg_stat_clear_snapshot()');
        const after = (await probes[mode].query(COUNTS)).rows[0];
        const d = (k) => after[k] - before[mode][k];
        const stored = d('comments');
        const run = runs[i];
        const row = {
          round,
          mail: mode,
          ...run,
          serverRssMiB: rss[mode],
          messagesSentMeanwhile:
            (sentBy[`${mode}@bench.example.test`] ?? 0) - (sentBefore[`${mode}@bench.example.test`] ?? 0),
          rowsPerPost: (d('comments') + d('events') + d('notifications') + d('outbox')) / stored,
          outboxRowsPerPost: d('outbox') / stored,
          triggerCallsPerPost: d('triggerCalls') / stored,
          triggerMsPerPost: d('triggerMs') / stored,
          loadAverage: os.loadavg()[0],
        };
        rounds.push(row);
        log(
          `round ${round}, mail ${mode}: ${run.posts} replies, ${run.postsPerSecond.toFixed(0)}/s, p50 ${run.latencyMs.p50} ms, ` +
            `p99 ${run.latencyMs.p99} ms, statuses ${JSON.stringify(run.statuses)}, RSS ${rss[mode].toFixed(0)} MiB, ` +
            `rows/post ${row.rowsPerPost.toFixed(2)} (outbox ${row.outboxRowsPerPost.toFixed(2)}), ` +
            `trigger ${row.triggerMsPerPost.toFixed(3)} ms/post, mail sent meanwhile ${row.messagesSentMeanwhile}`,
        );
      }
    }
    return summarise(rounds, statements);
  } finally {
    for (const node of Object.values(nodes)) await node.stop();
    for (const probe of Object.values(probes)) await probe.end().catch(() => {});
    for (const mode of MODES) await query(server, `DROP DATABASE IF EXISTS ${dbName}_${mode} WITH (FORCE)`);
  }
}

function summarise(rounds, statements) {
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
  const of = (mode, f) => median(rounds.filter((r) => r.mail === mode).map(f));
  // Each mode against mail off in the same round, then the median over rounds.
  const ratioOf = (mode) =>
    median(
      rounds
        .filter((r) => r.mail === mode)
        .map((r) => r.postsPerSecond / rounds.find((o) => o.mail === 'off' && o.round === r.round).postsPerSecond),
    );
  const summary = {};
  for (const mode of MODES) {
    summary[mode] = {
      ratioToOff: ratioOf(mode),
      postsPerSecond: of(mode, (r) => r.postsPerSecond),
      p50: of(mode, (r) => r.latencyMs.p50),
      p99: of(mode, (r) => r.latencyMs.p99),
      serverRssMiB: of(mode, (r) => r.serverRssMiB),
      rowsPerPost: of(mode, (r) => r.rowsPerPost),
      statementsPerReply: statements[mode]?.length ?? null,
    };
  }
  const ratio = summary.on.ratioToOff;
  const outboxRatio = summary.outbox.ratioToOff;
  const eagerRatio = summary.eager.ratioToOff;
  const extraRows = summary.on.rowsPerPost - summary.off.rowsPerPost;
  // Statements sent for the reply with mail on that mail off does not send.
  const extraStatements = statements.outbox.filter((t) => !statements.off.includes(t)).length;
  return {
    settings: POSTING,
    rounds,
    statements,
    summary,
    ratio,
    outboxRatio,
    eagerRatio,
    extraRows,
    extraStatements,
    targets: {
      'posting with mail on >= 0.9 x mail off': { ratio, met: ratio >= 0.9 },
      'posting with the outbox only (worker on another node) >= 0.9 x mail off': {
        ratio: outboxRatio,
        met: outboxRatio >= 0.9,
      },
      'posting with every notification sent at once >= 0.9 x mail off': { ratio: eagerRatio, met: eagerRatio >= 0.9 },
      'at most one more row per post': { extraRows, met: extraRows <= 1.0001 },
      'no more statements sent per reply': { extraStatements, met: extraStatements <= 0 },
    },
  };
}

const git = (...args) => {
  try {
    return execFileSync('git', args, { cwd: ROOT }).toString().trim();
  } catch {
    return null;
  }
};

mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
await query(server, `DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
await query(server, `CREATE DATABASE ${dbName}`);
try {
  const deliveryResult = await delivery();
  const postingResult = await posting();
  const at = new Date().toISOString();
  const report = {
    at,
    commit: git('rev-parse', 'HEAD'),
    uncommittedChanges: git('status', '--porcelain') !== '',
    machine: { cpus: os.cpus().length, node: process.version, loadAverage: os.loadavg() },
    delivery: deliveryResult,
    posting: postingResult,
  };
  const file = join(ROOT, `bench/results/mail-${at.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  const { summary, ratio, targets } = postingResult;
  console.log('');
  console.log('| mail | replies/s | / off | p50 ms | p99 ms | RSS MiB | rows/post | statements/reply |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const mode of MODES) {
    const s = summary[mode];
    console.log(
      `| ${mode} | ${s.postsPerSecond.toFixed(0)} | ${s.ratioToOff.toFixed(2)} | ${s.p50} | ${s.p99} | ${s.serverRssMiB.toFixed(0)} | ${s.rowsPerPost.toFixed(2)} | ${s.statementsPerReply ?? '-'} |`,
    );
  }
  console.log(`posting, mail on / mail off (median of ${POSTING.rounds} rounds' ratios): ${ratio.toFixed(3)}`);
  console.log(
    `delivery: ${deliveryResult.messagesPerSecond.toFixed(0)} messages/s: ${deliveryResult.met ? 'pass' : 'miss'}`,
  );
  for (const [name, t] of Object.entries(targets)) console.log(`${name}: ${t.met ? 'pass' : 'miss'}`);
  console.log(file);
} finally {
  for (const child of children) child.kill('SIGTERM');
  smtp.close();
  rmSync(SQL_LOG, { force: true });
  await query(server, `DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
}
