import type { Socket } from 'socket.io-client';
import { useEffect, useRef, useState } from 'preact/hooks';
import {
  allArticles,
  api,
  ApiError,
  explain,
  HOLD_REASON_WORDS,
  STANCES,
  isStaff,
  setSession,
  timeAgo,
  type ArticleSummary,
  type CommentView,
  type Page,
  type QueueItem,
} from '../api';
import { AccountForms, useSession } from '../account';
import { emitAck, openSocket, type Envelope, type LiveState, type SubscribeAck } from '../live';
import { NotificationSettings } from '../pages/account-pages';
import { SiteHeader } from '../pages/site-header';
import { ArticleSettings, EmailDomains, ModerationLog, WordLists } from './panels';
import { msg, plural, t } from '@lingui/core/macro';
import type { MessageDescriptor } from '@lingui/core';
import { formatDateTime, formatNumber, i18n } from '../i18n';

type QueueName = 'pending' | 'reported' | 'rejected';

const TRUST_NAMES = [msg`new`, msg`member`, msg`regular`] as const;

export const MOD_REASONS = [
  ['spam', msg`Spam`],
  ['abuse', msg`Abuse`],
  ['off_topic', msg`Off topic`],
  ['illegal', msg`Illegal`],
  ['personal_information', msg`Personal information`],
  ['other', msg`Other`],
] as const;

const QUEUES: [QueueName, MessageDescriptor][] = [
  ['pending', msg`Pending`],
  ['reported', msg`Reported`],
  ['rejected', msg`Rejected`],
];

// Lengths a moderator can suspend an account for, in hours.
const SUSPENSIONS: [number, MessageDescriptor][] = [
  [1, msg`1 hour`],
  [24, msg`24 hours`],
  [72, msg`3 days`],
  [168, msg`7 days`],
  [720, msg`30 days`],
];

export function ModerationConsole() {
  const session = useSession();
  const [tab, setTab] = useState<'queue' | 'articles' | 'domains' | 'log' | 'words' | 'settings'>('queue');
  useEffect(() => {
    document.title = t`Moderation · Rejoinder`;
  }, []);
  if (!session || !isStaff(session)) {
    return (
      <>
        <SiteHeader />
        <main class="page narrow" id="main">
          <h1>{t`Moderation`}</h1>
          {session ? (
            <p class="notice" role="status">
              {t`Your account (${session.user.username}) is not a moderator.`}{' '}
              <button type="button" class="link" onClick={() => setSession(null)}>
                {t`Sign in as someone else`}
              </button>
            </p>
          ) : (
            <AccountForms intro={t`Moderators sign in here.`} />
          )}
        </main>
      </>
    );
  }
  const tabs: [typeof tab, string][] = [
    ['queue', t`Queue`],
    ['articles', t`Articles`],
    ['domains', t`Email domains`],
    ['log', t`Log`],
    ...(session.user.role === 'admin' ? ([['words', t`Word lists`]] as [typeof tab, string][]) : []),
    ['settings', t`Notification settings`],
  ];
  return (
    <>
      <SiteHeader />
      <main class="page wide" id="main">
        <div class="console-head">
          <h1>{t`Moderation`}</h1>
          <span class="muted">
            <bdi>{session.user.username}</bdi> ({roleName(session.user.role)}){' '}
            <button type="button" class="link" onClick={() => setSession(null)}>
              {t`Sign out`}
            </button>
          </span>
        </div>
        <nav class="tabs" aria-label={t`Console sections`}>
          {tabs.map(([key, label]) => (
            <button type="button" aria-current={tab === key ? 'page' : undefined} onClick={() => setTab(key)}>
              {label}
            </button>
          ))}
        </nav>
        {tab === 'queue' && <Queue />}
        {tab === 'articles' && <ArticleSettings />}
        {tab === 'domains' && <EmailDomains />}
        {tab === 'log' && <ModerationLog />}
        {tab === 'words' && <WordLists />}
        {tab === 'settings' && <NotificationSettings />}
      </main>
    </>
  );
}

function Queue() {
  const [queue, setQueue] = useState<QueueName>('pending');
  const [items, setItems] = useState<QueueItem[] | null>(null);
  const [titles, setTitles] = useState<Map<string, string>>(new Map());
  const titlesRef = useRef(titles);
  titlesRef.current = titles;
  const [slugs, setSlugs] = useState<ArticleSummary[]>([]);
  const [live, setLive] = useState<LiveState>('connecting');
  const [status, setStatus] = useState('');
  const [error, setError] = useState('');
  const seq = useRef<number | null>(null);
  const queueRef = useRef(queue);
  queueRef.current = queue;
  // One article's items, or every article's (the empty slug).
  const [article, setArticle] = useState('');
  const articleRef = useRef(article);
  articleRef.current = article;
  const articleIdRef = useRef<string | null>(null);
  const mine = useRef(new Set<string>());
  const refresh = useRef<() => void>(() => undefined);

  const load = async () => {
    try {
      const only = articleRef.current ? `&article=${encodeURIComponent(articleRef.current)}` : '';
      const page = await api<Page<QueueItem>>(
        'GET',
        `/api/moderation/queue?status=${queueRef.current}&limit=50${only}`,
      );
      setItems(page.items);
      setError('');
    } catch (e) {
      setError(explain(e));
    }
  };
  refresh.current = () => void load();

  useEffect(() => {
    setItems(null);
    void load();
  }, [queue, article]);

  useEffect(() => {
    allArticles().then(
      (all) => {
        setTitles(new Map(all.map((a) => [a.id, a.title])));
        setSlugs(all);
      },
      () => undefined,
    );
    let timer: ReturnType<typeof setTimeout> | undefined;
    const socket: Socket = openSocket({
      onState: setLive,
      onConnect: (s) => {
        void emitAck<SubscribeAck>(
          s,
          'subscribe',
          seq.current === null ? { feed: 'moderation' } : { feed: 'moderation', after: seq.current },
        ).then(
          (ack) => {
            if (typeof ack.seq === 'number' && (seq.current === null || ack.seq > seq.current)) seq.current = ack.seq;
            if (ack.resync) refresh.current();
          },
          () => undefined,
        );
      },
      events: {
        'queue.added': (env: Envelope<{ queue: QueueName; comment: CommentView }>) => {
          seq.current = Math.max(seq.current ?? 0, env.seq);
          if (env.data.queue !== queueRef.current) return;
          if (articleIdRef.current && articleIdRef.current !== env.data.comment.articleId) return;
          setStatus(
            t`New in the ${i18n._(QUEUES.find(([key]) => key === env.data.queue)?.[1] ?? msg`Pending`)} queue: a comment by ${env.data.comment.author?.username ?? t`someone`}.`,
          );
          // The event carries the comment; the queue item adds its context (parent, reports, record).
          clearTimeout(timer);
          timer = setTimeout(() => refresh.current(), 150);
        },
        // Slow mode on an article changed (by itself or by a moderator): said
        // here too, so a moderator working the queue hears of a heated thread.
        'slow_mode.changed': (
          env: Envelope<{
            slug: string;
            action: 'on' | 'off' | 'setting';
            by: 'auto' | 'moderator';
            rate: { commentsPerMinute: number; reportsPerMinute: number } | null;
          }>,
        ) => {
          seq.current = Math.max(seq.current ?? 0, env.seq);
          if (env.data.by !== 'auto') return;
          const title = titlesRef.current.get(env.articleId) ?? env.data.slug;
          setStatus(
            env.data.action === 'on'
              ? t`Slow mode turned on by itself on “${title}”: ${formatNumber(env.data.rate?.commentsPerMinute ?? 0)} comments and ${formatNumber(env.data.rate?.reportsPerMinute ?? 0)} reports per minute. See its health in Articles.`
              : t`Slow mode lifted by itself on “${title}”: the thread has calmed down.`,
          );
        },
        'queue.resolved': (env: Envelope<{ commentId: string; action: string; status: string }>) => {
          seq.current = Math.max(seq.current ?? 0, env.seq);
          const { commentId, action } = env.data;
          if (mine.current.delete(commentId)) return;
          setItems((list) => {
            if (!list?.some((i) => i.comment.id === commentId)) return list;
            setStatus(t`Another moderator chose “${action}” for a comment; it left the queue.`);
            return list.filter((i) => i.comment.id !== commentId);
          });
        },
      },
    });
    return () => {
      clearTimeout(timer);
      socket.close();
    };
  }, []);

  // j/k move between items; a, r and x approve, reject and remove the one in
  // focus. Anywhere on the page but in a form field.
  const list = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement;
      if (event.ctrlKey || event.metaKey || event.altKey || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) return;
      const cards = [...(list.current?.querySelectorAll<HTMLElement>('.queue-item') ?? [])];
      const current = cards.findIndex((c) => c.contains(target));
      const key = event.key.toLowerCase();
      if (key === 'j' || key === 'k') {
        const next = cards[Math.min(cards.length - 1, Math.max(0, current + (key === 'j' ? 1 : -1)))];
        next?.focus();
        event.preventDefault();
        return;
      }
      const button = ({ a: 'approve', r: 'reject', x: 'remove' } as Record<string, string>)[key];
      if (button && current >= 0) {
        cards[current].querySelector<HTMLButtonElement>(`button[data-action="${button}"]`)?.click();
        event.preventDefault();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  const resolved = (id: string) => {
    mine.current.add(id);
    setItems((l) => l?.filter((i) => i.comment.id !== id) ?? null);
  };

  return (
    <section aria-labelledby="queue-title">
      <div class="queue-head">
        <h2 id="queue-title" class="visually-hidden">
          {t`Queue`}
        </h2>
        <div class="segmented" role="group" aria-label={t`Queue`}>
          {QUEUES.map(([key, label]) => (
            <button type="button" aria-pressed={queue === key} onClick={() => setQueue(key)}>
              {i18n._(label)}
            </button>
          ))}
        </div>
        <label class="inline">
          {t`Article`}{' '}
          <select
            value={article}
            onChange={(e) => {
              const slug = e.currentTarget.value;
              articleIdRef.current = slugs.find((a) => a.slug === slug)?.id ?? null;
              setArticle(slug);
            }}
          >
            <option value="">{t`All articles`}</option>
            {slugs.map((a) => (
              <option value={a.slug} dir="auto">
                {a.title}
              </option>
            ))}
          </select>
        </label>
        <span class={`live ${live}`}>
          {live === 'online' ? t`Live` : live === 'offline' ? t`Offline, reconnecting…` : t`Connecting…`}
        </span>
      </div>
      <p class="hint">{t`Keys: J / K next and previous, A approve, R reject, X remove (pick a reason first).`}</p>
      <p class="status" role="status" aria-live="polite">
        {status}
      </p>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <div ref={list} class="queue">
        {items === null ? (
          <p class="muted">{t`Loading…`}</p>
        ) : items.length === 0 ? (
          <p class="muted empty">{t`Nothing waits here. Well done.`}</p>
        ) : (
          items.map((item) => (
            <QueueCard
              key={item.comment.id}
              item={item}
              title={titles.get(item.comment.articleId)}
              onResolved={resolved}
              onStale={() => refresh.current()}
            />
          ))
        )}
      </div>
    </section>
  );
}

function QueueCard({
  item,
  title,
  onResolved,
  onStale,
}: {
  item: QueueItem;
  title?: string;
  onResolved: (id: string) => void;
  onStale: () => void;
}) {
  const { comment: c, author } = item;
  const [reason, setReason] = useState('');
  const [suspendFor, setSuspendFor] = useState(String(SUSPENSIONS[1][0]));
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [record, setRecord] = useState(author);
  const suspended = record.suspendedUntil !== null && new Date(record.suspendedUntil) > new Date();
  const reasonRef = useRef<HTMLSelectElement>(null);
  const labelId = `q-${c.id}`;

  const act = async (action: string) => {
    if ((action === 'reject' || action === 'remove') && !reason) {
      setError(t`Choose a reason first.`);
      reasonRef.current?.focus();
      return;
    }
    setBusy(true);
    setError('');
    try {
      await api('POST', `/api/moderation/comments/${c.id}/actions`, {
        action,
        version: item.version,
        ...(action === 'reject' || action === 'remove' ? { reason } : {}),
      });
      onResolved(c.id);
    } catch (e) {
      if (e instanceof ApiError && (e.code === 'STALE_VERSION' || e.code === 'INVALID_TRANSITION')) {
        setError(t`Someone else acted on this comment first. ${explain(e)}`);
        setTimeout(onStale, 4000);
      } else setError(explain(e));
    } finally {
      setBusy(false);
    }
  };

  const sanction = async (change: Record<string, unknown>) => {
    try {
      const after = await api<{ ghostBanned: boolean; trust: QueueItem['author']['trust'] }>(
        'PATCH',
        `/api/moderation/users/${record.id}`,
        change,
      );
      const { trustLevel: _level, ...rest } = change;
      setRecord((r) => ({ ...r, ...(rest as Partial<typeof r>), ghostBanned: after.ghostBanned, trust: after.trust }));
    } catch (e) {
      setError(explain(e));
    }
  };

  const canRemove = c.status === 'published';
  const pendingLike = c.status === 'pending' || c.status === 'shadowed';
  return (
    <article class="queue-item" tabIndex={0} aria-labelledby={labelId}>
      <header class="comment-head">
        <span class="avatar" aria-hidden="true">
          {record.username.slice(0, 1).toUpperCase()}
        </span>
        <span id={labelId} class="author">
          {record.username}
        </span>
        <time dateTime={c.createdAt} class="muted">
          {timeAgo(c.createdAt)}
        </time>
        {title && <span class="muted">{t`on “${title}”`}</span>}
        {c.stance && <span class={`badge stance stance-${c.stance}`}>{stanceWord(c.stance)}</span>}
        {item.moderationReason && <span class="badge warn">{reasonWord(item.moderationReason)}</span>}
        {c.status === 'shadowed' && <span class="badge danger">{t`ghost-banned: only its author sees it`}</span>}
        {item.openReports > 0 && (
          <span class="badge danger">{plural(item.openReports, { one: '# report', other: '# reports' })}</span>
        )}
      </header>
      {c.anchor && (
        <blockquote class="context">
          <span class="muted">
            {c.anchor.paragraph === null
              ? t`Answering a passage since edited of the article:`
              : t`Answering passage ${formatNumber(c.anchor.paragraph + 1)} of the article:`}
          </span>{' '}
          <q dir="auto">{c.anchor.quote}</q>
        </blockquote>
      )}
      {item.parent && (
        <blockquote class="context">
          <span class="muted">
            {item.parent.author ? t`In reply to ${item.parent.author.username}:` : t`In reply to a removed comment:`}
          </span>
          <div
            dir="auto"
            lang={item.parent.lang ?? undefined}
            dangerouslySetInnerHTML={{ __html: item.parent.html ?? '' }}
          />
        </blockquote>
      )}
      {item.holdReasons.length > 0 && (
        <p class="hold-reasons">
          {t`Held for:`}{' '}
          {item.holdReasons.map((r) => (
            <span class="badge warn" data-reason={r}>
              {HOLD_REASON_WORDS[r] ? i18n._(HOLD_REASON_WORDS[r]) : r.replace(/_/g, ' ')}
            </span>
          ))}
        </p>
      )}
      <div class="body" dir="auto" lang={c.lang ?? undefined} dangerouslySetInnerHTML={{ __html: c.html ?? '' }} />
      {item.reports.length > 0 && (
        <ul class="reports" aria-label={t`Reports`}>
          {item.reports.map((r) => (
            <li>
              <strong>{reasonWord(r.reason)}</strong>
              {r.note && (
                <>
                  : <bdi>{r.note}</bdi>
                </>
              )}{' '}
              <time class="muted" dateTime={r.createdAt}>
                {timeAgo(r.createdAt)}
              </time>
            </li>
          ))}
        </ul>
      )}
      <p class="record">
        {t`Author’s record: ${formatNumber(record.approved)} published, ${formatNumber(record.rejected)} rejected`}{' '}
        <span class="badge" data-trust={record.trust.level}>
          {record.trust.pinned
            ? t`trust: ${trustName(record.trust.level, record.trust.name)} (pinned)`
            : t`trust: ${trustName(record.trust.level, record.trust.name)}`}
        </span>
        {record.banned && <span class="badge danger">{t`banned`}</span>}
        {record.ghostBanned && <span class="badge danger">{t`ghost-banned`}</span>}
        {suspended && <span class="badge warn">{t`suspended until ${formatDateTime(record.suspendedUntil!)}`}</span>}
        {record.premoderated && <span class="badge warn">{t`premoderated`}</span>}
      </p>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <div class="row actions">
        <label>
          <span class="visually-hidden">{t`Reason`}</span>
          <select
            ref={reasonRef}
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
            aria-label={t`Reason`}
          >
            <option value="">{t`Reason…`}</option>
            {MOD_REASONS.map(([value, label]) => (
              <option value={value}>{i18n._(label)}</option>
            ))}
          </select>
        </label>
        {/* The three decisions are always offered; one that does not fit the comment's state is disabled. */}
        <button
          type="button"
          class="primary"
          data-action="approve"
          disabled={busy || !(pendingLike || item.openReports > 0)}
          onClick={() => void act('approve')}
        >
          {t`Approve`}
        </button>
        <button type="button" data-action="reject" disabled={busy || !pendingLike} onClick={() => void act('reject')}>
          {t`Reject`}
        </button>
        <button
          type="button"
          class="danger"
          data-action="remove"
          disabled={busy || !canRemove}
          onClick={() => void act('remove')}
        >
          {t`Remove`}
        </button>
        {c.status === 'rejected' && (
          <button type="button" data-action="restore" disabled={busy} onClick={() => void act('restore')}>
            {t`Restore`}
          </button>
        )}
        {canRemove && (
          <button type="button" disabled={busy} onClick={() => void act(c.featured ? 'unfeature' : 'feature')}>
            {c.featured ? t`Unfeature` : t`Feature`}
          </button>
        )}
        {canRemove && c.parentId === null && (
          <button type="button" disabled={busy} onClick={() => void act(c.pinned ? 'unpin' : 'pin')}>
            {c.pinned ? t`Unpin` : t`Pin`}
          </button>
        )}
      </div>
      <details class="sanctions">
        <summary>{t`Sanction ${record.username}`}</summary>
        <div class="row">
          <button
            type="button"
            onClick={() => void sanction({ premoderated: !record.premoderated, ...(reason ? { reason } : {}) })}
          >
            {record.premoderated ? t`Stop premoderating` : t`Always premoderate`}
          </button>
          <label>
            {t`Suspend for`}{' '}
            <select value={suspendFor} onChange={(e) => setSuspendFor((e.target as HTMLSelectElement).value)}>
              {SUSPENSIONS.map(([hours, label]) => (
                <option value={String(hours)}>{i18n._(label)}</option>
              ))}
            </select>
          </label>
          <button
            type="button"
            onClick={() =>
              void sanction({
                suspendedUntil: new Date(Date.now() + Number(suspendFor) * 3_600_000).toISOString(),
                ...(reason ? { reason } : {}),
              })
            }
          >
            {t`Suspend`}
          </button>
          {suspended && (
            <button
              type="button"
              onClick={() => void sanction({ suspendedUntil: null, ...(reason ? { reason } : {}) })}
            >
              {t`Lift suspension`}
            </button>
          )}
          <button
            type="button"
            class="danger"
            onClick={() => void sanction({ banned: !record.banned, ...(reason ? { reason } : {}) })}
          >
            {record.banned ? t`Lift ban` : t`Ban`}
          </button>
          <button
            type="button"
            class="danger"
            title={t`Their new comments are shown to them as published, and to nobody else; they are not told`}
            onClick={() => void sanction({ ghostBanned: !record.ghostBanned, ...(reason ? { reason } : {}) })}
          >
            {record.ghostBanned ? t`Lift ghost ban` : t`Ghost-ban`}
          </button>
          <label>
            {t`Trust level`}{' '}
            <select
              aria-label={t`Trust level`}
              value={record.trust.pinned ? String(record.trust.level) : ''}
              onChange={(e) => {
                const value = e.currentTarget.value;
                void sanction({ trustLevel: value === '' ? null : Number(value) });
              }}
            >
              <option value="">{t`From history`}</option>
              {TRUST_NAMES.map((name, level) => (
                <option value={String(level)}>{t`Pin: ${i18n._(name)}`}</option>
              ))}
            </select>
          </label>
        </div>
      </details>
    </article>
  );
}

// Words for the codes the console shows: roles, trust levels, stances, reasons.
function roleName(role: string): string {
  if (role === 'admin') return t`admin`;
  if (role === 'moderator') return t`moderator`;
  return t`commenter`;
}

function trustName(level: number, fallback: string): string {
  const name = TRUST_NAMES[level];
  return name ? i18n._(name) : fallback;
}

function stanceWord(stance: string): string {
  const known = STANCES.find(([value]) => value === stance);
  return known ? i18n._(known[1]).toLocaleLowerCase(i18n.locale) : stance;
}

function reasonWord(code: string): string {
  const known = MOD_REASONS.find(([value]) => value === code);
  return known ? i18n._(known[1]).toLocaleLowerCase(i18n.locale) : code.replace(/_/g, ' ');
}
