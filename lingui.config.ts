import { formatter } from '@lingui/format-po';
import { defineConfig } from '@lingui/conf';
import { createBabelExtractor } from '@lingui/cli/api/extractors/babel';
import { readdirSync } from 'node:fs';

// The languages are the catalogues in locales/web: a newsroom adds one by
// adding locales/web/<tag>.po and locales/server/<tag>.po (no code change).
// en-XA (accented, longer) and ar-XB (the same, right to left) are generated
// pseudo-locales that show any text which did not come through a catalogue.
const PSEUDO = ['en-XA', 'ar-XB'];
// LOCALES_DIR points the tools at another copy of the catalogues (the test of the check).
const root = process.env.LOCALES_DIR ?? '<rootDir>/locales';
const found = readdirSync(
  process.env.LOCALES_DIR ? `${process.env.LOCALES_DIR}/web` : new URL('./locales/web/', import.meta.url),
)
  .filter((name) => name.endsWith('.po'))
  .map((name) => name.slice(0, -3))
  .filter((tag) => !PSEUDO.includes(tag));

export default defineConfig({
  sourceLocale: 'en',
  locales: [...new Set(['en', ...found, ...PSEUDO])],
  pseudoLocale: [
    { locale: 'en-XA', prepend: '⟦', append: '⟧', extend: 0.35 },
    { locale: 'ar-XB', prepend: '⟦', append: '⟧', extend: 0.35, rightToLeft: true },
  ],
  fallbackLocales: { default: 'en' },
  orderBy: 'messageId',
  // Nest's parameter decorators need the legacy decorator syntax.
  extractors: [createBabelExtractor({ parserOptions: { tsExperimentalDecorators: true } })],
  format: formatter({ lineNumbers: false }),
  catalogs: [
    { path: `${root}/web/{locale}`, include: ['<rootDir>/apps/web/src'], exclude: ['**/*.d.ts'] },
    {
      path: '<rootDir>/locales/server/{locale}',
      include: ['<rootDir>/libs', '<rootDir>/apps/api/src'],
      exclude: ['**/*.spec.ts'],
    },
  ],
});
