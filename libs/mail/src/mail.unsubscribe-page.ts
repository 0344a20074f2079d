import { directionOf } from '@rejoinder/common';
import type { I18n } from '@lingui/core';
import { escape, translator } from './mail.layout.js';

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
