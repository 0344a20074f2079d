import { readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { parseDocument } from 'htmlparser2';
import { Element } from 'domhandler';
import type { ChildNode } from 'domhandler';
import { webRoot } from '../../apps/api/src/web/web-pages.js';
import { createArticle, createUser, http, postComment } from '../support/factories.js';
import type { TestUser } from '../support/factories.js';
import { startTestApp, TestApp } from '../support/test-app.js';

// The pages as a browser, a search engine's crawler and a link preview get
// them: the head the server writes, and what is compressed how.

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

// The bytes as sent (fetch would decode them).
function raw(base: string, path: string, headers: Record<string, string> = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

function decode(res: Raw): Buffer {
  const encoding = res.headers['content-encoding'];
  if (encoding === 'br') return brotliDecompressSync(res.body);
  if (encoding === 'gzip') return gunzipSync(res.body);
  return res.body;
}

function elements(nodes: ChildNode[], name: string, found: Element[] = []): Element[] {
  for (const node of nodes) {
    if (node instanceof Element) {
      if (node.name === name) found.push(node);
      elements(node.children, name, found);
    }
  }
  return found;
}

const text = (el: Element) => el.children.map((c) => ('data' in c ? c.data : '')).join('');

function head(html: string) {
  const doc = parseDocument(html);
  const metas = elements(doc.children, 'meta');
  const meta = (key: string) =>
    metas.find((m) => m.attribs.name === key || m.attribs.property === key)?.attribs.content ?? null;
  const scripts = elements(doc.children, 'script');
  const ld = scripts.filter((s) => s.attribs.type === 'application/ld+json');
  return {
    title: text(elements(doc.children, 'title')[0]),
    meta,
    canonical: elements(doc.children, 'link').find((l) => l.attribs.rel === 'canonical')?.attribs.href ?? null,
    scripts,
    jsonLd: ld.map((s) => JSON.parse(text(s)) as { '@graph': Record<string, any>[] }),
  };
}

let t: TestApp;
let off: TestApp;
let author: TestUser;
let replier: TestUser;

beforeAll(async () => {
  [t, off] = await Promise.all([startTestApp(), startTestApp({ HTTP_COMPRESSION: 'off' })]);
  [author, replier] = await Promise.all([createUser(t), createUser(t)]);
});
afterAll(async () => {
  await Promise.all([t?.close(), off?.close()]);
});

describe('the head of the reader page', () => {
  it('names the article, describes it, points to the newsroom’s URL and gives previews and JSON-LD', async () => {
    const article = await createArticle(t.prisma, { title: 'Ports & “harbours” of the north' });
    await t.prisma.article.update({
      where: { id: article.id },
      data: {
        sourceUrl: 'https://news.example.com/2020/ports-of-the-north',
        bodyHtml: `<p>${'The northern ports reopened this spring after a long winter. '.repeat(5)}</p><p>Second.</p>`,
      },
    });
    const root = await postComment(t, author, article.slug, 'The ferries matter more than the ports.');
    const reply = await postComment(t, replier, article.slug, 'Both matter, and **roads** too.', {
      parentId: root.id,
    });
    await http(t, 'PUT', `/api/comments/${root.id}/vote`, { token: replier.token, body: { value: 1 } });

    const res = await raw(t.url, `/articles/${article.slug}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    const h = head(res.body.toString());
    expect(h.title).toBe('Ports & “harbours” of the north · Rejoinder');
    const description = h.meta('description')!;
    expect(description.startsWith('The northern ports reopened this spring')).toBe(true);
    expect(description.length).toBeLessThanOrEqual(160);
    expect(description.endsWith('…')).toBe(true);
    expect(h.canonical).toBe('https://news.example.com/2020/ports-of-the-north');
    expect(h.meta('og:type')).toBe('article');
    expect(h.meta('og:title')).toBe('Ports & “harbours” of the north');
    expect(h.meta('og:url')).toBe('https://news.example.com/2020/ports-of-the-north');
    expect(h.meta('og:description')).toBe(description);
    expect(h.meta('twitter:card')).toBe('summary');
    expect(h.meta('twitter:title')).toBe('Ports & “harbours” of the north');
    expect(h.meta('robots')).toBeNull();

    expect(h.jsonLd).toHaveLength(1);
    const graph = h.jsonLd[0]['@graph'];
    const news = graph.find((node) => node['@type'] === 'OpinionNewsArticle')!;
    expect(news).toMatchObject({
      headline: 'Ports & “harbours” of the north',
      url: 'https://news.example.com/2020/ports-of-the-north',
      author: { '@type': 'Person', name: 'Test Author' },
      datePublished: '2020-01-01T00:00:00.000Z',
      commentCount: 2,
    });
    const posts = graph.filter((node) => node['@type'] === 'DiscussionForumPosting');
    expect(posts).toHaveLength(1);
    expect(posts[0]).toMatchObject({
      url: `${t.url}/comments/${root.id}`,
      text: 'The ferries matter more than the ports.',
      author: { '@type': 'Person', name: author.username },
      datePublished: root.createdAt,
      commentCount: 1,
      about: { '@id': news['@id'] },
      interactionStatistic: [
        { interactionType: 'https://schema.org/LikeAction', userInteractionCount: 1 },
        { interactionType: 'https://schema.org/DislikeAction', userInteractionCount: 0 },
      ],
      comment: [
        {
          '@type': 'Comment',
          url: `${t.url}/comments/${reply.id}`,
          text: 'Both matter, and **roads** too.',
          author: { name: replier.username },
        },
      ],
    });
  });

  it('points to the page itself when the article has no newsroom URL', async () => {
    const article = await createArticle(t.prisma);
    const h = head((await raw(t.url, `/articles/${article.slug}`)).body.toString());
    expect(h.canonical).toBe(`${t.url}/articles/${article.slug}`);
    expect(h.jsonLd[0]['@graph'].filter((n) => n['@type'] === 'DiscussionForumPosting')).toHaveLength(0);
  });

  it('keeps a hostile title inside its tags: no script breaks out of the JSON-LD or an attribute', async () => {
    // `$'` and `$&` would be patterns to a string replacement.
    const hostile = `</script><script>window.pwned=1</script><!-- "quoted" 'single' & <b>bold</b> $' $& \u2028`;
    const article = await createArticle(t.prisma, { title: hostile });
    await postComment(t, author, article.slug, `</script><script>window.pwned=2</script>`);
    const html = (await raw(t.url, `/articles/${article.slug}`)).body.toString();
    expect(html).not.toContain('<script>window.pwned');
    const h = head(html);
    // The page's own module script and the JSON-LD, nothing else.
    expect(h.scripts.map((s) => s.attribs.type)).toEqual(['application/ld+json', 'module']);
    expect(h.title).toBe(`${hostile} · Rejoinder`);
    expect(h.meta('og:title')).toBe(hostile);
    const graph = h.jsonLd[0]['@graph'];
    expect(graph[0].headline).toBe(hostile.slice(0, 110));
    expect(graph[1].text).toBe('</script><script>window.pwned=2</script>');
  });

  it('answers 404, not to be indexed, for an article that does not exist', async () => {
    const res = await raw(t.url, '/articles/no-such-article-here');
    expect(res.status).toBe(404);
    const h = head(res.body.toString());
    expect(h.meta('robots')).toBe('noindex');
    expect(h.jsonLd).toHaveLength(0);
  });

  it('speaks the request’s language: ?lang=ru, then Accept-Language; the article’s own words stay as written', async () => {
    const article = await createArticle(t.prisma, { title: 'Ports of the north' });
    await t.prisma.article.update({ where: { id: article.id }, data: { bodyHtml: '' } });
    const root = await postComment(t, author, article.slug, 'The ferries matter more.');

    const english = await raw(t.url, `/articles/${article.slug}`);
    expect(english.headers.vary).toMatch(/accept-language/i);
    const en = head(english.body.toString());
    expect(en.meta('og:locale')).toBe('en_US');
    expect(en.meta('description')).toBe('Ports of the north, by Test Author');

    const russian = head((await raw(t.url, `/articles/${article.slug}?lang=ru`)).body.toString());
    expect(russian.title).toBe('Ports of the north · Rejoinder');
    expect(russian.meta('description')).toBe('Ports of the north, автор: Test Author');
    expect(russian.meta('og:description')).toBe('Ports of the north, автор: Test Author');
    expect(russian.meta('og:locale')).toBe('ru_RU');
    const posting = russian.jsonLd[0]['@graph'].find((n) => n['@type'] === 'DiscussionForumPosting')!;
    expect(posting).toMatchObject({ headline: 'О статье «Ports of the north»', text: 'The ferries matter more.' });
    expect(posting.url).toBe(`${t.url}/comments/${root.id}`);

    const missing = await raw(t.url, '/articles/no-such-article-here?lang=ru');
    expect(missing.status).toBe(404);
    expect(head(missing.body.toString()).title).toBe('Статья недоступна · Rejoinder');

    for (const [path, headers, title, description, locale] of [
      ['/?lang=ru', {}, 'Статьи · Rejoinder', 'Статьи, открытые для обсуждения, сначала новые.', 'ru_RU'],
      ['/moderation', { 'accept-language': 'ru-RU, en;q=0.5' }, 'Панель модерации · Rejoinder', null, 'ru_RU'],
      [`/embed/${article.slug}?lang=ru`, {}, 'Комментарии · Rejoinder', 'Обсуждение этой статьи.', 'ru_RU'],
      [
        '/settings?lang=en',
        { 'accept-language': 'ru' },
        'Settings · Rejoinder',
        'Your account, sign-in and mail settings.',
        'en_US',
      ],
    ] as const) {
      const h = head((await raw(t.url, path, headers)).body.toString());
      expect(h.title).toBe(title);
      if (description) expect(h.meta('description')).toBe(description);
      expect(h.meta('og:locale')).toBe(locale);
    }
  });

  it('gives the other pages their own title and description', async () => {
    for (const [path, title] of [
      ['/', 'Articles · Rejoinder'],
      ['/moderation', 'Moderation console · Rejoinder'],
      ['/settings', 'Settings · Rejoinder'],
    ]) {
      const h = head((await raw(t.url, path)).body.toString());
      expect(h.title).toBe(title);
      expect(h.meta('description')!.length).toBeGreaterThan(10);
    }
  });
});

describe('compression', () => {
  const assets = readdirSync(join(webRoot()!, 'assets'));
  const script = assets.find((f) => /^index-.*\.js$/.test(f))!;

  it('sends the built script precompressed, as the browser accepts, cached for a year', async () => {
    for (const encoding of ['br', 'gzip'] as const) {
      const res = await raw(t.url, `/assets/${script}`, { 'accept-encoding': `${encoding}` });
      expect(res.status).toBe(200);
      expect(res.headers['content-encoding']).toBe(encoding);
      expect(String(res.headers.vary)).toMatch(/accept-encoding/i);
      expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      const built = readFileSync(join(webRoot()!, 'assets', `${script}.${encoding === 'br' ? 'br' : 'gz'}`));
      expect(res.body.equals(built)).toBe(true);
      expect(decode(res).equals(readFileSync(join(webRoot()!, 'assets', script)))).toBe(true);
    }
    const plain = await raw(t.url, `/assets/${script}`);
    expect(plain.headers['content-encoding']).toBeUndefined();
    // A deployment with compression off still sends the built copies: they cost nothing.
    const offRes = await raw(off.url, `/assets/${script}`, { 'accept-encoding': 'br' });
    expect(offRes.headers['content-encoding']).toBe('br');
  });

  it('compresses a cached thread page once per encoding, each with its own validator', async () => {
    const article = await createArticle(t.prisma);
    for (let i = 0; i < 8; i++) await postComment(t, author, article.slug, `Comment ${i}: ${'words '.repeat(40)}`);
    const path = `/api/articles/${article.slug}/comments?sort=newest&limit=20`;
    const plain = await raw(t.url, path);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(String(plain.headers.vary)).toMatch(/Accept-Encoding/);
    const br = await raw(t.url, path, { 'accept-encoding': 'gzip, deflate, br' });
    const gz = await raw(t.url, path, { 'accept-encoding': 'gzip' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(br.body.length).toBeLessThan(plain.body.length / 3);
    expect(decode(br).equals(plain.body)).toBe(true);
    expect(decode(gz).equals(plain.body)).toBe(true);
    const tags = new Set([plain, br, gz].map((r) => r.headers.etag));
    expect(tags.size).toBe(3);
    const again = await raw(t.url, path, { 'accept-encoding': 'br' });
    expect(again.body.equals(br.body)).toBe(true);
    expect(again.headers.etag).toBe(br.headers.etag);
    const notModified = await raw(t.url, path, { 'accept-encoding': 'br', 'if-none-match': String(br.headers.etag) });
    expect(notModified.status).toBe(304);
    expect(notModified.body.length).toBe(0);
    // The plain copy's validator does not stand for the compressed one.
    const other = await raw(t.url, path, { 'accept-encoding': 'br', 'if-none-match': String(plain.headers.etag) });
    expect(other.status).toBe(200);
  });

  it('compresses other JSON answers and the pages above the threshold, not small ones', async () => {
    const article = await createArticle(t.prisma);
    const page = await raw(t.url, `/articles/${article.slug}`, { 'accept-encoding': 'br' });
    expect(page.headers['content-encoding']).toBe('br');
    expect(decode(page).toString()).toContain('<link rel="canonical"');
    const small = await raw(t.url, '/api/articles/no-such-article', { 'accept-encoding': 'br' });
    expect(small.status).toBe(404);
    expect(small.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(small.body.toString()).code).toBe('ARTICLE_NOT_FOUND');
    const doc = await raw(t.url, '/docs/openapi.json', { 'accept-encoding': 'gzip' });
    expect(doc.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(decode(doc).toString()).openapi).toMatch(/^3\.1/);
  });

  it('sends JSON and pages as they are with HTTP_COMPRESSION=off', async () => {
    const article = await createArticle(off.prisma);
    for (let i = 0; i < 8; i++) await postComment(off, await createUser(off), article.slug, `${'words '.repeat(60)}`);
    const res = await raw(off.url, `/api/articles/${article.slug}/comments?sort=newest&limit=20`, {
      'accept-encoding': 'br, gzip',
    });
    expect(res.body.length).toBeGreaterThan(2048);
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(String(res.headers.vary)).not.toMatch(/Accept-Encoding/i);
    expect(JSON.parse(res.body.toString()).items).toHaveLength(8);
    const page = await raw(off.url, `/articles/${article.slug}`, { 'accept-encoding': 'br' });
    expect(page.headers['content-encoding']).toBeUndefined();
  });
});
