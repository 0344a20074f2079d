import { createRequire } from 'node:module';
import { isCommonPassword } from './common-passwords.js';

const { dictionary } = createRequire(import.meta.url)('@zxcvbn-ts/language-common') as {
  dictionary: Record<string, string[]>;
};
const list = dictionary['passwords-common'];

describe('isCommonPassword', () => {
  it('knows the passwords of the list, first to last, in any case and with spaces around it', () => {
    expect(list.length).toBeGreaterThan(40_000);
    // Every 20th entry and the last (each check scans the list's one string).
    const sample = [...list.filter((_, i) => i % 20 === 0), list.at(-1)!];
    const missed = sample.filter((p) => !isCommonPassword(p) || !isCommonPassword(` ${p.toUpperCase()} `));
    expect(missed).toEqual([]);
  });

  it('refuses one character repeated', () => {
    expect(isCommonPassword('zzzzzzzzzzzz')).toBe(true);
  });

  it('lets through what is not on the list, parts and joins of its entries included', () => {
    const [a, b] = list;
    for (const p of ['correct horse battery staple', 'tX9#pq2!Lm', `${a}\n${b}`, a.slice(1), `${a}${b}`, ''])
      expect([p, isCommonPassword(p)]).toEqual([p, list.includes(p.toLowerCase())]);
  });
});
