// Type-aware lint over apps/, libs/ and test/, the rule that only repositories touch the database,
// and the recommended JavaScript rules over bench/ and scripts/ (type-checked by bench/tsconfig.json).
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const sources = ['apps/**/*.ts', 'apps/web/**/*.tsx', 'libs/**/*.ts', 'test/**/*.ts'];
const tests = ['**/*.spec.ts', 'test/**'];

// The rooms of the house and who may call whom (docs/architecture.md): each
// library imports only the libraries below it, no library imports an app or a
// transport, only libs/db talks to PostgreSQL's driver, and the API's doors
// (http/, realtime/) share only what is in edge/. One rule id
// (@typescript-eslint/no-restricted-imports) for these; the core
// no-restricted-imports keeps the database to repositories.
const LIBS = ['common', 'db', 'accounts', 'forum', 'moderation', 'privacy', 'realtime', 'mail', 'webhooks'];
const BELOW = {
  common: [],
  db: [],
  accounts: ['common', 'db'],
  forum: ['common', 'db', 'accounts'],
  moderation: ['common', 'db', 'accounts', 'forum'],
  privacy: ['common', 'db', 'accounts', 'forum'],
  realtime: ['common', 'db', 'accounts', 'forum'],
  mail: ['common', 'db', 'accounts', 'forum'],
  webhooks: ['common', 'db', 'accounts', 'forum'],
};
const NO_DRIVER = { name: 'pg', message: 'Only libs/db talks to the PostgreSQL driver: go through a repository.' };
const NO_TRANSPORTS = ['@nestjs/websockets', '@nestjs/platform-fastify', '@nestjs/platform-socket.io', 'socket.io'].map(
  (name) => ({ name, message: 'Services never import a transport: publish on the DomainEventBus instead.' }),
);
const room = (files, paths, patterns = []) => ({
  files,
  ignores: tests,
  rules: { '@typescript-eslint/no-restricted-imports': ['error', { paths, patterns }] },
});
const rooms = [
  room(['apps/**/*.ts', 'apps/**/*.tsx'], [NO_DRIVER]),
  ...LIBS.map((lib) =>
    room(
      [`libs/${lib}/**/*.ts`],
      [
        ...(lib === 'db' ? [] : [NO_DRIVER]),
        ...NO_TRANSPORTS,
        ...LIBS.filter((other) => other !== lib && !BELOW[lib].includes(other)).map((other) => ({
          name: `@rejoinder/${other}`,
          message: `libs/${lib} may import only ${BELOW[lib].length ? BELOW[lib].join(', ') : 'no other library'} (docs/architecture.md).`,
        })),
      ],
      [{ group: ['**/apps/**'], message: 'Libraries never import an app.' }],
    ),
  ),
  room(
    ['apps/api/src/edge/**/*.ts'],
    [NO_DRIVER],
    [{ group: ['../http/*', '../realtime/*'], message: 'edge/ serves both doors and imports neither.' }],
  ),
  room(
    ['apps/api/src/http/**/*.ts'],
    [NO_DRIVER],
    [{ group: ['../realtime/*'], message: 'The HTTP door does not import the socket door: share it through edge/.' }],
  ),
  room(
    ['apps/api/src/realtime/**/*.ts'],
    [NO_DRIVER],
    [{ group: ['../http/*'], message: 'The socket door does not import the HTTP door: share it through edge/.' }],
  ),
];

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
  ...rooms,
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
