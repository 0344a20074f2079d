// Builds the API (with the CLI and the libraries) and the pages:
//   node scripts/build.mjs api web              build them
//   node scripts/build.mjs --if-stale api web   build only those whose sources changed
// The compilers' output goes to standard error (see lib/build.mjs).
import './check-node.mjs';
import { build, buildIfStale, TARGETS } from './lib/build.mjs';

const args = process.argv.slice(2);
const ifStale = args.includes('--if-stale');
const targets = args.filter((arg) => arg !== '--if-stale');
const unknown = targets.filter((target) => !(target in TARGETS));
if (targets.length === 0 || unknown.length > 0) {
  console.error(`Usage: node scripts/build.mjs [--if-stale] ${Object.keys(TARGETS).join('|')}...`);
  process.exit(64);
}
let code = 0;
if (ifStale) code = await buildIfStale(targets);
else for (const target of targets) if (code === 0) code = await build(target);
process.exit(code);
