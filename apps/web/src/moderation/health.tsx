import type { Socket } from 'socket.io-client';
import { useEffect, useState } from 'preact/hooks';
import { api, explain, HOLD_REASON_WORDS, type Article, type SlowMode, type ThreadHealth } from '../api';
import { emitAck, openSocket, type Envelope, type LiveState } from '../live';

export type { ThreadHealth };

interface SlowModeChange {
  action: 'on' | 'off' | 'setting';
  by: 'auto' | 'moderator';
  slowMode: SlowMode;
  rate: { commentsPerMinute: number; reportsPerMinute: number; windowSeconds: number } | null;
  threshold: { commentsPerMinute: number; reportsPerMinute: number; quietSeconds: number } | null;
}

const percent = (share: number) => `${Math.round(share * 100)}%`;
const clock = (iso: string) => new Date(iso).toLocaleTimeString();

export function describeSlowMode(s: SlowMode): string {
  if (s.seconds === 0 || s.source === null) {
    return s.setting === 'off'
      ? 'Off, and never automatic on this article.'
      : 'Off. It turns on by itself if comments or reports come too fast.';
  }
  if (s.source === 'auto') {
    const why = s.reason === 'reports' ? 'reports came in fast' : 'comments came in fast';
    return `On automatically: ${s.seconds} s between one reader’s comments, since ${clock(s.since!)}, because ${why}. It lifts when the thread calms down.`;
  }
  return `On: ${s.seconds} s between one reader’s comments, set by a moderator${s.since ? ` at ${clock(s.since)}` : ''}.`;
}

function changeMessage(c: SlowModeChange): string {
  if (c.by === 'moderator') return `A moderator changed slow mode. ${describeSlowMode(c.slowMode)}`;
  if (c.action === 'on' && c.rate && c.threshold) {
    const reports = c.slowMode.reason === 'reports';
    return (
      `Slow mode turned on by itself: ${reports ? c.rate.reportsPerMinute : c.rate.commentsPerMinute} ` +
      `${reports ? 'reports' : 'comments'} per minute over the last ${c.rate.windowSeconds} s, ` +
      `threshold ${reports ? c.threshold.reportsPerMinute : c.threshold.commentsPerMinute}.`
    );
  }
  return 'Slow mode lifted by itself: the thread has calmed down.';
}

// The selected article's health, live: the console follows the article as a
// moderator, so the server sends `thread.health` when it changes, and
// `article.updated` / `slow_mode.changed` when slow mode switches.
export function HealthPanel({ article, onArticle }: { article: Article; onArticle: (a: Partial<Article>) => void }) {
  const [health, setHealth] = useState<ThreadHealth | null>(null);
  const [live, setLive] = useState<LiveState>('connecting');
  const [status, setStatus] = useState('');
  const [error, setError] = useState('');
  const slug = article.slug;

  useEffect(() => {
    setHealth(null);
    setStatus('');
    api<ThreadHealth>('GET', `/api/moderation/articles/${encodeURIComponent(slug)}/health`).then(setHealth, (e) =>
      setError(explain(e)),
    );
    const socket: Socket = openSocket({
      onState: setLive,
      onConnect: (s) => void emitAck(s, 'subscribe', { article: slug }).catch(() => undefined),
      events: {
        'thread.health': (h: ThreadHealth) => {
          if (h.slug === slug) setHealth(h);
        },
        'article.updated': (env: Envelope<{ article: Partial<Article> }>) => {
          onArticle(env.data.article);
          const slowMode = env.data.article.slowMode;
          if (slowMode) setHealth((h) => (h ? { ...h, slowMode } : h));
        },
        'slow_mode.changed': (env: Envelope<SlowModeChange>) => setStatus(changeMessage(env.data)),
      },
    });
    return () => socket.close();
  }, [slug]);

  return (
    <section class="panel health" aria-labelledby="health-title">
      <div class="console-head">
        <h2 id="health-title">Thread health</h2>
        <span class={`live ${live}`}>
          {live === 'online' ? 'Live' : live === 'offline' ? 'Offline, reconnecting…' : 'Connecting…'}
        </span>
      </div>
      <p class="status" role="status" aria-live="polite">
        {status}
      </p>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {health === null ? (
        <p class="muted">Measuring…</p>
      ) : (
        <>
          <dl class="health-numbers">
            <div>
              <dt>Comments per minute</dt>
              <dd data-metric="comments">
                {health.commentsPerMinute.last1m} <span class="muted">last minute</span> ·{' '}
                {health.commentsPerMinute.last5m} <span class="muted">last 5</span>
              </dd>
            </div>
            <div>
              <dt>Reports per minute</dt>
              <dd data-metric="reports">
                {health.reportsPerMinute.last1m} <span class="muted">last minute</span> ·{' '}
                {health.reportsPerMinute.last5m} <span class="muted">last 5</span>
              </dd>
            </div>
            <div>
              <dt>Held for review</dt>
              <dd data-metric="held">
                {percent(health.recent.heldShare)}{' '}
                <span class="muted">
                  ({health.recent.held} of {health.recent.comments})
                </span>
              </dd>
            </div>
            <div>
              <dt>Removed or rejected</dt>
              <dd data-metric="removed">
                {percent(health.recent.removedShare)}{' '}
                <span class="muted">
                  ({health.recent.removed} of {health.recent.comments})
                </span>
              </dd>
            </div>
            <div>
              <dt>From new accounts</dt>
              <dd data-metric="new-accounts">
                {percent(health.recent.newAccountShare)}{' '}
                <span class="muted">
                  ({health.recent.newAccounts} of {health.recent.comments})
                </span>
              </dd>
            </div>
          </dl>
          <p class="muted">Shares are of the last {health.recent.minutes} minutes’ comments.</p>
          <h3>Holds by reason</h3>
          {Object.keys(health.recent.holdsByReason).length === 0 ? (
            <p class="muted">Nothing held in that time.</p>
          ) : (
            <ul class="holds-by-reason" aria-label="Holds by reason">
              {Object.entries(health.recent.holdsByReason).map(([reason, count]) => (
                <li data-reason={reason}>
                  {HOLD_REASON_WORDS[reason] ?? reason.replace(/_/g, ' ')}: <strong>{count}</strong>
                </li>
              ))}
            </ul>
          )}
          <p class={`slow-mode-state ${health.slowMode.source ?? 'none'}`} data-source={health.slowMode.source ?? ''}>
            <strong>Slow mode:</strong> {describeSlowMode(health.slowMode)}
          </p>
          <h3>Hottest subthreads (last 5 minutes)</h3>
          {health.hottest.length === 0 ? (
            <p class="muted empty">No replies in the last 5 minutes.</p>
          ) : (
            <div class="table-wrap">
              <table class="hottest">
                <thead>
                  <tr>
                    <th scope="col">Subthread</th>
                    <th scope="col">Replies per minute</th>
                    <th scope="col">Deepest reply</th>
                    <th scope="col">Reported</th>
                  </tr>
                </thead>
                <tbody>
                  {health.hottest.map((h, i) => (
                    <tr key={h.rootId}>
                      <td>
                        <a href={`/comments/${h.rootId}`}>Subthread {i + 1}</a>{' '}
                        <span class="muted">({h.comments} comments)</span>
                      </td>
                      <td>
                        {h.repliesPerMinute} <span class="muted">({h.replies} replies)</span>
                      </td>
                      <td>level {h.maxDepth}</td>
                      <td class={h.reportedShare >= 0.25 ? 'hot' : undefined}>
                        {percent(h.reportedShare)} <span class="muted">({h.reported})</span>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </section>
  );
}

// Automatic (the default), never automatic, or a fixed interval.
export function SlowModeControl({ article, onArticle }: { article: Article; onArticle: (a: Article) => void }) {
  const [setting, setSetting] = useState(article.slowMode.setting);
  const [seconds, setSeconds] = useState(String(article.slowMode.source === 'manual' ? article.slowMode.seconds : 30));
  const [message, setMessage] = useState('');
  const [error, setError] = useState('');
  useEffect(() => {
    setSetting(article.slowMode.setting);
    if (article.slowMode.source === 'manual') setSeconds(String(article.slowMode.seconds));
  }, [article.slug, article.slowMode.setting, article.slowMode.seconds]);

  const save = async (event: Event) => {
    event.preventDefault();
    setError('');
    setMessage('');
    try {
      const slowMode = setting === 'manual' ? { setting, seconds: Number(seconds) } : { setting };
      const updated = await api<Article>('PATCH', `/api/moderation/articles/${encodeURIComponent(article.slug)}`, {
        slowMode,
      });
      onArticle(updated);
      setMessage('Applied: readers see the new slow mode now.');
    } catch (e) {
      setError(explain(e));
    }
  };

  return (
    <form class="settings slow-mode-control" onSubmit={(e) => void save(e)} aria-labelledby="slow-title">
      <h3 id="slow-title">Slow mode</h3>
      <p class="muted" data-slow-mode-state>
        {describeSlowMode(article.slowMode)}
      </p>
      <fieldset>
        <legend class="visually-hidden">Slow mode setting</legend>
        <label class="check">
          <input
            type="radio"
            name="slow-setting"
            value="auto"
            checked={setting === 'auto'}
            onChange={() => setSetting('auto')}
          />{' '}
          Automatic: on when the thread runs hot, off when it calms down
        </label>
        <label class="check">
          <input
            type="radio"
            name="slow-setting"
            value="off"
            checked={setting === 'off'}
            onChange={() => setSetting('off')}
          />{' '}
          Off: never on this article
        </label>
        <div class="row">
          <label class="check">
            <input
              type="radio"
              name="slow-setting"
              value="manual"
              checked={setting === 'manual'}
              onChange={() => setSetting('manual')}
            />{' '}
            Fixed interval
          </label>
          <label>
            Seconds between one reader’s comments{' '}
            <input
              type="number"
              name="slow-seconds"
              min={1}
              max={86400}
              required={setting === 'manual'}
              disabled={setting !== 'manual'}
              value={seconds}
              onInput={(e) => setSeconds(e.currentTarget.value)}
            />
          </label>
        </div>
      </fieldset>
      <div class="row">
        <button type="submit" class="primary">
          Apply slow mode
        </button>
      </div>
      <p role="status" class="status">
        {message}
      </p>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
