import { SeedService } from '@rejoinder/forum';
import { startTestApp, TestApp } from '../support/test-app.js';
import { http } from '../support/factories.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});

const SLUG = 'putin-and-kim-jong-un-are-not-so-different';

it('seeds the op-ed idempotently and serves it', async () => {
  const seed = t.app.get(SeedService);
  expect(await seed.seed()).toEqual([SLUG]);
  const first = await t.prisma.article.findUniqueOrThrow({ where: { slug: SLUG } });
  expect(await seed.seed()).toEqual([SLUG]);
  const again = await t.prisma.article.findUniqueOrThrow({ where: { slug: SLUG } });
  expect(again.id).toBe(first.id);
  expect(await t.prisma.article.count({ where: { slug: SLUG } })).toBe(1);

  const res = await http(t, 'GET', `/api/articles/${SLUG}`);
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({
    title: 'Putin and Kim Jong Un Are Not So Different (Op-Ed)',
    author: 'Alexander Golts',
    publishedAt: '2015-08-24T00:00:00.000Z',
    state: 'open',
  });
  expect(res.body.html).toContain('<p>North Korea even threatened to use a weapon as yet');
  expect(res.body.html).toContain('if Washington and Seoul did not halt their exercises');
  expect(res.body.html).toContain('<em>The views expressed in opinion pieces');
});
