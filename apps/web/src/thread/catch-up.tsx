import { useEffect, useState } from 'preact/hooks';
import { api, authorName, STANCES, timeAgo, type CommentView, type Digest } from '../api';

// "Since your last visit": the page remembers, per article, the last event it
// showed the reader (localStorage), and on the next visit asks the API what
// happened since (GET /api/articles/:slug/digest) and sums it up above the thread.

export type { Digest };

const key = (articleId: string) => `rejoinder.seen.${articleId}`;

export function lastSeen(articleId: string): number | null {
  try {
    const raw = localStorage.getItem(key(articleId));
    const seq = raw === null ? NaN : Number(raw);
    return Number.isInteger(seq) && seq >= 0 ? seq : null;
  } catch {
    return null;
  }
}

// Only forward: another tab further along is not moved back (unless the
// article itself is behind the mark: its database was reset).
export function rememberSeen(articleId: string, seq: number, reset = false): void {
  try {
    const known = lastSeen(articleId);
    if (known === null || seq > known || reset) localStorage.setItem(key(articleId), String(seq));
  } catch {
    // Storage may be off: there is simply no summary next time.
  }
}

// Whether there is anything to tell.
const news = (d: Digest) => d.counts.comments > 0 || (d.counts.repliesToYou ?? 0) > 0 || (d.removals?.length ?? 0) > 0;

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function excerpt(c: CommentView, length = 140): string {
  const text = (c.body ?? '')
    .replace(/[*_`>#[\]]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}

const STATUS_WORDS = { removed: 'was removed', pending: 'is held for review', rejected: 'was rejected' } as const;

// Loads the digest since the stored seq (again for a new account), and
// stores the article's seq; renders nothing when nothing happened.
export function CatchUp({
  articleId,
  slug,
  seq,
  account,
  permalink,
}: {
  articleId: string;
  slug: string;
  seq: number;
  account: string | null;
  permalink: (id: string) => string;
}) {
  const [digest, setDigest] = useState<Digest | null>(null);
  const [dismissed, setDismissed] = useState(false);
  // Where the last visit ended, read once: this visit moves it on at once.
  const [since] = useState(() => lastSeen(articleId));
  useEffect(() => rememberSeen(articleId, seq, since !== null && since > seq), [articleId]);

  // Again when the reader signs in: replies to them and removals are personal.
  useEffect(() => {
    if (since === null || since >= seq) return;
    let live = true;
    api<Digest>('GET', `/api/articles/${encodeURIComponent(slug)}/digest?since=${since}`).then(
      (d) => live && setDigest(d),
      // The log may have been reset (SINCE_AHEAD) or the network is down:
      // the thread is there to read either way.
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [articleId, account]);

  if (!digest || dismissed || !news(digest)) return null;
  const { counts } = digest;
  const dismiss = () => {
    setDismissed(true);
    requestAnimationFrame(() => document.getElementById('thread-title')?.focus());
  };
  const link = (c: CommentView) => (
    <a href={permalink(c.id)}>
      <strong>{authorName(c) || 'A reader'}</strong>: {excerpt(c)}
    </a>
  );

  return (
    <section class="catch-up" aria-labelledby="catch-up-title">
      <div class="catch-up-head">
        <h3 id="catch-up-title">Since your last visit</h3>
        <button type="button" class="link" onClick={dismiss}>
          Dismiss summary
        </button>
      </div>
      <p class="catch-up-counts">
        {plural(counts.comments, 'new comment')}
        {counts.comments > 0 &&
          ` (${plural(counts.topLevel, 'top-level comment')}, ${plural(counts.replies, 'reply', 'replies')})`}
        {digest.since.at && <> since {timeAgo(digest.since.at)}</>}.
        {digest.since.clamped && ' Only the most recent activity is summed up.'}
      </p>
      {STANCES.some(([value]) => counts.byStance[value] > 0) && (
        <ul class="stance-summary" aria-label="New comments by stance">
          {STANCES.filter(([value]) => counts.byStance[value] > 0).map(([value, label]) => (
            <li class={`stance-${value}`} key={value}>
              {label} <strong>{counts.byStance[value]}</strong>
            </li>
          ))}
        </ul>
      )}
      {digest.repliesToYou && digest.repliesToYou.length > 0 && (
        <>
          <h4 id="catch-up-replies">Replies to you ({counts.repliesToYou})</h4>
          <ul aria-labelledby="catch-up-replies">
            {digest.repliesToYou.map((c) => (
              <li key={c.id}>{link(c)}</li>
            ))}
          </ul>
        </>
      )}
      {digest.best.length > 0 && (
        <>
          <h4 id="catch-up-best">Best new comments</h4>
          <ul aria-labelledby="catch-up-best">
            {digest.best.map((c) => (
              <li key={c.id}>{link(c)}</li>
            ))}
          </ul>
        </>
      )}
      {digest.busiest.length > 0 && (
        <>
          <h4 id="catch-up-busiest">Busiest conversations</h4>
          <ul aria-labelledby="catch-up-busiest">
            {digest.busiest.map((b) => (
              <li key={b.root.id}>
                <a href={permalink(b.root.id)}>
                  {b.root.body === null ? 'A comment that is no longer shown' : excerpt(b.root, 90)}
                </a>{' '}
                <span class="muted">{plural(b.newReplies, 'new reply', 'new replies')}</span>
              </li>
            ))}
          </ul>
        </>
      )}
      {digest.removals && digest.removals.length > 0 && (
        <>
          <h4 id="catch-up-removals">Moderation in your conversations</h4>
          <ul aria-labelledby="catch-up-removals">
            {digest.removals.map((r) => (
              <li key={r.commentId}>
                <a href={permalink(r.rootId)}>
                  {r.yours ? 'Your comment' : 'A comment in a conversation you joined'} {STATUS_WORDS[r.status]}
                </a>
                {r.reasonCode && <span class="muted"> (reason: {r.reasonCode.replace(/_/g, ' ')})</span>}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
