import { jest } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// `npm run messages:check` (part of `npm run lint`) run as a process against
// copies of the catalogues: it passes on the committed ones and fails on a
// catalogue that lacks a message the code uses, keeps one it no longer uses,
// or leaves one untranslated.
jest.setTimeout(180_000);

const repo = process.cwd();
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function copyOfCatalogues(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rejoinder-locales-'));
  dirs.push(dir);
  cpSync(join(repo, 'locales'), dir, { recursive: true });
  return dir;
}

function check(localesDir: string): { code: number | null; output: string } {
  const run = spawnSync('npm', ['run', '--silent', 'messages:check'], {
    cwd: repo,
    env: { ...process.env, LOCALES_DIR: localesDir },
    encoding: 'utf8',
  });
  return { code: run.status, output: `${run.stdout}${run.stderr}` };
}

const edit = (file: string, change: (text: string) => string) =>
  writeFileSync(file, change(readFileSync(file, 'utf8')));

it('passes on the catalogues as committed', () => {
  const result = check(copyOfCatalogues());
  expect(result.output).toContain('PASS sync');
  expect(result.code).toBe(0);
});

it('fails on a catalogue that lacks a message the code uses', () => {
  const dir = copyOfCatalogues();
  edit(join(dir, 'web', 'ru.po'), (po) => po.replace(/\n#[^\n]*\nmsgid "Post comment"\nmsgstr "[^"]*"\n/, '\n'));
  const result = check(dir);
  expect(result.output).toContain('FAIL sync');
  expect(result.code).not.toBe(0);
});

it('fails on a catalogue that keeps a message the code no longer uses', () => {
  const dir = copyOfCatalogues();
  edit(
    join(dir, 'web', 'ru.po'),
    (po) => `${po}\n#: apps/web/src/gone.tsx\nmsgid "No longer used"\nmsgstr "Больше не используется"\n`,
  );
  const result = check(dir);
  expect(result.output).toContain('FAIL sync');
  expect(result.code).not.toBe(0);
});

it('fails on a message left untranslated', () => {
  const dir = copyOfCatalogues();
  edit(join(dir, 'web', 'ru.po'), (po) =>
    po.replace(/msgid "Post comment"\nmsgstr "[^"]*"/, 'msgid "Post comment"\nmsgstr ""'),
  );
  const result = check(dir);
  expect(result.output).toContain('FAIL missing');
  expect(result.code).not.toBe(0);
});
