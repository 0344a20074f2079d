import { jest } from '@jest/globals';
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

// The documented npm scripts, each started once as a new user starts it, in a
// fresh copy of the repository: the files git tracks (nothing built, no
// .data), with node_modules linked to this checkout's instead of a second
// `npm ci` (the download is not what is under test), and the one thing
// `npm ci` does besides installing, its postinstall (the Node.js check and
// generating the Prisma client), run in the copy. Every server gets free ports
// and the copy's own DATA_DIR, never the defaults; every process is started in
// a process group of its own and the group is killed on the way out.
// Slow by nature (a first build, a dev server, Chromium): it has the time.
jest.setTimeout(15 * 60_000);

const repo = process.cwd();
const copy = join(repo, '.data', `fresh-copy-${randomBytes(4).toString('hex')}`);
const SLUG = 'putin-and-kim-jong-un-are-not-so-different';
const started = new Set<ChildProcess>();

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// A new user's shell: none of the outer `npm test`'s npm_* settings, no test database.
function userEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (name.startsWith('npm_') || name.startsWith('TEST_') || name.startsWith('JEST')) continue;
    if (['DATABASE_URL', 'NODE_ENV', 'PORT', 'EMBEDDED_PG_PORT', 'DATA_DIR', 'LOG_LEVEL', 'INIT_CWD'].includes(name))
      continue;
    env[name] = value;
  }
  return { ...env, ...extra };
}

function start(args: string[], env: NodeJS.ProcessEnv): { child: ChildProcess; output: () => Finished } {
  const child = spawn('npm', args, { cwd: copy, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  started.add(child);
  child.once('exit', () => started.delete(child));
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return { child, output: () => ({ code: child.exitCode, stdout, stderr }) };
}

async function npm(args: string[], env: NodeJS.ProcessEnv, minutes = 4): Promise<Finished> {
  const { child, output } = start(args, env);
  const timer = setTimeout(() => killGroup(child, 'SIGKILL'), minutes * 60_000);
  const [code] = (await once(child, 'close')) as [number | null];
  clearTimeout(timer);
  return { ...output(), code };
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // gone already
  }
}

// Polls until `check` holds (or the process ends, or the time is up).
async function until(what: string, check: () => Promise<boolean>, child: ChildProcess, minutes: number) {
  const deadline = Date.now() + minutes * 60_000;
  while (Date.now() < deadline && child.exitCode === null) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`${what}: not within ${minutes} minutes (exit ${child.exitCode})`);
}

const expectExit0 = (run: Finished, what: string) =>
  expect({ what, code: run.code, stderr: run.code === 0 ? '' : run.stderr.slice(-4000) }).toEqual({
    what,
    code: 0,
    stderr: '',
  });

beforeAll(() => {
  const files = execFileSync('git', ['ls-files', '-z'], { cwd: repo, encoding: 'utf8' }).split('\0').filter(Boolean);
  for (const file of files) {
    if (!existsSync(join(repo, file))) continue; // deleted in the working tree
    mkdirSync(dirname(join(copy, file)), { recursive: true });
    copyFileSync(join(repo, file), join(copy, file));
  }
  symlinkSync(join(repo, 'node_modules'), join(copy, 'node_modules'), 'dir');
  // What `npm ci` runs after installing (package.json's postinstall).
  const { postinstall } = (
    JSON.parse(readFileSync(join(copy, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
  ).scripts;
  execFileSync('sh', ['-c', postinstall], { cwd: copy, env: userEnv({}), stdio: 'ignore' });
});

afterAll(async () => {
  for (const child of started) killGroup(child, 'SIGKILL');
  // The embedded PostgreSQL servers of the copy stop with the commands that
  // started them; one left by a killed command is stopped here.
  for (const data of ['.data', '.data-import', '.data-screenshots']) {
    const pidFile = join(copy, data, 'postgres', 'postmaster.pid');
    if (!existsSync(pidFile)) continue;
    const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
    try {
      process.kill(pid, 'SIGINT');
    } catch {
      // not running
    }
  }
  await new Promise((resolve) => setTimeout(resolve, 1000));
  rmSync(copy, { recursive: true, force: true });
});

it('the CLI commands run on a fresh copy, building once, with only their results on standard output', async () => {
  const env = userEnv({ EMBEDDED_PG_PORT: String(await freePort()) });

  const migrate = await npm(['run', '-s', 'db:migrate'], env);
  expectExit0(migrate, 'db:migrate');
  // Nothing was built: the first command builds the API's code, on stderr.
  expect(migrate.stderr).toContain('Building api');
  expect(migrate.stdout).toMatch(/Applied \d+ migration\(s\)\./);
  expect(migrate.stdout).not.toContain('TSC');

  // The build is current now: no command builds again.
  const check = await npm(['run', '-s', 'db:check'], env);
  expectExit0(check, 'db:check');
  expect(check.stdout).toContain('agree');
  const seed = await npm(['run', '-s', 'db:seed'], env);
  expectExit0(seed, 'db:seed');
  expect(seed.stdout).toBe(`Seeded: ${SLUG}\n`);
  const migration = await npm(['run', '-s', 'db:migration:new', '--', 'nothing_to_do'], env);
  expectExit0(migration, 'db:migration:new');
  expect(migration.stdout).toContain('no migration written');
  for (const run of [check, seed, migration]) expect(run.stderr).not.toContain('Building');

  const admin = await npm(
    [
      'run',
      '-s',
      'admin:create',
      '--',
      '--username',
      'first_admin',
      '--email',
      'admin@example.com',
      '--password',
      'a long and unusual passphrase',
    ],
    env,
  );
  expectExit0(admin, 'admin:create');
  expect(admin.stdout).toMatch(/^Created admin first_admin \([0-9a-f-]{36}\)\n$/);
  const unnamed = await npm(['run', '-s', 'admin:create', '--', '--promote', 'first_admin'], env);
  expect(unnamed.code).toBe(64);
  expect(unnamed.stderr).toContain('--promote needs --role');
  const promoted = await npm(
    ['run', '-s', 'admin:create', '--', '--promote', 'first_admin', '--role', 'moderator'],
    env,
  );
  expectExit0(promoted, 'admin:create --promote');
  expect(promoted.stdout).toBe('first_admin is now moderator\n');

  // The README's way to write an export to a file: standard output is the JSON alone.
  const exported = await npm(['run', '-s', 'export', '--', '--article', SLUG, '--out', '-'], env);
  expectExit0(exported, 'export');
  expect(JSON.parse(exported.stdout)).toMatchObject({ format: 'rejoinder.article', article: { slug: SLUG } });

  // Into another installation (its own data folder): the import takes it whole.
  writeFileSync(join(copy, 'thread.json'), exported.stdout);
  const elsewhere = { ...env, DATA_DIR: '.data-import', EMBEDDED_PG_PORT: String(await freePort()) };
  const imported = await npm(['run', '-s', 'import', '--', 'thread.json'], elsewhere);
  expectExit0(imported, 'import');
  expect(imported.stdout).toContain(`Created ${SLUG}`);

  const disqus = readFileSync(join(repo, 'test', 'fixtures', 'disqus-export.xml'), 'utf8')
    .replaceAll('__BY_URL__', 'by-url')
    .replaceAll('__BY_SLUG__', 'by-slug');
  writeFileSync(join(copy, 'disqus.xml'), disqus);
  const fromDisqus = await npm(['run', '-s', 'import:disqus', '--', 'disqus.xml', '--create-articles'], env);
  expectExit0(fromDisqus, 'import:disqus');
  expect(fromDisqus.stdout).toMatch(/Imported \d+ comment\(s\)/);
  for (const run of [admin, unnamed, promoted, exported, imported, fromDisqus])
    expect(run.stderr).not.toContain('Building');
});

it('openapi rewrites docs/openapi.json as it is committed', async () => {
  const run = await npm(['run', 'openapi'], userEnv({}));
  expectExit0(run, 'openapi');
  expect(readFileSync(join(copy, 'docs', 'openapi.json'), 'utf8')).toBe(
    readFileSync(join(repo, 'docs', 'openapi.json'), 'utf8'),
  );
});

it('dev serves the pages and the API, rebuilds the pages on a change, and stops in order on Ctrl-C', async () => {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const { child, output } = start(
    ['run', 'dev'],
    userEnv({ PORT: String(port), EMBEDDED_PG_PORT: String(await freePort()) }),
  );
  try {
    const page = async (path: string) => {
      const res = await fetch(`${base}${path}`);
      return { status: res.status, text: await res.text() };
    };
    await until('dev serves /', async () => (await page('/')).status === 200, child, 8);
    for (const path of ['/', `/articles/${SLUG}`, '/moderation', '/embed.js', `/api/articles/${SLUG}`]) {
      expect({ path, status: (await page(path)).status }).toEqual({ path, status: 200 });
    }
    expect((await page('/')).text).toContain('<div id="app">');

    // A change under apps/web is built and served without a restart (the
    // title is the server's own: the change is to the body).
    const index = join(copy, 'apps', 'web', 'index.html');
    writeFileSync(
      index,
      readFileSync(index, 'utf8').replace('<div id="app"></div>', '<div id="app" data-changed="yes"></div>'),
    );
    await until('dev rebuilds the pages', async () => (await page('/')).text.includes('data-changed="yes"'), child, 3);

    // Ctrl-C reaches the whole foreground group, as in a terminal.
    killGroup(child, 'SIGINT');
    const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
    // npm ends as the Ctrl-C asked once its script has ended (a shell shows 130):
    // by SIGINT, or 0; never a failure.
    const ended = code === 0 || (code === null && signal === 'SIGINT');
    expect({ ended, log: ended ? '' : `${code} ${signal}\n${output().stderr.slice(-4000)}` }).toEqual({
      ended: true,
      log: '',
    });
    // The API stopped in order, and the session's database with it.
    expect(output().stdout).toContain('"msg":"Stopped"');
    expect(existsSync(join(copy, '.data', 'postgres', 'postmaster.pid'))).toBe(false);
    // An orderly stop is info lines: no warning, no stack.
    const problems = `${output().stdout}\n${output().stderr}`
      .split('\n')
      .filter((line) => /"level":(4|5|6)0/.test(line) || /^\s+at /.test(line));
    expect(problems).toEqual([]);
  } finally {
    if (child.exitCode === null) killGroup(child, 'SIGKILL');
  }
});

it('screenshots rewrites docs/screenshots from a fresh server and Chromium', async () => {
  const before = Date.now();
  const run = await npm(
    ['run', 'screenshots'],
    userEnv({ PORT: String(await freePort()), EMBEDDED_PG_PORT: String(await freePort()) }),
    8,
  );
  expectExit0(run, 'screenshots');
  const shots = readdirSync(join(copy, 'docs', 'screenshots')).filter((file) => file.endsWith('.png'));
  expect(shots.length).toBeGreaterThanOrEqual(12);
  for (const shot of shots)
    expect(statSync(join(copy, 'docs', 'screenshots', shot)).mtimeMs).toBeGreaterThanOrEqual(before);
});
