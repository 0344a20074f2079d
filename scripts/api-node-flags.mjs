// The Node.js flags the API runs with, read from package.json's `start` script.
// The tests' server processes and the benchmarks start it with these, so both
// exercise the server as it is run; the Dockerfile's CMD says the same (a test
// keeps it in step).
import { readFileSync } from 'node:fs';

export function apiNodeFlags() {
  const { scripts } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  const match = /\bnode((?:\s+--[\w-]+(?:=\S+)?)*)\s+dist\/apps\/api\/src\/main\.js/.exec(scripts.start);
  if (!match) throw new Error(`package.json's start script does not run dist/apps/api/src/main.js: ${scripts.start}`);
  return match[1].trim().split(/\s+/).filter(Boolean);
}
