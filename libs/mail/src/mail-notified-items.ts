import { visibility } from '@rejoinder/forum';
import type { CommentRow } from '@rejoinder/forum';
import type { UnsubscribeKind } from './mail-links.js';
import type { OutboxRow, Recipient } from './mail-outbox.repository.js';
import type { MailSettingsRecord } from './mail-settings.repository.js';
import type { NotifiedComment } from './mail.templates.js';

// What a notification holds, decided at send time: which comments the
// recipient is shown, and when a digest reader's mail goes out.

// One notification as the recipient may see it now, or null: a comment
// hidden from them since (held, removed, erased) is not mailed, nor one
// whose kind they turned off.
export function notifiedItem(
  base: string,
  row: OutboxRow,
  comment: CommentRow,
  article: { slug: string; title: string },
  viewer: { id: string; username: string; role: Recipient['role']; createdAt: Date },
  settings: MailSettingsRecord,
): { item: NotifiedComment; setting: UnsubscribeKind } | null {
  if (visibility(comment, viewer) !== 'full') return null;
  const link = `${base}/comments/${comment.id}`;
  const shown = {
    articleTitle: article.title,
    author: comment.authorName,
    html: comment.bodyHtml,
    text: comment.bodySource,
    link,
    reason: null,
  };
  switch (row.kind) {
    case 'reply': {
      // A reply by staff falls under its own setting.
      const staff = row.data.staff === true;
      if (staff ? !settings.onStaffReply : !settings.onReply) return null;
      if (comment.status !== 'published') return null;
      return { item: { ...shown, kind: staff ? 'staff_reply' : 'reply' }, setting: staff ? 'staff_reply' : 'reply' };
    }
    case 'published':
      if (!settings.onModeration || comment.status !== 'published' || comment.authorId !== viewer.id) return null;
      return { item: { ...shown, kind: 'published', author: null }, setting: 'moderation' };
    case 'rejected':
      // Only the reader's own text, with the reason.
      if (!settings.onModeration || comment.status !== 'rejected' || comment.authorId !== viewer.id) return null;
      return {
        item: {
          ...shown,
          kind: 'rejected',
          author: null,
          reason: comment.moderationReason,
          link: `${base}/articles/${article.slug}`,
        },
        setting: 'moderation',
      };
    case 'featured':
      if (!settings.onFeatured || !comment.featured || comment.authorId !== viewer.id) return null;
      return { item: { ...shown, kind: 'featured', author: null }, setting: 'featured' };
    case 'report':
    case 'queue_age':
      if (viewer.role === 'commenter') return null;
      if (row.kind === 'report' && !settings.onReport) return null;
      if (row.kind === 'queue_age' && settings.queueAgeMinutes === null) return null;
      return { item: { ...shown, kind: row.kind, link: `${base}/moderation` }, setting: 'report' };
    default:
      return null;
  }
}

// The next hour, or the next day (00:00 UTC).
export function nextDigest(frequency: 'hourly' | 'daily', now: Date): Date {
  const next = new Date(now);
  if (frequency === 'hourly') {
    next.setUTCMinutes(0, 0, 0);
    next.setUTCHours(next.getUTCHours() + 1);
  } else {
    next.setUTCHours(0, 0, 0, 0);
    next.setUTCDate(next.getUTCDate() + 1);
  }
  return next;
}
