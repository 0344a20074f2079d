import {
  parseArticleExport,
  readDisqus,
  readRemark42,
  readWordpress,
  SKIP_REASONS,
  TransferError,
  TransferService,
} from '@rejoinder/forum';
import type { ImportFormat, ImportProgress, ImportSummary, SourceExport, SourceProblem } from '@rejoinder/forum';
import { SingleBar } from 'cli-progress';
import { closeSync, createReadStream, openSync, readFileSync, readSync, statSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { createGunzip } from 'node:zlib';

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

export interface SourceImport {
  file: string;
  source: SourceExport;
  createArticles: boolean;
  strict: boolean;
  report: string | null;
}

const READERS: Record<ImportFormat, (text: Readable) => Promise<SourceExport>> = {
  disqus: (text) => readDisqus(withoutBom(text)),
  wordpress: (text) => readWordpress(withoutBom(text)),
  remark42: (text) => readRemark42(createInterface({ input: text, crlfDelay: Infinity })),
};

// Reads a Disqus, WordPress or Remark42 file as it streams (a .gz is
// unpacked on the way): checked before the database is touched.
export async function readSourceFile(format: ImportFormat, args: string[]): Promise<SourceImport> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      'create-articles': { type: 'boolean', default: false },
      strict: { type: 'boolean', default: false },
      report: { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  });
  const command = `import:${format}`;
  const file = onlyFile(
    positionals,
    command,
    `npm run ${command} -- <file> [--create-articles] [--strict] [--report <file.json>]`,
  );
  const started = Date.now();
  const source = await READERS[format](openText(file)).catch((error: unknown) => {
    if (error instanceof TransferError) throw error;
    throw new TransferError(`Cannot read ${file}: ${(error as Error).message}`);
  });
  console.error(
    `Read ${source.posts.length} comment(s) in ${source.threads.length} thread(s) from ${file} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  return {
    file,
    source,
    createArticles: values['create-articles'],
    strict: values.strict,
    report: values.report ?? null,
  };
}

export function report(summary: ImportSummary): void {
  for (const article of summary.articles) {
    if (!article.created && article.comments === 0 && article.merged.length === 0) continue;
    const before = article.alreadyImported > 0 ? ` (${article.alreadyImported} imported before)` : '';
    console.log(`${article.created ? 'Created' : 'Added to'} ${article.slug}: ${article.comments} comment(s)${before}`);
    if (article.merged.length > 0)
      console.log(`  merged ${article.merged.length} threads: ${article.merged.join(', ')}`);
  }
  const into = summary.articles.filter((a) => a.comments > 0);
  console.log(
    `Imported ${summary.comments} comment(s) by ${summary.accounts} new account(s) into ${into.length} article(s).`,
  );
  if (summary.format !== 'rejoinder') {
    const created = summary.articles.filter((a) => a.created).length;
    const merged = summary.articles.filter((a) => a.merged.length > 0).length;
    console.log(
      `Articles: ${created} created, ${summary.articles.length - created} existing, ${merged} merged from several threads.`,
    );
  }
  if (summary.alreadyImported > 0) console.log(`Already imported before: ${summary.alreadyImported} comment(s).`);
  for (const outcome of ['skipped', 'attached'] as const) {
    const groups = problemGroups(summary.problems.filter((p) => p.outcome === outcome));
    if (groups.length === 0) continue;
    const total = groups.reduce((n, g) => n + g.comments, 0);
    console.log(`${outcome === 'skipped' ? 'Skipped' : 'Kept with a repair'}: ${total} comment(s)`);
    for (const group of groups) {
      const examples = group.items.slice(0, 3).join(', ') + (group.items.length > 3 ? ', ...' : '');
      console.log(`  ${group.comments} ${SKIP_REASONS[group.reason]} (${examples})`);
    }
  }
}

function problemGroups(problems: SourceProblem[]) {
  const groups = new Map<
    SourceProblem['reason'],
    { reason: SourceProblem['reason']; comments: number; items: string[] }
  >();
  for (const problem of problems) {
    const group = groups.get(problem.reason) ?? { reason: problem.reason, comments: 0, items: [] };
    group.comments += problem.comments ?? 1;
    group.items.push(problem.item);
    groups.set(problem.reason, group);
  }
  return [...groups.values()];
}

// The whole summary, every skipped item listed, for --report.
export function writeReport(file: string, input: string, summary: ImportSummary): void {
  const document = {
    file: input,
    importedAt: new Date().toISOString(),
    ...summary,
    problems: summary.problems.map((p) => ({ ...p, comments: p.comments ?? 1, explanation: SKIP_REASONS[p.reason] })),
  };
  writeFileSync(file, `${JSON.stringify(document, null, 2)}\n`);
  console.error(`Report written to ${file}`);
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

function openText(file: string): Readable {
  try {
    if (!statSync(file).isFile()) throw Object.assign(new Error(), { code: 'EISDIR' });
    const head = Buffer.alloc(2);
    const fd = openSync(file, 'r');
    readSync(fd, head, 0, 2, 0);
    closeSync(fd);
    const raw = createReadStream(file, { highWaterMark: 1 << 20 });
    // A gzip file (Remark42 keeps its backups so) is unpacked as it is read.
    const stream = head[0] === 0x1f && head[1] === 0x8b ? raw.pipe(createGunzip()) : raw;
    raw.on('error', (error) => stream.destroy(error));
    return stream.setEncoding('utf8');
  } catch (error) {
    throw new TransferError(`Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

// The byte order mark some editors put first is not part of the XML.
async function* withoutBom(text: Readable): AsyncGenerator<string> {
  let first = true;
  for await (const chunk of text as AsyncIterable<string>) {
    yield first ? chunk.replace(/^\uFEFF/, '') : chunk;
    first = false;
  }
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new TransferError(`Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}
