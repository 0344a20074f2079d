import { PrismaPg } from '@prisma/adapter-pg';
import { applyMigrations, dropDatabase, ensureDatabase, withDatabase } from '@rejoinder/db';
import { randomBytes } from 'node:crypto';
import { PrismaClient } from '../../libs/db/src/generated/prisma/client.js';
import { http } from './factories.js';
import type { TestApp } from './test-app.js';

// A second, empty database on the run's server: "another newsroom".
export async function freshDatabase(): Promise<{ url: string; prisma: PrismaClient; drop(): Promise<void> }> {
  const server = process.env.TEST_SERVER_URL!;
  const name = `rejoinder_transfer_${randomBytes(4).toString('hex')}`;
  await ensureDatabase(server, name);
  const url = withDatabase(server, name);
  await applyMigrations({ databaseUrl: url });
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: url }) });
  return {
    url,
    prisma,
    drop: async () => {
      await prisma.$disconnect();
      await dropDatabase(server, name);
    },
  };
}

// The whole thread as an anonymous reader sees it, through the API.
export async function thread(t: Pick<TestApp, 'url'>, slug: string): Promise<unknown[]> {
  const items: unknown[] = [];
  let cursor: string | null = null;
  do {
    const res = await http(
      t,
      'GET',
      `/api/articles/${slug}/comments?sort=oldest&limit=50${cursor ? `&cursor=${cursor}` : ''}`,
    );
    expect(res.status).toBe(200);
    items.push(...res.body.items);
    cursor = res.body.nextCursor;
  } while (cursor);
  return items;
}
