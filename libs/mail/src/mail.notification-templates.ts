import type { I18n } from '@lingui/core';
import { escape, hello, layout, oneLine, quote, translator, type RenderedMail } from './mail.layout.js';

// Notifications of comments, one at a time or as an hourly or daily digest.

// What a notification shows of one comment, decided at send time by the
// visibility policy (libs/forum visibility.ts) for the recipient.
export interface NotifiedComment {
  kind: 'reply' | 'staff_reply' | 'published' | 'rejected' | 'featured' | 'report' | 'queue_age';
  articleTitle: string;
  // The comment's author as the recipient may see it.
  author: string | null;
  // Sanitised HTML (the page's renderer) and the Markdown source.
  html: string;
  text: string;
  link: string;
  // A rejection's reason code.
  reason: string | null;
}

export interface NotificationMailData {
  username: string;
  locale?: string;
  items: NotifiedComment[];
  // hourly or daily when sent as a digest.
  digest: 'hourly' | 'daily' | null;
  settingsLink: string;
  unsubscribeLink: string;
}

const REASONS: Record<string, { id: string; message: string }> = {
  spam: /*i18n*/ { id: 'mail.reason.spam', message: 'spam' },
  abuse: /*i18n*/ { id: 'mail.reason.abuse', message: 'abuse' },
  off_topic: /*i18n*/ { id: 'mail.reason.off_topic', message: 'off topic' },
  illegal: /*i18n*/ { id: 'mail.reason.illegal', message: 'against the law' },
  other: /*i18n*/ { id: 'mail.reason.other', message: 'another reason' },
};
const reasonText = (t: I18n, code: string | null): string => {
  if (!code) return t._(/*i18n*/ { id: 'mail.reason.none', message: 'no reason given' });
  const known = REASONS[code];
  return known ? t._(known) : code;
};

function itemHeadline(t: I18n, item: NotifiedComment): string {
  const title = quote(item.articleTitle);
  switch (item.kind) {
    case 'reply':
      return item.author
        ? t._(
            /*i18n*/ {
              id: 'mail.item.reply',
              message: '{author} replied to your comment on {title}',
              values: { author: oneLine(item.author), title },
            },
          )
        : t._(
            /*i18n*/ {
              id: 'mail.item.reply-anonymous',
              message: 'Someone replied to your comment on {title}',
              values: { title },
            },
          );
    case 'staff_reply':
      return item.author
        ? t._(
            /*i18n*/ {
              id: 'mail.item.staff-reply',
              message: '{author} (staff) replied to your comment on {title}',
              values: { author: oneLine(item.author), title },
            },
          )
        : t._(
            /*i18n*/ {
              id: 'mail.item.staff-reply-anonymous',
              message: 'A moderator replied to your comment on {title}',
              values: { title },
            },
          );
    case 'published':
      return t._(
        /*i18n*/ { id: 'mail.item.published', message: 'Your comment on {title} is published', values: { title } },
      );
    case 'rejected':
      return t._(
        /*i18n*/ { id: 'mail.item.rejected', message: 'Your comment on {title} was not published', values: { title } },
      );
    case 'featured':
      return t._(
        /*i18n*/ { id: 'mail.item.featured', message: 'Your comment on {title} was featured', values: { title } },
      );
    case 'report':
      return t._(/*i18n*/ { id: 'mail.item.report', message: 'A comment on {title} was reported', values: { title } });
    case 'queue_age':
      return t._(
        /*i18n*/ {
          id: 'mail.item.queue-age',
          message: 'A comment on {title} has waited too long for a moderator',
          values: { title },
        },
      );
  }
}

function subjectFor(t: I18n, items: NotifiedComment[], digest: NotificationMailData['digest']): string {
  const count = items.length;
  if (digest === 'hourly')
    return t._(
      /*i18n*/ {
        id: 'mail.subject.digest-hourly',
        message: 'Your hourly digest: {count, plural, one {# notification} other {# notifications}}',
        values: { count },
      },
    );
  if (digest === 'daily')
    return t._(
      /*i18n*/ {
        id: 'mail.subject.digest-daily',
        message: 'Your daily digest: {count, plural, one {# notification} other {# notifications}}',
        values: { count },
      },
    );
  if (count === 1) return itemHeadline(t, items[0]);
  if (items.every((i) => i.kind === 'reply' || i.kind === 'staff_reply'))
    return t._(
      /*i18n*/ {
        id: 'mail.subject.replies',
        message: '{count, plural, one {# new reply} other {# new replies}} to your comments',
        values: { count },
      },
    );
  if (items.every((i) => i.kind === 'report' || i.kind === 'queue_age'))
    return t._(
      /*i18n*/ {
        id: 'mail.subject.moderation',
        message: '{count, plural, one {# comment needs} other {# comments need}} a moderator',
        values: { count },
      },
    );
  return t._(
    /*i18n*/ {
      id: 'mail.subject.mixed',
      message: '{count, plural, one {# notification} other {# notifications}} about your comments',
      values: { count },
    },
  );
}

export function notificationMail(data: NotificationMailData): RenderedMail {
  const { t, locale } = translator(data.locale);
  const subject = oneLine(subjectFor(t, data.items, data.digest));
  const text = [hello(t, data.username), ''];
  const html = [`<p>${escape(hello(t, data.username))}</p>`];
  const reasonLine = (reason: string) =>
    t._(/*i18n*/ { id: 'mail.item.reason', message: 'Reason: {reason}', values: { reason } });
  for (const item of data.items) {
    const headline = itemHeadline(t, item);
    text.push(headline + ':', '');
    text.push(...item.text.split('\n').map((line) => `> ${line}`));
    if (item.kind === 'rejected') text.push('', reasonLine(reasonText(t, item.reason)));
    text.push('', item.link, '');
    html.push(
      `<h3 style="font-size:1em">${escape(headline)}</h3>`,
      `<blockquote style="border-inline-start:3px solid #ccc;margin:0;padding-inline-start:1em">${item.html}</blockquote>`,
      item.kind === 'rejected' ? `<p>${escape(reasonLine(reasonText(t, item.reason)))}</p>` : '',
      `<p><a href="${escape(item.link)}">${escape(t._(/*i18n*/ { id: 'mail.item.open', message: 'Open the conversation' }))}</a></p>`,
    );
  }
  const why = t._(/*i18n*/ { id: 'mail.footer.why', message: 'You get this because of your notification settings.' });
  const change = t._(/*i18n*/ { id: 'mail.footer.change', message: 'Change them' });
  const stop = t._(/*i18n*/ { id: 'mail.footer.stop', message: 'Stop these emails' });
  text.push('--', why, `${change}: ${data.settingsLink}`, `${stop}: ${data.unsubscribeLink}`);
  return {
    subject,
    text: text.join('\n'),
    html: layout(locale, html, [
      escape(why),
      `<a href="${escape(data.settingsLink)}">${escape(change)}</a> · <a href="${escape(data.unsubscribeLink)}">${escape(stop)}</a>`,
    ]),
  };
}
