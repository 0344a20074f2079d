// The HTTP side of the page: the session, JSON requests, and the words a
// reader sees for each problem code the API can answer.

// The server's types come from its contract: api-schema.d.ts is generated
// from docs/openapi.json by openapi-typescript (npm run api-types, part of
// the build), so a change of a response shape is a compile error here.
import type { components, paths } from './api-schema.js';

type Schemas = components['schemas'];
export type Role = Schemas['Account']['role'];
export type Account = Schemas['Account'];
// What the page keeps of a session.
export type Session = Pick<Schemas['Session'], 'user' | 'accessToken'>;
export type CommentStatus = Schemas['CommentView']['status'];
export type CommentView = Schemas['CommentView'];
export type Stance = NonNullable<CommentView['stance']>;
export const STANCES = [
  ['agree', 'Agree'],
  ['disagree', 'Disagree'],
  ['question', 'Question'],
  ['other', 'Other'],
] as const satisfies readonly (readonly [Stance, string])[];
export type CommentNode = Schemas['CommentNode'];
export type ArticleSummary = Schemas['ArticleSummary'];
export type SlowMode = Schemas['SlowMode'];
export type Article = Schemas['Article'];
export type ThreadPage = Schemas['ThreadPage'];
export type ThreadHealth = Schemas['ThreadHealth'];
export type Digest = Schemas['Digest'];
export type QueueItem = Schemas['QueueItem'];
export type WordRule = Schemas['WordRule'];
export type ModerationLogEntry = Schemas['ModerationLogPage']['items'][number];
export type Notification = Schemas['NotificationsPage']['items'][number];

// "Comments close in 2 days": how long until a time, in the largest whole unit.
export function closesIn(at: string, now = Date.now()): string {
  const ms = Date.parse(at) - now;
  if (ms <= 60_000) return 'Comments close in a moment.';
  const units: [number, string][] = [
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
  ];
  for (const [size, name] of units) {
    if (ms < size) continue;
    const n = Math.round(ms / size);
    return `Comments close in ${n} ${name}${n === 1 ? '' : 's'}.`;
  }
  return 'Comments close in a moment.';
}
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
// The JSON body of an operation's success, by path and method.
export type Success<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  responses: { 200: { content: { 'application/json': infer B } } };
}
  ? B
  : paths[P][M] extends { responses: { 201: { content: { 'application/json': infer B } } } }
    ? B
    : never;

export const SORTS = [
  ['newest', 'Newest'],
  ['oldest', 'Oldest'],
  ['top', 'Top'],
  ['best', 'Best'],
  ['controversial', 'Controversial'],
  ['replies', 'Most replies'],
  ['balanced', 'Balanced: best of each side'],
] as const;
export type Sort = (typeof SORTS)[number][0];

const SESSION_KEY = 'rejoinder.session';
type Listener = () => void;
const listeners = new Set<Listener>();
let session: Session | null = readSession();

function readSession(): Session | null {
  try {
    const raw = localStorage.getItem(SESSION_KEY);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

export const currentSession = (): Session | null => session;
export const isStaff = (s: Session | null): boolean => s?.user.role === 'moderator' || s?.user.role === 'admin';

export function setSession(next: Session | null): void {
  session = next;
  try {
    if (next) localStorage.setItem(SESSION_KEY, JSON.stringify({ user: next.user, accessToken: next.accessToken }));
    else localStorage.removeItem(SESSION_KEY);
  } catch {
    // Storage may be off (private mode, blocked third-party storage): the session lasts the page.
  }
  for (const listener of listeners) listener();
}

export function onSessionChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

// Another tab signing in or out follows here too.
window.addEventListener('storage', (event) => {
  if (event.key !== SESSION_KEY) return;
  session = readSession();
  for (const listener of listeners) listener();
});

export class ApiError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    readonly detail: Record<string, unknown> = {},
    readonly retryAfter: number | null = null,
  ) {
    super(code);
  }
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (session) headers.authorization = `Bearer ${session.accessToken}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    // Always asked of the server (an unchanged page is a cheap 304): a page
    // served from the browser's cache could be older than the seq the page
    // follows from.
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-cache',
    });
  } catch {
    throw new ApiError('NETWORK', 0);
  }
  const text = await response.text();
  const data: unknown = text ? JSON.parse(text) : null;
  if (response.ok) return data as T;
  const problem = (data ?? {}) as Record<string, unknown>;
  const code = typeof problem.code === 'string' ? problem.code : 'INTERNAL';
  // A token the server no longer accepts ends the session here too.
  if ((code === 'INVALID_TOKEN' || code === 'TOKEN_EXPIRED') && session) setSession(null);
  const retry = Number(response.headers.get('retry-after'));
  throw new ApiError(code, response.status, problem, Number.isFinite(retry) && retry > 0 ? retry : null);
}

// Every article, newest first, a page at a time (the console's pickers).
export async function allArticles(): Promise<ArticleSummary[]> {
  const all: ArticleSummary[] = [];
  let cursor: string | null = null;
  do {
    const page: Page<ArticleSummary> = await api(
      'GET',
      `/api/articles?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    all.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return all;
}

const seconds = (n: number) => (n >= 120 ? `${Math.ceil(n / 60)} minutes` : `${n} second${n === 1 ? '' : 's'}`);

// What a person reads for each problem code.
export function explain(error: unknown): string {
  if (!(error instanceof ApiError)) return 'Something went wrong. Please try again.';
  const wait =
    error.retryAfter ??
    (typeof error.detail.retryAfterMs === 'number' ? Math.ceil(error.detail.retryAfterMs / 1000) : null);
  switch (error.code) {
    case 'LINK_INVALID':
      return 'This link is not valid. Ask for a new one.';
    case 'LINK_USED':
      return 'This link has been used already. Ask for a new one if you need it.';
    case 'LINK_EXPIRED':
      return 'This link has expired. Ask for a new one.';
    case 'EXTERNAL_ACCOUNT':
      return "Your account signs in with the publisher's login: change your password or address there.";
    case 'EMAIL_NOT_VERIFIED':
      return 'Confirm your email address first: follow the link we sent you (or ask for another in your settings).';
    case 'NETWORK':
      return 'You appear to be offline. Check your connection and try again.';
    case 'RATE_LIMITED':
      return wait
        ? `You are going a little fast. Please wait ${seconds(wait)} and try again.`
        : 'You are going a little fast. Please wait a moment.';
    case 'SLOW_MODE':
      return wait
        ? `Slow mode is on for this discussion: you can comment again in ${seconds(wait)}.`
        : 'Slow mode is on for this discussion.';
    case 'ARTICLE_CLOSED':
      return 'Comments on this article are closed.';
    case 'COMMENT_BODY_EMPTY':
      return 'Write something before posting.';
    case 'COMMENT_BODY_TOO_LONG':
      return 'Your comment is too long. Please shorten it.';
    case 'PARAGRAPH_NOT_FOUND':
      return 'That passage is no longer in the article. Reload the page and quote it again.';
    case 'QUOTE_NOT_IN_PARAGRAPH':
      return 'The quoted words are not in that passage any more. Select them again in the article.';
    case 'TOP_LEVEL_ONLY':
      return 'Only a new comment, not a reply, can quote the article or take a side.';
    case 'DUPLICATE_COMMENT':
      return 'You have just posted the same comment here.';
    case 'BANNED_WORD':
      return 'Your comment contains language that is not allowed here.';
    case 'USER_BANNED':
      return 'Your account may no longer comment.';
    case 'USER_SUSPENDED':
      return 'Your account is suspended from commenting for now.';
    case 'UNAUTHENTICATED':
    case 'INVALID_TOKEN':
    case 'TOKEN_EXPIRED':
      return 'Please sign in again.';
    case 'INVALID_CREDENTIALS':
      return 'That username or password is not right.';
    case 'USERNAME_TAKEN':
      return 'That username is taken. Try another.';
    case 'EMAIL_TAKEN':
      return 'That email address already has an account. Sign in instead.';
    case 'VALIDATION_FAILED':
      return typeof error.detail.detail === 'string'
        ? `Please check the form: ${error.detail.detail}`
        : 'Please check the form.';
    case 'PARENT_NOT_FOUND':
    case 'PARENT_NOT_REPLYABLE':
      return 'That comment can no longer take replies.';
    case 'THREAD_TOO_DEEP':
      return 'This conversation is nested too deep for another reply.';
    case 'EDIT_WINDOW_CLOSED':
      return 'The time to edit this comment has passed.';
    case 'NOT_YOUR_COMMENT':
      return 'You can only change your own comments.';
    case 'CANNOT_VOTE_OWN_COMMENT':
      return 'You cannot vote on your own comment.';
    case 'ALREADY_REPORTED':
      return 'You have already reported this comment. Thank you.';
    case 'CANNOT_REPORT_OWN_COMMENT':
      return 'You cannot report your own comment.';
    case 'COMMENT_NOT_FOUND':
      return 'That comment is no longer available.';
    case 'ARTICLE_NOT_FOUND':
      return 'That article does not exist.';
    case 'STALE_VERSION':
      return 'Another moderator acted on this comment first. It has been refreshed.';
    case 'INVALID_TRANSITION':
      return 'That action no longer applies to this comment.';
    case 'FORBIDDEN':
      return 'You are not allowed to do that.';
    case 'CANNOT_SANCTION_STAFF':
      return 'Moderators and admins cannot be sanctioned.';
    case 'WORD_RULE_EXISTS':
      return 'That word is already on a list.';
    case 'SERVICE_UNAVAILABLE':
      return 'The service is busy or restarting. Please try again in a moment.';
    default:
      return typeof error.detail.title === 'string' ? error.detail.title : 'Something went wrong. Please try again.';
  }
}

export function newId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
export function timeAgo(iso: string, now = Date.now()): string {
  const s = Math.round((new Date(iso).getTime() - now) / 1000);
  const abs = Math.abs(s);
  if (abs < 45) return 'just now';
  if (abs < 3600) return relative.format(Math.round(s / 60), 'minute');
  if (abs < 86400) return relative.format(Math.round(s / 3600), 'hour');
  if (abs < 86400 * 30) return relative.format(Math.round(s / 86400), 'day');
  return new Date(iso).toLocaleDateString('en', { year: 'numeric', month: 'short', day: 'numeric' });
}

export const longDate = (iso: string) =>
  new Date(iso).toLocaleDateString('en', { year: 'numeric', month: 'long', day: 'numeric' });

export function field(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === 'string' ? value : '';
}

// Why a comment was held, as moderators read it.
export const HOLD_REASON_WORDS: Record<string, string> = {
  premoderation: 'article premoderated',
  user_premoderated: 'author premoderated',
  suspect_word: 'suspect word',
  reports: 'reports',
  new_commenter: 'new commenter',
  links: 'links',
  email_domain: 'email domain',
  spam: 'spam check',
};

// The name readers see: an imported account's display name, else the username.
export function authorName(c: Pick<CommentView, 'author'>): string {
  return c.author?.displayName || c.author?.username || '';
}
