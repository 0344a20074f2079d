import { EmbedArticlesService } from '@rejoinder/forum';
import { http, unique } from '../support/factories.js';
import { startTestApp, TestApp } from '../support/test-app.js';

const SITE = 'https://news.example.test';
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({
    ARTICLE_ORIGINS: `${SITE},https://other-desk.example.test`,
    ARTICLE_EMBED_CREATES_PER_IP: '5',
    ARTICLE_EMBED_CREATES_PER_HOUR: '1000',
    TRUST_PROXY: '1',
  });
});
afterAll(async () => {
  await t.close();
});

const ask = (body: unknown, origin?: string, ip = '203.0.113.7') =>
  http(t, 'POST', '/api/embed/articles', {
    body,
    headers: { ...(origin ? { origin } : {}), 'x-forwarded-for': ip },
  });

describe('articles made by the embed', () => {
  it('makes the article on first load on an allowed site, once, and answers CORS for that site only', async () => {
    const id = unique('page');
    const first = await ask({ externalId: id, url: `${SITE}/politics/${id}?utm_source=x`, title: 'A new story' }, SITE);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ created: true });
    expect(first.headers.get('access-control-allow-origin')).toBe(SITE);
    const again = await ask({ externalId: id, url: `${SITE}/politics/${id}`, title: 'A new story' }, SITE);
    expect(again.body).toEqual({ ...first.body, created: false });
    const article = await t.prisma.article.findUniqueOrThrow({ where: { externalId: id } });
    expect(article).toMatchObject({
      title: 'A new story',
      createdVia: 'embed',
      sourceUrl: `${SITE}/politics/${id}`,
      slug: first.body.slug,
    });
    const page = await http(t, 'GET', `/api/articles/${first.body.slug}`);
    expect(page.body).toMatchObject({ title: 'A new story', state: 'open' });

    // A known article is found from any site, by id or by its page.
    const elsewhere = await ask(
      { externalId: unique('other'), url: `${SITE}/politics/${id}#c` },
      'https://blog.example.test',
    );
    expect(elsewhere.body).toMatchObject({ id: article.id, created: false });
    expect(elsewhere.headers.get('access-control-allow-origin')).toBeNull();

    const preflight = await http(t, 'OPTIONS', '/api/embed/articles', {
      headers: { origin: SITE, 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(SITE);
    const foreign = await http(t, 'OPTIONS', '/api/embed/articles', {
      headers: { origin: 'https://evil.example.test' },
    });
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses other sites, no site, and a URL of another site than the page’s, as ARTICLE_NOT_FOUND', async () => {
    const cases = [
      ['https://evil.example.test', `https://evil.example.test/${unique('x')}`],
      [undefined, `${SITE}/${unique('x')}`],
      [SITE, `https://other-desk.example.test/${unique('x')}`],
      [SITE, `http://news.example.test/${unique('x')}`],
    ] as const;
    for (const [origin, url] of cases) {
      const id = unique('made-up');
      const res = await ask({ externalId: id, url }, origin);
      expect([res.status, res.body.code]).toEqual([404, 'ARTICLE_NOT_FOUND']);
      expect(await t.prisma.article.count({ where: { externalId: id } })).toBe(0);
    }
  });

  it('refuses bad input', async () => {
    for (const body of [
      { externalId: 'has spaces', url: `${SITE}/a` },
      { externalId: unique('x'), url: 'javascript:alert(1)' },
      { externalId: unique('x'), url: `${SITE}/a`, title: '' },
      { externalId: unique('x'), url: `${SITE}/a`, author: 'me' },
    ]) {
      const res = await ask(body, SITE);
      expect(res.status).toBe(400);
    }
  });

  it('limits creation per address, and a flood of made-up ids leaves no lasting rows', async () => {
    const ip = '198.51.100.23';
    const made: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await ask({ externalId: unique('flood'), url: `${SITE}/${unique('flood')}` }, SITE, ip);
      expect(res.status).toBe(200);
      made.push(res.body.id);
    }
    const refused = await ask({ externalId: unique('flood'), url: `${SITE}/${unique('flood')}` }, SITE, ip);
    expect(refused.status).toBe(429);
    expect(refused.body.code).toBe('RATE_LIMITED');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);

    // Unused for a week: deleted; one with a comment stays.
    await t.prisma.article.updateMany({
      where: { id: { in: made } },
      data: { createdAt: new Date(Date.now() - 8 * 86_400_000) },
    });
    await t.prisma.article.update({ where: { id: made[0] }, data: { commentCount: 1, lastSeq: 2 } });
    const deleted = await t.app.get(EmbedArticlesService).prune();
    expect(deleted).toBeGreaterThanOrEqual(4);
    expect(await t.prisma.article.count({ where: { id: { in: made } } })).toBe(1);
  });

  it('stops at ARTICLE_EMBED_CREATES_PER_HOUR in all', async () => {
    const capped = await startTestApp({ ARTICLE_ORIGINS: SITE, ARTICLE_EMBED_CREATES_PER_HOUR: '1' });
    try {
      // This run's other tests made embed articles within the hour already.
      const res = await http(capped, 'POST', '/api/embed/articles', {
        body: { externalId: unique('cap'), url: `${SITE}/${unique('cap')}` },
        headers: { origin: SITE },
      });
      expect(res.status).toBe(429);
      expect(res.body.code).toBe('RATE_LIMITED');
    } finally {
      await capped.close();
    }
  });
});
