import { dropDatabase } from '../dist/libs/db/src/index.js';

export default async function globalTeardown() {
  const { TEST_SERVER_URL, TEST_DATABASE_NAME, KEEP_TEST_DATABASE } = process.env;
  if (TEST_SERVER_URL && TEST_DATABASE_NAME && !KEEP_TEST_DATABASE) {
    await dropDatabase(TEST_SERVER_URL, TEST_DATABASE_NAME);
  }
  await globalThis.__EMBEDDED_PG__?.stop();
}
