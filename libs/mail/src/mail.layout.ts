import { directionOf, SOURCE_LOCALE, translatorFor } from '@rejoinder/common';
import type { I18n } from '@lingui/core';

// What every message shares: its parts, the page around its HTML, the
// recipient's language and the greeting.

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

export const escape = (value: string): string =>
  value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

// A subject is one line whatever a title or a name holds.
export const oneLine = (value: string): string => value.replace(/[\r\n\u2028\u2029\t]+/g, ' ').trim();

export const quote = (title: string): string => `“${oneLine(title)}”`;

export function layout(locale: string, paragraphs: string[], footer: string[]): string {
  return [
    `<!doctype html><html lang="${escape(locale)}" dir="${directionOf(locale)}"><body style="font-family:system-ui,sans-serif;line-height:1.5;max-width:40em">`,
    ...paragraphs,
    footer.length > 0 ? `<hr><p style="color:#555;font-size:0.85em">${footer.join('<br>')}</p>` : '',
    '</body></html>',
  ].join('\n');
}

// The recipient's language, else the source's.
export const translator = (locale: string | undefined): { t: I18n; locale: string } => {
  const t = translatorFor(locale ?? SOURCE_LOCALE);
  return { t, locale: t.locale };
};

export const hello = (t: I18n, username: string) =>
  t._(/*i18n*/ { id: 'mail.hello', message: 'Hello {username},', values: { username } });
