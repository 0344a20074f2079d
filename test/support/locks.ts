import pg from 'pg';

// Another session holds an article's row lock (a stuck migration, a manual
// UPDATE left open in psql): writers of that article queue behind it.
export async function holdArticleLock(articleId: string): Promise<{ release(): Promise<void> }> {
  const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  client.on('error', () => undefined);
  await client.connect();
  await client.query('BEGIN');
  await client.query('SELECT id FROM articles WHERE id = $1 FOR UPDATE', [articleId]);
  return {
    release: async () => {
      await client.query('ROLLBACK');
      await client.end();
    },
  };
}

// Sessions of the test database waiting for a lock (the fault tests run one
// at a time), asked from a session of its own: inside a transaction the
// activity view is a snapshot.
export async function lockWaiters(): Promise<number> {
  const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>(
      "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
    );
    return Number(rows[0].n);
  } finally {
    await client.end();
  }
}

export async function untilLockWaiters(count: number): Promise<void> {
  for (let i = 0; i < 400 && (await lockWaiters()) < count; i++) await new Promise((r) => setTimeout(r, 50));
  if ((await lockWaiters()) < count) throw new Error(`fewer than ${count} sessions wait on the lock`);
}
