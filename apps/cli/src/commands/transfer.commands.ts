import { parseArticleExport, parseDisqus, TransferError, TransferService } from '@rejoinder/forum';
import type { ImportProgress, ImportSummary } from '@rejoinder/forum';
import { SingleBar } from 'cli-progress';
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

type Get = <S>(type: new (...args: never[]) => S) => S;

export async function exportCommand(args: string[], get: Get): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { article: { type: 'string' }, out: { type: 'string' } },
    strict: true,
  });
  if (!values.article) {
    console.error('export needs an article: npm run export -- --article <slug> [--out <file>|-]');
    return 64;
  }
  const doc = await get(TransferService).exportArticle(values.article);
  const text = `${JSON.stringify(doc, null, 2)}\n`;
  const out = values.out ?? `${doc.article.slug}.rejoinder.json`;
  if (out === '-') process.stdout.write(text);
  else writeFileSync(out, text);
  console.error(
    `Exported ${doc.article.slug}: ${doc.comments.length} comment(s) by ${doc.accounts.length} account(s)` +
      (out === '-' ? '' : ` to ${out}`),
  );
  return 0;
}

// Files are read and checked before the database is touched.
export function readExportFile(args: string[]) {
  const { positionals } = parseArgs({ args, allowPositionals: true, strict: true });
  const file = onlyFile(positionals, 'import', 'npm run import -- <file.json>');
  return parseArticleExport(readText(file));
}

export function readDisqusFile(args: string[]) {
  const { values, positionals } = parseArgs({
    args,
    options: { 'create-articles': { type: 'boolean', default: false } },
    allowPositionals: true,
    strict: true,
  });
  const file = onlyFile(positionals, 'import:disqus', 'npm run import:disqus -- <file.xml> [--create-articles]');
  return { disqus: parseDisqus(readText(file)), createArticles: values['create-articles'] };
}

export function report(summary: ImportSummary): void {
  for (const article of summary.articles) {
    console.log(`${article.created ? 'Created' : 'Added to'} ${article.slug}: ${article.comments} comment(s)`);
  }
  console.log(
    `Imported ${summary.comments} comment(s) by ${summary.accounts} account(s) into ${summary.articles.length} article(s).`,
  );
}

// A bar on a terminal; one line per quarter otherwise (logs, CI).
export function progressBar(): ImportProgress & { stop(): void } {
  const tty = process.stderr.isTTY;
  const bar = new SingleBar({
    stream: process.stderr,
    format: 'Importing [{bar}] {percentage}% | {value}/{total} comments | {eta_formatted} left',
    noTTYOutput: !tty,
    notTTYSchedule: 1000,
    hideCursor: tty,
  });
  return {
    start: (total) => bar.start(total, 0),
    advance: (n) => bar.increment(n),
    stop: () => bar.stop(),
  };
}

function onlyFile(positionals: string[], command: string, usage: string): string {
  if (positionals.length !== 1) throw new TransferError(`${command} needs one file: ${usage}`);
  return positionals[0];
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new TransferError(`Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}
