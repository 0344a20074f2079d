import { randomUUID } from 'node:crypto';
import { createArticle, createUser, http, postComment, TestUser, unique } from '../support/factories.js';
import { linkToken, SmtpSink } from '../support/smtp-sink.js';
import { connectSocket } from '../support/sockets.js';
import { signSso, SSO_AUDIENCE, SSO_ISSUER, SSO_SECRET } from '../support/sso.js';
import { startTestApp, TestApp } from '../support/test-app.js';

// Mail as readers get it: a real SMTP server (smtp-server) receives every
// message, and mailparser reads it.

const PUBLIC = 'https://comments.example.test';
let sink: SmtpSink;
// The node readers talk to, and the node that sends (several in some tests):
// every node can do both; keeping them apart lets a test hold mail back.
let t: TestApp;
let w: TestApp | null;

const mailConfig = (extra: Record<string, string> = {}) => ({
  SMTP_URL: sink.url,
  PUBLIC_URL: PUBLIC,
  MAIL_FROM: 'Comments <comments@example.test>',
  MAIL_COALESCE_SECONDS: '0',
  MAIL_POLL_MS: '50',
  MAIL_RETRY_BASE_MS: '200',
  ...extra,
});

const startWorker = () => startTestApp(mailConfig());

beforeAll(async () => {
  sink = await new SmtpSink().start();
  t = await startTestApp(mailConfig({ MAIL_WORKER: 'false' }));
  w = await startWorker();
});
afterAll(async () => {
  await w?.close();
  await t.close();
  await sink.stop();
});

// Runs `work` with no mail sent meanwhile, then sends again.
async function withMailHeld(work: () => Promise<void>): Promise<void> {
  await w?.close();
  w = null;
  try {
    await work();
  } finally {
    w = await startWorker();
  }
}

// A registered reader who followed the confirmation link.
async function verifiedUser(app: TestApp = t, role?: 'moderator' | 'admin'): Promise<TestUser> {
  const user = await createUser(app, role);
  const [mail] = await sink.waitFor(user.email);
  const res = await http(app, 'POST', '/api/auth/verify-email', { body: { token: linkToken(mail, '/verify-email') } });
  expect(res.status).toBe(200);
  return user;
}

async function outboxDone(app: TestApp, where: { recipientId: string; commentId?: string }) {
  for (;;) {
    const rows = await app.prisma.mailOutbox.findMany({ where, select: { status: true, lastError: true } });
    if (rows.length > 0 && rows.every((r) => r.status !== 'queued')) return rows;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('a new reader', () => {
  it('confirms the address, gets a reply by email, unsubscribes in one click and gets no more', async () => {
    const author = await createUser(t);
    const [confirm] = await sink.waitFor(author.email);
    expect(confirm.subject).toBe('Confirm your email address');
    expect(confirm.messageId).toMatch(/^<[A-Za-z0-9_-]+@example\.test>$/);
    expect(confirm.parsed.from?.value).toEqual([{ name: 'Comments', address: 'comments@example.test' }]);
    expect((await http(t, 'GET', '/api/me', { token: author.token })).body.emailVerified).toBe(false);
    const token = linkToken(confirm, `${PUBLIC}/verify-email`);
    const verified = await http(t, 'POST', '/api/auth/verify-email', { body: { token } });
    expect(verified.status).toBe(200);
    expect(verified.body).toMatchObject({ id: author.id, emailVerified: true });
    // Single use.
    expect((await http(t, 'POST', '/api/auth/verify-email', { body: { token } })).body.code).toBe('LINK_USED');
    expect((await http(t, 'POST', '/api/me/email/verification', { token: author.token })).body.code).toBe(
      'EMAIL_ALREADY_VERIFIED',
    );

    const article = await createArticle(t.prisma, { title: 'Title with\r\nBcc: victim@example.test' });
    const replier = await verifiedUser();
    const parent = await postComment(t, author, article.slug, 'My **first** take');
    const reply = await postComment(t, replier, article.slug, 'A *reply* <script>alert(1)</script>', {
      parentId: parent.id,
    });
    const [, mail] = await sink.waitFor(author.email, 2);
    expect(mail.subject).toBe(`${replier.username} replied to your comment on “Title with Bcc: victim@example.test”`);
    expect(mail.parsed.bcc).toBeUndefined();
    expect(mail.to).toEqual([author.email]);
    expect(mail.text).toContain('A *reply*');
    expect(mail.text).toContain(`${PUBLIC}/comments/${reply.id}`);
    expect(mail.html).toContain('<em>reply</em>');
    expect(mail.html).not.toContain('<script>');
    const unsubscribe = mail.header('list-unsubscribe')!;
    expect(unsubscribe).toMatch(new RegExp(`^<${PUBLIC}/api/mail/unsubscribe\\?token=[^>]+>$`));
    expect(mail.header('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');

    const path = unsubscribe.slice(PUBLIC.length + 1, -1);
    // A GET (a link scanner) only asks.
    const page = await http(t, 'GET', path);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.body).toContain('<form method="post"');
    expect((await http(t, 'GET', '/api/me/notification-settings', { token: author.token })).body.onReply).toBe(true);
    // The one-click POST, with no session, as a mail provider sends it.
    const done = await http(t, 'POST', path, {
      rawBody: 'List-Unsubscribe=One-Click',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(done.status).toBe(200);
    expect(done.body).toContain('Done');
    expect((await http(t, 'GET', '/api/me/notification-settings', { token: author.token })).body).toMatchObject({
      onReply: false,
      onStaffReply: true,
    });

    const second = await postComment(t, replier, article.slug, 'Another reply', { parentId: parent.id });
    expect(await outboxDone(t, { recipientId: author.id, commentId: second.id })).toEqual([
      expect.objectContaining({ status: 'skipped' }),
    ]);
    expect(sink.to(author.email)).toHaveLength(2);
  });

  it('refuses a forged or tampered unsubscribe token, and forms anywhere else', async () => {
    const user = await verifiedUser();
    const bad = await http(t, 'POST', `/api/mail/unsubscribe?token=${user.id}.reply.forged`);
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('UNSUBSCRIBE_TOKEN_INVALID');
    expect((await http(t, 'GET', `/api/mail/unsubscribe?token=${user.id}.digest.x`)).status).toBe(400);
    const form = await http(t, 'POST', '/api/auth/password-reset', {
      rawBody: 'email=a@b.test',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(415);
  });
});

describe('imported accounts', () => {
  it('become the reader’s who confirms the address an export held for them, and only then', async () => {
    const reader = await createUser(t);
    const username = unique('Imported');
    const imported = await t.prisma.user.create({
      data: {
        username,
        usernameKey: username.toLowerCase(),
        passwordHash: '!imported',
        displayName: 'Ana from the old site',
        importedFrom: 'disqus',
        // As importers keep it: in lower case.
        claimEmail: reader.email.toLowerCase(),
      },
    });
    const article = await createArticle(t.prisma);
    const id = randomUUID();
    await t.prisma.comment.create({
      data: {
        id,
        articleId: article.id,
        authorId: imported.id,
        path: [id],
        depth: 0,
        bodySource: 'x',
        bodyHtml: '<p>x</p>',
      },
    });
    // Signing up with the address proves nothing yet.
    expect(await t.prisma.comment.findUniqueOrThrow({ where: { id } })).toMatchObject({ authorId: imported.id });

    const [confirm] = await sink.waitFor(reader.email);
    const verified = await http(t, 'POST', '/api/auth/verify-email', {
      body: { token: linkToken(confirm, `${PUBLIC}/verify-email`) },
    });
    expect(verified.status).toBe(200);
    expect(await t.prisma.comment.findUniqueOrThrow({ where: { id } })).toMatchObject({ authorId: reader.id });
    expect(await t.prisma.user.count({ where: { id: imported.id } })).toBe(0);
  });
});

describe('password reset', () => {
  it('answers 202 for any address, mails a single-use link, and signs the account out everywhere', async () => {
    const user = await verifiedUser();
    const article = await createArticle(t.prisma);
    const unknown = await http(t, 'POST', '/api/auth/password-reset', { body: { email: 'nobody-here@example.test' } });
    expect(unknown.status).toBe(202);
    const known = await http(t, 'POST', '/api/auth/password-reset', { body: { email: user.email.toUpperCase() } });
    expect(known.status).toBe(202);
    expect(known.body).toEqual(unknown.body);
    const mails = await sink.waitFor(user.email, 2);
    const reset = mails.find((m) => m.subject === 'Reset your password')!;
    const token = linkToken(reset, `${PUBLIC}/reset-password`);

    const socket = await connectSocket(t.url, { token: user.token });
    await socket.ack('subscribe', { article: article.slug });

    const forged = await http(t, 'POST', '/api/auth/password-reset/confirm', {
      body: { token: 'A'.repeat(43), password: 'a brand new passphrase' },
    });
    expect(forged.status).toBe(400);
    expect(forged.body.code).toBe('LINK_INVALID');
    const weak = await http(t, 'POST', '/api/auth/password-reset/confirm', { body: { token, password: 'short' } });
    expect(weak.status).toBe(400);
    expect(weak.body.code).toBe('VALIDATION_FAILED');

    const done = await http(t, 'POST', '/api/auth/password-reset/confirm', {
      body: { token, password: 'a brand new passphrase' },
    });
    expect(done.status).toBe(200);
    expect(done.body.user.id).toBe(user.id);
    const reused = await http(t, 'POST', '/api/auth/password-reset/confirm', {
      body: { token, password: 'another new passphrase' },
    });
    expect(reused.status).toBe(400);
    expect(reused.body.code).toBe('LINK_USED');

    // The old token is refused; the open socket is told.
    const old = await http(t, 'GET', '/api/me', { token: user.token });
    expect(old.status).toBe(401);
    expect(old.body.code).toBe('TOKEN_EXPIRED');
    await socket.waitFor(() => socket.session.some((m) => m.type === 'auth.expired'));
    expect(socket.session.find((m) => m.type === 'auth.expired')!.data).toEqual({ code: 'TOKEN_EXPIRED' });
    expect(await socket.ack('comment.create', { article: article.slug, body: 'after reset' })).toMatchObject({
      error: { code: 'TOKEN_EXPIRED' },
    });
    socket.close();
    expect((await http(t, 'GET', '/api/me', { token: done.body.accessToken })).status).toBe(200);
    const login = await http(t, 'POST', '/api/auth/login', {
      body: { login: user.username, password: 'a brand new passphrase' },
    });
    expect(login.status).toBe(200);
  });

  it('refuses an expired link', async () => {
    const user = await verifiedUser();
    await http(t, 'POST', '/api/auth/password-reset', { body: { email: user.email } });
    const reset = (await sink.waitFor(user.email, 2)).find((m) => m.subject === 'Reset your password')!;
    await t.prisma.accountToken.updateMany({
      where: { userId: user.id, purpose: 'password_reset' },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    const res = await http(t, 'POST', '/api/auth/password-reset/confirm', {
      body: { token: linkToken(reset, '/reset-password'), password: 'a brand new passphrase' },
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('LINK_EXPIRED');
    expect((await http(t, 'GET', '/api/me', { token: user.token })).status).toBe(200);
  });

  it('sends an account from the publisher’s login a notice, never a link; its password cannot be changed here', async () => {
    const user = await verifiedUser();
    await t.prisma.user.update({
      where: { id: user.id },
      data: { passwordHash: null, externalIssuer: 'https://news.example.test', externalSubject: user.id },
    });
    expect((await http(t, 'POST', '/api/auth/password-reset', { body: { email: user.email } })).status).toBe(202);
    const [, notice] = await sink.waitFor(user.email, 2);
    expect(notice.subject).toBe('About your password');
    expect(notice.text).toContain("publisher's own login");
    expect(notice.text).not.toContain('reset-password');
    const change = await http(t, 'PUT', '/api/me/password', {
      token: user.token,
      body: { currentPassword: 'x', newPassword: 'a brand new passphrase' },
    });
    expect(change.status).toBe(400);
    expect(change.body.code).toBe('EXTERNAL_ACCOUNT');
  });
});

describe('account changes', () => {
  it('changes the password (old sessions end) and the address (a link to the new, a notice to the old)', async () => {
    const user = await verifiedUser();
    const wrong = await http(t, 'PUT', '/api/me/password', {
      token: user.token,
      body: { currentPassword: 'not it at all', newPassword: 'a brand new passphrase' },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('INVALID_CREDENTIALS');
    const extra = await http(t, 'PUT', '/api/me/password', {
      token: user.token,
      body: { currentPassword: user.password, newPassword: 'a brand new passphrase', userId: user.id },
    });
    expect(extra.body.code).toBe('UNKNOWN_FIELDS');
    const changed = await http(t, 'PUT', '/api/me/password', {
      token: user.token,
      body: { currentPassword: user.password, newPassword: 'a brand new passphrase' },
    });
    expect(changed.status).toBe(200);
    expect((await http(t, 'GET', '/api/me', { token: user.token })).status).toBe(401);
    const token = changed.body.accessToken as string;

    const other = await createUser(t);
    const taken = await http(t, 'PUT', '/api/me/email', {
      token,
      body: { password: 'a brand new passphrase', email: other.email },
    });
    expect(taken.status).toBe(409);
    expect(taken.body.code).toBe('EMAIL_TAKEN');
    const newAddress = `new-${user.username}@example.test`.toLowerCase();
    const moved = await http(t, 'PUT', '/api/me/email', {
      token,
      body: { password: 'a brand new passphrase', email: newAddress },
    });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ email: newAddress, emailVerified: false });
    const [confirm] = await sink.waitFor(newAddress);
    expect(confirm.subject).toBe('Confirm your email address');
    const notice = (await sink.waitFor(user.email, 2))[1];
    expect(notice.subject).toBe('Your email address was changed');
    expect(notice.text).not.toContain(newAddress);
    expect((await http(t, 'PUT', '/api/me/email', { body: { password: 'x', email: newAddress } })).status).toBe(401);
  });

  it('rate limits confirmation resends', async () => {
    const user = await createUser(t);
    for (let i = 0; i < 3; i++)
      expect((await http(t, 'POST', '/api/me/email/verification', { token: user.token })).status).toBe(202);
    const limited = await http(t, 'POST', '/api/me/email/verification', { token: user.token });
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('RATE_LIMITED');
    // The first link still works after the others were sent.
    const mails = await sink.waitFor(user.email, 4);
    expect(new Set(mails.map((m) => m.messageId)).size).toBe(4);
    const res = await http(t, 'POST', '/api/auth/verify-email', {
      body: { token: linkToken(mails[0], '/verify-email') },
    });
    expect(res.status).toBe(200);
  });
});

describe('notification settings', () => {
  it('has defaults, takes changes, and refuses bad input and other readers', async () => {
    const user = await createUser(t);
    expect((await http(t, 'GET', '/api/me/notification-settings', { token: user.token })).body).toEqual({
      onReply: true,
      onStaffReply: true,
      onModeration: true,
      onFeatured: true,
      digest: 'off',
      moderation: null,
    });
    const patched = await http(t, 'PATCH', '/api/me/notification-settings', {
      token: user.token,
      body: { onFeatured: false, digest: 'daily' },
    });
    expect(patched.body).toMatchObject({ onFeatured: false, digest: 'daily', onReply: true });
    expect(
      (await http(t, 'PATCH', '/api/me/notification-settings', { token: user.token, body: { digest: 'weekly' } })).body
        .code,
    ).toBe('VALIDATION_FAILED');
    expect(
      (await http(t, 'PATCH', '/api/me/notification-settings', { token: user.token, body: { userId: user.id } })).body
        .code,
    ).toBe('UNKNOWN_FIELDS');
    expect(
      (await http(t, 'PATCH', '/api/me/notification-settings', { token: user.token, body: { onReport: true } })).status,
    ).toBe(403);
    expect((await http(t, 'GET', '/api/me/notification-settings')).status).toBe(401);
    const mod = await createUser(t, 'moderator');
    const modSettings = await http(t, 'PATCH', '/api/me/notification-settings', {
      token: mod.token,
      body: { onReport: true, queueAgeMinutes: 30 },
    });
    expect(modSettings.body.moderation).toEqual({ onReport: true, queueAgeMinutes: 30 });
  });
});

describe('the admin view', () => {
  it('lists recent deliveries to admins only', async () => {
    const admin = await createUser(t, 'admin');
    const reader = await createUser(t);
    expect((await http(t, 'GET', '/api/admin/mail', { token: reader.token })).status).toBe(403);
    expect((await http(t, 'GET', '/api/admin/mail?limit=0', { token: admin.token })).status).toBe(400);
    await outboxDone(t, { recipientId: reader.id });
    const res = await http(t, 'GET', '/api/admin/mail?limit=200', { token: admin.token });
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          kind: 'verify_email',
          status: 'sent',
          recipient: { id: reader.id, username: reader.username },
        }),
      ]),
    );
    expect(typeof res.body.queued).toBe('number');
  });
});

// A verified reader made directly (for tests that need many).
async function confirmedReader(): Promise<TestUser> {
  const user = await createUser(t);
  await t.prisma.user.update({ where: { id: user.id }, data: { emailVerifiedAt: new Date() } });
  return user;
}

describe('notifications', () => {
  it('mails staff replies, a held comment published or rejected (own text and reason only), and featuring', async () => {
    const author = await verifiedUser();
    const mod = await verifiedUser(t, 'moderator');
    const article = await createArticle(t.prisma, { premoderation: true, title: 'Held' });
    const held = await postComment(t, author, article.slug, 'My held words');
    expect(held.status).toBe('pending');
    const other = await postComment(t, await confirmedReader(), article.slug, 'Someone else’s hidden words');
    const act = (id: string, action: string, version: number, reason?: string) =>
      http(t, 'POST', `/api/moderation/comments/${id}/actions`, {
        token: mod.token,
        body: { action, version, reason },
      });
    expect((await act(held.id, 'reject', 1, 'off_topic')).status).toBe(200);
    const rejected = (await sink.waitFor(author.email, 2))[1];
    expect(rejected.subject).toBe('Your comment on “Held” was not published');
    expect(rejected.text).toContain('My held words');
    expect(rejected.text).toContain('Reason: off topic');
    expect(rejected.text).not.toContain('hidden words');
    expect(rejected.header('list-unsubscribe')).toContain('.moderation.');

    const second = await postComment(t, author, article.slug, 'Second try');
    await act(second.id, 'approve', 1);
    const published = (await sink.waitFor(author.email, 3))[2];
    expect(published.subject).toBe('Your comment on “Held” is published');
    const featured = await act(second.id, 'feature', 2);
    expect(featured.status).toBe(200);
    const feature = (await sink.waitFor(author.email, 4))[3];
    expect(feature.subject).toBe('Your comment on “Held” was featured');

    // A moderator's reply is a staff reply, under its own setting.
    await postComment(t, mod, article.slug, 'From the desk', { parentId: second.id });
    const staff = (await sink.waitFor(author.email, 5))[4];
    expect(staff.subject).toBe(`${mod.username} (staff) replied to your comment on “Held”`);
    expect(staff.header('list-unsubscribe')).toContain('.staff_reply.');
    await act(other.id, 'reject', 1, 'spam');
  });

  it('does not mail a reply removed, held or erased before its email went', async () => {
    const author = await verifiedUser();
    const mod = await createUser(t, 'moderator');
    const article = await createArticle(t.prisma);
    const parent = await postComment(t, author, article.slug, 'Parent');
    let kept: { id: string } = { id: '' };
    let removed: { id: string } = { id: '' };
    await withMailHeld(async () => {
      removed = await postComment(t, await confirmedReader(), article.slug, 'Soon removed', { parentId: parent.id });
      const res = await http(t, 'POST', `/api/moderation/comments/${removed.id}/actions`, {
        token: mod.token,
        body: { action: 'remove', version: 1, reason: 'abuse' },
      });
      expect(res.status).toBe(200);
      kept = await postComment(t, await confirmedReader(), article.slug, 'Still here', { parentId: parent.id });
    });
    const mails = await sink.waitFor(author.email, 2);
    expect(await outboxDone(t, { recipientId: author.id, commentId: removed.id })).toEqual([
      expect.objectContaining({ status: 'skipped' }),
    ]);
    expect(mails).toHaveLength(2);
    expect(mails[1].text).toContain('Still here');
    expect(mails[1].text).toContain(kept.id);
    expect(mails[1].text).not.toContain('Soon removed');
  });

  it('coalesces notifications owed to one reader in the same window into one message', async () => {
    const author = await verifiedUser();
    const article = await createArticle(t.prisma);
    const parent = await postComment(t, author, article.slug, 'Parent');
    await withMailHeld(async () => {
      for (const body of ['one', 'two', 'three'])
        await postComment(t, await confirmedReader(), article.slug, `Reply ${body}`, { parentId: parent.id });
    });
    const [, mail] = await sink.waitFor(author.email, 2);
    expect(mail.subject).toBe('3 new replies to your comments');
    for (const body of ['one', 'two', 'three']) expect(mail.text).toContain(`Reply ${body}`);
    await outboxDone(t, { recipientId: author.id });
    expect(sink.to(author.email)).toHaveLength(2);
  });

  it('holds notifications for a digest reader until the digest, showing what they may see then', async () => {
    const author = await verifiedUser();
    await http(t, 'PATCH', '/api/me/notification-settings', { token: author.token, body: { digest: 'hourly' } });
    const article = await createArticle(t.prisma, { title: 'Digest' });
    const parent = await postComment(t, author, article.slug, 'Parent');
    const a = await postComment(t, await confirmedReader(), article.slug, 'Digest reply A', { parentId: parent.id });
    const b = await postComment(t, await confirmedReader(), article.slug, 'Digest reply B', { parentId: parent.id });
    // Deferred to the next hour, not sent.
    await waitFor(async () => {
      const rows = await t.prisma.mailOutbox.findMany({ where: { recipientId: author.id, kind: 'reply' } });
      return rows.length === 2 && rows.every((r) => r.nextAttemptAt.getTime() > Date.now() + 1000);
    });
    await t.prisma.comment.update({ where: { id: b.id }, data: { status: 'removed' } });
    // The hour comes.
    await t.prisma.mailOutbox.updateMany({ where: { recipientId: author.id }, data: { nextAttemptAt: new Date() } });
    const [, digest] = await sink.waitFor(author.email, 2);
    expect(digest.subject).toBe('Your hourly digest: 1 notification');
    expect(digest.text).toContain('Digest reply A');
    expect(digest.text).toContain(a.id);
    expect(digest.text).not.toContain('Digest reply B');
    expect(digest.header('list-unsubscribe')).toContain('.digest.');
  });

  it('sends nothing to an unconfirmed address, and stops at an address the server refuses for good', async () => {
    const unconfirmed = await createUser(t);
    const refused = await verifiedUser();
    const article = await createArticle(t.prisma);
    const p1 = await postComment(t, unconfirmed, article.slug, 'Unconfirmed parent');
    const p2 = await postComment(t, refused, article.slug, 'Refused parent');
    const replier = await confirmedReader();
    sink.refused.add(refused.email);
    const r1 = await postComment(t, replier, article.slug, 'to unconfirmed', { parentId: p1.id });
    const r2 = await postComment(t, replier, article.slug, 'to refused', { parentId: p2.id });
    expect(await outboxDone(t, { recipientId: unconfirmed.id, commentId: r1.id })).toEqual([
      { status: 'skipped', lastError: 'address not confirmed' },
    ]);
    const [failed] = await outboxDone(t, { recipientId: refused.id, commentId: r2.id });
    expect(failed.status).toBe('failed');
    expect(failed.lastError).toMatch(/^undeliverable/);
    expect((await t.prisma.user.findUnique({ where: { id: refused.id } }))!.emailUndeliverableAt).not.toBeNull();
    const r3 = await postComment(t, replier, article.slug, 'again', { parentId: p2.id });
    expect(await outboxDone(t, { recipientId: refused.id, commentId: r3.id })).toEqual([
      { status: 'skipped', lastError: 'address undeliverable' },
    ]);
    sink.refused.delete(refused.email);
  });
});

describe('delivery', () => {
  it('loses nothing while the SMTP server is down, and delivers everything when it is back', async () => {
    const article = await createArticle(t.prisma);
    const readers = await Promise.all(Array.from({ length: 10 }, () => confirmedReader()));
    const parents = await Promise.all(readers.map((r) => postComment(t, r, article.slug, 'parent')));
    const replier = await confirmedReader();
    await sink.stop();
    try {
      for (const [i, parent] of parents.entries())
        await postComment(t, replier, article.slug, `reply during the outage ${i}`, { parentId: parent.id });
      // Every one has been tried and failed at least once.
      await waitFor(async () => {
        const rows = await t.prisma.mailOutbox.findMany({
          where: { recipientId: { in: readers.map((r) => r.id) }, kind: 'reply' },
        });
        return rows.length === 10 && rows.every((r) => r.status === 'queued' && r.lastError !== null);
      });
    } finally {
      await sink.start();
    }
    for (const reader of readers) await waitFor(() => Promise.resolve(notifications(reader.email).length >= 1));
    await Promise.all(readers.map((r) => outboxDone(t, { recipientId: r.id })));
    for (const reader of readers) expect(notifications(reader.email)).toHaveLength(1);
  });

  it('shares the work between nodes: each message is sent once', async () => {
    const second = await startWorker();
    try {
      const article = await createArticle(t.prisma);
      const readers = await Promise.all(Array.from({ length: 30 }, () => confirmedReader()));
      const parents = await Promise.all(readers.map((r) => postComment(t, r, article.slug, 'parent')));
      const replier = await confirmedReader();
      await Promise.all(
        parents.map((parent, i) => postComment(t, replier, article.slug, `reply ${i}`, { parentId: parent.id })),
      );
      for (const reader of readers) await waitFor(() => Promise.resolve(notifications(reader.email).length >= 1));
      await Promise.all(readers.map((r) => outboxDone(t, { recipientId: r.id })));
      const ids = readers.flatMap((r) => notifications(r.email).map((m) => m.messageId));
      expect(ids).toHaveLength(30);
      expect(new Set(ids).size).toBe(30);
    } finally {
      await second.close();
    }
  });
});

// What a reader was mailed besides the confirmation of their address.
const notifications = (email: string) => sink.to(email).filter((m) => m.subject !== 'Confirm your email address');

async function waitFor(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 50));
}

describe('REQUIRE_VERIFIED_EMAIL_TO_POST', () => {
  let strict: TestApp;
  beforeAll(async () => {
    strict = await startTestApp(
      mailConfig({
        MAIL_WORKER: 'false',
        REQUIRE_VERIFIED_EMAIL_TO_POST: 'true',
        SSO_JWT_SECRET: SSO_SECRET,
        SSO_ISSUER,
        SSO_AUDIENCE,
      }),
    );
  });
  afterAll(() => strict.close());

  it('refuses a post before the address is confirmed, over HTTP and the socket, and takes it after', async () => {
    const article = await createArticle(t.prisma);
    const user = await createUser(strict);
    const refused = await http(strict, 'POST', `/api/articles/${article.slug}/comments`, {
      token: user.token,
      body: { body: 'Too soon' },
    });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('EMAIL_NOT_VERIFIED');
    const socket = await connectSocket(strict.url, { token: user.token });
    expect(await socket.ack('comment.create', { article: article.slug, body: 'Too soon' })).toMatchObject({
      error: { code: 'EMAIL_NOT_VERIFIED', status: 403 },
    });
    socket.close();
    expect(await t.prisma.comment.count({ where: { articleId: article.id } })).toBe(0);
    const [mail] = await sink.waitFor(user.email);
    await http(strict, 'POST', '/api/auth/verify-email', { body: { token: linkToken(mail, '/verify-email') } });
    expect((await postComment(strict, user, article.slug, 'Now then')).status).toBe('published');
  });

  it('takes the address the publisher’s login vouches for (email_verified)', async () => {
    const article = await createArticle(t.prisma);
    const sign = (subject: string, verified: boolean) =>
      signSso({
        sub: subject,
        name: `Reader ${subject}`,
        email: `${subject}@news.example.test`,
        email_verified: verified,
      });
    const vouched = await http(strict, 'POST', '/api/auth/sso', { body: { token: await sign(unique('v'), true) } });
    expect(vouched.body.user.emailVerified).toBe(true);
    const post = await http(strict, 'POST', `/api/articles/${article.slug}/comments`, {
      token: vouched.body.accessToken,
      body: { body: 'Vouched for' },
    });
    expect(post.status).toBe(201);
    const unvouched = await http(strict, 'POST', '/api/auth/sso', { body: { token: await sign(unique('u'), false) } });
    expect(unvouched.body.user.emailVerified).toBe(false);
  });
});

describe('erasure', () => {
  it('takes the account’s links, settings and mail with it', async () => {
    const user = await verifiedUser();
    await http(t, 'PATCH', '/api/me/notification-settings', { token: user.token, body: { digest: 'daily' } });
    const erased = await http(t, 'DELETE', '/api/me', { token: user.token, body: { password: user.password } });
    expect(erased.status).toBe(200);
    expect(await t.prisma.mailOutbox.count({ where: { recipientId: user.id } })).toBe(0);
    expect(await t.prisma.accountToken.count({ where: { userId: user.id } })).toBe(0);
    expect(await t.prisma.mailSettings.count({ where: { userId: user.id } })).toBe(0);
  });
});

describe('metrics', () => {
  it('counts mail sent and failed, and shows the queue and its oldest message', async () => {
    const res = await fetch(`${w!.url}/metrics`);
    const text = await res.text();
    expect(text).toMatch(/^rejoinder_mail_sent_total\{kind="verify_email"\} [1-9]\d*$/m);
    expect(text).toMatch(/^rejoinder_mail_failed_total\{outcome="undeliverable"\} [1-9]\d*$/m);
    expect(text).toMatch(/^rejoinder_mail_failed_total\{outcome="retry"\} [1-9]\d*$/m);
    expect(text).toMatch(/^rejoinder_mail_queued \d+$/m);
    expect(text).toMatch(/^rejoinder_mail_oldest_queued_seconds [\d.]+$/m);
  });
});

// Last: it restarts the sending node, whose counters the metrics test reads.
describe('giving up', () => {
  it('gives up on a message the server keeps deferring once MAIL_GIVE_UP_HOURS have passed, and records it', async () => {
    const reader = await confirmedReader();
    const article = await createArticle(t.prisma);
    const parent = await postComment(t, reader, article.slug, 'parent');
    sink.deferred.add(reader.email);
    try {
      await withMailHeld(async () => {
        const reply = await postComment(t, await confirmedReader(), article.slug, 'never delivered', {
          parentId: parent.id,
        });
        // A node that gives up after 3.6 s (retries from 200 ms, doubling).
        const impatient = await startTestApp(mailConfig({ MAIL_GIVE_UP_HOURS: '0.001' }));
        try {
          const [row] = await outboxDone(t, { recipientId: reader.id, commentId: reply.id });
          expect(row.status).toBe('failed');
          expect(row.lastError).toMatch(/^given up: .*451/);
          const metrics = await (await fetch(`${impatient.url}/metrics`)).text();
          expect(metrics).toMatch(/^rejoinder_mail_failed_total\{outcome="given_up"\} [1-9]\d*$/m);
          expect(metrics).toMatch(/^rejoinder_mail_failed_total\{outcome="retry"\} [1-9]\d*$/m);
        } finally {
          await impatient.close();
        }
      });
    } finally {
      sink.deferred.delete(reader.email);
    }
    // Recorded for the admin view; nothing reached the reader, and nothing will.
    const view = await http(t, 'GET', '/api/admin/mail?status=failed&limit=500', {
      token: (await createUser(t, 'admin')).token,
    });
    expect(view.body.items).toContainEqual(
      expect.objectContaining({
        kind: 'reply',
        status: 'failed',
        recipient: { id: reader.id, username: reader.username },
      }),
    );
    expect(sink.to(reader.email).filter((m) => m.header('x-rejoinder-kind') === 'reply')).toHaveLength(0);
  });
});
