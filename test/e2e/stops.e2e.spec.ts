import { jest } from '@jest/globals';
import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { createServer, Server } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { randomBytes } from 'node:crypto';
import { apiNodeFlags } from '../../scripts/api-node-flags.mjs';
import { TEST_JWT_SECRET } from '../support/test-app.js';

// How the server ends, as an operator sees it in the log: an orderly stop is
// info lines, and a port in use is one error line that names the port and
// its setting.
jest.setTimeout(90_000);

interface Run {
  child: ChildProcess;
  lines: string[];
  exited: Promise<number | null>;
  // The URL it serves on, once it does (rejects when it exits first).
  url: Promise<string>;
}

function startApi(env: Record<string, string | undefined>, detached = false): Run {
  const child = spawn(process.execPath, [...apiNodeFlags(), 'dist/apps/api/src/main.js'], {
    env: {
      ...process.env,
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      JWT_SECRET: TEST_JWT_SECRET,
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached,
  });
  const lines: string[] = [];
  let served: (url: string) => void = () => undefined;
  const url = new Promise<string>((resolve) => (served = resolve));
  createInterface({ input: child.stdout }).on('line', (line) => {
    lines.push(line);
    const match = /"url":"(http:[^"]+)"/.exec(line);
    if (match) served(match[1]);
  });
  createInterface({ input: child.stderr }).on('line', (line) => lines.push(line));
  const exited = once(child, 'close').then(([code]) => code as number | null);
  const exitedFirst = exited.then((code) => Promise.reject(new Error(`exited with ${code}:\n${lines.join('\n')}`)));
  const serving = Promise.race([url, exitedFirst]);
  // Awaited only by the tests that expect it to serve.
  serving.catch(() => undefined);
  return { child, lines, exited, url: serving };
}

async function listening(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port };
}

async function freePort(): Promise<number> {
  const { server, port } = await listening();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const level = (line: string): number => {
  try {
    return (JSON.parse(line) as { level?: number }).level ?? 50;
  } catch {
    return 50; // not a log line: a stack or a message printed by hand
  }
};

it('a port in use is one error line naming the port and its setting', async () => {
  const { server, port } = await listening();
  try {
    const run = startApi({ PORT: String(port), DATABASE_URL: process.env.TEST_DATABASE_URL });
    expect(await run.exited).toBe(1);
    expect(run.lines).toHaveLength(1);
    expect(JSON.parse(run.lines[0])).toMatchObject({
      level: 50,
      port,
      variable: 'PORT',
      msg: `Port ${port} is in use (PORT): stop what listens there, or set PORT to another port`,
    });
  } finally {
    server.close();
  }
});

it('a port in use by the embedded PostgreSQL names EMBEDDED_PG_PORT', async () => {
  const { server, port } = await listening();
  const dataDir = join(process.cwd(), '.data', `stops-${randomBytes(4).toString('hex')}`);
  try {
    const run = startApi({ PORT: '0', DATABASE_URL: undefined, DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(port) });
    expect(await run.exited).toBe(1);
    const problems = run.lines.filter((line) => level(line) >= 40);
    expect(problems).toHaveLength(1);
    expect(JSON.parse(problems[0])).toMatchObject({ port, variable: 'EMBEDDED_PG_PORT' });
  } finally {
    server.close();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(`${dataDir}-password`, { force: true });
  }
});

it('a Ctrl-C to the whole process group (the embedded PostgreSQL included) stops in order, at info level', async () => {
  const dataDir = join(process.cwd(), '.data', `stops-${randomBytes(4).toString('hex')}`);
  // Its own process group, as a terminal's foreground job: the signal reaches
  // the API and the PostgreSQL it started alike.
  const run = startApi(
    { PORT: '0', DATABASE_URL: undefined, DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(await freePort()) },
    true,
  );
  try {
    const url = await run.url;
    // Connections in the pools when the signal comes.
    await Promise.all(Array.from({ length: 8 }, () => fetch(`${url}/api/articles`).then((res) => res.text())));
    process.kill(-run.child.pid!, 'SIGINT');
    expect(await run.exited).toBe(0);
    const problems = run.lines.filter((line) => level(line) >= 40);
    expect(problems).toEqual([]);
    expect(run.lines.filter((line) => line.includes('"msg":"Stopped"'))).toHaveLength(1);
    const components = run.lines.filter((line) => line.includes('connections closed as the process stops'));
    expect(new Set(components.map((line) => JSON.parse(line).context as string)).size).toBe(components.length);
  } finally {
    if (run.child.exitCode === null && run.child.signalCode === null) process.kill(-run.child.pid!, 'SIGKILL');
    await run.exited;
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(`${dataDir}-password`, { force: true });
  }
});
