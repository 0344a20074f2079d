// The HTTP side of the page: the session, JSON requests, and the words a
// reader sees for each problem code the API can answer.

// The server's types come from its contract: api-schema.d.ts is generated
// from docs/openapi.json by openapi-typescript (npm run api-types, part of
// the build), so a change of a response shape is a compile error here.
import type { components, paths } from './api-schema.js';
import { msg, plural, t } from '@lingui/core/macro';
import type { MessageDescriptor } from '@lingui/core';
import { catalogueFor, formatDate, formatRelative, i18n, LANG_PARAM, PSEUDO_LOCALES, storedChoice } from './i18n';

type Schemas = components['schemas'];
export type Role = Schemas['Account']['role'];
export type Account = Schemas['Account'];
// What the page keeps of a session.
export type Session = Pick<Schemas['Session'], 'user' | 'accessToken'>;
export type CommentStatus = Schemas['CommentView']['status'];
export type CommentView = Schemas['CommentView'];
export type Stance = NonNullable<CommentView['stance']>;
export const STANCES = [
  ['agree', msg`Agree`],
  ['disagree', msg`Disagree`],
  ['question', msg`Question`],
  ['other', msg`Other`],
] as const satisfies readonly (readonly [Stance, MessageDescriptor])[];
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
  if (ms >= 86_400_000) {
    const n = Math.round(ms / 86_400_000);
    return plural(n, { one: 'Comments close in # day.', other: 'Comments close in # days.' });
  }
  if (ms >= 3_600_000) {
    const n = Math.round(ms / 3_600_000);
    return plural(n, { one: 'Comments close in # hour.', other: 'Comments close in # hours.' });
  }
  if (ms > 60_000) {
    const n = Math.round(ms / 60_000);
    return plural(n, { one: 'Comments close in # minute.', other: 'Comments close in # minutes.' });
  }
  return t`Comments close in a moment.`;
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
  ['newest', msg`Newest`],
  ['oldest', msg`Oldest`],
  ['top', msg`Top`],
  ['best', msg`Best`],
  ['controversial', msg`Controversial`],
  ['replies', msg`Most replies`],
  ['balanced', msg`Balanced: best of each side`],
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

// The language a new comment is marked with: the page's, when the reader chose
// it (?lang=, which the embed's data-lang becomes, a choice on this device,
// their account's setting), not when it only followed the browser or the
// default; never a pseudo-locale.
export function writingLanguage(): string | undefined {
  const chosen = [new URLSearchParams(location.search).get(LANG_PARAM), storedChoice(), session?.user.locale].some(
    (tag) => tag && catalogueFor(tag),
  );
  return chosen && i18n.locale && !PSEUDO_LOCALES.includes(i18n.locale) ? i18n.locale : undefined;
}
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
  // Problem documents come back in the page's language.
  if (i18n.locale) headers['accept-language'] = i18n.locale;
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

// What a person reads for each problem code.
export function explain(error: unknown): string {
  if (!(error instanceof ApiError)) return t`Something went wrong. Please try again.`;
  // "2 minutes", "5 seconds": how long to wait.
  const seconds = (n: number) =>
    n >= 120
      ? plural(Math.ceil(n / 60), { one: '# minute', other: '# minutes' })
      : plural(n, { one: '# second', other: '# seconds' });
  const wait =
    error.retryAfter ??
    (typeof error.detail.retryAfterMs === 'number' ? Math.ceil(error.detail.retryAfterMs / 1000) : null);
  switch (error.code) {
    case 'LINK_INVALID':
      return t`This link is not valid. Ask for a new one.`;
    case 'LINK_USED':
      return t`This link has been used already. Ask for a new one if you need it.`;
    case 'LINK_EXPIRED':
      return t`This link has expired. Ask for a new one.`;
    case 'EXTERNAL_ACCOUNT':
      return t`Your account signs in with the publisher's login: change your password or address there.`;
    case 'EMAIL_NOT_VERIFIED':
      return t`Confirm your email address first: follow the link we sent you (or ask for another in your settings).`;
    case 'NETWORK':
      return t`You appear to be offline. Check your connection and try again.`;
    case 'RATE_LIMITED':
      return wait
        ? t`You are going a little fast. Please wait ${seconds(wait)} and try again.`
        : t`You are going a little fast. Please wait a moment.`;
    case 'SLOW_MODE':
      return wait
        ? t`Slow mode is on for this discussion: you can comment again in ${seconds(wait)}.`
        : t`Slow mode is on for this discussion.`;
    case 'ARTICLE_CLOSED':
      return t`Comments on this article are closed.`;
    case 'COMMENT_BODY_EMPTY':
      return t`Write something before posting.`;
    case 'COMMENT_BODY_TOO_LONG':
      return t`Your comment is too long. Please shorten it.`;
    case 'PARAGRAPH_NOT_FOUND':
      return t`That passage is no longer in the article. Reload the page and quote it again.`;
    case 'QUOTE_NOT_IN_PARAGRAPH':
      return t`The quoted words are not in that passage any more. Select them again in the article.`;
    case 'TOP_LEVEL_ONLY':
      return t`Only a new comment, not a reply, can quote the article or take a side.`;
    case 'DUPLICATE_COMMENT':
      return t`You have just posted the same comment here.`;
    case 'BANNED_WORD':
      return t`Your comment contains language that is not allowed here.`;
    case 'USER_BANNED':
      return t`Your account may no longer comment.`;
    case 'USER_SUSPENDED':
      return t`Your account is suspended from commenting for now.`;
    case 'UNAUTHENTICATED':
    case 'INVALID_TOKEN':
    case 'TOKEN_EXPIRED':
      return t`Please sign in again.`;
    case 'INVALID_CREDENTIALS':
      return t`That username or password is not right.`;
    case 'USERNAME_TAKEN':
      return t`That username is taken. Try another.`;
    case 'EMAIL_TAKEN':
      return t`That email address already has an account. Sign in instead.`;
    case 'VALIDATION_FAILED':
      return typeof error.detail.detail === 'string'
        ? t`Please check the form: ${error.detail.detail}`
        : t`Please check the form.`;
    case 'PARENT_NOT_FOUND':
    case 'PARENT_NOT_REPLYABLE':
      return t`That comment can no longer take replies.`;
    case 'THREAD_TOO_DEEP':
      return t`This conversation is nested too deep for another reply.`;
    case 'EDIT_WINDOW_CLOSED':
      return t`The time to edit this comment has passed.`;
    case 'NOT_YOUR_COMMENT':
      return t`You can only change your own comments.`;
    case 'CANNOT_VOTE_OWN_COMMENT':
      return t`You cannot vote on your own comment.`;
    case 'ALREADY_REPORTED':
      return t`You have already reported this comment. Thank you.`;
    case 'CANNOT_REPORT_OWN_COMMENT':
      return t`You cannot report your own comment.`;
    case 'COMMENT_NOT_FOUND':
      return t`That comment is no longer available.`;
    case 'ARTICLE_NOT_FOUND':
      return t`That article does not exist.`;
    case 'STALE_VERSION':
      return t`Another moderator acted on this comment first. It has been refreshed.`;
    case 'INVALID_TRANSITION':
      return t`That action no longer applies to this comment.`;
    case 'FORBIDDEN':
      return t`You are not allowed to do that.`;
    case 'CANNOT_SANCTION_STAFF':
      return t`Moderators and admins cannot be sanctioned.`;
    case 'WORD_RULE_EXISTS':
      return t`That word is already on a list.`;
    case 'SERVICE_UNAVAILABLE':
      return t`The service is busy or restarting. Please try again in a moment.`;
    default:
      return typeof error.detail.title === 'string' ? error.detail.title : t`Something went wrong. Please try again.`;
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

export function timeAgo(iso: string, now = Date.now()): string {
  const s = Math.round((new Date(iso).getTime() - now) / 1000);
  const abs = Math.abs(s);
  if (abs < 45) return t`just now`;
  if (abs < 3600) return formatRelative(Math.round(s / 60), 'minute');
  if (abs < 86400) return formatRelative(Math.round(s / 3600), 'hour');
  if (abs < 86400 * 30) return formatRelative(Math.round(s / 86400), 'day');
  return formatDate(iso);
}

export const longDate = (iso: string) => formatDate(iso, 'long');

export function field(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === 'string' ? value : '';
}

// Why a comment was held, as moderators read it.
export const HOLD_REASON_WORDS: Record<string, MessageDescriptor> = {
  premoderation: msg`article premoderated`,
  user_premoderated: msg`author premoderated`,
  suspect_word: msg`suspect word`,
  reports: msg`reports`,
  new_commenter: msg`new commenter`,
  links: msg`links`,
  email_domain: msg`email domain`,
  spam: msg`spam check`,
};

// The name readers see: an imported account's display name, else the username.
export function authorName(c: Pick<CommentView, 'author'>): string {
  return c.author?.displayName || c.author?.username || '';
}
