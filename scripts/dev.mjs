// npm run dev: the API and the pages, each rebuilt when its sources change.
// - the embedded PostgreSQL (unless DATABASE_URL is set) runs for the whole
//   session (lib/dev-database.mjs), so a restart of the API never stops it;
// - the pages (apps/web) are built by Vite before the API starts, so it serves
//   them, and rebuilt on every change (the API serves them from dist/web, so
//   a reload shows the change without a restart);
// - the API is compiled and restarted on every change under apps/ and libs/
//   (nest start --watch).
// Ctrl-C (or SIGTERM) stops the API in order, then the watcher and the database.
import './check-node.mjs';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { buildIfStale } from './lib/build.mjs';

// Vite sets NODE_ENV=production in the process that builds; the API gets the
// environment this command was started with.
const env = { ...process.env };
const root = join(import.meta.dirname, '..');
const say = (message) => console.error(`[dev] ${message}`);

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
  const watcher = await build({
    configFile: join(root, 'apps', 'web', 'vite.config.ts'),
    logLevel: 'warn',
    build: { watch: {} },
  });
  let first = true;
  await new Promise((resolve, reject) => {
    watcher.on('event', (event) => {
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
  return watcher;
}

if ((await buildIfStale(['api'])) !== 0) process.exit(1);
const database = process.env.DATABASE_URL ? null : await startDatabase();
let pages;
try {
  pages = await watchPages();
} catch (error) {
  console.error(error);
  await database?.stop();
  process.exit(1);
}
say('Pages built (dist/web); watching apps/web');

const nest = join(root, 'node_modules', '@nestjs', 'cli', 'bin', 'nest.js');
const api = spawn(process.execPath, [nest, 'start', 'api', '--watch'], { cwd: root, env, stdio: 'inherit' });

let stopping = false;
const stop = (signal) => {
  if (stopping) return;
  stopping = true;
  // A Ctrl-C reached the API already; a signal sent to this process alone is passed on.
  if (api.exitCode === null) api.kill(signal);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
const [code, signal] = await once(api, 'exit');
await pages.close();
await database?.stop();
process.exit(code ?? (signal ? 1 : 0));
