import { parsePoFile } from '@lingui/format-po';
import { setupI18n, type I18n, type Messages } from '@lingui/core';
import { compileMessage } from '@lingui/message-utils/compileMessage';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// The server's words (problem documents, emails, the unsubscribe page) live
// in locales/server/<tag>.po, one catalogue per language; the languages are
// the files found there. English is the source and the fallback of every
// message a catalogue has not translated yet.
export const SOURCE_LOCALE = 'en';

// Pseudo-locales made from the source by the extraction tool: they show any
// text that did not come through a catalogue, and ar-XB is right to left.
export const PSEUDO_LOCALES = ['en-XA', 'ar-XB'] as const;

// Found from this file whether it runs compiled (dist/libs/common/src/i18n)
// or as source under Jest (libs/common/src/i18n).
function localesRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [resolve(here, '../../../../locales'), resolve(here, '../../../../../locales')];
  const found = candidates.find((dir) => existsSync(join(dir, 'server', `${SOURCE_LOCALE}.po`)));
  if (!found) throw new Error(`No message catalogues found (looked for locales/server/${SOURCE_LOCALE}.po)`);
  return found;
}

let cache: { dir: string; locales: string[] } | null = null;
function catalogueDir(): { dir: string; locales: string[] } {
  if (cache) return cache;
  const dir = join(localesRoot(), 'server');
  const locales = readdirSync(dir)
    .filter((name) => name.endsWith('.po'))
    .map((name) => name.slice(0, -'.po'.length))
    .filter((tag) => isLocaleTag(tag))
    .sort((a, b) => (a === SOURCE_LOCALE ? -1 : b === SOURCE_LOCALE ? 1 : a.localeCompare(b)));
  cache = { dir, locales };
  return cache;
}

// The languages a reader may choose: every catalogue but the pseudo-locales.
export function availableLocales(): string[] {
  return catalogueDir().locales.filter((tag) => !(PSEUDO_LOCALES as readonly string[]).includes(tag));
}

// Every catalogue, pseudo-locales included (asked for by name only).
export function knownLocales(): string[] {
  return catalogueDir().locales;
}

export function isLocaleTag(value: string): boolean {
  if (!/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(value)) return false;
  try {
    return Intl.getCanonicalLocales(value).length === 1;
  } catch {
    return false;
  }
}

// ar, he, fa, ur and the like read right to left, with or without a catalogue.
export function directionOf(locale: string): 'ltr' | 'rtl' {
  const info = new Intl.Locale(locale) as Intl.Locale & {
    getTextInfo?: () => { direction?: string };
    textInfo?: { direction?: string };
  };
  const direction = info.getTextInfo?.().direction ?? info.textInfo?.direction;
  return direction === 'rtl' ? 'rtl' : 'ltr';
}

// A pseudo-locale is the source catalogue, pseudo-localised.
function readCatalogue(locale: string): Messages {
  const pseudo = (PSEUDO_LOCALES as readonly string[]).includes(locale);
  const file = join(catalogueDir().dir, `${pseudo ? SOURCE_LOCALE : locale}.po`);
  const messages: Messages = {};
  for (const item of parsePoFile(readFileSync(file, 'utf8')).items) {
    const text = item.msgstr[0];
    if (item.obsolete || !item.msgid || !text) continue;
    messages[item.msgid] = compileMessage(text, pseudo ? pseudoLocalize : undefined);
  }
  return messages;
}

// Accented and a third longer, between ⟦ ⟧: the marks of a pseudo-locale.
function pseudoLocalize(text: string): string {
  const accents: Record<string, string> = { a: 'á', e: 'é', i: 'í', o: 'ó', u: 'ú', c: 'ç', n: 'ñ', y: 'ý' };
  const accented = text.replace(/[a-z]/g, (c) => accents[c] ?? c);
  return text.trim() ? `⟦${accented}${'~'.repeat(Math.ceil(text.length / 3))}⟧` : text;
}

const translators = new Map<string, I18n>();

// A Lingui instance with the locale's messages over the source's, so a
// message not yet translated reads in English rather than as its id.
export function translatorFor(locale: string): I18n {
  const tag = knownLocales().includes(locale) ? locale : SOURCE_LOCALE;
  let i18n = translators.get(tag);
  if (!i18n) {
    const own = tag === SOURCE_LOCALE ? {} : readCatalogue(tag);
    i18n = setupI18n({ locale: tag, messages: { [tag]: { ...readCatalogue(SOURCE_LOCALE), ...own } } });
    translators.set(tag, i18n);
  }
  return i18n;
}
