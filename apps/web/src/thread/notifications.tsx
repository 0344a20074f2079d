import { useEffect, useState } from 'preact/hooks';
import { api, authorName, explain, timeAgo, type Notification } from '../api';
import { t } from '@lingui/core/macro';
import { formatNumber } from '../i18n';

type Note = Notification;

// Replies to the reader's comments: an unread count on a button, the list in a panel.
export function Notifications({
  bump,
  permalink,
  articleId,
}: {
  bump: number;
  permalink: (id: string) => string;
  articleId: string;
}) {
  const [unread, setUnread] = useState(0);
  const [open, setOpen] = useState(false);
  const [items, setItems] = useState<Note[] | null>(null);
  const [error, setError] = useState('');

  const load = async () => {
    try {
      const page = await api<{ items: Note[]; unreadCount: number }>('GET', '/api/me/notifications?limit=20');
      setItems(page.items);
      setUnread(page.unreadCount);
    } catch (e) {
      setError(explain(e));
    }
  };
  useEffect(() => void load(), [bump]);

  const markAll = async () => {
    try {
      const result = await api<{ unreadCount: number }>('POST', '/api/me/notifications/read', { all: true });
      setUnread(result.unreadCount);
      setItems((list) => list?.map((n) => ({ ...n, read: true })) ?? null);
    } catch (e) {
      setError(explain(e));
    }
  };

  return (
    <span class="notes">
      <button
        type="button"
        class="link"
        aria-expanded={open}
        aria-controls="notes-panel"
        onClick={() => setOpen(!open)}
      >
        {t`Replies to you`}
        {unread > 0 && (
          <span class="pill" aria-label={t`${formatNumber(unread)} unread`}>
            {formatNumber(unread)}
          </span>
        )}
      </button>
      {open && (
        <div id="notes-panel" class="notes-panel" role="region" aria-label={t`Replies to you`}>
          {error && <p class="error">{error}</p>}
          {items && items.length === 0 && <p class="muted">{t`No replies yet.`}</p>}
          <ul>
            {items?.map((n) => (
              <li key={n.id} class={n.read ? '' : 'unread'}>
                {n.comment?.author ? <strong>{authorName(n.comment)}</strong> : t`Someone`}{' '}
                {t`replied ${timeAgo(n.createdAt)}`}
                {n.comment && n.articleId === articleId && (
                  <>
                    {': '}
                    <a href={permalink(n.comment.id)}>{(n.comment.body ?? '').slice(0, 80) || t`view`}</a>
                  </>
                )}
                {n.comment && n.articleId !== articleId && (
                  <>
                    {' '}
                    {t`on another article:`} <a href={`/comments/${n.comment.id}`}>{t`view`}</a>
                  </>
                )}
              </li>
            ))}
          </ul>
          {unread > 0 && (
            <button type="button" class="link" onClick={() => void markAll()}>
              {t`Mark all as read`}
            </button>
          )}
        </div>
      )}
    </span>
  );
}
