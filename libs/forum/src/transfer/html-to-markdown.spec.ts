import { jest } from '@jest/globals';
import fc from 'fast-check';
import { DomUtils, parseDocument } from 'htmlparser2';
import { renderCommentMarkdown } from '../markdown/markdown-renderer.js';
import { htmlToMarkdown } from './html-to-markdown.js';

// What a person wrote, as the exporting system kept it (HTML text), and what
// readers see here after the import (the text of the rendered comment) must be
// the same characters: nothing eaten as Markdown syntax, nothing added.

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

// Lines, each trimmed with its runs of white space made one space; empty lines dropped.
const normalise = (s: string) =>
  s
    .split('\n')
    .map((line) => line.replace(/\s+/g, ' ').trim())
    .filter(Boolean)
    .join('\n');

function shown(markdown: string): string {
  const doc = parseDocument(renderCommentMarkdown(markdown), { decodeEntities: true });
  return DomUtils.textContent(doc.children);
}

// Every character Markdown gives a meaning to, words, other scripts, and
// sequences that are syntax only together.
const SYNTAX = [...'\\`*_~[]()<>|#+-=.!:;&\'"{}%$@/?'];
const pieces = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...SYNTAX) },
  { weight: 3, arbitrary: fc.constantFrom('a', 'Z', ' ', '1', '10', '菜鳥', 'Анна', 'محمد', 'é', '\t') },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '~~',
      '~~~',
      '```',
      '**',
      '__',
      '1.',
      '2)',
      '&amp;',
      '&#35;',
      '&copy;',
      '[x]: http://a.example',
      '<b>',
      '<http://a.example>',
      'http://a.example/a_b',
      'a@b.example',
      'www.a.example',
      '%41',
      '- [ ]',
      '> ',
      '# ',
      '    ',
      '---',
      '***',
      '| a | b |',
      '![x](http://a.example/i.png)',
      '[l](http://a.example)',
      '\\*',
    ),
  },
);
const line = fc.array(pieces, { minLength: 1, maxLength: 24 }).map((p) => p.join(''));

// Thousands of runs: more than the unit lane's default time on a busy machine.
jest.setTimeout(60_000);

describe('HTML to Markdown', () => {
  it('shows any text exactly as it was written (property)', () => {
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 4 }), (lines) => {
        const html = `<p>${lines.map(escapeHtml).join('<br>')}</p>`;
        const markdown = htmlToMarkdown(html);
        expect(normalise(shown(markdown))).toBe(normalise(lines.join('\n')));
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps text exact inside paragraphs, quotes, lists, emphasis and links (property)', () => {
    fc.assert(
      fc.property(line, line, line, (a, b, c) => {
        const html =
          `<p>${escapeHtml(a)} <b>${escapeHtml(b)}</b></p>` +
          `<blockquote>${escapeHtml(c)}</blockquote>` +
          `<ul><li>${escapeHtml(b)}</li></ul>` +
          `<p><a href="https://a.example/p">${escapeHtml(a)}</a></p>`;
        const text = normalise(shown(htmlToMarkdown(html)));
        for (const part of [a, b, c]) {
          if (normalise(part)) expect(text).toContain(normalise(part));
        }
      }),
      { numRuns: 500 },
    );
  });

  it('keeps the markup the HTML had', () => {
    expect(htmlToMarkdown('<p>a <em>b</em> <strong>c</strong> <s>d</s></p>')).toBe('a *b* **c** ~~d~~');
    expect(htmlToMarkdown('<ul><li>one</li><li>two</li></ul><ol><li>first</li></ol>')).toBe('- one\n- two\n\n1. first');
    expect(htmlToMarkdown('<pre><code>let a = 1 * 2;\n  b</code></pre>')).toBe('```\nlet a = 1 * 2;\n  b\n```');
    expect(htmlToMarkdown('<code>a `b` c</code>')).toBe('``a `b` c``');
    expect(htmlToMarkdown('<a href="https://e.example/a_(b)">x</a>')).toBe('[x](https://e.example/a_%28b%29)');
    expect(htmlToMarkdown('<img src="https://e.example/i.png" alt="a cat">')).toBe('[a cat](https://e.example/i.png)');
    expect(htmlToMarkdown('<script>alert(1)</script><p onclick="x()">ok</p>')).toBe('ok');
    expect(htmlToMarkdown('菜鳥~~~')).toBe('菜鳥\\~\\~\\~');
    expect(renderCommentMarkdown(htmlToMarkdown('菜鳥~~~'))).toBe('<p>菜鳥~~~</p>\n');
  });
});
