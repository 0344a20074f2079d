// The page's language. Its words are Lingui macros (t, msg, plural), turned
// into catalogue lookups at build time; each catalogue, locales/web/<tag>.po,
// is its own chunk, fetched only for the language chosen.
import { i18n, type MessageDescriptor, type Messages } from '@lingui/core';

export { i18n };

const catalogues = import.meta.glob<{ messages: Messages }>('../../../locales/web/*.po');
const byTag = new Map(Object.entries(catalogues).map(([path, load]) => [path.replace(/^.*\/|\.po$/g, ''), load]));

// The tags of the catalogues built into the page, pseudo-locales included.
export const WEB_LOCALES = [...byTag.keys()];
export const PSEUDO_LOCALES = ['en-XA', 'ar-XB'];

const CHOICE_KEY = 'rejoinder.locale';
export const LANG_PARAM = 'lang';

// A choice made on this device by a reader who is not signed in (a signed-in
// reader's is stored with their account).
export function storedChoice(): string | null {
  try {
    return localStorage.getItem(CHOICE_KEY);
  } catch {
    return null;
  }
}
export function storeChoice(locale: string | null): void {
  try {
    if (locale) localStorage.setItem(CHOICE_KEY, locale);
    else localStorage.removeItem(CHOICE_KEY);
  } catch {
    // Storage may be off: the choice lasts the page.
  }
}

// ar, he, fa, ur and the like are read right to left, with or without a catalogue.
export function directionOf(locale: string): 'ltr' | 'rtl' {
  const info = new Intl.Locale(locale) as Intl.Locale & {
    getTextInfo?: () => { direction?: string };
    textInfo?: { direction?: string };
  };
  return (info.getTextInfo?.().direction ?? info.textInfo?.direction) === 'rtl' ? 'rtl' : 'ltr';
}

// The closest catalogue: the exact tag, else its language (ru-RU reads ru).
export function catalogueFor(tag: string): string | null {
  const wanted = tag.toLowerCase();
  const exact = WEB_LOCALES.find((locale) => locale.toLowerCase() === wanted);
  return exact ?? WEB_LOCALES.find((locale) => locale.toLowerCase() === wanted.split('-')[0]) ?? null;
}

// Loads a catalogue and makes it the page's language: <html lang dir>, and
// every t`…` from now on reads from it.
export async function activate(locale: string): Promise<string> {
  const tag = catalogueFor(locale) ?? 'en';
  const { messages } = await byTag.get(tag)!();
  i18n.loadAndActivate({ locale: tag, messages });
  document.documentElement.lang = tag;
  document.documentElement.dir = directionOf(tag);
  return tag;
}

// The language names, each in its own language (a reader looking for theirs
// reads it in their own script).
export function languageName(locale: string): string {
  if (locale === 'en-XA') return 'Pseudo (accented)';
  if (locale === 'ar-XB') return 'Pseudo (right to left)';
  try {
    const name = new Intl.DisplayNames([locale], { type: 'language' }).of(locale) ?? locale;
    return name.charAt(0).toLocaleUpperCase(locale) + name.slice(1);
  } catch {
    return locale;
  }
}

export const translate = (descriptor: MessageDescriptor): string => i18n._(descriptor);

// Numbers, times and dates in the page's language (Intl, CLDR data).
export const formatNumber = (n: number): string => new Intl.NumberFormat(i18n.locale || 'en').format(n);
export const formatTime = (iso: string): string =>
  new Date(iso).toLocaleTimeString(i18n.locale || 'en', { hour: 'numeric', minute: '2-digit', second: '2-digit' });
export const formatDate = (iso: string, month: 'short' | 'long' = 'short'): string =>
  new Date(iso).toLocaleDateString(i18n.locale || 'en', { year: 'numeric', month, day: 'numeric' });
export const formatDateTime = (iso: string): string =>
  new Date(iso).toLocaleString(i18n.locale || 'en', { dateStyle: 'medium', timeStyle: 'short' });
export const formatRelative = (value: number, unit: Intl.RelativeTimeFormatUnit): string =>
  new Intl.RelativeTimeFormat(i18n.locale || 'en', { numeric: 'auto' }).format(value, unit);
