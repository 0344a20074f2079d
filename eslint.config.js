// Type-aware lint over apps/, libs/ and test/, the rule that only repositories touch the database,
// and the recommended JavaScript rules over bench/ and scripts/ (type-checked by bench/tsconfig.json).
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const sources = ['apps/**/*.ts', 'apps/web/**/*.tsx', 'libs/**/*.ts', 'test/**/*.ts'];
const tests = ['**/*.spec.ts', 'test/**'];

export default defineConfig(
  {
    ignores: [
      '**/dist/',
      '**/node_modules/',
      'libs/db/src/generated/',
      'apps/web/src/api-schema.d.ts',
      'bench/results/',
      'coverage/',
      '.data*/',
    ],
  },
  {
    files: ['bench/**/*.mjs', 'scripts/**/*.mjs', 'test/**/*.mjs', '*.mjs', '*.js'],
    extends: [js.configs.recommended],
    languageOptions: { globals: globals.node },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      'no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // Functions passed to Playwright's page.evaluate run in the browser.
    files: ['bench/web/**/*.mjs', 'scripts/screenshots.mjs'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
  {
    files: sources,
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: {
      reportUnusedDisableDirectives: 'error',
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      // A `default:` marks a deliberate partial mapping (HTTP statuses); switches
      // that must cover a union (error codes, outcomes) leave it out and are checked.
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      // `_`-prefixed names are deliberately unused (a field dropped by destructuring).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Only repositories touch the database; PrismaService stays inside libs/db.
    files: sources,
    ignores: ['**/*.repository.ts', 'libs/db/**', ...tests],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@rejoinder/db',
              importNames: ['PrismaService'],
              message: 'Only *.repository.ts files may use PrismaService: add or extend a repository.',
            },
            { name: '@prisma/client', message: 'Only *.repository.ts files and libs/db may use the Prisma client.' },
            {
              name: '@prisma/adapter-pg',
              message: 'Only *.repository.ts files and libs/db may use the Prisma driver adapter.',
            },
          ],
          patterns: [
            {
              group: ['@prisma/client/*', '**/generated/prisma', '**/generated/prisma/**', '**/prisma.service.js'],
              message: 'Only *.repository.ts files and libs/db may use the Prisma client: go through a repository.',
            },
          ],
        },
      ],
    },
  },
  {
    // Tests read HTTP bodies and socket payloads as `any`.
    files: tests,
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
);
