// The project's two builds and what each is built from, so a command that
// needs the build can tell whether it is current and build only what is stale.
// A build records a digest of its inputs (paths and contents) in
// dist/.build/<target>.json once it succeeds; the build is current when the
// inputs still have that digest and its entry files exist.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
// Files that shape every build: the compiler settings and the installed packages.
const SHARED = ['package-lock.json', 'tsconfig.json'];

export const TARGETS = {
  // The API, the CLI and the libraries (nest build: swc, after a type check).
  api: {
    inputs: ['apps', 'libs', 'tsconfig.build.json', '.swcrc', 'nest-cli.json', ...SHARED],
    exclude: ['apps/web'],
    outputs: ['dist/apps/api/src/main.js', 'dist/apps/cli/src/main.js'],
    command: () => [join(root, 'node_modules', '@nestjs', 'cli', 'bin', 'nest.js'), 'build', 'api'],
  },
  // The pages and embed.js (Vite).
  web: {
    inputs: ['apps/web', ...SHARED],
    exclude: [],
    outputs: ['dist/web/index.html', 'dist/web/embed.js'],
    command: () => [
      join(root, 'node_modules', 'vite', 'bin', 'vite.js'),
      'build',
      '--config',
      'apps/web/vite.config.ts',
      '--logLevel',
      'warn',
    ],
  },
};

const stampOf = (target) => join(root, 'dist', '.build', `${target}.json`);

function files(path, exclude) {
  const full = join(root, path);
  if (!existsSync(full)) return [];
  if (statSync(full).isFile()) return [path];
  return readdirSync(full, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .filter((file) => !exclude.some((folder) => file === folder || file.startsWith(`${folder}/`)));
}

// A digest of the target's inputs: every file's path and contents, in order.
export function inputDigest(target) {
  const { inputs, exclude } = TARGETS[target];
  const all = inputs.flatMap((input) => files(input, exclude)).sort();
  const hash = createHash('sha256');
  for (const file of all) {
    hash.update(file);
    hash.update('\0');
    hash.update(readFileSync(join(root, file)));
    hash.update('\0');
  }
  return hash.digest('hex');
}

export function isCurrent(target, digest = inputDigest(target)) {
  if (!TARGETS[target].outputs.every((file) => existsSync(join(root, file)))) return false;
  try {
    return JSON.parse(readFileSync(stampOf(target), 'utf8')).digest === digest;
  } catch {
    return false;
  }
}

// Builds the target. Its output goes to standard error: a command's standard
// output carries only the command's result.
export async function build(target) {
  const digest = inputDigest(target);
  const [script, ...args] = TARGETS[target].command();
  const child = spawn(process.execPath, [script, ...args], { cwd: root, stdio: ['ignore', 2, 2] });
  const code = await new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (status, signal) => resolve(status ?? (signal ? 1 : 0)));
  });
  if (code !== 0) return code;
  mkdirSync(join(root, 'dist', '.build'), { recursive: true });
  // The digest of the inputs as they were when the build began: a file
  // changed during the build leaves the build stale, as it is.
  writeFileSync(stampOf(target), `${JSON.stringify({ digest, builtAt: new Date().toISOString() })}\n`);
  return 0;
}

// Builds those of the targets that are stale; 0, or the failed build's status.
export async function buildIfStale(targets) {
  for (const target of targets) {
    if (isCurrent(target)) continue;
    console.error(`Building ${target}: its sources changed since the last build`);
    const code = await build(target);
    if (code !== 0) return code;
  }
  return 0;
}
