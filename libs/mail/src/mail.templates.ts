// Every message Rejoinder sends, one function per kind: each takes the data
// and returns the subject and both parts. The words live here only, so a
// translation replaces these functions and nothing else.

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

function layout(paragraphs: string[], footer: string[]): string {
  return [
    '<!doctype html><html><body style="font-family:system-ui,sans-serif;line-height:1.5;max-width:40em">',
    ...paragraphs,
    footer.length > 0 ? `<hr><p style="color:#555;font-size:0.85em">${footer.join('<br>')}</p>` : '',
    '</body></html>',
  ].join('\n');
}

const REASONS: Record<string, string> = {
  spam: 'spam',
  abuse: 'abuse',
  off_topic: 'off topic',
  illegal: 'against the law',
  other: 'another reason',
};
const reasonText = (code: string | null): string => (code ? (REASONS[code] ?? code) : 'no reason given');

export function verifyEmailMail(data: { username: string; link: string; hours: number }): RenderedMail {
  return {
    subject: 'Confirm your email address',
    text: [
      `Hello ${data.username},`,
      '',
      'Confirm this address for your account by opening the link below:',
      data.link,
      '',
      `The link works once, for ${data.hours} hours. If you did not ask for it, ignore this message.`,
    ].join('\n'),
    html: layout(
      [
        `<p>Hello ${escape(data.username)},</p>`,
        '<p>Confirm this address for your account:</p>',
        `<p><a href="${escape(data.link)}">Confirm my address</a></p>`,
        `<p>The link works once, for ${data.hours} hours. If you did not ask for it, ignore this message.</p>`,
      ],
      [],
    ),
  };
}

export function passwordResetMail(data: { username: string; link: string; minutes: number }): RenderedMail {
  return {
    subject: 'Reset your password',
    text: [
      `Hello ${data.username},`,
      '',
      'Someone (we hope you) asked to reset the password of your account. Choose a new one here:',
      data.link,
      '',
      `The link works once, for ${data.minutes} minutes; it signs you out everywhere else.`,
      'If you did not ask for it, ignore this message: your password stays as it is.',
    ].join('\n'),
    html: layout(
      [
        `<p>Hello ${escape(data.username)},</p>`,
        '<p>Someone (we hope you) asked to reset the password of your account.</p>',
        `<p><a href="${escape(data.link)}">Choose a new password</a></p>`,
        `<p>The link works once, for ${data.minutes} minutes; it signs you out everywhere else.</p>`,
        '<p>If you did not ask for it, ignore this message: your password stays as it is.</p>',
      ],
      [],
    ),
  };
}

// A reset asked for an account that signs in with the publisher's login.
export function externalAccountResetMail(data: { username: string }): RenderedMail {
  return {
    subject: 'About your password',
    text: [
      `Hello ${data.username},`,
      '',
      "Someone asked to reset the password of your account, but it has none here: you sign in with the publisher's own login.",
      "To change your password, use the publisher's site. If you did not ask, ignore this message.",
    ].join('\n'),
    html: layout(
      [
        `<p>Hello ${escape(data.username)},</p>`,
        "<p>Someone asked to reset the password of your account, but it has none here: you sign in with the publisher's own login.</p>",
        "<p>To change your password, use the publisher's site. If you did not ask, ignore this message.</p>",
      ],
      [],
    ),
  };
}

export function emailChangedMail(data: { username: string; newEmail: string }): RenderedMail {
  const masked = maskAddress(data.newEmail);
  return {
    subject: 'Your email address was changed',
    text: [
      `Hello ${data.username},`,
      '',
      `The email address of your account was changed to ${masked}. Mail now goes there.`,
      'If you did not do this, reset your password at once and tell the site.',
    ].join('\n'),
    html: layout(
      [
        `<p>Hello ${escape(data.username)},</p>`,
        `<p>The email address of your account was changed to <b>${escape(masked)}</b>. Mail now goes there.</p>`,
        '<p>If you did not do this, reset your password at once and tell the site.</p>',
      ],
      [],
    ),
  };
}

function itemHeadline(item: NotifiedComment): string {
  const on = quote(item.articleTitle);
  switch (item.kind) {
    case 'reply':
      return `${oneLine(item.author ?? 'Someone')} replied to your comment on ${on}`;
    case 'staff_reply':
      return `${oneLine(item.author ?? 'A moderator')} (staff) replied to your comment on ${on}`;
    case 'published':
      return `Your comment on ${on} is published`;
    case 'rejected':
      return `Your comment on ${on} was not published`;
    case 'featured':
      return `Your comment on ${on} was featured`;
    case 'report':
      return `A comment on ${on} was reported`;
    case 'queue_age':
      return `A comment on ${on} has waited too long for a moderator`;
  }
}

function subjectFor(items: NotifiedComment[], digest: NotificationMailData['digest']): string {
  if (digest) return `Your ${digest} digest: ${items.length} ${items.length === 1 ? 'notification' : 'notifications'}`;
  if (items.length === 1) return itemHeadline(items[0]);
  if (items.every((i) => i.kind === 'reply' || i.kind === 'staff_reply'))
    return `${items.length} new replies to your comments`;
  if (items.every((i) => i.kind === 'report' || i.kind === 'queue_age'))
    return `${items.length} comments need a moderator`;
  return `${items.length} notifications about your comments`;
}

export function notificationMail(data: NotificationMailData): RenderedMail {
  const subject = oneLine(subjectFor(data.items, data.digest));
  const text = [`Hello ${data.username},`, ''];
  const html = [`<p>Hello ${escape(data.username)},</p>`];
  for (const item of data.items) {
    text.push(itemHeadline(item) + ':', '');
    text.push(...item.text.split('\n').map((line) => `> ${line}`));
    if (item.kind === 'rejected') text.push('', `Reason: ${reasonText(item.reason)}`);
    text.push('', item.link, '');
    html.push(
      `<h3 style="font-size:1em">${escape(itemHeadline(item))}</h3>`,
      `<blockquote style="border-left:3px solid #ccc;margin:0;padding-left:1em">${item.html}</blockquote>`,
      item.kind === 'rejected' ? `<p>Reason: ${escape(reasonText(item.reason))}</p>` : '',
      `<p><a href="${escape(item.link)}">Open the conversation</a></p>`,
    );
  }
  const footer = [
    'You get this because of your notification settings.',
    `Change them: ${data.settingsLink}`,
    `Stop these emails: ${data.unsubscribeLink}`,
  ];
  text.push('--', ...footer);
  return {
    subject,
    text: text.join('\n'),
    html: layout(html, [
      'You get this because of your notification settings.',
      `<a href="${escape(data.settingsLink)}">Change them</a> · <a href="${escape(data.unsubscribeLink)}">Stop these emails</a>`,
    ]),
  };
}

// The unsubscribe pages (GET asks, POST does).
export function unsubscribePage(data: { what: string; action: string | null; done: boolean; error?: string }): string {
  const body = data.error
    ? `<p>${escape(data.error)}</p>`
    : data.done
      ? `<p>Done: you will get no more ${escape(data.what)}.</p>`
      : [
          `<p>Stop emails: ${escape(data.what)}?</p>`,
          `<form method="post" action="${escape(data.action ?? '')}">`,
          '<input type="hidden" name="List-Unsubscribe" value="One-Click">',
          '<button type="submit">Unsubscribe</button>',
          '</form>',
        ].join('\n');
  return [
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">',
    '<title>Unsubscribe</title></head><body style="font-family:system-ui,sans-serif;max-width:40em;margin:2em auto">',
    '<h1>Unsubscribe</h1>',
    body,
    '</body></html>',
  ].join('\n');
}

export const KIND_NAMES: Record<string, string> = {
  reply: 'emails about replies to your comments',
  staff_reply: "emails about staff's replies to your comments",
  moderation: 'emails about moderators’ decisions on your comments',
  featured: 'emails when your comment is featured',
  report: 'emails about new reports',
  digest: 'digest emails (and every notification email)',
};

// a***@example.com
export function maskAddress(address: string): string {
  const at = address.lastIndexOf('@');
  if (at <= 0) return '***';
  return `${address[0]}***${address.slice(at)}`;
}
