import { Readable } from 'node:stream';
import { readDisqus } from './disqus.js';
import { parseArticleExport } from './transfer.format.js';
import { positionAt } from './text-position.js';

const errorOf = (run: () => unknown): string => {
  try {
    run();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected an error');
};

const rejectionOf = async (run: () => Promise<unknown>): Promise<string> => {
  try {
    await run();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected an error');
};

// The file as the importer streams it: in small chunks, so a break is found
// wherever the chunks end.
function chunksOf(text: string, size = 7): AsyncIterable<string> {
  const chunks: string[] = [];
  for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size));
  return Readable.from(chunks, { objectMode: true }) as AsyncIterable<string>;
}

// A Disqus export of a few lines, as the file would be on disk.
const DISQUS = [
  '<?xml version="1.0" encoding="utf-8"?>',
  '<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">',
  '  <thread dsq:id="1">',
  '    <link>https://news.example/a</link>',
  '    <title>A</title>',
  '  </thread>',
  '  <post dsq:id="5">',
  '    <message><![CDATA[<p>First</p>]]></message>',
  '    <createdAt>2015-01-01T00:00:00Z</createdAt>',
  '    <thread dsq:id="1"/>',
  '  </post>',
  '</disqus>',
  '',
].join('\n');

describe('where an import file breaks', () => {
  it('counts lines and columns from 1', () => {
    expect(positionAt('ab\ncd', 0)).toEqual({ line: 1, column: 1 });
    expect(positionAt('ab\ncd', 4)).toEqual({ line: 2, column: 2 });
  });

  it('a Disqus file cut short is named at its end, with what is still open', async () => {
    // Cut inside the post's message, after its element opened.
    const cut = DISQUS.slice(0, DISQUS.indexOf('First') + 3);
    const lines = cut.split('\n');
    expect(await rejectionOf(() => readDisqus(chunksOf(cut)))).toBe(
      `Malformed XML at line ${lines.length}, column ${lines.at(-1)!.length}: the file ends with <disqus>, <post>, <message> still open (is it cut short?)`,
    );
    // Cut after the last post: only the root is open.
    const afterPost = DISQUS.slice(0, DISQUS.indexOf('</disqus>'));
    expect(await rejectionOf(() => readDisqus(chunksOf(afterPost)))).toBe(
      'Malformed XML at line 11, column 9: the file ends with <disqus> still open (is it cut short?)',
    );
  });

  it('a wrong tag inside a Disqus file is named where it is', async () => {
    const wrong = DISQUS.replace('    <title>A</title>', '    <title>A</titel>');
    expect(await rejectionOf(() => readDisqus(chunksOf(wrong)))).toMatch(
      /^Malformed XML at line 5, column \d+: unexpected close tag/,
    );
  });

  it('an export cut short is named at its end', () => {
    const text = JSON.stringify({ format: 'rejoinder.article', version: 1, comments: [{ id: 'a' }] }, null, 2);
    const cut = text.slice(0, text.indexOf('"a"'));
    const lines = cut.trimEnd().split('\n');
    expect(errorOf(() => parseArticleExport(cut))).toBe(
      `Not JSON: the file ends at line ${lines.length}, column ${lines.at(-1)!.length} before the document is complete (is it cut short?)`,
    );
    expect(errorOf(() => parseArticleExport(''))).toBe(
      'Not JSON: the file ends at line 1, column 1 before the document is complete (is it cut short?)',
    );
  });

  it('a wrong character inside an export is named where it is', () => {
    expect(errorOf(() => parseArticleExport('{\n  "format": x\n}'))).toBe(
      'Not JSON at line 2, column 13: InvalidSymbol',
    );
    expect(errorOf(() => parseArticleExport('{ "format": 1 }\n}'))).toBe(
      'Not JSON at line 2, column 1: EndOfFileExpected',
    );
  });
});
