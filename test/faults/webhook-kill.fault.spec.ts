import { freshDatabase } from '../support/databases.js';
import { http, unique } from '../support/factories.js';
import { startServerProcess } from '../support/server-process.js';
import type { ServerProcess } from '../support/server-process.js';
import { waitUntil } from '../support/sockets.js';
import { Receiver, startReceiver } from '../support/webhook-receiver.js';

// The node sending webhooks is killed (SIGKILL) while a batch is in flight
// and started again: every event reaches the receiver, verified with the
// standardwebhooks package, and an event that arrives twice (the receiver had
// it, the node died before recording the answer) carries the same webhook-id
// both times.

const servers: ServerProcess[] = [];
let receiver: Receiver;
let db: Awaited<ReturnType<typeof freshDatabase>>;
beforeAll(async () => {
  // A database of its own: the sender derives deliveries from every article.
  db = await freshDatabase();
  receiver = await startReceiver();
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  await receiver.close();
  await db.drop();
});

it('loses no webhook when the sending node is killed mid-batch; duplicates carry the same webhook-id', async () => {
  const env = {
    DATABASE_URL: db.url,
    WEBHOOK_ALLOW_PRIVATE: 'true',
    WEBHOOK_RETRY_BASE_MS: '50',
    WEBHOOK_SENDER: 'true',
    WEBHOOK_CONCURRENCY: '8',
  };
  const a = await startServerProcess(env);
  servers.push(a);
  const register = async () => {
    const username = unique('w').replace('-', '_');
    const res = await http(a, 'POST', '/api/auth/register', {
      body: { username, email: `${username}@example.test`, password: 'long enough password' },
    });
    expect(res.status).toBe(201);
    return { id: res.body.user.id as string, token: res.body.accessToken as string };
  };
  const admin = await register();
  await db.prisma.user.update({ where: { id: admin.id }, data: { role: 'admin' } });
  const hook = await http(a, 'POST', '/api/admin/webhooks', {
    token: admin.token,
    body: { url: receiver.url, events: ['comment.published'] },
  });
  expect(hook.status).toBe(201);
  receiver.secrets.push(hook.body.secret);
  const slug = unique('article');
  await db.prisma.article.create({
    data: {
      slug,
      title: slug,
      byline: 'Test Author',
      publishedAt: new Date(),
      bodySource: 'Body',
      bodyHtml: '<p>Body</p>',
    },
  });
  const writer = await register();

  // The receiver takes each delivery and does not answer: the batch is in flight.
  receiver.hold();
  const texts = Array.from({ length: 30 }, (_, i) => `event ${i + 1}`);
  for (const body of texts) {
    const res = await http(a, 'POST', `/api/articles/${slug}/comments`, { token: writer.token, body: { body } });
    expect([body, res.status]).toEqual([body, 201]);
  }
  await waitUntil(() => receiver.heldCount >= 3, 60_000);
  a.child.kill('SIGKILL');
  await a.stop();
  receiver.release();
  const inFlight = receiver.heldCount;

  const b = await startServerProcess(env);
  servers.push(b);
  const bodies = () => new Set(receiver.accepted.map((d) => d.body.data.comment?.body as string));
  await waitUntil(() => texts.every((t) => bodies().has(t)), 90_000);
  // The deliveries the killed node had in flight stay claimed until their
  // hold ends; then the new node sends them again, with the same id, and
  // records them.
  const status = () =>
    db.prisma.webhookDelivery.groupBy({ by: ['status'], where: { webhookId: hook.body.id }, _count: true });
  const deadline = Date.now() + 90_000;
  let rows = await status();
  while (rows.some((row) => row.status !== 'succeeded') && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    rows = await status();
  }
  expect(await status()).toEqual([{ status: 'succeeded', _count: 30 }]);
  expect(receiver.refused).toBe(0);

  let duplicates = 0;
  for (const text of texts) {
    const copies = receiver.accepted.filter((d) => d.body.data.comment?.body === text);
    expect([text, new Set(copies.map((d) => d.id)).size]).toEqual([text, 1]);
    duplicates += copies.length - 1;
  }
  // One id is one event: no id was used for two.
  const byId = new Map<string, Set<string>>();
  for (const d of receiver.accepted) byId.set(d.id, (byId.get(d.id) ?? new Set()).add(d.body.data.comment.id));
  expect([...byId.values()].every((comments) => comments.size === 1)).toBe(true);
  expect(byId.size).toBe(30);
  console.log(
    `webhooks: ${inFlight} deliveries in flight at the kill; 30 of 30 delivered; ${duplicates} sent twice (same webhook-id)`,
  );
}, 240_000);
