import pg from 'pg';
import { http, unique } from '../support/factories.js';
import { startServerProcess } from '../support/server-process.js';
import type { ServerProcess } from '../support/server-process.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { waitUntil } from '../support/sockets.js';

// A node killed (SIGKILL) while it sends a batch of mail: nothing is lost, and
// a message sent twice (the server had it, the node died before recording it)
// carries the same Message-ID both times.

const db = () => new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });

async function sql<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> {
  const client = db();
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}

const servers: ServerProcess[] = [];
let sink: SmtpSink;
beforeAll(async () => {
  sink = await new SmtpSink().start();
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  await sink.stop();
});

it('loses no notification when a node is killed mid-batch; duplicates carry the same Message-ID', async () => {
  const mail = {
    SMTP_URL: sink.url,
    PUBLIC_URL: 'https://comments.example.test',
    MAIL_COALESCE_SECONDS: '0',
    MAIL_POLL_MS: '50',
    MAIL_LEASE_MS: '2000',
    MAIL_BATCH_SIZE: '50',
  };
  const a = await startServerProcess(mail);
  servers.push(a);
  const slug = unique('article');
  await sql(
    `INSERT INTO articles (id, slug, title, byline, published_at, body_source, body_html, created_at, updated_at)
     VALUES (gen_random_uuid(), $1, $1, 'Test Author', now(), 'Body', '<p>Body</p>', now(), now())`,
    [slug],
  );
  const register = async () => {
    const username = unique('m').replace('-', '_');
    const res = await http(a, 'POST', '/api/auth/register', {
      body: { username, email: `${username}@example.test`, password: 'long enough password' },
    });
    await sql('UPDATE users SET email_verified_at = now() WHERE id = $1', [res.body.user.id]);
    return { id: res.body.user.id as string, email: `${username}@example.test`, token: res.body.accessToken as string };
  };
  const readers = await Promise.all(Array.from({ length: 20 }, register));
  const replier = await register();
  const parents = await Promise.all(
    readers.map(
      async (r) =>
        (await http(a, 'POST', `/api/articles/${slug}/comments`, { token: r.token, body: { body: 'parent' } })).body
          .id as string,
    ),
  );
  // The confirmations of the new accounts are done with (sent, or skipped as confirmed).
  while ((await sql("SELECT 1 FROM mail_outbox WHERE status = 'queued'")).length > 0)
    await new Promise((r) => setTimeout(r, 50));

  // The server takes each message and does not answer: the node's batch is in flight.
  sink.hold();
  for (const [i, parentId] of parents.entries()) {
    const reply = await http(a, 'POST', `/api/articles/${slug}/comments`, {
      token: replier.token,
      body: { body: `a reply (${i + 1})`, parentId },
    });
    expect([i, reply.status]).toEqual([i, 201]);
  }
  await waitUntil(() => sink.heldCount >= 3, 90_000);
  a.child.kill('SIGKILL');
  await a.stop();
  sink.release();
  const inFlight = sink.heldCount;

  const b = await startServerProcess(mail);
  servers.push(b);
  const replies = (email: string) => sink.to(email).filter((m) => m.subject.includes('replied to your comment'));
  await waitUntil(() => readers.every((r) => replies(r.email).length >= 1), 60_000);
  // The messages the killed node had in flight reach the server when it lets
  // them go, but their rows stay claimed until the lease ends: then the new
  // node sends them again, with the same Message-ID, and records them.
  const outboxNow = () =>
    sql<{ status: string; n: string }>(
      `SELECT status, count(*) AS n FROM mail_outbox WHERE kind = 'reply' AND recipient_id = ANY($1::uuid[]) GROUP BY status`,
      [readers.map((r) => r.id)],
    );
  const deadline = Date.now() + 60_000;
  let outbox = await outboxNow();
  while (outbox.some((row) => row.status === 'queued') && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    outbox = await outboxNow();
  }
  expect(outbox).toEqual([{ status: 'sent', n: '20' }]);
  let duplicates = 0;
  for (const reader of readers) {
    const ids = new Set(replies(reader.email).map((m) => m.messageId));
    expect(ids.size).toBe(1);
    duplicates += replies(reader.email).length - 1;
  }
  console.log(
    `mail: ${inFlight} messages in flight at the kill; 20 of 20 delivered; ${duplicates} sent twice (same Message-ID)`,
  );
}, 240_000);
