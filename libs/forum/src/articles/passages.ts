import { parseArticleMarkdown } from '../markdown/markdown-renderer.js';

// An article's passages are its top-level blocks (paragraphs, headings,
// quotes, lists) in order: the children of its rendered HTML, so a page finds
// passage N as the article element's Nth child. Their text is what a reader
// sees and selects there, with white space collapsed.

export function normaliseText(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

export function articlePassages(markdown: string): string[] {
  const passages: string[] = [];
  let depth = 0;
  let current: string[] = [];
  for (const token of parseArticleMarkdown(markdown)) {
    if (token.nesting === 1) {
      if (depth === 0) current = [];
      depth++;
    } else if (token.nesting === -1) {
      depth--;
      if (depth === 0) passages.push(normaliseText(current.join(' ')));
    } else if (token.type === 'inline') {
      current.push(inlineText(token.children ?? []));
    }
  }
  return passages;
}

function inlineText(children: { type: string; content: string }[]): string {
  return children
    .map((c) =>
      c.type === 'text' || c.type === 'code_inline'
        ? c.content
        : c.type === 'softbreak' || c.type === 'hardbreak'
          ? ' '
          : '',
    )
    .join('');
}

// A W3C Web Annotation text quote selector, with the passage it was made on.
export interface PassageAnchor {
  paragraph: number;
  quote: string;
  prefix: string;
  suffix: string;
}

const CONTEXT = 32;

// The anchor for `quote` in passage `paragraph`, with its context, or the
// reason it cannot be made.
export function makeAnchor(
  passages: string[],
  paragraph: number,
  rawQuote: string,
): PassageAnchor | 'no-paragraph' | 'not-in-paragraph' {
  const text = passages[paragraph];
  if (text === undefined) return 'no-paragraph';
  const quote = normaliseText(rawQuote);
  const at = quote ? text.indexOf(quote) : -1;
  if (at < 0) return 'not-in-paragraph';
  return {
    paragraph,
    quote,
    prefix: text.slice(Math.max(0, at - CONTEXT), at),
    suffix: text.slice(at + quote.length, at + quote.length + CONTEXT),
  };
}

// Where an anchor's quote is in a (possibly edited) article: the passage that
// contains it, preferring the one whose text around it still matches the
// context, then the one nearest the old position; null when the quote is gone.
export function relocate(passages: string[], anchor: PassageAnchor): number | null {
  let best: { paragraph: number; rank: number } | null = null;
  passages.forEach((text, paragraph) => {
    for (let at = text.indexOf(anchor.quote); at >= 0; at = text.indexOf(anchor.quote, at + 1)) {
      const context =
        Number(text.slice(0, at).endsWith(anchor.prefix)) +
        Number(text.slice(at + anchor.quote.length).startsWith(anchor.suffix));
      const rank = context * 100_000 - Math.abs(paragraph - anchor.paragraph);
      if (!best || rank > best.rank) best = { paragraph, rank };
    }
  });
  return (best as { paragraph: number } | null)?.paragraph ?? null;
}

// An article's passages, parsed once per version of its text.
const parsed = new Map<string, { source: string; passages: string[] }>();

export function passagesOf(article: { id: string; bodySource: string }): string[] {
  const known = parsed.get(article.id);
  if (known && known.source === article.bodySource) return known.passages;
  const passages = articlePassages(article.bodySource);
  if (parsed.size >= 1000) parsed.delete(parsed.keys().next().value!);
  parsed.set(article.id, { source: article.bodySource, passages });
  return passages;
}
