// The unit lane: specs next to the code in apps/ and libs/, run from the
// TypeScript sources with no build and no database (npm run test:unit).
// `*.integration.spec.ts` files there need PostgreSQL and run with npm test.
import base from './jest.config.mjs';

const { globalSetup: _setup, globalTeardown: _teardown, ...shared } = base;

export default {
  ...shared,
  testMatch: ['<rootDir>/apps/**/*.spec.ts', '<rootDir>/libs/**/*.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '\\.integration\\.spec\\.ts$'],
  testTimeout: 5000,
};
