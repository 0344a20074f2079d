import { randomUUID } from 'node:crypto';
import { ARTICLE_EVENTS, commentViewSchema } from '@rejoinder/common';
import { articleViewSchema } from '@rejoinder/forum';
import { MailWorker } from '@rejoinder/mail';
import { DeliveriesRepository, WebhookSender } from '@rejoinder/webhooks';
import type { ArticleEventName } from '@rejoinder/common';
import { freshDatabase } from '../support/databases.js';
import { createArticle, createUser, http, postComment, TestUser } from '../support/factories.js';
import { ReceivedMail, SmtpSink } from '../support/smtp-sink.js';
import { connectSocket, TestSocket } from '../support/sockets.js';
import { startTestApp, TestApp } from '../support/test-app.js';

// Who sees what of a comment, at every door, in every state, for every kind
// of reader: generated from one table, so a new door or state cannot be
// forgotten. Each comment's body is a secret string; a door leaks when the
// secret (or an earlier body, or the author's name) reaches a reader the
// table does not allow.
//
// Among the cells: the event log and replays of removed (personal
// information), deleted, held and edited comments; held and rejected
// ancestors on a permalink; a rejected reply in the parent's notifications; a
// moderator demoted with sockets open; a premoderated author's edit after
// approval; a comment whose author erased their account; the email owed for
// it (a reply, a moderation notice, a report alert), sent only once the
// comment is in its state, at once and as a digest; webhook deliveries (at
// reader level, and reports at moderator level). A reader that stops
// reading is in realtime.e2e.spec.ts.

type State = 'published' | 'pending' | 'held' | 'rejected' | 'removed' | 'deleted' | 'edited' | 'erased' | 'ghosted';
// `demoted`: a moderator demoted to commenter while their sockets were open.
type ViewerKind = 'anonymous' | 'author' | 'other' | 'demoted' | 'moderator' | 'admin';
type Outcome = 'full' | 'placeholder' | 'hidden';
// What a door shows: the body, a placeholder (the comment without body or author), or nothing.
type Observed = 'full' | 'placeholder' | 'absent';

// The table. `pending`: a premoderated author's edit back in review (post,
// approval, edit); `held`: held back by reports; `rejected`: held, then
// rejected; `removed`: for personal information; `deleted` by its author;
// `edited`: published, with an earlier body; `erased`: edited, reported,
// then its author erased their account (the author reads as anyone then);
// `ghosted`: written under a ghost ban, then edited (its author reads it as
// published everywhere, and is never told).
const hiddenButOwn = {
  anonymous: 'hidden',
  author: 'full',
  other: 'hidden',
  demoted: 'hidden',
  moderator: 'full',
  admin: 'full',
} as const;
const EXPECTED: Record<State, Record<ViewerKind, Outcome>> = {
  published: { anonymous: 'full', author: 'full', other: 'full', demoted: 'full', moderator: 'full', admin: 'full' },
  pending: hiddenButOwn,
  held: hiddenButOwn,
  rejected: hiddenButOwn,
  removed: {
    anonymous: 'placeholder',
    author: 'placeholder',
    other: 'placeholder',
    demoted: 'placeholder',
    moderator: 'full',
    admin: 'full',
  },
  deleted: {
    anonymous: 'placeholder',
    author: 'placeholder',
    other: 'placeholder',
    demoted: 'placeholder',
    moderator: 'placeholder',
    admin: 'placeholder',
  },
  edited: { anonymous: 'full', author: 'full', other: 'full', demoted: 'full', moderator: 'full', admin: 'full' },
  erased: {
    anonymous: 'placeholder',
    author: 'placeholder',
    other: 'placeholder',
    demoted: 'placeholder',
    moderator: 'placeholder',
    admin: 'placeholder',
  },
  ghosted: hiddenButOwn,
};
const STATES = Object.keys(EXPECTED) as State[];
const VIEWERS: ViewerKind[] = ['anonymous', 'author', 'other', 'demoted', 'moderator', 'admin'];
const STAFF = new Set<ViewerKind>(['moderator', 'admin']);
// States whose comment was reported (a report.created webhook, and a report
// alert for staff who asked for them), and those taken down by a moderator.
const REPORTED = new Set<State>(['held', 'rejected', 'removed', 'deleted', 'erased']);
const TAKEN_DOWN = new Set<State>(['rejected', 'removed']);
// States whose comment waits in a moderation queue, and those that reached the moderators' feed.
const QUEUED = new Set<State>(['pending', 'held', 'rejected']);
const IN_FEED = new Set<State>(['pending', 'held', 'rejected', 'removed', 'deleted', 'erased']);

interface Fixture {
  state: State;
  slug: string;
  author: TestUser;
  rootId: string;
  id: string;
  childId: string;
  body: string;
  // The body the comment had before an edit, if it was edited.
  earlier: string | null;
  // Events that reached each reader's socket during the last change.
  live: Record<ViewerKind, unknown[]>;
}

interface Door {
  name: string;
  look(f: Fixture, viewer: ViewerKind): Promise<unknown>;
  // What this door shows a reader for the policy's outcome.
  shows(outcome: Outcome, f: Fixture, viewer: ViewerKind): Observed;
  // May this door show earlier bodies (to whom the policy lets read them)?
  revisions?: boolean;
  // Live events: only the last change is observed, so the door may show less.
  atMost?: boolean;
}

const listed = (o: Outcome): Observed => (o === 'hidden' ? 'absent' : o);
const inChain = (o: Outcome): Observed => (o === 'full' ? 'full' : 'placeholder');
// Email is owed because something happened, and is sent only with what its
// recipient may read in full when it goes: the comment as a reply to "other"
// (the root's author); its author's notices (featured, rejected with their
// own text; the approval of a comment back in review by then is not sent);
// report alerts to staff who asked for them (a demoted moderator gets none).
// A placeholder is never mailed.
const mailed = (o: Outcome, f: Fixture, v: ViewerKind): Observed => {
  if (o !== 'full') return 'absent';
  switch (v) {
    case 'other':
      return 'full';
    case 'author':
      return f.state === 'published' || f.state === 'rejected' ? 'full' : 'absent';
    case 'moderator':
    case 'admin':
      return REPORTED.has(f.state) ? 'full' : 'absent';
    case 'anonymous':
    case 'demoted':
      return 'absent';
  }
};

let t: TestApp;
let db: Awaited<ReturnType<typeof freshDatabase>>;
let sink: SmtpSink;
// The messages sent at once, and those sent as digests.
const mail = { now: [] as ReceivedMail[], digest: [] as ReceivedMail[] };
let other: TestUser;
let moderator: TestUser;
let admin: TestUser;
let demoted: TestUser;
// Sockets the demoted moderator opened while still a moderator: one to
// replay through, one per fixture to watch live.
let demotedReplay: TestSocket;
const demotedWatchers: TestSocket[] = [];
let reporters: TestUser[];
let feedStart = 0;
const fixtures = new Map<State, Fixture>();
const sockets: TestSocket[] = [];

const token = (f: Fixture, viewer: ViewerKind): string | undefined =>
  ({
    anonymous: undefined,
    author: f.author.token,
    other: other.token,
    demoted: demoted.token,
    moderator: moderator.token,
    admin: admin.token,
  })[viewer];

// A reader's notification messages that speak of the fixture's comment: a
// link to it (or to its article: a rejection), its body or an earlier one.
function mailAbout(messages: ReceivedMail[], f: Fixture, viewer: ViewerKind): unknown {
  const address = viewer === 'anonymous' ? null : { author: f.author, other, demoted, moderator, admin }[viewer].email;
  return messages
    .filter((m) => address !== null && m.to.includes(address.toLowerCase()) && m.header('x-rejoinder-kind') !== null)
    .map((m) => ({ subject: m.subject, text: m.text, html: m.html }))
    .filter((m) =>
      [`/comments/${f.id}`, `/articles/${f.slug}`, f.body, f.earlier].some(
        (s) => s !== null && JSON.stringify(m).includes(s),
      ),
    );
}

const get = async (path: string, tok?: string) => (await http(t, 'GET', path, { token: tok })).body as unknown;

async function replay(subscription: Record<string, unknown>, viewer: ViewerKind, tok?: string): Promise<unknown> {
  const digests = (s: TestSocket, from = 0) => s.session.slice(from).filter((m) => m.type === 'digest');
  if (viewer === 'demoted') {
    demotedReplay.events.length = 0;
    const from = demotedReplay.session.length;
    const ack = await demotedReplay.ack('subscribe', subscription);
    await demotedReplay.ack(
      'unsubscribe',
      'feed' in subscription ? { feed: subscription.feed } : { article: subscription.article },
    );
    return { ack, events: [...demotedReplay.events], digests: digests(demotedReplay, from) };
  }
  const s = await connectSocket(t.url, { token: tok });
  try {
    const ack = await s.ack('subscribe', subscription);
    return { ack, events: s.events, digests: digests(s) };
  } finally {
    s.close();
  }
}

// Webhook deliveries as they would leave now: an endpoint that hears every
// comment event (kept off, so no sender sends it) is given deliveries for the
// fixture's article, and each is rendered as the sender renders it. There is
// no reader: every kind of reader sees the same.
let matrixHook: { id: string; events: string[] };
const deliveriesOf = new Map<State, Promise<Record<string, unknown>[]>>();
function webhookBodies(f: Fixture, types: string[]): Promise<Record<string, unknown>[]> {
  if (!deliveriesOf.has(f.state))
    deliveriesOf.set(
      f.state,
      (async () => {
        const { id: articleId } = await t.prisma.article.findUniqueOrThrow({ where: { slug: f.slug } });
        await t.app.get(DeliveriesRepository).replay(matrixHook, { articleId, fromSeq: 1 }, 10_000);
        const due = await t.prisma.webhookDelivery.findMany({ where: { webhookId: matrixHook.id, articleId } });
        const bodies = await t.app.get(WebhookSender).render(due);
        return [...bodies.values()].flatMap((b) => (b ? [JSON.parse(b) as Record<string, unknown>] : []));
      })(),
    );
  return deliveriesOf.get(f.state)!.then((all) =>
    all.filter((d) => {
      const data = d.data as { commentId?: string; comment?: { id?: string } | null };
      return types.includes(d.type as string) && (data.commentId === f.id || data.comment?.id === f.id);
    }),
  );
}

const DOORS: Door[] = [
  // Thread pages and replies are the same for everyone: the anonymous view.
  {
    name: 'thread page',
    look: (f) => get(`/api/articles/${f.slug}/comments`),
    shows: (_o, f) => listed(EXPECTED[f.state].anonymous),
  },
  {
    // The reader page's HTML: its JSON-LD carries the anonymous first thread
    // page, without placeholders.
    name: 'reader page head',
    look: async (f) => (await fetch(`${t.url}/articles/${f.slug}`)).text(),
    shows: (_o, f) => (EXPECTED[f.state].anonymous === 'full' ? 'full' : 'absent'),
  },
  {
    name: 'replies',
    look: (f) => get(`/api/comments/${f.rootId}/replies`),
    shows: (_o, f) => listed(EXPECTED[f.state].anonymous),
  },
  { name: 'permalink', look: (f, v) => get(`/api/comments/${f.id}`, token(f, v)), shows: listed },
  {
    // Under a ghost ban the reply is the author's own, shadowed too: to
    // anyone else the whole chain is not found.
    name: 'permalink ancestors',
    look: (f, v) => get(`/api/comments/${f.childId}`, token(f, v)),
    shows: (o, f) => (f.state === 'ghosted' && o === 'hidden' ? 'absent' : inChain(o)),
  },
  {
    // The reply reaches the parent's author ("other"); the note of a reply
    // goes with its author's erased account.
    name: 'notifications',
    look: (f, v) => get('/api/me/notifications?limit=100', token(f, v)),
    shows: (o, f, v) => (v === 'other' && f.state !== 'erased' ? listed(o) : 'absent'),
  },
  {
    name: 'events endpoint',
    look: (f, v) => get(`/api/articles/${f.slug}/events?after=0&limit=1000`, token(f, v)),
    shows: listed,
  },
  { name: 'socket replay', look: (f, v) => replay({ article: f.slug, after: 0 }, v, token(f, v)), shows: listed },
  { name: 'socket live', look: (f, v) => Promise.resolve(f.live[v]), shows: listed, atMost: true },
  {
    name: "moderators' queue",
    look: async (f, v) =>
      Promise.all(
        ['pending', 'reported', 'rejected'].map((status) =>
          get(`/api/moderation/queue?status=${status}&article=${f.slug}`, token(f, v)),
        ),
      ),
    shows: (o, f, v) => (STAFF.has(v) && QUEUED.has(f.state) ? listed(o) : 'absent'),
  },
  {
    name: "moderators' feed",
    look: (f, v) => replay({ feed: 'moderation', after: feedStart }, v, token(f, v)),
    shows: (o, f, v) => (STAFF.has(v) && IN_FEED.has(f.state) ? listed(o) : 'absent'),
  },
  {
    // Catch me up: the comment is a reply to "other", who gets it in full
    // while it is published; in any other state it is no news (a removal is
    // a notice without text).
    name: 'digest',
    look: (f, v) => get(`/api/articles/${f.slug}/digest?since=0`, token(f, v)),
    shows: (o, _f, v) => (v === 'other' && o === 'full' ? 'full' : 'absent'),
  },
  {
    name: 'socket digest',
    look: (f, v) => replay({ article: f.slug, digest: { since: 0 } }, v, token(f, v)),
    shows: (o, _f, v) => (v === 'other' && o === 'full' ? 'full' : 'absent'),
  },
  { name: 'email', look: (f, v) => Promise.resolve(mailAbout(mail.now, f, v)), shows: mailed },
  { name: 'email digest', look: (f, v) => Promise.resolve(mailAbout(mail.digest, f, v)), shows: mailed },
  {
    name: 'revisions',
    look: (f, v) => get(`/api/moderation/comments/${f.id}/revisions`, token(f, v)),
    shows: (o, _f, v) => (STAFF.has(v) ? inChain(o) : 'absent'),
    revisions: true,
  },
  {
    // At reader level: the comment as an anonymous reader sees it now (a
    // ghost's comment was never published).
    name: 'webhook (comment.published, comment.removed)',
    look: (f) => webhookBodies(f, ['comment.published', 'comment.removed']),
    shows: (_o, f) => (f.state === 'ghosted' ? 'absent' : inChain(EXPECTED[f.state].anonymous)),
  },
  {
    // At moderator level, but never the text of a comment taken down.
    name: 'webhook (report.created)',
    look: (f) => webhookBodies(f, ['report.created']),
    shows: (_o, f) =>
      !REPORTED.has(f.state)
        ? 'absent'
        : TAKEN_DOWN.has(f.state)
          ? 'placeholder'
          : inChain(EXPECTED[f.state].moderator),
  },
];

// Every comment view of the fixture's comment (of any comment, without an id) anywhere in a response.
function viewsOf(value: unknown, id?: string, found: Record<string, unknown>[] = []): Record<string, unknown>[] {
  if (Array.isArray(value)) for (const item of value) viewsOf(item, id, found);
  else if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if ((id === undefined || record.id === id) && 'body' in record && 'depth' in record) found.push(record);
    for (const child of Object.values(record)) viewsOf(child, id, found);
  }
  return found;
}

function observe(response: unknown, f: Fixture): Observed {
  const text = JSON.stringify(response);
  if (text.includes(f.body)) return 'full';
  const views = viewsOf(response, f.id);
  if (views.length === 0) return 'absent';
  for (const view of views) expect(view).toMatchObject({ body: null, html: null, author: null });
  return 'placeholder';
}

const RANK: Record<Observed, number> = { absent: 0, placeholder: 1, full: 2 };

async function act(commentId: string, action: Record<string, unknown>) {
  const { version } = await t.prisma.comment.findUniqueOrThrow({ where: { id: commentId }, select: { version: true } });
  const res = await http(t, 'POST', `/api/moderation/comments/${commentId}/actions`, {
    token: moderator.token,
    body: { version, ...action },
  });
  if (res.status !== 200) throw new Error(`${String(action.action)}: ${res.status} ${JSON.stringify(res.body)}`);
}

async function report(commentId: string, count: number) {
  for (const reporter of reporters.slice(0, count)) {
    const res = await http(t, 'POST', `/api/comments/${commentId}/reports`, {
      token: reporter.token,
      body: { reason: 'abuse' },
    });
    if (res.status !== 201) throw new Error(`report: ${res.status} ${JSON.stringify(res.body)}`);
  }
}

async function edit(f: { id: string; author: TestUser }, body: string) {
  const res = await http(t, 'PATCH', `/api/comments/${f.id}`, { token: f.author.token, body: { body } });
  if (res.status !== 200) throw new Error(`edit: ${res.status} ${JSON.stringify(res.body)}`);
}

// Builds one fixture: a root by "other", the comment under test (a reply by
// its own author), and a reply to it by "other"; then the change that puts
// it in its state, watched live by one socket per kind of reader.
async function build(state: State): Promise<Fixture> {
  const article = await createArticle(t.prisma);
  const author = await createUser(t);
  const secret = `secret-${state}-${randomUUID()}`;
  const earlier =
    state === 'edited' || state === 'pending' || state === 'erased' || state === 'ghosted'
      ? `earlier-${state}-${randomUUID()}`
      : null;
  const root = await postComment(t, other, article.slug, 'root');
  let id: string;
  if (state === 'pending') {
    const sanction = await http(t, 'PATCH', `/api/moderation/users/${author.id}`, {
      token: moderator.token,
      body: { premoderated: true },
    });
    expect(sanction.status).toBe(200);
    const held = await http(t, 'POST', `/api/articles/${article.slug}/comments`, {
      token: author.token,
      body: { body: earlier, parentId: root.id },
    });
    expect(held.body.status).toBe('pending');
    id = held.body.id;
    await act(id, { action: 'approve' });
  } else if (state === 'ghosted') {
    const sanction = await http(t, 'PATCH', `/api/moderation/users/${author.id}`, {
      token: moderator.token,
      body: { ghostBanned: true, reason: 'spam' },
    });
    expect(sanction.body.ghostBanned).toBe(true);
    const shadowed = await postComment(t, author, article.slug, earlier!, { parentId: root.id });
    // The author is told it is published.
    expect(shadowed.status).toBe('published');
    id = shadowed.id;
  } else {
    id = (await postComment(t, author, article.slug, earlier ?? secret, { parentId: root.id })).id;
  }
  // Nobody else can reply to a ghost's comment: the author replies to it.
  const child = await postComment(t, state === 'ghosted' ? author : other, article.slug, 'a reply', { parentId: id });
  if (state === 'removed' || state === 'deleted' || state === 'erased') await report(id, 1);
  if (state === 'erased') await edit({ id, author }, secret);
  if (state === 'rejected') await report(id, 3);

  const live = {} as Record<ViewerKind, unknown[]>;
  const watchers = new Map<ViewerKind, TestSocket>();
  const { lastSeq } = await t.prisma.article.findUniqueOrThrow({ where: { id: article.id } });
  for (const viewer of VIEWERS) {
    const tok = {
      anonymous: undefined,
      author: author.token,
      other: other.token,
      demoted: demoted.token,
      moderator: moderator.token,
      admin: admin.token,
    }[viewer];
    const s = viewer === 'demoted' ? demotedWatchers.pop()! : await connectSocket(t.url, { token: tok });
    sockets.push(s);
    await s.ack('subscribe', { article: article.slug, after: lastSeq });
    watchers.set(viewer, s);
    live[viewer] = s.events;
  }

  switch (state) {
    case 'published':
      await act(id, { action: 'feature' });
      break;
    case 'pending':
    case 'edited':
    case 'ghosted':
      await edit({ id, author }, secret);
      break;
    case 'held':
      await report(id, 3);
      break;
    case 'rejected':
      await act(id, { action: 'reject', reason: 'spam' });
      break;
    case 'removed':
      await act(id, { action: 'remove', reason: 'personal_information' });
      break;
    case 'deleted':
      expect((await http(t, 'DELETE', `/api/comments/${id}`, { token: author.token })).status).toBe(204);
      break;
    case 'erased':
      expect(
        (await http(t, 'DELETE', '/api/me', { token: author.token, body: { password: author.password } })).status,
      ).toBe(200);
      break;
  }
  // Events arrive in order: once this one is in, the change's events are too.
  const sentinel = await postComment(t, other, article.slug, 'sentinel');
  for (const s of watchers.values())
    await s.waitFor((events) => events.some((e) => e.data.comment?.id === sentinel.id));
  const expectedStatus = {
    published: 'published',
    pending: 'pending',
    held: 'pending',
    rejected: 'rejected',
    removed: 'removed',
    deleted: 'deleted',
    edited: 'published',
    erased: 'deleted',
    ghosted: 'shadowed',
  }[state];
  expect((await t.prisma.comment.findUniqueOrThrow({ where: { id } })).status).toBe(expectedStatus);
  // An erased author has no account left: they read as anyone.
  const reader = state === 'erased' ? { ...author, token: undefined as unknown as string } : author;
  return {
    state,
    slug: article.slug,
    author: reader,
    rootId: root.id,
    id,
    childId: child.id,
    body: secret,
    earlier,
    live,
  };
}

// Runs the mail worker until nothing due is left.
async function sendDueMail(): Promise<void> {
  const worker = t.app.get(MailWorker);
  while (await worker.tick());
}

// The mail the fixtures owe, sent once every comment is in its state: at
// once, then the same notifications again to readers on an hourly digest
// (held for the hour, which then comes).
async function sendMail(): Promise<void> {
  await t.prisma.user.updateMany({ data: { emailVerifiedAt: new Date() } });
  await sendDueMail();
  mail.now = [...sink.messages];
  const notices = { kind: { notIn: ['verify_email', 'password_reset', 'email_changed'] } };
  await t.prisma.mailOutbox.updateMany({
    where: notices,
    data: { status: 'queued', doneAt: null, messageId: null, attempts: 0, lastError: null, nextAttemptAt: new Date() },
  });
  await t.prisma.$executeRaw`
    INSERT INTO mail_settings (user_id, digest, updated_at) SELECT id, 'hourly', now() FROM users
    ON CONFLICT (user_id) DO UPDATE SET digest = 'hourly'`;
  await sendDueMail();
  expect(await t.prisma.mailOutbox.count({ where: { ...notices, status: 'queued' } })).toBeGreaterThan(0);
  await t.prisma.mailOutbox.updateMany({ where: { status: 'queued' }, data: { nextAttemptAt: new Date() } });
  await sendDueMail();
  mail.digest = sink.messages.slice(mail.now.length);
  expect(mail.digest.every((m) => m.subject.startsWith('Your hourly digest'))).toBe(true);
}

beforeAll(async () => {
  // A database of its own: every node on a database sends the mail its
  // outbox holds, and this one sends only when the fixtures are ready.
  db = await freshDatabase();
  sink = await new SmtpSink().start();
  t = await startTestApp({
    DATABASE_URL: db.url,
    SMTP_URL: sink.url,
    PUBLIC_URL: 'https://comments.example.test',
    MAIL_COALESCE_SECONDS: '0',
    MAIL_WORKER: 'false',
  });
  [other, moderator, admin, demoted, ...reporters] = await Promise.all([
    createUser(t),
    createUser(t, 'moderator'),
    createUser(t, 'admin'),
    createUser(t, 'moderator'),
    createUser(t),
    createUser(t),
    createUser(t),
  ]);
  feedStart = (await t.prisma.moderationFeed.findUnique({ where: { id: 1 } }))?.lastSeq ?? 0;
  for (const staff of [moderator, admin, demoted]) {
    const res = await http(t, 'PATCH', '/api/me/notification-settings', {
      token: staff.token,
      body: { onReport: true },
    });
    expect(res.status).toBe(200);
  }
  // Opened as a moderator, following the moderators' feed; then demoted.
  demotedReplay = await connectSocket(t.url, { token: demoted.token });
  sockets.push(demotedReplay);
  expect(await demotedReplay.ack('subscribe', { feed: 'moderation' })).toMatchObject({ feed: 'moderation' });
  for (const _state of STATES) demotedWatchers.push(await connectSocket(t.url, { token: demoted.token }));
  await t.prisma.user.update({ where: { id: demoted.id }, data: { role: 'commenter' } });
  for (const s of [demotedReplay, ...demotedWatchers])
    await s.waitFor(() => s.session.some((m) => m.type === 'account.updated'));
  for (const state of STATES) fixtures.set(state, await build(state));
  await sendMail();
  matrixHook = await t.prisma.webhook.create({
    data: {
      url: 'https://hooks.example.test/matrix',
      events: ['comment.published', 'comment.removed', 'report.created'],
      secret: `whsec_${Buffer.from(randomUUID()).toString('base64')}`,
      enabled: false,
    },
  });
}, 180_000);

afterAll(async () => {
  for (const s of sockets) s.close();
  await t.close();
  await sink.stop();
  await db.drop();
});

const CELLS = DOORS.flatMap((door) =>
  STATES.flatMap((state) => VIEWERS.map((viewer) => [door.name, state, viewer, door] as const)),
);

describe('who sees what', () => {
  it('covers every door, state and kind of reader', () => {
    expect(CELLS).toHaveLength(DOORS.length * STATES.length * VIEWERS.length);
  });

  it.each(CELLS)('%s, %s comment, %s reader', async (_name, state, viewer, door) => {
    const f = fixtures.get(state)!;
    const outcome = EXPECTED[state][viewer];
    const response = await door.look(f, viewer);
    const observed = observe(response, f);
    const expected = door.shows(outcome, f, viewer);
    if (door.atMost) expect(RANK[observed]).toBeLessThanOrEqual(RANK[expected]);
    else expect(observed).toBe(expected);

    const text = JSON.stringify(response);
    // The author's name travels only with the whole comment.
    if (observed !== 'full') expect(text).not.toContain(f.author.username);
    // A ghost ban never shows through to anyone but staff: the author reads
    // the comment as published.
    if (!STAFF.has(viewer)) expect(text).not.toContain('shadowed');
    if (f.state === 'ghosted' && viewer === 'author' && observed === 'full') {
      for (const view of viewsOf(response, f.id)) expect(view.status).toBe('published');
    }
    // Earlier bodies: only where revisions are read, by those allowed to.
    if (f.earlier) {
      const mayReadEarlier = door.revisions === true && expected === 'full';
      expect(text.includes(f.earlier)).toBe(mayReadEarlier);
    }
  });
});

describe('the events the doors sent', () => {
  it('match their payload in the event catalogue', async () => {
    const seen: { type: string; data: unknown }[] = [];
    for (const f of fixtures.values()) {
      for (const events of Object.values(f.live)) seen.push(...(events as { type: string; data: unknown }[]));
      for (const viewer of VIEWERS) {
        const page = (await http(t, 'GET', `/api/articles/${f.slug}/events?after=0`, { token: token(f, viewer) })).body;
        seen.push(...page.events);
      }
    }
    expect(new Set(seen.map((e) => e.type)).size).toBeGreaterThanOrEqual(6);
    for (const event of seen) {
      const parsed = ARTICLE_EVENTS[event.type as ArticleEventName].data.safeParse(event.data);
      expect({ type: event.type, issues: parsed.error?.issues ?? [] }).toEqual({ type: event.type, issues: [] });
    }
  });
});

describe('the responses the doors sent', () => {
  it('match the schemas their types and the OpenAPI description come from', async () => {
    for (const f of fixtures.values()) {
      expect(articleViewSchema.safeParse(await get(`/api/articles/${f.slug}`)).error?.issues ?? []).toEqual([]);
      for (const viewer of VIEWERS) {
        // A ghost's reply is not found by anyone but its author and staff.
        const childFound = f.state !== 'ghosted' || viewer === 'author' || STAFF.has(viewer);
        const paths = [`/api/articles/${f.slug}/comments`, ...(childFound ? [`/api/comments/${f.childId}`] : [])];
        for (const path of paths) {
          const views = viewsOf(await get(path, token(f, viewer)));
          expect(views.length).toBeGreaterThan(1);
          for (const { replies: _r, repliesCursor: _c, ...view } of views) {
            expect(commentViewSchema.safeParse(view).error?.issues ?? []).toEqual([]);
          }
        }
      }
    }
  });
});
