import { DomainError } from '../errors/domain-error.js';
import { ErrorCode } from '../errors/error-codes.js';
import { problemFor } from '../errors/problem.js';
import { availableLocales, directionOf, knownLocales, translatorFor } from './locales.js';
import { chooseLocale, matchLocale } from './negotiate.js';

describe('choosing a language', () => {
  it('finds the languages in the catalogues, pseudo-locales apart', () => {
    expect(availableLocales()).toEqual(['en', 'ru']);
    expect(knownLocales()).toEqual(expect.arrayContaining(['en', 'ru', 'en-XA', 'ar-XB']));
  });

  it.each([
    [{ requested: 'ru', stored: 'en', acceptLanguage: 'en' }, 'ru'],
    [{ requested: 'xx', stored: 'ru', acceptLanguage: 'en' }, 'ru'],
    [{ stored: 'ru', acceptLanguage: 'en' }, 'ru'],
    [{ acceptLanguage: 'de-DE, ru-RU;q=0.9, en;q=0.8' }, 'ru'],
    [{ acceptLanguage: 'en-GB' }, 'en'],
    [{ acceptLanguage: 'de, fr;q=0.5' }, 'en'],
    [{ acceptLanguage: '*;q=x, ,,;' }, 'en'],
    [{ requested: 'AR-xb' }, 'ar-XB'],
    // A pseudo-locale is only ever asked for by name.
    [{ acceptLanguage: 'en-XA' }, 'en'],
  ])('%j reads %s', (input, expected) => {
    expect(chooseLocale({ defaultLocale: 'en', ...input })).toBe(expected);
  });

  it('falls back to DEFAULT_LOCALE', () => {
    expect(chooseLocale({ acceptLanguage: 'ja', defaultLocale: 'ru' })).toBe('ru');
  });

  it('refuses what is not a language tag', () => {
    expect(matchLocale('../ru', ['ru'])).toBeNull();
    expect(matchLocale('ru-RU', ['en', 'ru'])).toBe('ru');
  });

  it('writes Arabic and Hebrew right to left, with or without a catalogue', () => {
    expect(directionOf('ar')).toBe('rtl');
    expect(directionOf('he-IL')).toBe('rtl');
    expect(directionOf('ar-XB')).toBe('rtl');
    expect(directionOf('ru')).toBe('ltr');
  });
});

describe('catalogues on the server', () => {
  it('use the CLDR plural rules of the language', () => {
    const ru = translatorFor('ru');
    const subject = (count: number) =>
      ru._({
        id: 'mail.subject.replies',
        message: '{count, plural, one {# new reply} other {# new replies}}',
        values: { count },
      });
    expect([1, 2, 5, 11, 21, 22].map(subject)).toEqual([
      '1 новый ответ на ваши комментарии',
      '2 новых ответа на ваши комментарии',
      '5 новых ответов на ваши комментарии',
      '11 новых ответов на ваши комментарии',
      '21 новый ответ на ваши комментарии',
      '22 новых ответа на ваши комментарии',
    ]);
  });

  it('translate a problem’s title and detail, never its code', () => {
    const error = new DomainError(
      ErrorCode.ValidationFailed,
      /*i18n*/ {
        id: 'detail.locale-unknown',
        message: 'There is no catalogue for the language {locale}',
        values: { locale: 'xx' },
      },
    );
    expect(error.message).toBe('There is no catalogue for the language xx');
    const en = problemFor(error, '/x');
    const ru = problemFor(error, '/x', 'ru');
    expect(ru).toEqual({ ...en, title: 'Запрос недействителен', detail: 'Для языка xx нет каталога' });
    expect(problemFor(error, '/x', 'en-XA').title).toMatch(/^⟦.*⟧$/);
  });
});
