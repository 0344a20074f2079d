import { jest } from '@jest/globals';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { runCli } from '../support/cli-process.js';
import { http, unique } from '../support/factories.js';
import { startServerProcess } from '../support/server-process.js';

// Every command as a user runs it: the built CLI as a process (each starts
// Node, Nest and the migration engine, so tests here get more time).
jest.setTimeout(90_000);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  await new Promise((done) => server.close(done));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function login(url: string, login: string, password: string) {
  return http({ url }, 'POST', '/api/auth/login', { body: { login, password } });
}

describe('CLI against DATABASE_URL', () => {
  it('prints its usage', async () => {
    const run = await runCli(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('admin:create --promote LOGIN');
  });

  it('refuses an unknown command with the usage', async () => {
    const run = await runCli(['frobnicate']);
    expect(run.code).toBe(64);
    expect(run.stderr).toContain('Unknown command "frobnicate"');
  });

  it('migrate: applies nothing on an up-to-date database', async () => {
    const run = await runCli(['migrate']);
    expect(run).toMatchObject({ code: 0 });
    expect(run.stdout).toContain('The database is up to date.');
  });

  it('migration:check: schema.prisma and the migrations agree', async () => {
    const run = await runCli(['migration:check']);
    expect(run).toMatchObject({ code: 0 });
    expect(run.stdout).toContain('agree');
  });

  it('seed: loads the seed article, twice without harm', async () => {
    for (let i = 0; i < 2; i++) {
      const run = await runCli(['seed']);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('Seeded: putin-and-kim-jong-un-are-not-so-different');
    }
  });

  it('admin:create: creates an admin, then changes roles with --promote', async () => {
    const username = unique('cli').replace('-', '_');
    const created = await runCli([
      'admin:create',
      '--username',
      username,
      '--email',
      `${username}@example.test`,
      '--password',
      'a long and unusual passphrase',
    ]);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(new RegExp(`Created admin ${username} \\([0-9a-f-]{36}\\)`));

    // The most powerful role is never given by leaving a flag out.
    const unnamed = await runCli(['admin:create', '--promote', username]);
    expect(unnamed.code).toBe(64);
    expect(unnamed.stdout).toBe('');
    expect(unnamed.stderr).toContain('--promote needs --role, one of commenter, moderator, admin');

    const demoted = await runCli(['admin:create', '--promote', username, '--role', 'moderator']);
    expect(demoted.code).toBe(0);
    expect(demoted.stdout).toContain(`${username} is now moderator`);
  });

  it('admin:create: says what is wrong with bad input, and writes nothing', async () => {
    const badRole = await runCli(['admin:create', '--promote', 'nobody', '--role', 'overlord']);
    expect(badRole.code).toBe(64);
    expect(badRole.stderr).toContain('--role must be one of');

    const missing = await runCli(['admin:create', '--promote', unique('nobody'), '--role', 'moderator']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('No such user');

    const weak = await runCli([
      'admin:create',
      '--username',
      unique('weak').replace('-', '_'),
      '--email',
      'weak@example.test',
      '--password',
      'short',
    ]);
    expect(weak.code).toBe(1);
    expect(weak.stderr).toContain('password');
  });
});

describe('CLI while the API runs on the same embedded PostgreSQL', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'rejoinder-cli-'));
  // The embedded server may run as its own system user, which must reach the folder.
  chmodSync(dataDir, 0o755);
  let server: Awaited<ReturnType<typeof startServerProcess>>;
  let pgPort: number;

  beforeAll(async () => {
    pgPort = await freePort();
    server = await startServerProcess({
      DATABASE_URL: '',
      DATA_DIR: dataDir,
      EMBEDDED_PG_PORT: String(pgPort),
      SEED: 'true',
    });
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const env = () => ({ DATABASE_URL: '', DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(pgPort) });

  it('keeps the database private: a random password kept 0600, loopback TCP only, no Unix socket', async () => {
    const file = join(dataDir, 'postgres-password');
    expect((statSync(file).mode & 0o777).toString(8)).toBe('600');
    const password = readFileSync(file, 'utf8').trim();
    expect(password.length).toBeGreaterThanOrEqual(40);
    const url = (secret: string) => `postgresql://postgres:${encodeURIComponent(secret)}@127.0.0.1:${pgPort}/postgres`;
    const client = new pg.Client({ connectionString: url(password) });
    await client.connect();
    try {
      const settings = await client.query<{ name: string; setting: string }>(
        "SELECT name, setting FROM pg_settings WHERE name IN ('listen_addresses', 'unix_socket_directories') ORDER BY name",
      );
      expect(settings.rows).toEqual([
        { name: 'listen_addresses', setting: '127.0.0.1' },
        { name: 'unix_socket_directories', setting: '' },
      ]);
    } finally {
      await client.end();
    }
    const guess = new pg.Client({ connectionString: url('postgres') });
    await expect(guess.connect()).rejects.toThrow(/password authentication failed/);
  });

  it('uses the running server, and a moderator it appoints can moderate at once', async () => {
    const username = unique('boss').replace('-', '_');
    const password = 'a long and unusual passphrase';
    const created = await runCli(
      ['admin:create', '--username', username, '--email', `${username}@example.test`, '--password', password],
      env(),
    );
    expect(created.code).toBe(0);
    expect(created.stderr).toContain('Using the embedded PostgreSQL already running');

    const reader = unique('reader').replace('-', '_');
    const registered = await http(server, 'POST', '/api/auth/register', {
      body: { username: reader, email: `${reader}@example.test`, password },
    });
    expect(registered.status).toBe(201);
    const promoted = await runCli(['admin:create', '--promote', reader, '--role', 'moderator'], env());
    expect(promoted.code).toBe(0);
    expect(promoted.stdout).toContain(`${reader} is now moderator`);

    const session = await login(server.url, reader, password);
    const queue = await http(server, 'GET', '/api/moderation/queue', { token: session.body.accessToken });
    expect(queue.status).toBe(200);

    for (const command of [['migrate'], ['migration:check'], ['seed']]) {
      const run = await runCli(command, env());
      expect(run.code).toBe(0);
    }
    // The API kept its database through all of it.
    expect((await http(server, 'GET', '/ready')).status).toBe(200);
    // Seven commands as processes: generous on a loaded machine.
  }, 180_000);
});
