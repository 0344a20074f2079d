import { createUser, http, postComment, TestUser, unique } from '../support/factories.js';
import { connectSocket } from '../support/sockets.js';
import { startTestApp, TestApp } from '../support/test-app.js';

let t: TestApp;
let admin: TestUser;
let mod: TestUser;
let reader: TestUser;
let cmsKey: string;
let readKey: string;

beforeAll(async () => {
  t = await startTestApp();
  [admin, mod, reader] = await Promise.all([createUser(t, 'admin'), createUser(t, 'moderator'), createUser(t)]);
  const key = async (scopes: string[]) =>
    (await http(t, 'POST', '/api/admin/api-keys', { token: admin.token, body: { name: 'CMS', scopes } })).body.key;
  cmsKey = await key(['articles:write', 'articles:read']);
  readKey = await key(['articles:read']);
});
afterAll(async () => {
  await t.close();
});

const body = (overrides: Record<string, unknown> = {}) => ({
  title: 'Putin and Kim Jong Un Are Not So Different',
  url: 'https://www.example-news.test/opinion/putin-kim',
  author: 'Alexander Golts',
  publishedAt: '2015-08-24T10:00:00Z',
  language: 'en',
  section: 'Opinion',
  body: ['The first paragraph.', 'The *second* paragraph.'],
  ...overrides,
});
const put = (id: string, payload: unknown, token = cmsKey) =>
  http(t, 'PUT', `/api/admin/articles/${id}`, { token, body: payload });

describe('PUT /api/admin/articles/:externalId', () => {
  it('creates once: the same body twice is one article and one event', async () => {
    const id = unique('cms');
    const url = `https://news.example.test/${id}`;
    const first = await put(id, body({ url }));
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      externalId: id,
      title: 'Putin and Kim Jong Un Are Not So Different',
      url,
      author: 'Alexander Golts',
      publishedAt: '2015-08-24T10:00:00.000Z',
      language: 'en',
      section: 'Opinion',
      paragraphs: 2,
      state: 'open',
      createdVia: 'api',
      seq: 1,
    });
    expect(first.body.slug).toMatch(/^putin-and-kim-jong-un-are-not-so-different-[0-9a-f]{8}$/);
    const second = await put(id, body({ url }));
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ id: first.body.id, slug: first.body.slug, seq: 1 });
    expect(await t.prisma.article.count({ where: { externalId: id } })).toBe(1);
    const events = await t.prisma.articleEvent.findMany({ where: { articleId: first.body.id } });
    expect(events.map((e) => e.type)).toEqual(['article.created']);

    // Readers get it by its slug, with its passages.
    const page = await http(t, 'GET', `/api/articles/${first.body.slug}`);
    expect(page.status).toBe(200);
    expect(page.body.passageCounts).toEqual([0, 0]);
    expect(page.body.html).toContain('<em>second</em>');
  });

  it('is one article for the same page with tracking parameters, another scheme, www or a fragment', async () => {
    const id = unique('cms');
    const created = await put(id, body({ url: `https://www.Example-News.test:443/${id}/?utm_source=x#comments` }));
    expect(created.status).toBe(201);
    expect(created.body.url).toBe(`https://www.example-news.test/${id}`);
    // The same page under another id is a conflict, never a second article.
    const twin = await put(unique('cms'), body({ url: `http://example-news.test/${id}?fbclid=abc&utm_medium=y` }));
    expect(twin.status).toBe(409);
    expect(twin.body.code).toBe('ARTICLE_URL_TAKEN');
    expect(await t.prisma.article.count({ where: { urlKey: `example-news.test/${id}` } })).toBe(1);
  });

  it('adopts an article of the same page that has no newsroom id (seeded or imported)', async () => {
    const slug = unique('seeded');
    const seeded = await t.prisma.article.create({
      data: {
        slug,
        title: 'Old',
        byline: 'X',
        publishedAt: new Date('2020-01-01T00:00:00Z'),
        sourceUrl: `https://news.example.test/${slug}`,
        urlKey: `news.example.test/${slug}`,
        bodySource: '',
        bodyHtml: '',
      },
    });
    const res = await put(unique('cms'), body({ url: `https://news.example.test/${slug}?utm_campaign=z` }));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: seeded.id, slug, title: 'Putin and Kim Jong Un Are Not So Different' });
  });

  it('updates what changed, live, and keeps comments anchored to their passages', async () => {
    const id = unique('cms');
    const url = `https://news.example.test/${id}`;
    const created = (await put(id, body({ url }))).body;
    const comment = await postComment(t, reader, created.slug, 'On the second', {});
    await http(t, 'POST', `/api/articles/${created.slug}/comments`, {
      token: reader.token,
      body: { body: 'quoting', anchor: { paragraph: 1, quote: 'second' } },
    });
    const watcher = await connectSocket(t.url);
    await watcher.ack('subscribe', { article: created.slug, after: created.seq });
    const updated = await put(
      id,
      body({
        url,
        title: 'A new title',
        body: ['A new first paragraph.', 'The first paragraph.', 'The *second* paragraph.'],
      }),
    );
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ id: created.id, slug: created.slug, title: 'A new title', paragraphs: 3 });
    const events = await watcher.waitFor((e) => e.some((x) => x.type === 'article.updated'));
    watcher.close();
    expect(events.find((e) => e.type === 'article.updated')).toMatchObject({
      type: 'article.updated',
      data: { article: { id: created.id } },
    });
    const page = await http(t, 'GET', `/api/articles/${created.slug}`);
    expect(page.body.title).toBe('A new title');
    expect(page.body.passageCounts).toEqual([0, 0, 1]);
    expect(comment.id).toBeDefined();
  });

  it('refuses bad input and writes nothing', async () => {
    const id = unique('cms');
    const bad = [
      body({ url: 'ftp://example.test/x' }),
      body({ url: 'not a url' }),
      body({ title: '' }),
      body({ publishedAt: 'yesterday' }),
      body({ language: 'english please' }),
      body({ body: ['one\n\ntwo'] }),
      body({ closesAt: 'soon' }),
      { ...body(), slug: 'mine' },
      { ...body(), state: 'closed' },
    ];
    for (const payload of bad) {
      const res = await put(id, payload);
      expect([res.status, res.body.code]).toEqual([
        400,
        expect.stringMatching(/VALIDATION_FAILED|UNKNOWN_FIELDS|ARTICLE_URL_INVALID/),
      ]);
    }
    const spaced = await put('bad id with spaces', body());
    expect([spaced.status, spaced.body.code]).toEqual([404, 'ARTICLE_NOT_FOUND']);
    // Path parts longer than 100 characters are refused before any route runs.
    expect((await put('x'.repeat(101), body())).status).toBe(400);
    expect((await put('-starts-with-a-dash', body())).body.code).toBe('ARTICLE_NOT_FOUND');
    expect(await t.prisma.article.count({ where: { externalId: id } })).toBe(0);
  });

  it('is for admins and keys with articles:write', async () => {
    const id = unique('cms');
    expect((await http(t, 'PUT', `/api/admin/articles/${id}`, { body: body() })).status).toBe(401);
    expect((await put(id, body(), mod.token)).body.code).toBe('FORBIDDEN');
    expect((await put(id, body(), reader.token)).body.code).toBe('FORBIDDEN');
    expect((await put(id, body(), readKey)).body.code).toBe('API_KEY_SCOPE_MISSING');
    const asAdmin = await put(id, body({ url: `https://news.example.test/${id}` }), admin.token);
    expect(asAdmin.status).toBe(201);
  });
});

describe('GET /api/admin/articles', () => {
  it('lists newest first in keyset pages, and searches', async () => {
    const section = unique('section');
    const ids = [unique('cms'), unique('cms'), unique('cms')];
    for (const [i, id] of ids.entries())
      await put(
        id,
        body({
          url: `https://news.example.test/${id}`,
          title: `Story ${i} about ${section}`,
          section,
          publishedAt: `2026-0${i + 1}-01T00:00:00Z`,
        }),
      );
    const first = await http(t, 'GET', `/api/admin/articles?section=${section}&limit=2`, { token: readKey });
    expect(first.status).toBe(200);
    expect(first.body.items.map((a: { externalId: string }) => a.externalId)).toEqual([ids[2], ids[1]]);
    const next = await http(
      t,
      'GET',
      `/api/admin/articles?section=${section}&limit=2&cursor=${first.body.nextCursor}`,
      {
        token: mod.token,
      },
    );
    expect(next.body.items.map((a: { externalId: string }) => a.externalId)).toEqual([ids[0]]);
    expect(next.body.nextCursor).toBeNull();
    const byTitle = await http(t, 'GET', `/api/admin/articles?q=${encodeURIComponent(`story 1 about ${section}`)}`, {
      token: readKey,
    });
    expect(byTitle.body.items.map((a: { externalId: string }) => a.externalId)).toEqual([ids[1]]);
    const byId = await http(t, 'GET', `/api/admin/articles?q=${ids[0]}`, { token: readKey });
    expect(byId.body.items.map((a: { externalId: string }) => a.externalId)).toEqual([ids[0]]);

    expect((await http(t, 'GET', '/api/admin/articles?state=gone', { token: readKey })).status).toBe(400);
    expect((await http(t, 'GET', '/api/admin/articles?cursor=zzz', { token: readKey })).body.code).toBe(
      'INVALID_CURSOR',
    );
    expect((await http(t, 'GET', '/api/admin/articles', { token: reader.token })).body.code).toBe('FORBIDDEN');
    expect((await http(t, 'GET', '/api/admin/articles')).status).toBe(401);
  });
});
