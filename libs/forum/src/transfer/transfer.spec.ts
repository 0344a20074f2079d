import { Readable } from 'node:stream';
import { htmlToMarkdown, readDisqus } from './disqus.js';
import { parseArticleExport, TransferError } from './transfer.format.js';
import type { ExportedComment } from './transfer.format.js';
import { planImport } from './import-plan.js';
import { groupPages } from './page-grouping.js';
import type { SourceExport, SourceState, SourceThread } from './import-source.js';
import { freeHandle, handleBase } from './imported-handles.js';
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

describe('import plan', () => {
  const thread = (key: string, link: string | null, identifier: string | null = null): SourceThread => ({
    key,
    identifier,
    link,
    slug: null,
    title: `Thread ${key}`,
    createdAt: null,
    isClosed: false,
  });
  const post = (key: string, threadKey: string | null, parentKey: string | null, state: SourceState = 'published') => ({
    key,
    threadKey,
    parentKey,
    bodySource: key,
    createdAt: `2015-01-01T00:00:0${key.length % 10}.000Z`,
    editedAt: null,
    state,
    author: { key: `user:${key}`, displayName: `Person ${key}`, email: null },
    upvotes: 0,
    downvotes: 0,
    pinned: false,
  });
  const source = (threads: SourceThread[], posts: ReturnType<typeof post>[]): SourceExport => ({
    format: 'disqus',
    threads,
    posts,
    problems: [],
  });

  it('joins the threads of one page by canonical URL, identifier and link slug, and no others', () => {
    const { pages } = groupPages(
      source(
        [
          thread('1', 'http://www.news.example/2015/story/?utm_source=x'),
          thread('2', 'https://news.example/2015/story'),
          thread('3', 'https://news.example/archive/story/amp/'),
          thread('4', 'https://news.example/other', 'other'),
          thread('5', 'https://news.example/?p=5', 'other'),
          thread('6', 'https://news.example/2015/06/12'),
          thread('7', 'https://news.example/2016/06/12'),
        ],
        ['1', '2', '3', '4', '5', '6', '7'].map((k) => post(`p${k}`, k, null)),
      ),
    );
    expect(pages.map((p) => p.threads.map((t) => t.key).sort())).toEqual([['1', '2', '3'], ['4', '5'], ['6'], ['7']]);
  });

  it('sets aside orphans, attaches replies to missing parents, breaks loops, keeps tombstones above shown replies', () => {
    const src = source(
      [thread('1', 'https://news.example/alpha')],
      [
        post('a', '1', null),
        post('b', '1', 'a', 'deleted'),
        post('c', '1', 'b'),
        post('d', '1', null, 'spam'),
        post('e', '9', null),
        post('f', '1', 'zz'),
        post('g', '1', 'h'),
        post('h', '1', 'g'),
        post('a', '1', null),
      ],
    );
    const plan = planImport(src, groupPages(src), [], new Map(), { createArticles: true });
    expect(plan.problems.map((p) => [p.reason, p.item, p.outcome])).toEqual(
      expect.arrayContaining([
        ['duplicate-id', 'a', 'skipped'],
        ['no-thread', 'e', 'skipped'],
        ['parent-missing', 'f', 'attached'],
        ['reply-loop', expect.stringMatching(/^[gh]$/), 'attached'],
      ]),
    );
    const [unit] = plan.units;
    expect(unit.slug).toBe('alpha');
    const rows = new Map(unit.unit.comments.map((r) => [r.bodySource, r]));
    expect(rows.size).toBe(7);
    expect(rows.get('b')).toMatchObject({ status: 'deleted', listed: true, replyCount: 1, depth: 1 });
    expect(rows.get('a')).toMatchObject({ replyCount: 1, descendantCount: 2 });
    expect(rows.get('d')).toMatchObject({ status: 'removed', listed: false, moderationReason: 'spam' });
    expect(rows.get('f')).toMatchObject({ parentId: null, depth: 0 });
  });

  it('adds only new posts on a second run, and counts them into the comments imported before', () => {
    const src = source(
      [thread('1', 'https://news.example/a')],
      [post('a', '1', null), post('b', '1', 'a', 'deleted'), post('c', '1', 'b')],
    );
    const articleId = uuidFrom('t', 'article');
    const id = (key: string) => uuidFrom('disqus-post', key);
    const existing = new Map([
      [id('a'), { id: id('a'), articleId, parentId: null, path: [id('a')], depth: 0, listed: true }],
      [id('b'), { id: id('b'), articleId, parentId: id('a'), path: [id('a'), id('b')], depth: 1, listed: false }],
    ]);
    const plan = planImport(
      src,
      groupPages(src),
      [{ id: articleId, slug: 'a', urlKey: 'news.example/a', externalId: null }],
      existing,
      { createArticles: false },
    );
    const [unit] = plan.units;
    expect(unit).toMatchObject({ created: false, alreadyImported: 2 });
    expect(unit.unit.comments.map((c) => [c.bodySource, c.depth, c.path])).toEqual([
      ['c', 2, [id('a'), id('b'), id('c')]],
    ]);
    // The deleted post becomes a listed tombstone, and both ancestors count the reply.
    expect(unit.unit.updates).toEqual(
      expect.arrayContaining([
        { id: id('b'), replies: 1, descendants: 1, list: true },
        { id: id('a'), replies: 1, descendants: 2, list: false },
      ]),
    );
  });

  it('derives handles from display names in any script', () => {
    expect(handleBase('Anna Reader')).toBe('Anna_Reader');
    expect(handleBase('菜鳥')).toBe('菜鳥');
    expect(handleBase('  José   Ñúñez! ')).toBe('José_Ñúñez');
    expect(handleBase('***')).toBe('guest');
    const taken = new Set(['john']);
    expect([freeHandle('John', taken), freeHandle('John', taken), freeHandle('john', taken)]).toEqual([
      'John-2',
      'John-3',
      'john-4',
    ]);
  });
});
