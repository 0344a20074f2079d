import { commentColumns, insertPublished, isCommentIdTaken, postContext } from './post-statements.js';
import type { PublishedComment } from './post-statements.js';

const TOP: PublishedComment = {
  id: 'c0000000-0000-4000-8000-000000000001',
  articleId: 'b0000000-0000-4000-8000-000000000001',
  parentId: null,
  authorId: 'a0000000-0000-4000-8000-000000000001',
  path: ['c0000000-0000-4000-8000-000000000001'],
  depth: 0,
  bodySource: 'words',
  bodyHtml: '<p>words</p>',
  anchor: null,
  stance: null,
  lang: null,
};
const PARENT = 'c0000000-0000-4000-8000-0000000000aa';
const REPLY: PublishedComment = { ...TOP, parentId: PARENT, path: [PARENT, TOP.id], depth: 1 };
const EVENT = { type: 'comment.created', payload: '{}' };

// Every $n placeholder in the text has its value, and every value is used.
function placeholders(text: string): number[] {
  return [...new Set([...text.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])))].sort((a, b) => a - b);
}

describe('the statement that stores a published comment', () => {
  it('passes every value as a parameter, never in the text', () => {
    const hostile = { ...TOP, bodySource: "'); DROP TABLE comments; --", bodyHtml: '<p>$1</p>' };
    const { text, values } = insertPublished(hostile, EVENT);
    expect(text).not.toContain('DROP TABLE');
    expect(values).toContain(hostile.bodySource);
    expect(placeholders(text)).toEqual(values.map((_, i) => i + 1));
  });

  it('locks the article first and only while it is open, then writes the comment and its one public event', () => {
    const { text } = insertPublished(TOP, EVENT);
    const order = ['UPDATE articles', 'INSERT INTO comments', 'INSERT INTO article_events'].map((part) =>
      text.indexOf(part),
    );
    expect(order.every((at) => at >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(text).toContain("state = 'open'");
    expect(text).toMatch(/'published', true/);
    expect(text).toMatch(/'public', NULL/);
  });

  it('bumps the ancestors and notes the reply only for a reply', () => {
    expect(insertPublished(TOP, EVENT).text).not.toContain('descendant_count = descendant_count');
    expect(insertPublished(TOP, EVENT).text).not.toContain('INSERT INTO notifications');
    const reply = insertPublished(REPLY, EVENT);
    expect(reply.text).toContain('descendant_count = descendant_count + 1');
    expect(reply.text).toContain('INSERT INTO notifications');
    // The ancestors are the path without the comment itself.
    expect(reply.values).toContainEqual([PARENT]);
  });

  it('counts the passage and the stance of a top-level comment that has them', () => {
    expect(insertPublished(TOP, EVENT).text).not.toContain('passage_counts');
    const anchored = insertPublished(
      { ...TOP, anchor: { paragraph: 2, quote: 'q', prefix: '', suffix: '' }, stance: 'agree' },
      EVENT,
    );
    expect(anchored.text).toContain('passage_counts = jsonb_set');
    expect(anchored.text).toContain('stance_counts = jsonb_set');
    expect(anchored.values).toEqual(expect.arrayContaining(['2', 'agree']));
  });

  it('returns the stored comment with the same columns as every other read, and the event number', () => {
    const { text } = insertPublished(TOP, EVENT);
    expect(text).toContain(commentColumns('ins'));
    expect(text).toContain('AS "eventSeq"');
  });
});

describe('the read before a post', () => {
  it('asks for the article by slug, the id and the parent, as parameters', () => {
    const { text, values } = postContext('a-slug', TOP.id, PARENT);
    expect(values).toEqual(['a-slug', TOP.id, PARENT]);
    expect(placeholders(text)).toEqual([1, 2, 3]);
  });
});

describe('a taken id', () => {
  it('is a unique violation on the comments primary key, and nothing else', () => {
    expect(isCommentIdTaken({ code: '23505', constraint: 'comments_pkey' })).toBe(true);
    expect(isCommentIdTaken({ code: '23505', constraint: 'users_email_key' })).toBe(false);
    expect(isCommentIdTaken({ code: '40001' })).toBe(false);
    expect(isCommentIdTaken(null)).toBe(false);
  });
});
