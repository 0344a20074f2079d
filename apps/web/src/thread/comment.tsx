import { createContext } from 'preact';
import { memo } from '../memo';
import { useContext, useState } from 'preact/hooks';
import { authorName, field, STANCES, timeAgo, type CommentView, type Session, type Stance } from '../api';
import { Composer } from './composer';
import { useEntry, type ThreadStore } from './store';
import { msg, plural, t } from '@lingui/core/macro';
import type { MessageDescriptor } from '@lingui/core';
import { formatDateTime, formatNumber, i18n } from '../i18n';

export const REPORT_REASONS = [
  ['spam', msg`Spam`],
  ['abuse', msg`Abusive or hateful`],
  ['off_topic', msg`Off topic`],
  ['illegal', msg`Illegal content`],
  ['other', msg`Something else`],
] as const;

export interface ThreadActions {
  store: ThreadStore;
  session: Session | null;
  slug: string;
  open: boolean;
  // How long after posting an author may edit (from the article); the server
  // has the last word and says so when it is later.
  editWindowSeconds: number;
  highlight: string | null;
  myVotes: Map<string, -1 | 0 | 1>;
  permalink(id: string): string;
  post(
    body: string,
    parentId: string | null,
    extra?: { anchor?: { paragraph: number; quote: string }; stance?: Stance },
  ): Promise<string | null>;
  edit(id: string, body: string): Promise<string | null>;
  remove(id: string): Promise<string | null>;
  vote(id: string, value: -1 | 0 | 1): Promise<string | null>;
  report(id: string, reason: string, note: string): Promise<string | null>;
  loadReplies(id: string): Promise<void>;
  requireSignIn(): void;
}

const STANCE_LABELS = Object.fromEntries(STANCES) as Record<Stance, MessageDescriptor>;

export const ThreadContext = createContext<ThreadActions>(null as unknown as ThreadActions);

function Badge({ c, sending }: { c: CommentView; sending?: boolean }) {
  if (sending) return <span class="badge">{t`Posting…`}</span>;
  if (c.status === 'pending') return <span class="badge warn">{t`Awaiting review`}</span>;
  if (c.status === 'rejected') return <span class="badge danger">{t`Not published`}</span>;
  return (
    <>
      {c.pinned && <span class="badge accent">{t`Pinned`}</span>}
      {c.featured && <span class="badge accent">{t`Editors’ pick`}</span>}
    </>
  );
}

export const Comment = memo(function Comment({ id }: { id: string }) {
  const thread = useContext(ThreadContext);
  const entry = useEntry(thread.store, id);
  const [mode, setMode] = useState<'none' | 'reply' | 'edit' | 'report'>('none');
  const [message, setMessage] = useState('');
  const [loading, setLoading] = useState(false);
  if (!entry) return null;
  const { c, children, repliesCursor, sending, fresh } = entry;
  const me = thread.session?.user;
  const own = !!me && c.author?.id === me.id;
  const tombstone = c.status === 'removed' || c.status === 'deleted';
  const myVote = thread.myVotes.get(id) ?? 0;
  const hiddenReplies = c.replyCount - children.length;
  const canEdit = own && !tombstone && Date.now() - new Date(c.createdAt).getTime() < thread.editWindowSeconds * 1000;
  const authorId = `c-${id}-author`;

  const act = async (work: () => Promise<string | null>) => {
    const problem = await work();
    setMessage(problem ?? '');
    return problem;
  };

  const vote = (value: 1 | -1) => {
    if (!me) return thread.requireSignIn();
    void act(() => thread.vote(id, myVote === value ? 0 : value));
  };

  const more = async () => {
    setLoading(true);
    await thread.loadReplies(id);
    setLoading(false);
  };

  return (
    <article
      id={`comment-${id}`}
      class={`comment${fresh ? ' fresh' : ''}${thread.highlight === id ? ' highlight' : ''}${tombstone ? ' tombstone' : ''}${sending ? ' sending' : ''}`}
      aria-labelledby={authorId}
      tabIndex={-1}
    >
      <header class="comment-head">
        {tombstone ? (
          <span id={authorId} class="author muted">
            {c.status === 'removed' ? t`Removed by a moderator` : t`Deleted by its author`}
          </span>
        ) : (
          <>
            <span class="avatar" aria-hidden="true">
              {authorName(c).slice(0, 1).toUpperCase()}
            </span>
            <span id={authorId} class="author" title={c.author?.displayName ? `@${c.author.username}` : undefined}>
              {authorName(c)}
            </span>
          </>
        )}
        <a class="when" href={thread.permalink(id)} title={formatDateTime(c.createdAt)}>
          <time dateTime={c.createdAt}>{timeAgo(c.createdAt)}</time>
        </a>
        {c.editedAt && !tombstone && <span class="muted">· {t`edited`}</span>}
        {c.stance && <span class={`badge stance stance-${c.stance}`}>{i18n._(STANCE_LABELS[c.stance])}</span>}
        <Badge c={c} sending={sending} />
      </header>
      {c.anchor && (
        <p class="anchor">
          {c.anchor.paragraph === null ? (
            <span class="muted">{t`On a passage since edited:`} </span>
          ) : (
            <a href={`#passage-${c.anchor.paragraph}`}>{t`On passage ${formatNumber(c.anchor.paragraph + 1)}:`} </a>
          )}
          <q dir="auto">{c.anchor.quote}</q>
        </p>
      )}

      {mode === 'edit' ? (
        <Composer
          label={t`Edit your comment`}
          submitLabel={t`Save`}
          initial={c.body ?? ''}
          autoFocus
          onCancel={() => setMode('none')}
          onSubmit={async (body) => {
            const problem = await thread.edit(id, body);
            if (!problem) setMode('none');
            return problem;
          }}
        />
      ) : tombstone ? (
        <p class="body muted">{t`This comment is no longer shown.`}</p>
      ) : (
        <div class="body" dir="auto" lang={c.lang ?? undefined} dangerouslySetInnerHTML={{ __html: c.html ?? '' }} />
      )}

      {!tombstone && !sending && c.status === 'published' && (
        <footer class="actions">
          <span class="votes" role="group" aria-label={t`Votes`}>
            <button
              type="button"
              class="icon"
              aria-pressed={myVote === 1}
              aria-label={t`Vote up`}
              disabled={own}
              onClick={() => vote(1)}
            >
              ▲
            </button>
            <span
              class="score"
              aria-label={t`Score ${formatNumber(c.score)}: ${formatNumber(c.upvotes)} up, ${formatNumber(c.downvotes)} down`}
            >
              {formatNumber(c.score)}
            </span>
            <button
              type="button"
              class="icon"
              aria-pressed={myVote === -1}
              aria-label={t`Vote down`}
              disabled={own}
              onClick={() => vote(-1)}
            >
              ▼
            </button>
          </span>
          {thread.open && (
            <button
              type="button"
              class="link"
              aria-expanded={mode === 'reply'}
              onClick={() => (me ? setMode(mode === 'reply' ? 'none' : 'reply') : thread.requireSignIn())}
            >
              {t`Reply`}
            </button>
          )}
          {canEdit && (
            <button type="button" class="link" onClick={() => setMode('edit')}>
              {t`Edit`}
            </button>
          )}
          {own && (
            <button
              type="button"
              class="link"
              onClick={() => {
                if (confirm(t`Delete your comment? Replies to it stay.`)) void act(() => thread.remove(id));
              }}
            >
              {t`Delete`}
            </button>
          )}
          {!own && (
            <button
              type="button"
              class="link"
              aria-expanded={mode === 'report'}
              onClick={() => (me ? setMode(mode === 'report' ? 'none' : 'report') : thread.requireSignIn())}
            >
              {t`Report`}
            </button>
          )}
        </footer>
      )}
      {message && (
        <p class="error" role="alert">
          {message}
        </p>
      )}

      {mode === 'report' && (
        <form
          class="report"
          onSubmit={(event) => {
            event.preventDefault();
            const form = new FormData(event.currentTarget);
            void act(() => thread.report(id, field(form, 'reason'), field(form, 'note'))).then((problem) => {
              if (!problem) {
                setMode('none');
                setMessage('');
                alertSent();
              }
            });
          }}
        >
          <label>
            {t`Reason`}
            <select name="reason" required>
              {REPORT_REASONS.map(([value, label]) => (
                <option value={value}>{i18n._(label)}</option>
              ))}
            </select>
          </label>
          <label>
            {t`Note for the moderators (optional)`}
            <input name="note" maxLength={500} />
          </label>
          <div class="row">
            <button type="submit" class="primary">
              {t`Send report`}
            </button>
            <button type="button" class="link" onClick={() => setMode('none')}>
              {t`Cancel`}
            </button>
          </div>
        </form>
      )}

      {mode === 'reply' && (
        <Composer
          label={t`Write a reply`}
          submitLabel={t`Post reply`}
          placeholder={c.author ? t`Reply to ${authorName(c)}` : t`Reply to this comment`}
          autoFocus
          onCancel={() => setMode('none')}
          onSubmit={async (body) => {
            const problem = await thread.post(body, id);
            if (!problem) setMode('none');
            return problem;
          }}
        />
      )}

      {children.length > 0 && (
        <ol class="replies">
          {children.map((child) => (
            <li key={child}>
              <Comment id={child} />
            </li>
          ))}
        </ol>
      )}
      {(repliesCursor || hiddenReplies > 0) && (
        <button type="button" class="more" disabled={loading} onClick={() => void more()}>
          {loading
            ? t`Loading…`
            : hiddenReplies > 0
              ? plural(hiddenReplies, {
                  one: 'Load more replies (# reply)',
                  other: 'Load more replies (# replies)',
                })
              : t`Load more replies`}
        </button>
      )}
    </article>
  );
});

function alertSent() {
  const region = document.getElementById('thread-status');
  if (region) region.textContent = t`Thank you. The moderators will look at your report.`;
}
