// npm run bench:mail — how fast one node's mail worker delivers to a local
// SMTP server (smtp-server, in this process): BENCH_MESSAGES reply
// notifications are queued at once, each to its own confirmed reader, and the
// worker sends them; messages per second from the first to the last received.
// See bench/README.md.
//
// Settings (environment):
//   BENCH_DATABASE_SERVER   postgresql://postgres@127.0.0.1:5432/postgres
//   BENCH_DB_NAME           rejoinder_bench_mail (created at start, dropped at the end)
//   BENCH_MESSAGES          2000
//   MAIL_BATCH_SIZE         100 (the worker's default)
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { SMTPServer } from 'smtp-server';
import { apiNodeFlags } from '../../scripts/api-node-flags.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const env = process.env;
const server = env.BENCH_DATABASE_SERVER || 'postgresql://postgres@127.0.0.1:5432/postgres';
const dbName = env.BENCH_DB_NAME || 'rejoinder_bench_mail';
const messages = Number(env.BENCH_MESSAGES || 2000);
const dbUrl = server.replace(/\/[^/]*$/, `/${dbName}`);
const started = Date.now();
const log = (msg) => console.log(`[bench ${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s] ${msg}`);

const freePort = () =>
  new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = /** @type {net.AddressInfo} */ (srv.address());
      srv.close(() => resolve(port));
    });
  });

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
const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  onData(stream, _session, callback) {
    stream.on('data', () => undefined);
    stream.on('end', () => {
      received += 1;
      last = Date.now();
      if (received === 1) first = last;
      callback();
    });
  },
});
await new Promise((resolve) => smtp.listen(0, '127.0.0.1', () => resolve(undefined)));
const smtpPort = /** @type {net.AddressInfo} */ (smtp.server.address()).port;

await query(server, `DROP DATABASE IF EXISTS ${dbName}`);
await query(server, `CREATE DATABASE ${dbName}`);
const port = await freePort();
const api = spawn(process.execPath, [...apiNodeFlags(), 'dist/apps/api/src/main.js'], {
  cwd: ROOT,
  env: {
    ...env,
    NODE_ENV: 'production',
    DATABASE_URL: dbUrl,
    PORT: String(port),
    HOST: '127.0.0.1',
    SEED: 'false',
    JWT_SECRET: 'bench-mail-jwt-secret-0123456789abcdef',
    LOG_LEVEL: 'warn',
    SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
    PUBLIC_URL: 'https://comments.example.test',
    MAIL_COALESCE_SECONDS: '0',
    MAIL_POLL_MS: '50',
    // Held back until the queue is full.
    MAIL_WORKER: 'false',
  },
  stdio: ['ignore', 'inherit', 'inherit'],
});
const ready = async () => {
  for (;;) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/ready`)).ok) return;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
};
await ready();
log(`queueing ${messages} reply notifications`);
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
api.kill('SIGTERM');
await new Promise((r) => api.once('close', r));

log('starting the worker');
const worker = spawn(process.execPath, [...apiNodeFlags(), 'dist/apps/api/src/main.js'], {
  cwd: ROOT,
  env: {
    ...env,
    NODE_ENV: 'production',
    DATABASE_URL: dbUrl,
    PORT: String(port),
    HOST: '127.0.0.1',
    SEED: 'false',
    JWT_SECRET: 'bench-mail-jwt-secret-0123456789abcdef',
    LOG_LEVEL: 'warn',
    SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
    PUBLIC_URL: 'https://comments.example.test',
    MAIL_COALESCE_SECONDS: '0',
    MAIL_POLL_MS: '50',
  },
  stdio: ['ignore', 'inherit', 'inherit'],
});
while (received < messages) await new Promise((r) => setTimeout(r, 50));
const seconds = (last - first) / 1000;
const rate = (messages - 1) / seconds;
log(`${messages} messages in ${seconds.toFixed(2)} s: ${rate.toFixed(0)} messages/s (target: 200)`);
worker.kill('SIGTERM');
await new Promise((r) => worker.once('close', r));
smtp.close();
await query(server, `DROP DATABASE IF EXISTS ${dbName}`);
