import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { joinBrokenParagraphs, parseArticleSource, readArticleSources } from './article-source.js';

describe('joinBrokenParagraphs', () => {
  it('joins a paragraph broken mid-sentence', () => {
    expect(joinBrokenParagraphs('to use a weapon if Washington\n\nand Seoul did not halt.\n\nNext one.')).toBe(
      'to use a weapon if Washington and Seoul did not halt.\n\nNext one.\n',
    );
  });

  it('leaves whole paragraphs alone', () => {
    const text = 'One sentence.\n\nAnother one.\n\n*An italic note.*\n';
    expect(joinBrokenParagraphs(text)).toBe(text);
  });

  it('does not join when the next paragraph starts a new sentence', () => {
    expect(joinBrokenParagraphs('A heading without a stop\n\nThen a paragraph.')).toBe(
      'A heading without a stop\n\nThen a paragraph.\n',
    );
  });
});

describe('the seed op-ed', () => {
  const dir = join(process.cwd(), 'prisma', 'seed', 'articles');
  const [article] = readArticleSources(dir);

  it('carries its title, author, date and original address', () => {
    expect(article).toMatchObject({
      slug: 'putin-and-kim-jong-un-are-not-so-different',
      title: 'Putin and Kim Jong Un Are Not So Different (Op-Ed)',
      author: 'Alexander Golts',
      sourceUrl: 'https://www.themoscowtimes.com/2015/08/24/putin-and-kim-jong-un-are-not-so-different-op-ed-a4913',
    });
    expect(article.publishedAt.toISOString()).toBe('2015-08-24T00:00:00.000Z');
  });

  it('joins the two paragraphs the source splits mid-sentence', () => {
    expect(article.body).toContain('"unknown to the world" if Washington and Seoul did not halt their exercises.');
    expect(article.body).toContain('"pride" — or what some claim is the result of an inferiority complex');
    // The source has 24 paragraph breaks in its body; two are mid-sentence.
    const raw = readFileSync(join(dir, 'putin-and-kim-jong-un-are-not-so-different.md'), 'utf8').split('---\n')[2];
    const paragraphs = (s: string) => s.split(/\n\s*\n/).filter((p) => p.trim()).length;
    expect(paragraphs(article.body)).toBe(paragraphs(raw) - 2);
  });

  it('keeps the op-ed text of the shared source intact', () => {
    expect(article.body).toContain('It seems that the international community can breathe a sigh of relief');
    expect(article.body).toContain('Alexander Golts is deputy editor of the online newspaper Yezhednevny Zhurnal.');
  });

  it('refuses a file without front matter', () => {
    expect(() => parseArticleSource('just text', 'x.md')).toThrow(/front matter/);
  });
});
