import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

export interface ArticleSource {
  slug: string;
  title: string;
  author: string;
  publishedAt: Date;
  sourceUrl: string | null;
  body: string;
}

const frontMatterSchema = z.strictObject({
  title: z.string().min(1),
  slug: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/),
  author: z.string().min(1),
  published: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  source: z.url().optional(),
  publisher: z.string().optional(),
});

// A paragraph that stops without closing punctuation and a next one that
// starts in lower case are one paragraph broken in two (as in the source of
// the seed op-ed: "if Washington" / "and Seoul did not halt").
export function joinBrokenParagraphs(markdown: string): string {
  const paragraphs = markdown
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  const joined: string[] = [];
  for (const paragraph of paragraphs) {
    const previous = joined.at(-1);
    if (previous !== undefined && !/[.!?…:;"'”’»)*_]$/.test(previous) && /^[a-z]/.test(paragraph)) {
      joined[joined.length - 1] = `${previous} ${paragraph}`;
    } else {
      joined.push(paragraph);
    }
  }
  return `${joined.join('\n\n')}\n`;
}

export function parseArticleSource(text: string, name = 'article'): ArticleSource {
  const match = /^---\n([\s\S]*?)\n---\n([\s\S]*)$/.exec(text.replace(/\r\n/g, '\n'));
  if (!match) throw new Error(`${name}: missing front matter`);
  const fields = Object.fromEntries(
    match[1]
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => {
        const at = line.indexOf(':');
        if (at < 0) throw new Error(`${name}: bad front matter line "${line}"`);
        return [line.slice(0, at).trim(), line.slice(at + 1).trim()];
      }),
  );
  const meta = frontMatterSchema.parse(fields);
  return {
    slug: meta.slug,
    title: meta.title,
    author: meta.author,
    publishedAt: new Date(`${meta.published}T00:00:00Z`),
    sourceUrl: meta.source ?? null,
    body: joinBrokenParagraphs(match[2]),
  };
}

export function readArticleSources(dir: string): ArticleSource[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.md'))
    .sort()
    .map((file) => parseArticleSource(readFileSync(join(dir, file), 'utf8'), file));
}
