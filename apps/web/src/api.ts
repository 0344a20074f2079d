// The HTTP side of the page: the session, JSON requests, and the words a
// reader sees for each problem code the API can answer.

export type Role = 'commenter' | 'moderator' | 'admin';
export interface Account {
  id: string;
  username: string;
  email: string;
  role: Role;
}
export interface Session {
  user: Account;
  accessToken: string;
}

export type CommentStatus = 'published' | 'pending' | 'rejected' | 'removed' | 'deleted';
export interface CommentView {
  id: string;
  articleId: string;
  parentId: string | null;
  depth: number;
  status: CommentStatus;
  author: { id: string; username: string } | null;
  body: string | null;
  html: string | null;
  createdAt: string;
  editedAt: string | null;
  score: number;
  upvotes: number;
  downvotes: number;
  replyCount: number;
  descendantCount: number;
  featured: boolean;
  pinned: boolean;
  // The passage of the article a top-level comment answers (paragraph null:
  // the article changed and the quote is gone), and its declared stance.
  anchor: { paragraph: number | null; quote: string } | null;
  stance: Stance | null;
}
export type Stance = 'agree' | 'disagree' | 'question' | 'other';
export const STANCES = [
  ['agree', 'Agree'],
  ['disagree', 'Disagree'],
  ['question', 'Question'],
  ['other', 'Other'],
] as const satisfies readonly (readonly [Stance, string])[];
export interface CommentNode extends CommentView {
  replies: CommentNode[];
  repliesCursor: string | null;
}
export interface ArticleSummary {
  id: string;
  slug: string;
  title: string;
  author: string;
  publishedAt: string;
  sourceUrl: string | null;
  state: 'open' | 'closed';
  commentCount: number;
}
// The slow mode in force: who set it (a moderator, or the service by itself
// when the thread ran hot), why, since when, and the moderators' setting.
export interface SlowMode {
  seconds: number;
  source: 'manual' | 'auto' | null;
  reason: 'comments' | 'reports' | null;
  since: string | null;
  setting: 'auto' | 'off' | 'manual';
}
export interface Article extends ArticleSummary {
  html: string;
  premoderation: boolean;
  slowModeSeconds: number;
  slowMode: SlowMode;
  // Published top-level comments per passage (the article's top-level blocks) and per stance.
  passageCounts: number[];
  stanceCounts: Record<Stance, number>;
  // How long after posting an author may edit (the server's EDIT_WINDOW_SECONDS).
  editWindowSeconds: number;
  // When commenting closes by itself; null: never.
  closesAt: string | null;
  seq: number;
}

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
export interface ThreadPage extends Page<CommentNode> {
  pinned: CommentView[];
  seq: number;
  // Signed in: the reader's own votes on the page's comments.
  viewer?: { votes: Record<string, -1 | 1>; pending: CommentView[] };
}

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
