import { randomUUID } from 'node:crypto';
import { SafeHttp, WebhookSender } from '@rejoinder/webhooks';
import pg from 'pg';
import { Webhook } from 'standardwebhooks';
import { freshDatabase } from '../support/databases.js';
import { createArticle, createUser, http, postComment, TestUser, unique } from '../support/factories.js';
import { startTestApp, TestApp } from '../support/test-app.js';
import { Receiver, startReceiver } from '../support/webhook-receiver.js';

let t: TestApp;
let db: Awaited<ReturnType<typeof freshDatabase>>;
let admin: TestUser;
let mod: TestUser;
let reader: TestUser;
let other: TestUser;
const receivers: Receiver[] = [];

beforeAll(async () => {
  // A database of its own: the sender derives deliveries from every article's
  // log, and the other test files write thousands of events meanwhile.
  db = await freshDatabase();
  t = await startTestApp({
    DATABASE_URL: db.url,
    WEBHOOK_ALLOW_PRIVATE: 'true',
    WEBHOOK_RETRY_BASE_MS: '50',
    WEBHOOK_SENDER: 'true',
  });
  [admin, mod, reader, other] = await Promise.all([
    createUser(t, 'admin'),
    createUser(t, 'moderator'),
    createUser(t),
    createUser(t),
  ]);
});
afterAll(async () => {
  await Promise.all(receivers.map((r) => r.close()));
  await t.close();
  await db.drop();
});

async function endpoint(events: string[]): Promise<{ receiver: Receiver; id: string; secret: string }> {
  const receiver = await startReceiver();
  receivers.push(receiver);
  const res = await http(t, 'POST', '/api/admin/webhooks', { token: admin.token, body: { url: receiver.url, events } });
  expect(res.status).toBe(201);
  expect(res.body.secret).toMatch(/^whsec_/);
  receiver.secrets.push(res.body.secret);
  return { receiver, id: res.body.id, secret: res.body.secret };
}

describe('webhook deliveries', () => {
  it('delivers published comments, reports, removals, new and closed articles, each signed', async () => {
    const { receiver, id } = await endpoint([
      'comment.published',
      'comment.removed',
      'report.created',
      'article.created',
      'article.closed',
    ]);
    const externalId = unique('cms');
    const created = await http(t, 'PUT', `/api/admin/articles/${externalId}`, {
      token: admin.token,
      body: {
        title: 'Hooked',
        url: `https://news.example.test/${externalId}`,
        author: 'A',
        publishedAt: new Date().toISOString(),
      },
    });
    const slug = created.body.slug;
    const comment = await postComment(t, reader, slug, 'Webhooks are neat');
    await http(t, 'POST', `/api/comments/${comment.id}/reports`, { token: other.token, body: { reason: 'spam' } });
    const { version } = await t.prisma.comment.findUniqueOrThrow({ where: { id: comment.id } });
    const removed = await http(t, 'POST', `/api/moderation/comments/${comment.id}/actions`, {
      token: mod.token,
      body: { action: 'remove', version, reason: 'spam' },
    });
    expect(removed.status).toBe(200);
    await http(t, 'PATCH', `/api/moderation/articles/${slug}`, { token: mod.token, body: { state: 'closed' } });
    const mine = (r: typeof receiver.accepted) => r.filter((d) => d.body.data.articleId === created.body.id);
    await receiver.waitFor((a) => mine(a).length >= 5);
    const types = mine(receiver.accepted)
      .map((d) => d.body.type)
      .sort();
    expect(types).toEqual([
      'article.closed',
      'article.created',
      'comment.published',
      'comment.removed',
      'report.created',
    ]);
    expect(receiver.refused).toBe(0);
    const byType = Object.fromEntries(mine(receiver.accepted).map((d) => [d.body.type, d]));
    expect(byType['article.created'].body.data.article).toMatchObject({
      externalId,
      title: 'Hooked',
      createdVia: 'api',
    });
    expect(byType['comment.removed'].body.data).toMatchObject({ commentId: comment.id, status: 'removed' });
    // The removal itself never carries the text.
    expect(byType['comment.removed'].raw).not.toContain('Webhooks are neat');
    expect(byType['comment.published'].body.data.comment).toMatchObject({ id: comment.id });
    for (const d of mine(receiver.accepted)) expect(d.id).toMatch(/^msg_[0-9a-f]{32}$/);

    // The sender records each answer after the receiver has it.
    while (
      (await t.prisma.webhookDelivery.count({
        where: { webhookId: id, articleId: created.body.id, status: 'succeeded' },
      })) < 5
    )
      await new Promise((r) => setTimeout(r, 20));
    const log = await http(t, 'GET', `/api/admin/webhooks/${id}/deliveries?limit=100`, { token: admin.token });
    expect(log.status).toBe(200);
    const logged = log.body.items.filter((d: { articleId: string }) => d.articleId === created.body.id);
    expect(logged).toHaveLength(5);
    for (const d of logged)
      expect(d).toMatchObject({ status: 'succeeded', attempts: 1, lastStatus: 200, lastResponse: 'ok' });
    for (const d of logged) expect(typeof d.latencyMs).toBe('number');
  });

  it('sends a published comment with its text while it is published', async () => {
    const { receiver } = await endpoint(['comment.published']);
    const article = await createArticle(t.prisma);
    const comment = await postComment(t, reader, article.slug, 'Still standing');
    const [delivery] = await receiver.waitFor((a) => a.some((d) => d.body.data.comment?.id === comment.id));
    expect(receiver.accepted.find((d) => d.body.data.comment?.id === comment.id)!.body.data.comment).toMatchObject({
      body: 'Still standing',
      author: { id: reader.id },
    });
    expect(delivery).toBeDefined();
  });

  it('keeps trying an endpoint that is down, with the same webhook-id, until it is back, and loses nothing', async () => {
    const { receiver, id } = await endpoint(['comment.published']);
    let down = true;
    receiver.status = () => (down ? 503 : 200);
    const article = await createArticle(t.prisma);
    receiver.only = article.id;
    const posted = [];
    for (let i = 0; i < 5; i++) posted.push(await postComment(t, reader, article.slug, `while down ${i}`));
    // Down until each delivery was tried at least twice.
    while (
      new Set(receiver.attempts.map((a) => a.id)).size < 5 ||
      !posted.every(
        (_, i) => receiver.attempts.filter((a) => a.body.data.comment?.body === `while down ${i}`).length >= 2,
      )
    )
      await new Promise((r) => setTimeout(r, 20));
    const downLog = await http(t, 'GET', `/api/admin/webhooks/${id}/deliveries?limit=100`, { token: admin.token });
    expect(downLog.body.items.find((d: { articleId: string }) => d.articleId === article.id)).toMatchObject({
      status: 'pending',
      lastStatus: 503,
    });
    for (const d of downLog.body.items) expect((d.lastResponse ?? '').length).toBeLessThanOrEqual(1024);
    down = false;
    await receiver.waitFor((a) => a.length >= 5);
    expect(receiver.accepted.map((d) => d.body.data.comment.body).sort()).toEqual(
      posted.map((_, i) => `while down ${i}`),
    );
    // Every attempt of one delivery carried the same id.
    for (const delivery of receiver.accepted) {
      const tries = receiver.attempts.filter((a) => a.body.data.comment.id === delivery.body.data.comment.id);
      expect(tries.length).toBeGreaterThanOrEqual(2);
      expect(new Set(tries.map((a) => a.id))).toEqual(new Set([delivery.id]));
    }
    // Recorded once the sender has the answers: then the endpoint is not failing.
    const ours = { webhookId: id, articleId: article.id };
    while ((await t.prisma.webhookDelivery.count({ where: { ...ours, status: 'succeeded' } })) < 5)
      await new Promise((r) => setTimeout(r, 20));
    const log = await http(t, 'GET', `/api/admin/webhooks/${id}/deliveries?limit=100`, { token: admin.token });
    const logged = log.body.items.filter((d: { articleId: string }) => d.articleId === article.id);
    expect(logged).toHaveLength(5);
    for (const d of logged) expect(d).toMatchObject({ status: 'succeeded', lastStatus: 200 });
    expect(logged.every((d: { attempts: number }) => d.attempts >= 3)).toBe(true);
  });

  it('never sends the text of a comment removed before its delivery', async () => {
    const { receiver } = await endpoint(['comment.published']);
    let down = true;
    receiver.status = () => (down ? 503 : 200);
    const article = await createArticle(t.prisma);
    receiver.only = article.id;
    const comment = await postComment(t, reader, article.slug, 'Secret words of a soon removed comment');
    while (!receiver.attempts.some((a) => a.body.data.comment?.id === comment.id))
      await new Promise((r) => setTimeout(r, 20));
    expect(receiver.attempts[0].raw).toContain('Secret words');
    const removed = await http(t, 'POST', `/api/moderation/comments/${comment.id}/actions`, {
      token: mod.token,
      body: { action: 'remove', version: 1, reason: 'abuse' },
    });
    expect(removed.status).toBe(200);
    down = false;
    const [delivered] = await receiver.waitFor((a) => a.length === 1);
    expect(delivered.body.type).toBe('comment.published');
    expect(delivered.body.data.comment).toMatchObject({
      id: comment.id,
      status: 'removed',
      body: null,
      html: null,
      author: null,
    });
    expect(delivered.raw).not.toContain('Secret words');
  });

  it('sends a report with the comment as a moderator reads it, held or not, never once it is removed', async () => {
    const { receiver } = await endpoint(['report.created']);
    let down = true;
    receiver.status = () => (down ? 503 : 200);
    const article = await createArticle(t.prisma);
    receiver.only = article.id;
    const reporters = await Promise.all([createUser(t), createUser(t), createUser(t)]);
    const report = (id: string, by: TestUser) =>
      http(t, 'POST', `/api/comments/${id}/reports`, { token: by.token, body: { reason: 'spam' } });

    // Held back by its reports before the delivery leaves: moderation's
    // business, sent with its text and author.
    const held = await postComment(t, reader, article.slug, 'Reported words, held for review');
    for (const by of reporters) expect((await report(held.id, by)).status).toBe(201);
    expect((await t.prisma.comment.findUniqueOrThrow({ where: { id: held.id } })).status).toBe('pending');
    while (!receiver.attempts.some((a) => a.body.data.commentId === held.id))
      await new Promise((r) => setTimeout(r, 20));

    // Reported, then removed before the delivery leaves: without its text.
    const removed = await postComment(t, reader, article.slug, 'Reported words, removed since');
    expect((await report(removed.id, reporters[0])).status).toBe(201);
    while (!receiver.attempts.some((a) => a.body.data.commentId === removed.id))
      await new Promise((r) => setTimeout(r, 20));
    const { version } = await t.prisma.comment.findUniqueOrThrow({ where: { id: removed.id } });
    const taken = await http(t, 'POST', `/api/moderation/comments/${removed.id}/actions`, {
      token: mod.token,
      body: { action: 'remove', version, reason: 'spam' },
    });
    expect(taken.status).toBe(200);
    down = false;

    const accepted = await receiver.waitFor(
      (a) => a.some((d) => d.body.data.commentId === held.id) && a.some((d) => d.body.data.commentId === removed.id),
    );
    for (const d of accepted.filter((d) => d.body.data.commentId === held.id)) {
      expect(d.body.type).toBe('report.created');
      expect(d.body.data.comment).toMatchObject({
        id: held.id,
        status: 'pending',
        body: 'Reported words, held for review',
        author: { id: reader.id },
      });
    }
    for (const d of accepted.filter((d) => d.body.data.commentId === removed.id)) {
      expect(d.body.type).toBe('report.created');
      expect(d.body.data.comment).toMatchObject({ id: removed.id, status: 'removed', body: null, author: null });
      expect(d.raw).not.toContain('removed since');
    }
  });

  it('signs with both secrets while a rotation overlaps', async () => {
    const { receiver, id, secret } = await endpoint(['comment.published']);
    const rotated = await http(t, 'POST', `/api/admin/webhooks/${id}/rotate-secret`, { token: admin.token });
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).not.toBe(secret);
    expect(rotated.body.rotating).toBe(true);
    const article = await createArticle(t.prisma);
    receiver.only = article.id;
    await postComment(t, reader, article.slug, 'after rotation');
    const [d] = await receiver.waitFor((a) => a.length === 1);
    expect(d.signature.split(' ')).toHaveLength(2);
    const headers = { 'webhook-id': d.id, 'webhook-timestamp': d.timestamp, 'webhook-signature': d.signature };
    for (const s of [secret, rotated.body.secret]) expect(() => new Webhook(s).verify(d.raw, headers)).not.toThrow();
    const stranger = `whsec_${Buffer.from(randomUUID()).toString('base64')}`;
    expect(() => new Webhook(stranger).verify(d.raw, headers)).toThrow();
  });

  it('sends a test delivery, and replays events with new ids', async () => {
    const { receiver, id } = await endpoint(['comment.published']);
    const test = await http(t, 'POST', `/api/admin/webhooks/${id}/test`, { token: admin.token });
    expect(test.status).toBe(202);
    await receiver.waitFor((a) => a.some((d) => d.body.type === 'webhook.test'));
    const article = await createArticle(t.prisma);
    const since = new Date(Date.now() - 1000).toISOString();
    await postComment(t, reader, article.slug, 'replay me');
    await receiver.waitFor((a) => a.some((d) => d.body.data.comment?.body === 'replay me'));
    const replay = await http(t, 'POST', `/api/admin/webhooks/${id}/replay`, {
      token: admin.token,
      body: { article: article.id, fromSeq: 1 },
    });
    expect(replay.status).toBe(202);
    expect(replay.body).toMatchObject({ events: 1, deliveries: 1, truncated: false });
    const both = await receiver.waitFor((a) => a.filter((d) => d.body.data.comment?.body === 'replay me').length === 2);
    const ids = both.filter((d) => d.body.data.comment?.body === 'replay me').map((d) => d.id);
    expect(new Set(ids).size).toBe(2);
    const bySince = await http(t, 'POST', `/api/admin/webhooks/${id}/replay`, { token: admin.token, body: { since } });
    expect(bySince.body.deliveries).toBeGreaterThanOrEqual(1);
  });

  it('never passes over an event whose transaction commits after a later one', async () => {
    const { receiver } = await endpoint(['comment.published', 'article.closed']);
    const [early, late] = [await createArticle(t.prisma), await createArticle(t.prisma)];
    const mine = (a: Receiver['accepted']) => a.filter((d) => [early.id, late.id].includes(d.body.data.articleId));
    // A transaction that closes one article starts first and commits last.
    const slow = new pg.Client({ connectionString: db.url });
    await slow.connect();
    try {
      await slow.query('BEGIN');
      const [{ last_seq: seq }] = (
        await slow.query<{ last_seq: number }>(
          "UPDATE articles SET state = 'closed', last_seq = last_seq + 1 WHERE id = $1 RETURNING last_seq",
          [early.id],
        )
      ).rows;
      await slow.query(
        `INSERT INTO article_events (article_id, seq, type, audience, payload) VALUES ($1, $2, 'article.updated', 'public', $3)`,
        [early.id, seq, { article: { id: early.id, slug: early.slug, state: 'closed' } }],
      );
      // Meanwhile a comment on the other article is committed, and the sender turns.
      const comment = await postComment(t, reader, late.slug, 'committed first');
      await t.app.get(WebhookSender).turn();
      const pending = await t.prisma.webhookDelivery.count({ where: { articleId: { in: [early.id, late.id] } } });
      expect([pending, mine(receiver.accepted)]).toEqual([0, []]);
      await slow.query('COMMIT');
      const both = await receiver.waitFor((a) => mine(a).length === 2);
      expect(
        mine(both)
          .map((d) => [d.body.type, d.body.data.articleId])
          .sort(),
      ).toEqual([
        ['article.closed', early.id],
        ['comment.published', late.id],
      ]);
      expect(mine(both).find((d) => d.body.type === 'comment.published')!.body.data.comment.id).toBe(comment.id);
    } finally {
      await slow.end();
    }
  });

  it('turns off an endpoint failing for three days and tells the admins', async () => {
    const { receiver, id } = await endpoint(['comment.published']);
    receiver.status = () => 500;
    const article = await createArticle(t.prisma);
    await postComment(t, reader, article.slug, 'into the void');
    while (receiver.attempts.length === 0) await new Promise((r) => setTimeout(r, 20));
    await t.prisma.webhook.update({ where: { id }, data: { failingSince: new Date(Date.now() - 73 * 3_600_000) } });
    await t.app.get(WebhookSender).disableFailing();
    const list = await http(t, 'GET', '/api/admin/webhooks?limit=100', { token: admin.token });
    expect(list.body.items.find((h: { id: string }) => h.id === id)).toMatchObject({
      enabled: false,
      disabledReason: 'every delivery failed for 3 days',
    });
    const log = await http(t, 'GET', '/api/moderation/log?limit=100', { token: admin.token });
    expect(log.body.items).toContainEqual(expect.objectContaining({ action: 'webhook_disabled', targetId: id }));
    // On again by an admin: its streak starts over.
    const on = await http(t, 'PATCH', `/api/admin/webhooks/${id}`, { token: admin.token, body: { enabled: true } });
    expect(on.body).toMatchObject({ enabled: true, disabledReason: null, failingSince: null });
  });
});

describe('webhook administration', () => {
  it('refuses bad input, other users and keys without webhooks:manage', async () => {
    const receiver = await startReceiver();
    receivers.push(receiver);
    const bad = [
      { url: receiver.url, events: [] },
      { url: receiver.url, events: ['comment.everything'] },
      { url: 'not a url', events: ['comment.published'] },
      { url: receiver.url, events: ['comment.published'], secret: 'mine' },
    ];
    for (const body of bad) {
      const res = await http(t, 'POST', '/api/admin/webhooks', { token: admin.token, body });
      expect(res.status).toBe(400);
    }
    for (const user of [mod, reader])
      expect((await http(t, 'GET', '/api/admin/webhooks', { token: user.token })).body.code).toBe('FORBIDDEN');
    const readKey = (
      await http(t, 'POST', '/api/admin/api-keys', {
        token: admin.token,
        body: { name: 'x', scopes: ['comments:read'] },
      })
    ).body.key;
    expect((await http(t, 'GET', '/api/admin/webhooks', { token: readKey })).body.code).toBe('API_KEY_SCOPE_MISSING');
    const hookKey = (
      await http(t, 'POST', '/api/admin/api-keys', {
        token: admin.token,
        body: { name: 'x', scopes: ['webhooks:manage'] },
      })
    ).body.key;
    const made = await http(t, 'POST', '/api/admin/webhooks', {
      token: hookKey,
      body: { url: receiver.url, events: ['article.created'] },
    });
    expect(made.status).toBe(201);
    const missing = '00000000-0000-4000-8000-000000000000';
    for (const [method, path] of [
      ['PATCH', `/api/admin/webhooks/${missing}`],
      ['DELETE', `/api/admin/webhooks/${missing}`],
      ['POST', `/api/admin/webhooks/${missing}/test`],
      ['POST', `/api/admin/webhooks/${missing}/rotate-secret`],
      ['GET', `/api/admin/webhooks/${missing}/deliveries`],
      ['DELETE', '/api/admin/webhooks/nope'],
    ] as const) {
      const res = await http(t, method, path, {
        token: admin.token,
        body: method === 'PATCH' ? { enabled: false } : undefined,
      });
      expect([path, res.body.code]).toEqual([path, 'WEBHOOK_NOT_FOUND']);
    }
    expect(
      (await http(t, 'POST', `/api/admin/webhooks/${made.body.id}/replay`, { token: admin.token, body: {} })).status,
    ).toBe(400);
    expect(
      (await http(t, 'PATCH', `/api/admin/webhooks/${made.body.id}`, { token: admin.token, body: {} })).status,
    ).toBe(400);
    expect((await http(t, 'DELETE', `/api/admin/webhooks/${made.body.id}`, { token: hookKey })).status).toBe(204);
  });
});

describe('safe outbound requests', () => {
  it('refuses loopback, private, link-local and plain http endpoints at registration', async () => {
    const strict = await startTestApp({ DATABASE_URL: db.url, WEBHOOK_ALLOW_PRIVATE: 'false' });
    const strictAdmin = await createUser(strict, 'admin');
    const refused = [
      'https://127.0.0.1/hooks',
      'https://localhost/hooks',
      'https://10.1.2.3/hooks',
      'https://192.168.0.10/hooks',
      'https://169.254.169.254/latest/meta-data',
      'https://[::1]/hooks',
      'https://[::ffff:127.0.0.1]/hooks',
      'http://93.184.216.34/hooks',
      'https://user:pass@93.184.216.34/hooks',
    ];
    try {
      for (const url of refused) {
        const res = await http(strict, 'POST', '/api/admin/webhooks', {
          token: strictAdmin.token,
          body: { url, events: ['comment.published'] },
        });
        expect([url, res.status, res.body.code]).toEqual([url, 400, 'WEBHOOK_URL_REFUSED']);
      }
      expect(await strict.prisma.webhook.count({ where: { url: { in: refused } } })).toBe(0);
    } finally {
      await strict.close();
    }
  });

  it('refuses a name that resolves to 127.0.0.1 at connection time though it was public at registration', async () => {
    const receiver = await startReceiver();
    receivers.push(receiver);
    const port = new URL(receiver.url).port;
    let answer = '93.184.216.34';
    const resolver = () => Promise.resolve([{ address: answer, family: 4 }]);
    const safe = new SafeHttp({ allowPrivate: false, resolver });
    await expect(safe.check(`https://hooks.rebind.test:${port}/hooks`)).resolves.toBe('93.184.216.34');
    answer = '127.0.0.1';
    await expect(safe.post(`https://hooks.rebind.test:${port}/hooks`, {}, '{}')).rejects.toThrow(
      /not a public address/,
    );

    // The same through the running sender: registered while public, rebound before delivery.
    const strict = await startTestApp({
      DATABASE_URL: db.url,
      WEBHOOK_ALLOW_PRIVATE: 'false',
      WEBHOOK_RETRY_BASE_MS: '50',
      WEBHOOK_SENDER: 'true',
    });
    try {
      strict.app.get(WebhookSender).useResolver(resolver);
      const hook = await strict.prisma.webhook.create({
        data: {
          url: `https://hooks.rebind.test:${port}/hooks`,
          events: ['comment.published'],
          secret: 'whsec_' + Buffer.from('x'.repeat(32)).toString('base64'),
        },
      });
      const author = await createUser(strict);
      const article = await createArticle(strict.prisma);
      await postComment(strict, author, article.slug, 'rebound');
      // This test's other app (which cannot resolve the name) may try it too: wait for this one's answer.
      const refusal = /127\.0\.0\.1, which is not a public address/;
      let delivery = null;
      while (!refusal.test(delivery?.lastError ?? '')) {
        delivery = await strict.prisma.webhookDelivery.findFirst({ where: { webhookId: hook.id } });
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(delivery?.lastError).toMatch(refusal);
      expect(receiver.attempts).toHaveLength(0);
    } finally {
      await strict.close();
    }
  });
});
