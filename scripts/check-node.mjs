// Fails `npm ci`, `npm start` and `npm test` early, with one clear line, on a
// Node.js older than package.json's `engines.node` (">=X.Y.Z").
import { readFileSync } from 'node:fs';

const { engines } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const minimum = /^>=\s*(\d+(?:\.\d+){0,2})$/.exec(engines.node)?.[1];
if (!minimum) throw new Error(`package.json engines.node must read ">=X.Y.Z", not "${engines.node}"`);
const have = process.versions.node.split('.').map(Number);
const need = minimum.split('.').map(Number);
const older = need.findIndex((n, i) => (have[i] ?? 0) !== n);
if (older !== -1 && (have[older] ?? 0) < need[older]) {
  console.error(
    `Rejoinder needs Node.js ${minimum} or newer; this is Node.js ${process.versions.node}. Install Node.js 22 LTS (the version in .nvmrc): 'nvm install', or without root: 'npm install --prefix ~/.cache/node22 node@22' and put ~/.cache/node22/node_modules/node/bin first on PATH.`,
  );
  process.exit(1);
}
