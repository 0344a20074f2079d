import { directionOf, SOURCE_LOCALE, translatorFor } from '@rejoinder/common';
import type { I18n } from '@lingui/core';

// Every message Rejoinder sends, one function per kind: each takes the data
// and the recipient's language, and returns the subject and both parts. The
// words are catalogue messages (locales/server/<tag>.po, extracted from the
// /*i18n*/ marks here): a translation is a catalogue, not a change here.

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

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

const escape = (value: string): string =>
  value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

// A subject is one line whatever a title or a name holds.
export const oneLine = (value: string): string => value.replace(/[\r\n\u2028\u2029\t]+/g, ' ').trim();

const quote = (title: string): string => `“${oneLine(title)}”`;

function layout(locale: string, paragraphs: string[], footer: string[]): string {
  return [
    `<!doctype html><html lang="${escape(locale)}" dir="${directionOf(locale)}"><body style="font-family:system-ui,sans-serif;line-height:1.5;max-width:40em">`,
    ...paragraphs,
    footer.length > 0 ? `<hr><p style="color:#555;font-size:0.85em">${footer.join('<br>')}</p>` : '',
    '</body></html>',
  ].join('\n');
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

// The recipient's language, else the source's.
const translator = (locale: string | undefined): { t: I18n; locale: string } => {
  const t = translatorFor(locale ?? SOURCE_LOCALE);
  return { t, locale: t.locale };
};

const hello = (t: I18n, username: string) =>
  t._(/*i18n*/ { id: 'mail.hello', message: 'Hello {username},', values: { username } });

export function verifyEmailMail(data: {
  username: string;
  link: string;
  hours: number;
  locale?: string;
}): RenderedMail {
  const { t, locale } = translator(data.locale);
  const lifetime = t._(
    /*i18n*/ {
      id: 'mail.verify.lifetime',
      message:
        'The link works once, for {hours, plural, one {# hour} other {# hours}}. If you did not ask for it, ignore this message.',
      values: { hours: data.hours },
    },
  );
  return {
    subject: t._(/*i18n*/ { id: 'mail.verify.subject', message: 'Confirm your email address' }),
    text: [
      hello(t, data.username),
      '',
      t._(
        /*i18n*/ {
          id: 'mail.verify.open',
          message: 'Confirm this address for your account by opening the link below:',
        },
      ),
      data.link,
      '',
      lifetime,
    ].join('\n'),
    html: layout(
      locale,
      [
        `<p>${escape(hello(t, data.username))}</p>`,
        `<p>${escape(t._(/*i18n*/ { id: 'mail.verify.intro', message: 'Confirm this address for your account:' }))}</p>`,
        `<p><a href="${escape(data.link)}">${escape(t._(/*i18n*/ { id: 'mail.verify.button', message: 'Confirm my address' }))}</a></p>`,
        `<p>${escape(lifetime)}</p>`,
      ],
      [],
    ),
  };
}

export function passwordResetMail(data: {
  username: string;
  link: string;
  minutes: number;
  locale?: string;
}): RenderedMail {
  const { t, locale } = translator(data.locale);
  const asked = t._(
    /*i18n*/ { id: 'mail.reset.asked', message: 'Someone (we hope you) asked to reset the password of your account.' },
  );
  const lifetime = t._(
    /*i18n*/ {
      id: 'mail.reset.lifetime',
      message:
        'The link works once, for {minutes, plural, one {# minute} other {# minutes}}; it signs you out everywhere else.',
      values: { minutes: data.minutes },
    },
  );
  const ignore = t._(
    /*i18n*/ {
      id: 'mail.reset.ignore',
      message: 'If you did not ask for it, ignore this message: your password stays as it is.',
    },
  );
  return {
    subject: t._(/*i18n*/ { id: 'mail.reset.subject', message: 'Reset your password' }),
    text: [
      hello(t, data.username),
      '',
      `${asked} ${t._(/*i18n*/ { id: 'mail.reset.choose', message: 'Choose a new one here:' })}`,
      data.link,
      '',
      lifetime,
      ignore,
    ].join('\n'),
    html: layout(
      locale,
      [
        `<p>${escape(hello(t, data.username))}</p>`,
        `<p>${escape(asked)}</p>`,
        `<p><a href="${escape(data.link)}">${escape(t._(/*i18n*/ { id: 'mail.reset.button', message: 'Choose a new password' }))}</a></p>`,
        `<p>${escape(lifetime)}</p>`,
        `<p>${escape(ignore)}</p>`,
      ],
      [],
    ),
  };
}

// A reset asked for an account that signs in with the publisher's login.
export function externalAccountResetMail(data: { username: string; locale?: string }): RenderedMail {
  const { t, locale } = translator(data.locale);
  const lines = [
    t._(
      /*i18n*/ {
        id: 'mail.external.none',
        message:
          "Someone asked to reset the password of your account, but it has none here: you sign in with the publisher's own login.",
      },
    ),
    t._(
      /*i18n*/ {
        id: 'mail.external.where',
        message: "To change your password, use the publisher's site. If you did not ask, ignore this message.",
      },
    ),
  ];
  return {
    subject: t._(/*i18n*/ { id: 'mail.external.subject', message: 'About your password' }),
    text: [hello(t, data.username), '', ...lines].join('\n'),
    html: layout(
      locale,
      [`<p>${escape(hello(t, data.username))}</p>`, ...lines.map((line) => `<p>${escape(line)}</p>`)],
      [],
    ),
  };
}

export function emailChangedMail(data: { username: string; newEmail: string; locale?: string }): RenderedMail {
  const { t, locale } = translator(data.locale);
  const masked = maskAddress(data.newEmail);
  const changed = (address: string) =>
    t._(
      /*i18n*/ {
        id: 'mail.changed.body',
        message: 'The email address of your account was changed to {address}. Mail now goes there.',
        values: { address },
      },
    );
  const warn = t._(
    /*i18n*/ {
      id: 'mail.changed.warn',
      message: 'If you did not do this, reset your password at once and tell the site.',
    },
  );
  return {
    subject: t._(/*i18n*/ { id: 'mail.changed.subject', message: 'Your email address was changed' }),
    text: [hello(t, data.username), '', changed(masked), warn].join('\n'),
    html: layout(
      locale,
      [
        `<p>${escape(hello(t, data.username))}</p>`,
        `<p>${escape(changed('\u0000')).replace('\u0000', `<b>${escape(masked)}</b>`)}</p>`,
        `<p>${escape(warn)}</p>`,
      ],
      [],
    ),
  };
}

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

// The unsubscribe pages (GET asks, POST does), in the request's language.
export function unsubscribePage(data: {
  kind: string | null;
  action: string | null;
  done: boolean;
  error?: 'invalid';
  locale?: string;
}): string {
  const { t, locale } = translator(data.locale);
  const what = kindName(t, data.kind ?? '');
  const body =
    data.error === 'invalid'
      ? `<p>${escape(t._(/*i18n*/ { id: 'mail.unsubscribe.invalid', message: 'This unsubscribe link is not valid.' }))}</p>`
      : data.done
        ? `<p>${escape(t._(/*i18n*/ { id: 'mail.unsubscribe.done', message: 'Done: you will get no more {what}.', values: { what } }))}</p>`
        : [
            `<p>${escape(t._(/*i18n*/ { id: 'mail.unsubscribe.ask', message: 'Stop emails: {what}?', values: { what } }))}</p>`,
            `<form method="post" action="${escape(data.action ?? '')}">`,
            '<input type="hidden" name="List-Unsubscribe" value="One-Click">',
            `<button type="submit">${escape(t._(/*i18n*/ { id: 'mail.unsubscribe.button', message: 'Unsubscribe' }))}</button>`,
            '</form>',
          ].join('\n');
  const title = escape(t._(/*i18n*/ { id: 'mail.unsubscribe.title', message: 'Unsubscribe' }));
  return [
    `<!doctype html><html lang="${escape(locale)}" dir="${directionOf(locale)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">`,
    `<title>${title}</title></head><body style="font-family:system-ui,sans-serif;max-width:40em;margin:2em auto">`,
    `<h1>${title}</h1>`,
    body,
    '</body></html>',
  ].join('\n');
}

const KIND_NAMES: Record<string, { id: string; message: string }> = {
  reply: /*i18n*/ { id: 'mail.kind.reply', message: 'emails about replies to your comments' },
  staff_reply: /*i18n*/ { id: 'mail.kind.staff_reply', message: "emails about staff's replies to your comments" },
  moderation: /*i18n*/ { id: 'mail.kind.moderation', message: 'emails about moderators’ decisions on your comments' },
  featured: /*i18n*/ { id: 'mail.kind.featured', message: 'emails when your comment is featured' },
  report: /*i18n*/ { id: 'mail.kind.report', message: 'emails about new reports' },
  digest: /*i18n*/ { id: 'mail.kind.digest', message: 'digest emails (and every notification email)' },
};

// The name of a kind of email, as the unsubscribe page says it.
function kindName(t: I18n, kind: string): string {
  const known = KIND_NAMES[kind];
  return known ? t._(known) : kind;
}

// a***@example.com
export function maskAddress(address: string): string {
  const at = address.lastIndexOf('@');
  if (at <= 0) return '***';
  return `${address[0]}***${address.slice(at)}`;
}
