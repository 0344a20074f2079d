import { dropDatabase, EmbeddedServer } from '../libs/db/src/embedded-postgres.js';

export default async function globalTeardown(): Promise<void> {
  const { TEST_SERVER_URL, TEST_DATABASE_NAME } = process.env;
  if (TEST_SERVER_URL && TEST_DATABASE_NAME && !process.env.KEEP_TEST_DATABASE) {
    await dropDatabase(TEST_SERVER_URL, TEST_DATABASE_NAME);
  }
  const server = (globalThis as Record<string, unknown>).__EMBEDDED_PG__ as EmbeddedServer | undefined;
  await server?.stop();
}
