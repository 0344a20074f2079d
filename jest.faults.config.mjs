// The fault tests (npm run test:faults): a database restarted and cut off
// under load, a long lock, a node killed mid-post, mid-mail and mid-webhook
// batch, shutdown with open sockets, holes in the event log. One at a time: each starts, stops or
// kills processes, and prints what it measured.
import base from './jest.config.mjs';

export default {
  ...base,
  testMatch: ['<rootDir>/test/faults/**/*.spec.ts', '<rootDir>/libs/realtime/src/article-stream.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  testTimeout: 120000,
  maxWorkers: 1,
};
