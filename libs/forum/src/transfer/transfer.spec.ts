import { Readable } from 'node:stream';
import { htmlToMarkdown, readDisqus } from './disqus.js';
import { parseArticleExport, TransferError } from './transfer.format.js';
import type { ExportedComment } from './transfer.format.js';
import { prepareComments, uuidFrom } from './transfer.service.js';

const comment = (id: string, parentId: string | null, extra: Partial<ExportedComment> = {}): ExportedComment => ({
  id,
  parentId,
  authorId: '00000000-0000-4000-8000-000000000001',
  status: 'published',
  listed: true,
  bodySource: `body of ${id}`,
  createdAt: '2026-01-01T00:00:00.000Z',
  editedAt: null,
  upvotes: 0,
  downvotes: 0,
  featured: false,
  pinned: false,
  moderationReason: null,
  ...extra,
});

function errorOf(work: () => unknown): string {
  try {
    work();
  } catch (error) {
    if (error instanceof TransferError) return error.message;
    throw error;
  }
  throw new Error('no error');
}

describe('prepareComments', () => {
  it('derives paths, depths, listed reply and descendant counts, scores and HTML', () => {
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((n) => uuidFrom('test', n));
    const rows = prepareComments([
      comment(a, null, { upvotes: 3, downvotes: 1 }),
      comment(b, a),
      comment(c, b, { status: 'rejected', listed: false }),
      comment(d, b, { bodySource: '*hi* <script>' }),
    ]);
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get(a)).toMatchObject({ depth: 0, path: [a], replyCount: 1, descendantCount: 2, score: 2 });
    expect(byId.get(b)).toMatchObject({ depth: 1, path: [a, b], replyCount: 1, descendantCount: 1 });
    expect(byId.get(d)).toMatchObject({ depth: 2, path: [a, b, d] });
    expect(byId.get(d)!.bodyHtml).toBe('<p><em>hi</em> &lt;script&gt;</p>\n');
    expect(byId.get(a)!.bestScore).toBeGreaterThan(0);
  });

  it('refuses a reply that comes before its parent', () => {
    const [a, b] = ['a', 'b'].map((n) => uuidFrom('test', n));
    expect(errorOf(() => prepareComments([comment(b, a), comment(a, null)]))).toContain('comes later or not at all');
  });
});

describe('uuidFrom', () => {
  it('is stable, distinct per input, and shaped as a version 5 UUID', () => {
    expect(uuidFrom('disqus-post', '1')).toBe(uuidFrom('disqus-post', '1'));
    expect(uuidFrom('disqus-post', '1')).not.toBe(uuidFrom('disqus-post', '2'));
    expect(uuidFrom('disqus-post', '1')).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });
});

describe('export files', () => {
  it('name the first field at fault', () => {
    const doc = {
      format: 'rejoinder.article',
      version: 1,
      exportedAt: '2026-01-01T00:00:00.000Z',
      article: {
        slug: 's',
        title: 'T',
        byline: '',
        publishedAt: '2026-01-01T00:00:00.000Z',
        sourceUrl: null,
        bodySource: '',
        state: 'open',
        premoderation: false,
        slowModeSeconds: 0,
      },
      accounts: [],
      comments: [],
    };
    expect(parseArticleExport(JSON.stringify(doc)).article.slug).toBe('s');
    expect(errorOf(() => parseArticleExport(JSON.stringify({ ...doc, extra: 1 })))).toContain(
      'Invalid export at (root)',
    );
    const stranger = comment(uuidFrom('t', 'x'), null);
    expect(errorOf(() => parseArticleExport(JSON.stringify({ ...doc, comments: [stranger] })))).toBe(
      `Invalid export at comments.0.authorId: ${stranger.authorId} is not in accounts`,
    );
  });
});

// A file as a stream delivers it: in pieces that cut through tags and characters.
function chunks(text: string, size = 7): AsyncIterable<string> {
  return Readable.from(
    Array.from({ length: Math.ceil(text.length / size) }, (_, i) => text.slice(i * size, (i + 1) * size)),
  );
}

async function failure(work: Promise<unknown>): Promise<string> {
  try {
    await work;
  } catch (error) {
    if (error instanceof TransferError) return error.message;
    throw error;
  }
  throw new Error('no error');
}

describe('Disqus', () => {
  it('turns message HTML into the Markdown comments are written in', () => {
    expect(htmlToMarkdown('<p>One &amp; <i>two</i></p><p>Three<br>four</p>')).toBe('One & *two*\n\nThree\nfour');
    expect(htmlToMarkdown('<blockquote>quoted</blockquote>reply')).toBe('> quoted\n\nreply');
    expect(htmlToMarkdown('<a href="javascript:alert(1)">x</a> <code>a*b</code>')).toBe('x `a*b`');
    expect(htmlToMarkdown('# not a heading, 1 * 2 [x]')).toBe('\\# not a heading, 1 \\* 2 \\[x\\]');
  });

  it('reads a file in pieces and names where it goes wrong', async () => {
    expect(await failure(readDisqus(chunks('<disqus><thread></disqus>')))).toMatch(
      /^Malformed XML at line 1, column \d+/,
    );
    expect(await failure(readDisqus(chunks('<rss><channel/></rss>')))).toBe(
      'Not a Disqus export: the root element must be <disqus>',
    );
    const file =
      '<disqus xmlns:dsq="http://disqus.com/disqus-internals"><thread dsq:id="1"><link>https://x.example/a</link></thread>' +
      '<post dsq:id="5"><message><![CDATA[<p>m ~~</p>]]></message><createdAt>2015-01-01T00:00:00Z</createdAt>' +
      '<thread dsq:id="1"/><author><name>菜鳥</name><username>disqus_B8nIcLT7ne</username></author></post>' +
      '<post dsq:id="6"><message>m</message><createdAt>not a date</createdAt><thread dsq:id="1"/></post></disqus>';
    const read = await readDisqus(chunks(file));
    expect(read.threads).toMatchObject([{ key: '1', link: 'https://x.example/a' }]);
    expect(read.posts).toMatchObject([
      {
        key: '5',
        threadKey: '1',
        bodySource: 'm \\~\\~',
        author: { key: 'user:disqus_B8nIcLT7ne', displayName: '菜鳥' },
      },
    ]);
    expect(read.problems).toEqual([{ reason: 'no-date', item: '6', detail: 'not a date', outcome: 'skipped' }]);
  });
});
