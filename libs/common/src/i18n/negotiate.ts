import Negotiator from 'negotiator';
import { availableLocales, isLocaleTag, knownLocales } from './locales.js';

// Which catalogue a request reads, first match wins: the language the page
// or client asked for by name (the embed's data-lang, ?lang=), the signed-in
// reader's stored setting, the browser's Accept-Language, DEFAULT_LOCALE.
// A tag with a region falls back to its language (ru-RU reads ru).
export function chooseLocale(input: {
  requested?: string | null;
  stored?: string | null;
  acceptLanguage?: string | null;
  defaultLocale: string;
}): string {
  for (const tag of [input.requested, input.stored]) {
    const match = tag ? matchLocale(tag, knownLocales()) : null;
    if (match) return match;
  }
  if (input.acceptLanguage) {
    const available = availableLocales();
    const preferred = new Negotiator({ headers: { 'accept-language': input.acceptLanguage } }).languages();
    for (const tag of preferred) {
      const match = matchLocale(tag, available);
      if (match) return match;
    }
  }
  return input.defaultLocale;
}

// ru-RU -> ru; exact tags first, compared case-insensitively.
export function matchLocale(tag: string, among: readonly string[]): string | null {
  if (!isLocaleTag(tag)) return null;
  const wanted = tag.toLowerCase();
  const exact = among.find((locale) => locale.toLowerCase() === wanted);
  if (exact) return exact;
  const language = wanted.split('-')[0];
  return among.find((locale) => locale.toLowerCase() === language) ?? null;
}

// DEFAULT_LOCALE, set once at boot from the validated config.
let defaultLocale = 'en';
export function setDefaultLocale(locale: string): void {
  defaultLocale = locale;
}
export const currentDefaultLocale = (): string => defaultLocale;

// A request's language: ?lang= (or the socket handshake's lang), else
// Accept-Language, else DEFAULT_LOCALE. Pages send the reader's choice
// (their stored setting included) as ?lang= or Accept-Language.
export function localeOfRequest(input: {
  url?: string;
  query?: unknown;
  headers: Record<string, string | string[] | undefined>;
}): string {
  const fromQuery = (input.query as { lang?: unknown } | undefined)?.lang;
  let requested = typeof fromQuery === 'string' ? fromQuery : null;
  if (!requested && input.url?.includes('lang=')) {
    requested = new URL(input.url, 'http://localhost').searchParams.get('lang');
  }
  const accept = input.headers['accept-language'];
  return chooseLocale({
    requested,
    acceptLanguage: Array.isArray(accept) ? accept.join(',') : (accept ?? null),
    defaultLocale,
  });
}
