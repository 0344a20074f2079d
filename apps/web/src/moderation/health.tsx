import type { Socket } from 'socket.io-client';
import { useEffect, useState } from 'preact/hooks';
import { api, explain, HOLD_REASON_WORDS, type Article, type SlowMode, type ThreadHealth } from '../api';
import { emitAck, openSocket, type Envelope, type LiveState } from '../live';
import { plural, t } from '@lingui/core/macro';
import { formatNumber, formatTime, i18n } from '../i18n';

export type { ThreadHealth };

interface SlowModeChange {
  action: 'on' | 'off' | 'setting';
  by: 'auto' | 'moderator';
  slowMode: SlowMode;
  rate: { commentsPerMinute: number; reportsPerMinute: number; windowSeconds: number } | null;
  threshold: { commentsPerMinute: number; reportsPerMinute: number; quietSeconds: number } | null;
}

const percent = (share: number) => new Intl.NumberFormat(i18n.locale || 'en', { style: 'percent' }).format(share);
const clock = (iso: string) => formatTime(iso);

export function describeSlowMode(s: SlowMode): string {
  if (s.seconds === 0 || s.source === null) {
    return s.setting === 'off'
      ? t`Off, and never automatic on this article.`
      : t`Off. It turns on by itself if comments or reports come too fast.`;
  }
  const seconds = formatNumber(s.seconds);
  if (s.source === 'auto') {
    const since = clock(s.since!);
    return s.reason === 'reports'
      ? t`On automatically: ${seconds} s between one reader’s comments, since ${since}, because reports came in fast. It lifts when the thread calms down.`
      : t`On automatically: ${seconds} s between one reader’s comments, since ${since}, because comments came in fast. It lifts when the thread calms down.`;
  }
  return s.since
    ? t`On: ${seconds} s between one reader’s comments, set by a moderator at ${clock(s.since)}.`
    : t`On: ${seconds} s between one reader’s comments, set by a moderator.`;
}

function changeMessage(c: SlowModeChange): string {
  if (c.by === 'moderator') return t`A moderator changed slow mode. ${describeSlowMode(c.slowMode)}`;
  if (c.action === 'on' && c.rate && c.threshold) {
    const window = formatNumber(c.rate.windowSeconds);
    if (c.slowMode.reason === 'reports') {
      const rate = formatNumber(c.rate.reportsPerMinute);
      const threshold = formatNumber(c.threshold.reportsPerMinute);
      return t`Slow mode turned on by itself: ${rate} reports per minute over the last ${window} s, threshold ${threshold}.`;
    }
    const rate = formatNumber(c.rate.commentsPerMinute);
    const threshold = formatNumber(c.threshold.commentsPerMinute);
    return t`Slow mode turned on by itself: ${rate} comments per minute over the last ${window} s, threshold ${threshold}.`;
  }
  return t`Slow mode lifted by itself: the thread has calmed down.`;
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
        <h2 id="health-title">{t`Thread health`}</h2>
        <span class={`live ${live}`}>
          {live === 'online' ? t`Live` : live === 'offline' ? t`Offline, reconnecting…` : t`Connecting…`}
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
        <p class="muted">{t`Measuring…`}</p>
      ) : (
        <>
          <dl class="health-numbers">
            <div>
              <dt>{t`Comments per minute`}</dt>
              <dd data-metric="comments">
                {formatNumber(health.commentsPerMinute.last1m)} <span class="muted">{t`last minute`}</span> ·{' '}
                {formatNumber(health.commentsPerMinute.last5m)} <span class="muted">{t`last 5`}</span>
              </dd>
            </div>
            <div>
              <dt>{t`Reports per minute`}</dt>
              <dd data-metric="reports">
                {formatNumber(health.reportsPerMinute.last1m)} <span class="muted">{t`last minute`}</span> ·{' '}
                {formatNumber(health.reportsPerMinute.last5m)} <span class="muted">{t`last 5`}</span>
              </dd>
            </div>
            <div>
              <dt>{t`Held for review`}</dt>
              <dd data-metric="held">
                {percent(health.recent.heldShare)}{' '}
                <span class="muted">
                  {t`(${formatNumber(health.recent.held)} of ${formatNumber(health.recent.comments)})`}
                </span>
              </dd>
            </div>
            <div>
              <dt>{t`Removed or rejected`}</dt>
              <dd data-metric="removed">
                {percent(health.recent.removedShare)}{' '}
                <span class="muted">
                  {t`(${formatNumber(health.recent.removed)} of ${formatNumber(health.recent.comments)})`}
                </span>
              </dd>
            </div>
            <div>
              <dt>{t`From new accounts`}</dt>
              <dd data-metric="new-accounts">
                {percent(health.recent.newAccountShare)}{' '}
                <span class="muted">
                  {t`(${formatNumber(health.recent.newAccounts)} of ${formatNumber(health.recent.comments)})`}
                </span>
              </dd>
            </div>
          </dl>
          <p class="muted">
            {plural(health.recent.minutes, {
              one: 'Shares are of the last minute’s comments.',
              other: 'Shares are of the last # minutes’ comments.',
            })}
          </p>
          <h3>{t`Holds by reason`}</h3>
          {Object.keys(health.recent.holdsByReason).length === 0 ? (
            <p class="muted">{t`Nothing held in that time.`}</p>
          ) : (
            <ul class="holds-by-reason" aria-label={t`Holds by reason`}>
              {Object.entries(health.recent.holdsByReason).map(([reason, count]) => (
                <li data-reason={reason}>
                  {HOLD_REASON_WORDS[reason] ? i18n._(HOLD_REASON_WORDS[reason]) : reason.replace(/_/g, ' ')}:{' '}
                  <strong>{formatNumber(count)}</strong>
                </li>
              ))}
            </ul>
          )}
          <p class={`slow-mode-state ${health.slowMode.source ?? 'none'}`} data-source={health.slowMode.source ?? ''}>
            <strong>{t`Slow mode:`}</strong> {describeSlowMode(health.slowMode)}
          </p>
          <h3>{t`Hottest subthreads (last 5 minutes)`}</h3>
          {health.hottest.length === 0 ? (
            <p class="muted empty">{t`No replies in the last 5 minutes.`}</p>
          ) : (
            <div class="table-wrap">
              <table class="hottest">
                <thead>
                  <tr>
                    <th scope="col">{t`Subthread`}</th>
                    <th scope="col">{t`Replies per minute`}</th>
                    <th scope="col">{t`Deepest reply`}</th>
                    <th scope="col">{t`Reported`}</th>
                  </tr>
                </thead>
                <tbody>
                  {health.hottest.map((h, i) => (
                    <tr key={h.rootId}>
                      <td>
                        <a href={`/comments/${h.rootId}`}>{t`Subthread ${formatNumber(i + 1)}`}</a>{' '}
                        <span class="muted">({plural(h.comments, { one: '# comment', other: '# comments' })})</span>
                      </td>
                      <td>
                        {formatNumber(h.repliesPerMinute)}{' '}
                        <span class="muted">({plural(h.replies, { one: '# reply', other: '# replies' })})</span>
                      </td>
                      <td>{t`level ${formatNumber(h.maxDepth)}`}</td>
                      <td class={h.reportedShare >= 0.25 ? 'hot' : undefined}>
                        {percent(h.reportedShare)} <span class="muted">({formatNumber(h.reported)})</span>
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
      setMessage(t`Applied: readers see the new slow mode now.`);
    } catch (e) {
      setError(explain(e));
    }
  };

  return (
    <form class="settings slow-mode-control" onSubmit={(e) => void save(e)} aria-labelledby="slow-title">
      <h3 id="slow-title">{t`Slow mode`}</h3>
      <p class="muted" data-slow-mode-state>
        {describeSlowMode(article.slowMode)}
      </p>
      <fieldset>
        <legend class="visually-hidden">{t`Slow mode setting`}</legend>
        <label class="check">
          <input
            type="radio"
            name="slow-setting"
            value="auto"
            checked={setting === 'auto'}
            onChange={() => setSetting('auto')}
          />{' '}
          {t`Automatic: on when the thread runs hot, off when it calms down`}
        </label>
        <label class="check">
          <input
            type="radio"
            name="slow-setting"
            value="off"
            checked={setting === 'off'}
            onChange={() => setSetting('off')}
          />{' '}
          {t`Off: never on this article`}
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
            {t`Fixed interval`}
          </label>
          <label>
            {t`Seconds between one reader’s comments`}{' '}
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
          {t`Apply slow mode`}
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
