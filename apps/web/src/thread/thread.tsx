import type { Socket } from 'socket.io-client';
import { useContext, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import {
  api,
  closesIn,
  ApiError,
  explain,
  isStaff,
  newId,
  setSession,
  SORTS,
  STANCES,
  type Article,
  type SlowMode,
  type CommentNode,
  type CommentView,
  type Sort,
  type Stance,
  type ThreadPage,
  writingLanguage,
} from '../api';
import { AccountForms, useSession } from '../account';
import { emitAck, openSocket, type Envelope, type LiveState, type SubscribeAck } from '../live';
import { CatchUp, rememberSeen } from './catch-up';
import { Comment, ThreadContext, type ThreadActions } from './comment';
import { Composer } from './composer';
import { Notifications } from './notifications';
import { ThreadStore, useRoots } from './store';
import { plural, msg, t } from '@lingui/core/macro';
import { formatNumber, formatTime, i18n } from '../i18n';

const PAGE = 20;

interface ArticleSettings {
  state: 'open' | 'closed';
  premoderation: boolean;
  slowModeSeconds: number;
  slowMode: SlowMode;
}

// The discussion under an article: used by the reader page and, alone, by the
// embedded frame. It loads a page of the thread, then follows the article's
// events from the `seq` it loaded at, so nothing is missed or shown twice.
export interface Quote {
  paragraph: number;
  quote: string;
}

// The reader page adds the article's passages: `paragraph` narrows the list to
// one passage, `quote` is the passage the reader chose to answer, and
// `onArticle` hears the live counts.
export function Thread({
  article: initial,
  permalinkTo,
  embedded,
  paragraph = null,
  onParagraph,
  quote = null,
  onQuote,
  onArticle,
}: {
  article: Article;
  permalinkTo?: string | null;
  embedded?: boolean;
  paragraph?: number | null;
  onParagraph?: (paragraph: number | null) => void;
  quote?: Quote | null;
  onQuote?: (quote: Quote | null) => void;
  onArticle?: (article: Article) => void;
}) {
  const session = useSession();
  const store = useMemo(() => new ThreadStore(), []);
  const [article, setArticle] = useState<Article>(initial);
  const [sort, setSort] = useState<Sort>('newest');
  const [focusId, setFocusId] = useState<string | null>(permalinkTo ?? null);
  const [loading, setLoading] = useState(true);
  const [loadError, setLoadError] = useState('');
  const [live, setLive] = useState<LiveState>('connecting');
  const [viewers, setViewers] = useState<number | null>(null);
  const [status, setStatus] = useState('');
  const [signIn, setSignIn] = useState(false);
  const [notes, setNotes] = useState(0);
  const [stance, setStance] = useState<Stance | ''>('');
  const seq = useRef(initial.seq);
  const myVotes = useMemo(() => new Map<string, -1 | 0 | 1>(), [session?.user.id]);
  const socketRef = useRef<Socket | null>(null);
  const me = session?.user ?? null;
  const meRef = useRef(me);
  meRef.current = me;

  // The counts follow what readers can see; a copy still being sent is not counted yet.
  const count = (delta: number, c?: Pick<CommentView, 'depth' | 'anchor' | 'stance'>) =>
    setArticle((a) => {
      const next = { ...a, commentCount: Math.max(0, a.commentCount + delta) };
      if (c && c.depth === 0 && c.anchor?.paragraph != null && c.anchor.paragraph < a.passageCounts.length) {
        next.passageCounts = a.passageCounts.map((n, i) => (i === c.anchor!.paragraph ? Math.max(0, n + delta) : n));
      }
      if (c && c.depth === 0 && c.stance)
        next.stanceCounts = { ...a.stanceCounts, [c.stance]: Math.max(0, a.stanceCounts[c.stance] + delta) };
      return next;
    });
  useEffect(() => onArticle?.(article), [article]);
  const wasPublished = (id: string) => {
    const entry = store.get(id);
    return entry?.c.status === 'published' && !entry.sending;
  };

  const permalink = (id: string) => `/articles/${article.slug}?comment=${id}#comment-${id}`;

  // A signed-in reader's page carries their votes on its comments.
  const withVotes = (page: ThreadPage) => {
    for (const [id, value] of Object.entries(page.viewer?.votes ?? {})) myVotes.set(id, value);
    return page;
  };

  const loadThread = async (options: { fresh?: boolean } = {}) => {
    setLoadError('');
    try {
      if (options.fresh) {
        const latest = await api<Article>('GET', `/api/articles/${encodeURIComponent(article.slug)}`);
        seq.current = latest.seq;
        setArticle(latest);
      }
      if (focusId) {
        const link = await api<{ comment: CommentNode; ancestors: CommentView[] }>('GET', `/api/comments/${focusId}`);
        store.loadPermalink(link.ancestors, link.comment);
      } else {
        const page = await api<ThreadPage>(
          'GET',
          `/api/articles/${encodeURIComponent(article.slug)}/comments?${listQuery(sort, paragraph)}`,
        );
        // After a resync, follow from what the page shows: it is at least as
        // new as its own seq (a shared cache may hold it a moment longer than
        // the article).
        if (options.fresh) seq.current = Math.min(seq.current, page.seq);
        store.reset(withVotes(page));
        // The reader's own comments that the shared page leaves out (waiting
        // for review), oldest placed first so the newest ends on top.
        for (const own of [...(page.viewer?.pending ?? [])].reverse()) store.place(own, { own: true });
      }
    } catch (e) {
      setLoadError(
        e instanceof ApiError && e.code === 'COMMENT_NOT_FOUND' ? t`That comment is no longer available.` : explain(e),
      );
      if (focusId) setFocusId(null);
    } finally {
      setLoading(false);
    }
  };

  // The live handlers are bound once per socket; they reload with the list as it is now.
  const reload = useRef(loadThread);
  reload.current = loadThread;

  // The article (and its seq) was loaded before this thread page, so the page
  // reflects at least every event up to seq: following from seq misses nothing.
  useEffect(() => {
    setLoading(true);
    void loadThread();
  }, [sort, focusId, paragraph]);
  const paragraphRef = useRef(paragraph);
  paragraphRef.current = paragraph;

  // Open the page at the linked comment.
  useEffect(() => {
    if (loading || !focusId) return;
    const el = document.getElementById(`comment-${focusId}`);
    el?.scrollIntoView({ block: 'center' });
    el?.focus({ preventScroll: true });
  }, [loading, focusId]);

  // Live: one socket, re-opened when the account changes (the token travels in the handshake).
  useEffect(() => {
    const onComment = (c: CommentView) => {
      const own = !!meRef.current && c.author?.id === meRef.current.id;
      if (c.status === 'published' && !wasPublished(c.id)) count(1, c);
      // A list narrowed to one passage takes only that passage's new comments.
      const only = paragraphRef.current;
      if (only !== null && c.depth === 0 && c.anchor?.paragraph !== only) return;
      store.place(c, { own });
    };
    const track = (env: Envelope) => {
      if (typeof env.seq === 'number' && env.seq > seq.current) {
        seq.current = env.seq;
        if (!embedded) rememberSeen(article.id, env.seq);
      }
    };
    const socket = openSocket({
      onState: setLive,
      onConnect: (s) => {
        void emitAck<SubscribeAck>(s, 'subscribe', { article: article.slug, after: seq.current }).then(
          (ack) => {
            if (ack.error) return;
            if (typeof ack.viewers === 'number') setViewers(ack.viewers);
            if (ack.resync) void reload.current({ fresh: true });
            else if (typeof ack.seq === 'number' && ack.seq > seq.current) {
              seq.current = ack.seq;
              if (!embedded) rememberSeen(article.id, ack.seq);
            }
          },
          () => undefined,
        );
      },
      events: {
        'comment.created': (env: Envelope<{ comment: CommentView }>) => {
          track(env);
          onComment(env.data.comment);
        },
        'comment.updated': (env: Envelope<{ comment: CommentView }>) => {
          track(env);
          store.update(env.data.comment);
        },
        'comment.deleted': (env: Envelope<{ commentId: string; tombstone: CommentView | null }>) => {
          track(env);
          if (wasPublished(env.data.commentId)) count(-1, env.data.tombstone ?? store.get(env.data.commentId)?.c);
          if (env.data.tombstone) store.update(env.data.tombstone);
          else store.remove(env.data.commentId);
        },
        'comment.voted': (env: Envelope<{ commentId: string; score: number; upvotes: number; downvotes: number }>) => {
          track(env);
          const { commentId, score, upvotes, downvotes } = env.data;
          store.patch(commentId, { score, upvotes, downvotes });
        },
        'comment.removed': (env: Envelope<{ commentId: string; status: string; comment?: CommentView }>) => {
          track(env);
          const { commentId, status: next, comment } = env.data;
          if (wasPublished(commentId)) count(-1, comment ?? store.get(commentId)?.c);
          if (next === 'removed' && comment) store.update(comment);
          else if (next === 'rejected') store.patch(commentId, { status: 'rejected' });
          else store.remove(commentId);
        },
        'article.updated': (env: Envelope<{ article: ArticleSettings }>) => {
          track(env);
          setArticle((a) => ({ ...a, ...env.data.article }));
        },
        // Events are missing from the article's log (history pruned, a repair):
        // live events keep coming, and the page reloads what it shows.
        resync: () => void reload.current({ fresh: true }),
        presence: (p: { viewers: number }) => setViewers(p.viewers),
        'notification.reply': () => setNotes((n) => n + 1),
      },
    });
    socketRef.current = socket;
    return () => {
      socket.close();
      socketRef.current = null;
    };
  }, [article.slug, session?.accessToken]);

  const actions: ThreadActions = {
    store,
    session,
    slug: article.slug,
    open: article.state === 'open',
    editWindowSeconds: article.editWindowSeconds,
    highlight: focusId,
    myVotes,
    permalink,
    requireSignIn: () => {
      setSignIn(true);
      requestAnimationFrame(() => document.querySelector<HTMLInputElement>('.account input')?.focus());
    },
    post: async (body, parentId, extra = {}) => {
      if (!me) return t`Please sign in first.`;
      const id = newId();
      const now = new Date().toISOString();
      const parent = parentId ? store.get(parentId)?.c : undefined;
      const lang = writingLanguage();
      store.place(
        {
          id,
          articleId: article.id,
          parentId,
          depth: parent ? parent.depth + 1 : 0,
          status: 'published',
          author: { id: me.id, username: me.username, displayName: null },
          body,
          html: escapeParagraphs(body),
          createdAt: now,
          editedAt: null,
          score: 0,
          upvotes: 0,
          downvotes: 0,
          bestScore: 0,
          controversy: 0,
          replyCount: 0,
          descendantCount: 0,
          featured: false,
          pinned: false,
          anchor: extra.anchor ?? null,
          stance: extra.stance ?? null,
          lang: lang ?? null,
        },
        { own: true, sending: true },
      );
      try {
        const comment = await postWithRetry(article.slug, {
          body,
          parentId: parentId ?? undefined,
          id,
          ...extra,
          ...(lang ? { lang } : {}),
        });
        if (comment.status === 'published' && store.get(id)?.sending) count(1, comment);
        store.update(comment);
        setStatus(
          comment.status === 'pending'
            ? t`Your comment is held for review. It will appear for everyone once a moderator approves it.`
            : parentId
              ? t`Your reply is posted.`
              : t`Your comment is posted.`,
        );
        return null;
      } catch (e) {
        store.remove(id);
        return explain(e);
      }
    },
    edit: async (id, body) => {
      try {
        store.update(await api<CommentView>('PATCH', `/api/comments/${id}`, { body }));
        return null;
      } catch (e) {
        return explain(e);
      }
    },
    remove: async (id) => {
      try {
        await api('DELETE', `/api/comments/${id}`);
        if (wasPublished(id)) count(-1, store.get(id)?.c);
        const entry = store.get(id);
        if (entry && entry.children.length > 0)
          store.patch(id, { status: 'deleted', body: null, html: null, author: null });
        else store.remove(id);
        setStatus(t`Your comment is deleted.`);
        return null;
      } catch (e) {
        return explain(e);
      }
    },
    vote: async (id, value) => {
      try {
        const result = await api<{ score: number; upvotes: number; downvotes: number; value: -1 | 0 | 1 }>(
          'PUT',
          `/api/comments/${id}/vote`,
          { value },
        );
        myVotes.set(id, result.value);
        store.patch(id, { score: result.score, upvotes: result.upvotes, downvotes: result.downvotes });
        return null;
      } catch (e) {
        return explain(e);
      }
    },
    report: async (id, reason, note) => {
      try {
        await api('POST', `/api/comments/${id}/reports`, note.trim() ? { reason, note } : { reason });
        return null;
      } catch (e) {
        return explain(e);
      }
    },
    loadReplies: async (id) => {
      const entry = store.get(id);
      if (!entry) return;
      const cursor = entry.repliesCursor && entry.repliesCursor !== 'more' ? entry.repliesCursor : null;
      try {
        const page = await api<{ items: CommentNode[]; nextCursor: string | null }>(
          'GET',
          `/api/comments/${id}/replies?limit=${PAGE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        );
        store.addReplies(id, page);
      } catch (e) {
        setStatus(explain(e));
      }
    },
  };

  const closedNote = article.state === 'closed' ? t`Comments on this article are closed.` : undefined;
  const closingNote = article.state === 'open' && article.closesAt ? closesIn(article.closesAt) : undefined;

  return (
    <ThreadContext.Provider value={actions}>
      <section class="thread" aria-labelledby="thread-title">
        <div class="thread-head">
          <h2 id="thread-title" tabIndex={-1}>
            {/* One text node with its space, as the heading always had: the count filling in moves nothing. */}
            {`${t`Comments`} `}
            <span class="count">{article.commentCount > 0 ? formatNumber(article.commentCount) : ''}</span>
          </h2>
          <div class="thread-meta">
            <span class="presence" hidden={!viewers}>
              <span class="dot" aria-hidden="true" /> {t`${formatNumber(viewers ?? 0)} reading`}
            </span>
            {me ? (
              <span class="me">
                <Notifications bump={notes} permalink={permalink} articleId={article.id} />
                <span class="muted">
                  {t`Signed in as`}{' '}
                  <strong>
                    <bdi>{me.username}</bdi>
                  </strong>
                </span>
                {isStaff(session) && !embedded && <a href="/moderation">{t`Moderation`}</a>}
                {!embedded && <a href="/settings">{t`Notification settings`}</a>}
                <button type="button" class="link" onClick={() => setSession(null)}>
                  {t`Sign out`}
                </button>
              </span>
            ) : (
              !signIn && (
                <button type="button" class="link" onClick={() => actions.requireSignIn()}>
                  {t`Sign in to comment`}
                </button>
              )
            )}
          </div>
        </div>

        {live === 'offline' && (
          <p class="notice warn" role="status">
            {t`You are offline. Reconnecting… New comments will appear when the connection is back.`}
          </p>
        )}
        {article.premoderation && article.state === 'open' && (
          <p class="notice">{t`Comments on this article are reviewed by a moderator before they appear.`}</p>
        )}
        {article.slowModeSeconds > 0 && article.state === 'open' && (
          <SlowModeNotice seconds={article.slowModeSeconds} slowMode={article.slowMode} />
        )}

        {!embedded && (
          <CatchUp
            articleId={article.id}
            slug={article.slug}
            seq={initial.seq}
            account={me?.id ?? null}
            permalink={permalink}
          />
        )}

        <StanceSummary counts={article.stanceCounts} />

        {closingNote && <p class="notice closing">{closingNote}</p>}

        {me ? (
          <Composer
            label={t`Write a comment`}
            submitLabel={t`Post comment`}
            placeholder={t`Share your view…`}
            disabled={closedNote}
            onSubmit={async (body) => {
              const problem = await actions.post(body, null, {
                ...(quote ? { anchor: quote } : {}),
                ...(stance ? { stance } : {}),
              });
              if (!problem) {
                setStance('');
                onQuote?.(null);
              }
              return problem;
            }}
          >
            {quote && (
              <p class="quoting">
                {t`Answering passage ${formatNumber(quote.paragraph + 1)}:`} <q>{quote.quote}</q>{' '}
                <button type="button" class="link" onClick={() => onQuote?.(null)}>
                  {t`Remove the quote`}
                </button>
              </p>
            )}
            <fieldset class="stance-choice">
              <legend>{t`Your stance on the article (optional)`}</legend>
              {[['', msg`None`] as const, ...STANCES].map(([value, label]) => (
                <label>
                  <input
                    type="radio"
                    name="stance"
                    value={value}
                    checked={stance === value}
                    onChange={() => setStance(value)}
                  />{' '}
                  {i18n._(label)}
                </label>
              ))}
            </fieldset>
          </Composer>
        ) : closedNote ? (
          <p class="notice">{closedNote}</p>
        ) : signIn ? (
          <AccountForms intro={t`Sign in to join the discussion. Reading needs no account.`} />
        ) : null}

        <p id="thread-status" class="status" role="status" aria-live="polite">
          {status}
        </p>

        <div class="toolbar">
          <label>
            {t`Sort by`}{' '}
            <select value={sort} onChange={(e) => (setFocusId(null), setSort(e.currentTarget.value as Sort))}>
              {SORTS.map(([value, label]) => (
                <option value={value}>{i18n._(label)}</option>
              ))}
            </select>
          </label>
          {focusId && (
            <button
              type="button"
              class="link"
              onClick={() => (history.replaceState(null, '', `/articles/${article.slug}`), setFocusId(null))}
            >
              {t`Show all comments`}
            </button>
          )}
          {paragraph !== null && !focusId && (
            <span class="passage-filter">
              {t`Comments on passage ${formatNumber(paragraph + 1)}`}{' '}
              <button type="button" class="link" onClick={() => onParagraph?.(null)}>
                {t`Show all comments`}
              </button>
            </span>
          )}
        </div>

        {loadError && (
          <p class="error" role="alert">
            {loadError}{' '}
            <button type="button" class="link" onClick={() => void loadThread()}>
              {t`Try again`}
            </button>
          </p>
        )}
        <CommentList
          loading={loading}
          onMore={async () =>
            store.appendPage(withVotes(await nextPage(article.slug, listQuery(sort, paragraph), store.nextCursor!)))
          }
        />
      </section>
    </ThreadContext.Provider>
  );
}

function CommentList({ loading, onMore }: { loading: boolean; onMore: () => Promise<void> }) {
  const list = useRootsOfContext();
  const [busy, setBusy] = useState(false);
  const waiting = list.waiting.length;
  const show = () => {
    const first = list.showWaiting();
    requestAnimationFrame(() => document.getElementById(`comment-${first}`)?.focus());
  };
  return (
    <>
      <div class="new-slot" aria-live="polite">
        {waiting > 0 && (
          <button type="button" class="new-comments" onClick={show}>
            {plural(waiting, { one: 'Show # new comment', other: 'Show # new comments' })}
          </button>
        )}
      </div>
      {loading && list.roots.length === 0 ? (
        <p class="muted">{t`Loading comments…`}</p>
      ) : list.roots.length === 0 && list.pinned.length === 0 ? (
        <p class="muted empty">{t`No comments yet. Start the conversation.`}</p>
      ) : (
        <ol class="comments" aria-label={t`Comments`}>
          {[...list.pinned, ...list.roots].map((id) => (
            <li key={id}>
              <Comment id={id} />
            </li>
          ))}
        </ol>
      )}
      {list.nextCursor && (
        <button
          type="button"
          class="more wide"
          disabled={busy}
          onClick={() => {
            setBusy(true);
            void onMore().finally(() => setBusy(false));
          }}
        >
          {busy ? t`Loading…` : t`Load more comments`}
        </button>
      )}
    </>
  );
}

function useRootsOfContext(): ThreadStore {
  return useRoots(useContext(ThreadContext).store);
}

function listQuery(sort: Sort, paragraph: number | null): string {
  return `sort=${sort}&limit=${PAGE}${paragraph === null ? '' : `&paragraph=${paragraph}`}`;
}

async function nextPage(slug: string, query: string, cursor: string): Promise<ThreadPage> {
  return api<ThreadPage>(
    'GET',
    `/api/articles/${encodeURIComponent(slug)}/comments?${query}&cursor=${encodeURIComponent(cursor)}`,
  );
}

// Where the discussion stands: published top-level comments per declared stance.
function StanceSummary({ counts }: { counts: Record<Stance, number> }) {
  const total = STANCES.reduce((sum, [value]) => sum + counts[value], 0);
  if (total === 0) return null;
  return (
    <ul class="stance-summary" aria-label={t`Stances taken`}>
      {STANCES.map(([value, label]) => (
        <li class={`stance-${value}`}>
          {i18n._(label)} <strong>{formatNumber(counts[value])}</strong>
        </li>
      ))}
    </ul>
  );
}

// A post that fails on the network is retried with the same id: the server
// stores it once however many times it arrives.
async function postWithRetry(
  slug: string,
  body: { body: string; parentId?: string; id: string; anchor?: Quote; stance?: Stance; lang?: string },
): Promise<CommentView> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await api<CommentView>('POST', `/api/articles/${encodeURIComponent(slug)}/comments`, body);
    } catch (e) {
      const retry = e instanceof ApiError && (e.code === 'NETWORK' || e.code === 'SERVICE_UNAVAILABLE');
      if (!retry || attempt >= 3) throw e;
      await new Promise((r) => setTimeout(r, 500 * 2 ** attempt));
    }
  }
}

// What the optimistic copy shows until the server's rendering arrives.
function escapeParagraphs(text: string): string {
  const escaped = text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
  return escaped
    .split(/\n{2,}/)
    .map((p) => `<p>${p.replace(/\n/g, '<br>')}</p>`)
    .join('');
}

// Says who slowed the thread down: a moderator, or the service by itself
// because comments (or reports) came fast; automatic slow mode lifts itself.
function SlowModeNotice({ seconds, slowMode }: { seconds: number; slowMode?: SlowMode }) {
  const auto = slowMode?.source === 'auto';
  const time = slowMode?.since ? formatTime(slowMode.since) : null;
  const reports = slowMode?.reason === 'reports';
  return (
    <p class="notice slow-mode" role="status" data-source={slowMode?.source ?? 'manual'}>
      {plural(seconds, {
        one: 'Slow mode: one comment every # second per reader.',
        other: 'Slow mode: one comment every # seconds per reader.',
      })}{' '}
      {auto
        ? time
          ? reports
            ? t`Turned on automatically since ${time} because many comments were reported; it lifts by itself when the discussion calms down.`
            : t`Turned on automatically since ${time} because comments are coming in fast; it lifts by itself when the discussion calms down.`
          : reports
            ? t`Turned on automatically because many comments were reported; it lifts by itself when the discussion calms down.`
            : t`Turned on automatically because comments are coming in fast; it lifts by itself when the discussion calms down.`
        : time
          ? t`Set by the moderators since ${time}.`
          : t`Set by the moderators.`}
    </p>
  );
}
