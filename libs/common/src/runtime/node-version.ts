// The oldest Node.js the project runs on; package.json `engines` says the same
// (a unit test keeps them in step).
export const MINIMUM_NODE_VERSION = '22.22.3';

// A message for an older Node.js than `minimum`, or null when `actual` is new enough.
export function nodeVersionProblem(actual: string, minimum = MINIMUM_NODE_VERSION): string | null {
  const have = actual.replace(/^v/, '').split('.').map(Number);
  const need = minimum.split('.').map(Number);
  for (let i = 0; i < need.length; i += 1) {
    const a = have[i] ?? 0;
    if (a > need[i]) return null;
    if (a < need[i])
      return `Rejoinder needs Node.js ${minimum} or newer; this is Node.js ${actual.replace(/^v/, '')}. Install Node.js 22 LTS (the version in .nvmrc): 'nvm install', or without root: 'npm install --prefix ~/.cache/node22 node@22' and put ~/.cache/node22/node_modules/node/bin first on PATH.`;
  }
  return null;
}

// Stops the process with a clear message on an older Node.js, before anything
// else fails in a less obvious way.
export function requireSupportedNode(): void {
  const problem = nodeVersionProblem(process.versions.node);
  if (problem) {
    console.error(problem);
    process.exit(1);
  }
}
