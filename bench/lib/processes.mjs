// The child processes of a benchmark (servers, subscribers): started and
// tracked with their output, stopped on the way out, waited for until ready;
// and free ports. Shared by the benchmarks.
import { spawn } from 'node:child_process';
import net from 'node:net';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const children = new Set();

// Keeps the last output of a child and a promise of its exit.
export function track(name, child, keepChars = 20_000) {
  let output = '';
  const keep = (chunk) => {
    output += chunk.toString();
    if (output.length > keepChars) output = output.slice(-keepChars);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const handle = {
    name,
    child,
    pid: child.pid,
    output: () => output,
    exited: new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal }))),
  };
  children.add(handle);
  handle.exited.then(() => children.delete(handle));
  return handle;
}

// A Node.js child (this process's node binary), tracked.
/** @param {string} name @param {string[]} args @param {{ cwd?: string, env?: NodeJS.ProcessEnv, keepChars?: number }} [options] */
export function startNode(name, args, { cwd, env, keepChars } = {}) {
  const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  return track(name, child, keepChars);
}

// SIGTERM, then SIGKILL after `timeoutMs`; resolves with how it exited.
export async function stopChild(handle, timeoutMs = 10_000) {
  if (!children.has(handle)) return handle.exited;
  handle.child.kill('SIGTERM');
  const timer = setTimeout(() => handle.child.kill('SIGKILL'), timeoutMs);
  const info = await handle.exited;
  clearTimeout(timer);
  return info;
}

export const stopAll = (timeoutMs = 5000) => Promise.all([...children].map((h) => stopChild(h, timeoutMs)));

// No child outlives the benchmark: killed at exit, stopped on SIGINT and
// SIGTERM, and everything stops after `maxSeconds` (the returned timer: clear
// it when the benchmark is done).
export function stopChildrenOnExit({ log, maxSeconds, timeoutMs }) {
  process.on('exit', () => {
    for (const h of children) h.child.kill('SIGKILL');
  });
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => {
      log(`${signal}: stopping the child processes`);
      stopAll(timeoutMs).finally(() => process.exit(130));
    });
  }
  const watchdog = setTimeout(() => {
    log(`Hard stop after ${maxSeconds} s (BENCH_MAX_SECONDS)`);
    stopAll(timeoutMs).finally(() => process.exit(124));
  }, maxSeconds * 1000);
  watchdog.unref();
  return watchdog;
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (srv.address());
      srv.close(() => resolve(port));
    });
  });
}

// Polls `url` until `ready(response)` (default: a 2xx), failing at once when
// the child exits and after `timeoutMs`, with the child's last output.
/** @param {any} handle @param {string} url @param {{ timeoutMs?: number, ready?: (res: Response) => boolean }} [options] */
export async function waitReady(handle, url, { timeoutMs = 60_000, ready = (res) => res.ok } = {}) {
  const deadline = Date.now() + timeoutMs;
  /** @type {{ code: number | null, signal: string | null } | null} */
  let exitInfo = null;
  handle.exited.then((info) => (exitInfo = info));
  while (Date.now() < deadline) {
    if (exitInfo) {
      throw new Error(
        `${handle.name} exited during start-up (code ${exitInfo.code}, signal ${exitInfo.signal}). Its output:\n${handle.output().slice(-5000)}`,
      );
    }
    try {
      if (ready(await fetch(url))) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(
    `${handle.name} not ready at ${url} within ${timeoutMs} ms. Its output:\n${handle.output().slice(-5000)}`,
  );
}
