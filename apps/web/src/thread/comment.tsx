import { createContext } from 'preact';
import { memo } from '../memo';
import { useContext, useState } from 'preact/hooks';
import { authorName, field, STANCES, timeAgo, type CommentView, type Session, type Stance } from '../api';
import { Composer } from './composer';
import { useEntry, type ThreadStore } from './store';

export const REPORT_REASONS = [
  ['spam', 'Spam'],
  ['abuse', 'Abusive or hateful'],
  ['off_topic', 'Off topic'],
  ['illegal', 'Illegal content'],
  ['other', 'Something else'],
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

const STANCE_LABELS: Record<Stance, string> = Object.fromEntries(STANCES) as Record<Stance, string>;

export const ThreadContext = createContext<ThreadActions>(null as unknown as ThreadActions);

function Badge({ c, sending }: { c: CommentView; sending?: boolean }) {
  if (sending) return <span class="badge">Posting…</span>;
  if (c.status === 'pending') return <span class="badge warn">Awaiting review</span>;
  if (c.status === 'rejected') return <span class="badge danger">Not published</span>;
  return (
    <>
      {c.pinned && <span class="badge accent">Pinned</span>}
      {c.featured && <span class="badge accent">Editors’ pick</span>}
    </>
  );
}

export const Comment = memo(function Comment({ id }: { id: string }) {
  const t = useContext(ThreadContext);
  const entry = useEntry(t.store, id);
  const [mode, setMode] = useState<'none' | 'reply' | 'edit' | 'report'>('none');
  const [message, setMessage] = useState('');
  const [loading, setLoading] = useState(false);
  if (!entry) return null;
  const { c, children, repliesCursor, sending, fresh } = entry;
  const me = t.session?.user;
  const own = !!me && c.author?.id === me.id;
  const tombstone = c.status === 'removed' || c.status === 'deleted';
  const myVote = t.myVotes.get(id) ?? 0;
  const hiddenReplies = c.replyCount - children.length;
  const canEdit = own && !tombstone && Date.now() - new Date(c.createdAt).getTime() < t.editWindowSeconds * 1000;
  const authorId = `c-${id}-author`;

  const act = async (work: () => Promise<string | null>) => {
    const problem = await work();
    setMessage(problem ?? '');
    return problem;
  };

  const vote = (value: 1 | -1) => {
    if (!me) return t.requireSignIn();
    void act(() => t.vote(id, myVote === value ? 0 : value));
  };

  const more = async () => {
    setLoading(true);
    await t.loadReplies(id);
    setLoading(false);
  };

  return (
    <article
      id={`comment-${id}`}
      class={`comment${fresh ? ' fresh' : ''}${t.highlight === id ? ' highlight' : ''}${tombstone ? ' tombstone' : ''}${sending ? ' sending' : ''}`}
      aria-labelledby={authorId}
      tabIndex={-1}
    >
      <header class="comment-head">
        {tombstone ? (
          <span id={authorId} class="author muted">
            {c.status === 'removed' ? 'Removed by a moderator' : 'Deleted by its author'}
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
        <a class="when" href={t.permalink(id)} title={new Date(c.createdAt).toLocaleString()}>
          <time dateTime={c.createdAt}>{timeAgo(c.createdAt)}</time>
        </a>
        {c.editedAt && !tombstone && <span class="muted">· edited</span>}
        {c.stance && <span class={`badge stance stance-${c.stance}`}>{STANCE_LABELS[c.stance]}</span>}
        <Badge c={c} sending={sending} />
      </header>
      {c.anchor && (
        <p class="anchor">
          {c.anchor.paragraph === null ? (
            <span class="muted">On a passage since edited: </span>
          ) : (
            <a href={`#passage-${c.anchor.paragraph}`}>On passage {c.anchor.paragraph + 1}: </a>
          )}
          <q>{c.anchor.quote}</q>
        </p>
      )}

      {mode === 'edit' ? (
        <Composer
          label="Edit your comment"
          submitLabel="Save"
          initial={c.body ?? ''}
          autoFocus
          onCancel={() => setMode('none')}
          onSubmit={async (body) => {
            const problem = await t.edit(id, body);
            if (!problem) setMode('none');
            return problem;
          }}
        />
      ) : tombstone ? (
        <p class="body muted">This comment is no longer shown.</p>
      ) : (
        <div class="body" dangerouslySetInnerHTML={{ __html: c.html ?? '' }} />
      )}

      {!tombstone && !sending && c.status === 'published' && (
        <footer class="actions">
          <span class="votes" role="group" aria-label="Votes">
            <button
              type="button"
              class="icon"
              aria-pressed={myVote === 1}
              aria-label="Vote up"
              disabled={own}
              onClick={() => vote(1)}
            >
              ▲
            </button>
            <span class="score" aria-label={`Score ${c.score}: ${c.upvotes} up, ${c.downvotes} down`}>
              {c.score}
            </span>
            <button
              type="button"
              class="icon"
              aria-pressed={myVote === -1}
              aria-label="Vote down"
              disabled={own}
              onClick={() => vote(-1)}
            >
              ▼
            </button>
          </span>
          {t.open && (
            <button
              type="button"
              class="link"
              aria-expanded={mode === 'reply'}
              onClick={() => (me ? setMode(mode === 'reply' ? 'none' : 'reply') : t.requireSignIn())}
            >
              Reply
            </button>
          )}
          {canEdit && (
            <button type="button" class="link" onClick={() => setMode('edit')}>
              Edit
            </button>
          )}
          {own && (
            <button
              type="button"
              class="link"
              onClick={() => {
                if (confirm('Delete your comment? Replies to it stay.')) void act(() => t.remove(id));
              }}
            >
              Delete
            </button>
          )}
          {!own && (
            <button
              type="button"
              class="link"
              aria-expanded={mode === 'report'}
              onClick={() => (me ? setMode(mode === 'report' ? 'none' : 'report') : t.requireSignIn())}
            >
              Report
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
            void act(() => t.report(id, field(form, 'reason'), field(form, 'note'))).then((problem) => {
              if (!problem) {
                setMode('none');
                setMessage('');
                alertSent();
              }
            });
          }}
        >
          <label>
            Reason
            <select name="reason" required>
              {REPORT_REASONS.map(([value, label]) => (
                <option value={value}>{label}</option>
              ))}
            </select>
          </label>
          <label>
            Note for the moderators (optional)
            <input name="note" maxLength={500} />
          </label>
          <div class="row">
            <button type="submit" class="primary">
              Send report
            </button>
            <button type="button" class="link" onClick={() => setMode('none')}>
              Cancel
            </button>
          </div>
        </form>
      )}

      {mode === 'reply' && (
        <Composer
          label="Write a reply"
          submitLabel="Post reply"
          placeholder={`Reply to ${c.author ? authorName(c) : 'this comment'}`}
          autoFocus
          onCancel={() => setMode('none')}
          onSubmit={async (body) => {
            const problem = await t.post(body, id);
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
          {loading ? 'Loading…' : `Load more replies${hiddenReplies > 0 ? ` (${hiddenReplies})` : ''}`}
        </button>
      )}
    </article>
  );
});

function alertSent() {
  const region = document.getElementById('thread-status');
  if (region) region.textContent = 'Thank you. The moderators will look at your report.';
}
