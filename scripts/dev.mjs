// npm run dev: the API and the pages, each rebuilt when its sources change.
// - the API's code is compiled on every change under apps/ and libs/
//   (nest build --watch: swc, with the type check), and the API restarted
//   when a compiled file's contents changed. Restarting is done here, not by
//   `nest start --watch`: that restarts on any script written under dist/
//   (the pages' too), kills the whole process tree, and starts a new API
//   even when a restart and a Ctrl-C cross;
// - the pages (apps/web) are built by Vite before the API starts, so it serves
//   them, and rebuilt on every change (the API serves them from dist/web, so
//   a reload shows the change without a restart);
// - the embedded PostgreSQL (unless DATABASE_URL is set) runs for the whole
//   session (lib/dev-database.mjs), so a restart of the API never stops it.
// Ctrl-C (or SIGTERM) stops the API in order, then the watchers and the database.
import './check-node.mjs';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, mkdirSync, readFileSync, watch } from 'node:fs';
import { join } from 'node:path';

// Vite sets NODE_ENV=production in the process that builds; the API gets the
// environment this command was started with.
const env = { ...process.env };
const root = join(import.meta.dirname, '..');
const dist = join(root, 'dist');
const main = join(dist, 'apps', 'api', 'src', 'main.js');
const say = (message) => console.error(`[dev] ${message}`);

let stopping = false;
let api = null;
let apiExit = null;
let compiler = null;
let pages = null;
let database = null;

// The compiled API: what each file holds, so that the API restarts only for a
// real difference (swc writes every file when it starts, and some unchanged).
const contents = new Map();
let lastWrite = 0;
let onCompiled = () => undefined;
const digest = (file) => {
  try {
    return createHash('sha1').update(readFileSync(file)).digest('hex');
  } catch {
    return null; // removed, or being written
  }
};
mkdirSync(dist, { recursive: true });
const watcher = watch(dist, { recursive: true }, (_event, name) => {
  if (!name || !name.endsWith('.js') || !/^(apps|libs)[\\/]/.test(name)) return;
  lastWrite = Date.now();
  const file = join(dist, name);
  const now = digest(file);
  if (now === null || contents.get(file) === now) return;
  contents.set(file, now);
  onCompiled();
});

// The first compile is done when the entry file exists and nothing has been
// written for a moment.
async function firstCompile() {
  for (;;) {
    if (compiler.exitCode !== null) throw new Error(`the compiler stopped (exit ${compiler.exitCode})`);
    if (lastWrite > 0 && existsSync(main) && Date.now() - lastWrite > 1500) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function startDatabase() {
  const helper = spawn(process.execPath, [join(import.meta.dirname, 'lib', 'dev-database.mjs')], {
    cwd: root,
    env,
    // A process group of its own: the terminal's Ctrl-C goes to the API only.
    detached: true,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const [message] = await Promise.race([
    once(helper, 'message'),
    once(helper, 'exit').then(([code]) => {
      throw new Error(`the database did not start (exit ${code})`);
    }),
  ]);
  say(`Embedded PostgreSQL on ${message.url} for this session`);
  return {
    stop: async () => {
      if (helper.exitCode !== null) return;
      const exited = once(helper, 'exit');
      helper.disconnect();
      await exited;
    },
  };
}

async function watchPages() {
  const { build } = await import('vite');
  const vite = await build({
    configFile: join(root, 'apps', 'web', 'vite.config.ts'),
    logLevel: 'warn',
    build: { watch: {} },
  });
  let first = true;
  await new Promise((resolve, reject) => {
    vite.on('event', (event) => {
      if (event.code === 'BUNDLE_END' || event.code === 'ERROR') void event.result?.close?.();
      if (event.code === 'END') {
        if (first) resolve();
        else say('Pages rebuilt (dist/web): reload the page');
        first = false;
      }
      if (event.code === 'ERROR') {
        if (first) reject(event.error);
        else say(`The pages did not build: ${event.error?.message ?? event.error}`);
      }
    });
  });
  return vite;
}

function startApi() {
  apiExit = null;
  const child = spawn(process.execPath, ['--enable-source-maps', main], { cwd: root, env, stdio: 'inherit' });
  api = child;
  child.once('exit', (code, signal) => {
    // Stopped by a signal (a Ctrl-C while it was still starting): not a failure.
    apiExit = code ?? (signal === 'SIGINT' || signal === 'SIGTERM' ? 0 : 1);
    if (api === child) api = null;
    if (!stopping && !restarting) say(`The API stopped (exit ${apiExit}); it starts again on the next change`);
  });
}

let restarting = false;
let again = false;
async function restart() {
  if (stopping) return;
  if (restarting) {
    again = true;
    return;
  }
  restarting = true;
  say('Restarting the API: its code changed');
  const running = api;
  if (running) {
    const exited = once(running, 'exit');
    running.kill('SIGTERM');
    await exited;
  }
  restarting = false;
  if (stopping) return;
  startApi();
  if (again) {
    again = false;
    void restart();
  }
}

async function stop(signal, code = 0) {
  if (stopping) return;
  stopping = true;
  // A Ctrl-C reached the API already; a signal sent to this process alone is passed on.
  const running = api;
  if (running && running.exitCode === null) {
    const exited = once(running, 'exit');
    running.kill(signal);
    await exited;
  }
  watcher.close();
  if (compiler?.exitCode === null) compiler.kill('SIGTERM');
  await pages?.close();
  await database?.stop();
  process.exit(apiExit ?? code);
}
process.on('SIGINT', (signal) => void stop(signal));
process.on('SIGTERM', (signal) => void stop(signal));

try {
  const nest = join(root, 'node_modules', '@nestjs', 'cli', 'bin', 'nest.js');
  compiler = spawn(process.execPath, [nest, 'build', 'api', '--watch'], { cwd: root, env, stdio: 'inherit' });
  compiler.once('exit', (code) => {
    if (stopping) return;
    say(`The compiler stopped (exit ${code})`);
    void stop('SIGTERM', 1);
  });
  [pages] = await Promise.all([watchPages(), firstCompile()]);
  say('Pages built (dist/web); watching apps/web, apps/ and libs/');
  if (!env.DATABASE_URL) database = await startDatabase();
} catch (error) {
  console.error(error);
  await stop('SIGTERM', 1);
}
if (!stopping) {
  let timer = null;
  onCompiled = () => {
    clearTimeout(timer);
    timer = setTimeout(() => void restart(), 300);
  };
  startApi();
}
