// The command-line tool as the npm scripts run it (npm run export, import,
// admin:create, db:*): builds the API's code first only when its sources
// changed since the last build, then runs the command in this process.
// Standard output carries only the command's result; the build's output, like
// every log and progress line, goes to standard error.
import './check-node.mjs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildIfStale } from './lib/build.mjs';

const code = await buildIfStale(['api']);
if (code !== 0) {
  console.error('The build failed; the command did not run.');
  process.exit(code);
}
const main = join(import.meta.dirname, '..', 'dist', 'apps', 'cli', 'src', 'main.js');
process.argv = [process.argv[0], main, ...process.argv.slice(2)];
await import(pathToFileURL(main).href);
