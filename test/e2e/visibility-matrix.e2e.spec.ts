import { randomUUID } from 'node:crypto';
import { ARTICLE_EVENTS, commentViewSchema } from '@rejoinder/common';
import { articleViewSchema } from '@rejoinder/forum';
import type { ArticleEventName } from '@rejoinder/common';
import { createArticle, createUser, http, postComment, TestUser } from '../support/factories.js';
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
// approval; a comment whose author erased their account. A reader that
// stops reading is in realtime.e2e.spec.ts.

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

let t: TestApp;
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
  {
    name: 'revisions',
    look: (f, v) => get(`/api/moderation/comments/${f.id}/revisions`, token(f, v)),
    shows: (o, _f, v) => (STAFF.has(v) ? inChain(o) : 'absent'),
    revisions: true,
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

beforeAll(async () => {
  t = await startTestApp();
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
  // Opened as a moderator, following the moderators' feed; then demoted.
  demotedReplay = await connectSocket(t.url, { token: demoted.token });
  sockets.push(demotedReplay);
  expect(await demotedReplay.ack('subscribe', { feed: 'moderation' })).toMatchObject({ feed: 'moderation' });
  for (const _state of STATES) demotedWatchers.push(await connectSocket(t.url, { token: demoted.token }));
  await t.prisma.user.update({ where: { id: demoted.id }, data: { role: 'commenter' } });
  for (const s of [demotedReplay, ...demotedWatchers])
    await s.waitFor(() => s.session.some((m) => m.type === 'account.updated'));
  for (const state of STATES) fixtures.set(state, await build(state));
}, 120_000);

afterAll(async () => {
  for (const s of sockets) s.close();
  await t.close();
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
