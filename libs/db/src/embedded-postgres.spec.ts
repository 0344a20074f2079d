import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { passwordFileOf, startEmbeddedPostgres } from './embedded-postgres.js';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  await new Promise((done) => server.close(done));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function query(url: string, sql: string): Promise<unknown[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('embedded PostgreSQL', () => {
  const root = mkdtempSync(join(tmpdir(), 'rejoinder-pg-'));
  // The server may run as its own system user, which must reach the folder.
  chmodSync(root, 0o755);
  const dir = join(root, 'postgres');
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('is shared with a second process on the same folder, which leaves it running', async () => {
    const port = await freePort();
    const first = await startEmbeddedPostgres({ dir, port });
    try {
      expect(first.reused).toBe(false);
      const second = await startEmbeddedPostgres({ dir, port: await freePort() });
      expect(second).toMatchObject({ reused: true, serverUrl: first.serverUrl });
      await second.stop();
      expect(await query(first.serverUrl, 'SELECT 1 AS ok')).toEqual([{ ok: 1 }]);
    } finally {
      await first.stop();
    }
    expect(existsSync(join(dir, 'postmaster.pid'))).toBe(false);
  }, 60_000);

  it('replaces the old fixed password of a cluster made before passwords were generated', async () => {
    const port = await freePort();
    const file = passwordFileOf(dir);
    // Make the cluster look like one from before: the old password, no file.
    const server = await startEmbeddedPostgres({ dir, port });
    await query(server.serverUrl, "ALTER ROLE postgres PASSWORD 'postgres'");
    await server.stop();
    unlinkSync(file);

    const restarted = await startEmbeddedPostgres({ dir, port });
    try {
      expect((statSync(file).mode & 0o777).toString(8)).toBe('600');
      const password = readFileSync(file, 'utf8').trim();
      expect(password).not.toBe('postgres');
      expect(new URL(restarted.serverUrl).password).toBe(encodeURIComponent(password));
      expect(await query(restarted.serverUrl, 'SELECT 1 AS ok')).toEqual([{ ok: 1 }]);
      await expect(query(`postgresql://postgres:postgres@127.0.0.1:${port}/postgres`, 'SELECT 1')).rejects.toThrow(
        /password authentication failed/,
      );
    } finally {
      await restarted.stop();
    }
  }, 60_000);
});
