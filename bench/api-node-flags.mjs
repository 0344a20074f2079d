// The Node.js flags the API runs with, read from package.json's `start` script
// (the Dockerfile's CMD and the tests' server processes use the same; a test
// keeps them in step), so the benchmarks measure the server as it is run.
import { readFileSync } from 'node:fs';

export function apiNodeFlags() {
  const { scripts } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  const match = /\bnode((?:\s+--[\w-]+(?:=\S+)?)*)\s+dist\/apps\/api\/src\/main\.js/.exec(scripts.start);
  if (!match) throw new Error(`package.json's start script does not run dist/apps/api/src/main.js: ${scripts.start}`);
  return match[1].trim().split(/\s+/).filter(Boolean);
}
