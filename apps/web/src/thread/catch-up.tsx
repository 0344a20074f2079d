import { useEffect, useState } from 'preact/hooks';
import { api, authorName, STANCES, timeAgo, type CommentView, type Digest } from '../api';
import { msg, plural, t } from '@lingui/core/macro';
import type { MessageDescriptor } from '@lingui/core';
import { formatNumber, i18n } from '../i18n';

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

function excerpt(c: CommentView, length = 140): string {
  const text = (c.body ?? '')
    .replace(/[*_`>#[\]]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}

// "Your comment was removed", "A comment in a conversation you joined is held for review"…
function removalWords(yours: boolean, status: 'removed' | 'pending' | 'rejected'): string {
  if (yours) {
    if (status === 'removed') return t`Your comment was removed`;
    if (status === 'pending') return t`Your comment is held for review`;
    return t`Your comment was rejected`;
  }
  if (status === 'removed') return t`A comment in a conversation you joined was removed`;
  if (status === 'pending') return t`A comment in a conversation you joined is held for review`;
  return t`A comment in a conversation you joined was rejected`;
}

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
      <strong>{authorName(c) || t`A reader`}</strong>: {excerpt(c)}
    </a>
  );

  return (
    <section class="catch-up" aria-labelledby="catch-up-title">
      <div class="catch-up-head">
        <h3 id="catch-up-title">{t`Since your last visit`}</h3>
        <button type="button" class="link" onClick={dismiss}>
          {t`Dismiss summary`}
        </button>
      </div>
      <p class="catch-up-counts">
        {countsLine(counts)}
        {digest.since.at && <> {t`since ${timeAgo(digest.since.at)}`}</>}.
        {digest.since.clamped && ` ${t`Only the most recent activity is summed up.`}`}
      </p>
      {STANCES.some(([value]) => counts.byStance[value] > 0) && (
        <ul class="stance-summary" aria-label={t`New comments by stance`}>
          {STANCES.filter(([value]) => counts.byStance[value] > 0).map(([value, label]) => (
            <li class={`stance-${value}`} key={value}>
              {i18n._(label)} <strong>{formatNumber(counts.byStance[value])}</strong>
            </li>
          ))}
        </ul>
      )}
      {digest.repliesToYou && digest.repliesToYou.length > 0 && (
        <>
          <h4 id="catch-up-replies">{t`Replies to you (${formatNumber(counts.repliesToYou ?? 0)})`}</h4>
          <ul aria-labelledby="catch-up-replies">
            {digest.repliesToYou.map((c) => (
              <li key={c.id}>{link(c)}</li>
            ))}
          </ul>
        </>
      )}
      {digest.best.length > 0 && (
        <>
          <h4 id="catch-up-best">{t`Best new comments`}</h4>
          <ul aria-labelledby="catch-up-best">
            {digest.best.map((c) => (
              <li key={c.id}>{link(c)}</li>
            ))}
          </ul>
        </>
      )}
      {digest.busiest.length > 0 && (
        <>
          <h4 id="catch-up-busiest">{t`Busiest conversations`}</h4>
          <ul aria-labelledby="catch-up-busiest">
            {digest.busiest.map((b) => (
              <li key={b.root.id}>
                <a href={permalink(b.root.id)}>
                  {b.root.body === null ? t`A comment that is no longer shown` : excerpt(b.root, 90)}
                </a>{' '}
                <span class="muted">{plural(b.newReplies, { one: '# new reply', other: '# new replies' })}</span>
              </li>
            ))}
          </ul>
        </>
      )}
      {digest.removals && digest.removals.length > 0 && (
        <>
          <h4 id="catch-up-removals">{t`Moderation in your conversations`}</h4>
          <ul aria-labelledby="catch-up-removals">
            {digest.removals.map((r) => (
              <li key={r.commentId}>
                <a href={permalink(r.rootId)}>{removalWords(r.yours, r.status)}</a>
                {r.reasonCode && <span class="muted"> {t`(reason: ${reasonWords(r.reasonCode)})`}</span>}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

// "2 new comments (1 top-level comment, 1 reply)", with each language's plurals.
function countsLine(counts: Digest['counts']): string {
  const comments = plural(counts.comments, { one: '# new comment', other: '# new comments' });
  if (counts.comments === 0) return comments;
  const topLevel = plural(counts.topLevel, { one: '# top-level comment', other: '# top-level comments' });
  const replies = plural(counts.replies, { one: '# reply', other: '# replies' });
  return t`${comments} (${topLevel}, ${replies})`;
}

// A reason code as readers read it.
const REASON_WORDS: Record<string, MessageDescriptor> = {
  spam: msg`spam`,
  abuse: msg`abuse`,
  off_topic: msg`off topic`,
  illegal: msg`illegal`,
  other: msg`other`,
};
const reasonWords = (code: string): string =>
  REASON_WORDS[code] ? i18n._(REASON_WORDS[code]) : code.replace(/_/g, ' ');
