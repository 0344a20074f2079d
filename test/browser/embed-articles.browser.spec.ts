/// <reference lib="dom" />
import { jest } from '@jest/globals';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { launchBrowser, openPerson } from '../support/browser.js';
import { freshDatabase } from '../support/databases.js';
import { unique } from '../support/factories.js';
import { startTestApp, TestApp } from '../support/test-app.js';

// The newsroom's page names its article; the embed makes it on first load, on
// the newsroom's own site only, and readers see when its comments close.
jest.setTimeout(90_000);

let t: TestApp;
let browser: Browser;
let allowed: Server;
let other: Server;
const origin = (server: Server) => `http://localhost:${(server.address() as AddressInfo).port}`;

// The newsroom's page (t.url is read when a page is asked for, after start-up).
function newsroomPage(req: IncomingMessage, res: ServerResponse): void {
  const query = new URL(req.url ?? '/', 'http://x').searchParams;
  const id = query.get('id') ?? 'none';
  // ?data-lang=ru puts data-lang="ru" on the script.
  const lang = query.get('data-lang');
  res.setHeader('content-type', 'text/html');
  res.end(
    `<!doctype html><html lang="en"><head><title>Newsroom page</title></head><body><h1>A story</h1>` +
      `<script src="${t.url}/embed.js" data-article-id="${id}" data-title="Rates rise again"` +
      `${lang ? ` data-lang="${lang}"` : ''}></script></body></html>`,
  );
}

let db: Awaited<ReturnType<typeof freshDatabase>> | undefined;

beforeAll(async () => {
  allowed = createServer(newsroomPage);
  other = createServer(newsroomPage);
  await Promise.all([allowed, other].map((s) => new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))));
  // A database of its own: the closing sweep closes every article older than
  // ARTICLE_AUTO_CLOSE_DAYS, and other test files' articles are old too.
  db = await freshDatabase();
  [t, browser] = await Promise.all([
    startTestApp({ DATABASE_URL: db.url, ARTICLE_ORIGINS: origin(allowed), ARTICLE_AUTO_CLOSE_DAYS: '2' }),
    launchBrowser(),
  ]);
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
  await db?.drop();
  await Promise.all([allowed, other].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
});

it('makes the article on the first load of an allowed site’s page and shows its thread', async () => {
  const id = unique('story');
  const { page, context } = await openPerson(browser, t.url);
  try {
    await page.goto(`${origin(allowed)}/story?id=${id}`);
    const frame = page.frameLocator('iframe[title="Comments on Rates rise again"]');
    await frame.getByText('Comments close in 2 days.').waitFor();
    const article = await t.prisma.article.findUniqueOrThrow({ where: { externalId: id } });
    expect(article).toMatchObject({
      title: 'Rates rise again',
      createdVia: 'embed',
      sourceUrl: `${origin(allowed)}/story?id=${id}`,
    });
  } finally {
    await context.close();
  }
});

it('makes nothing on another site’s page', async () => {
  const id = unique('story');
  const { page, context } = await openPerson(browser, t.url);
  try {
    await page.goto(`${origin(other)}/story?id=${id}`);
    await page.getByText('Comments are not available on this page.').waitFor();
    expect(await page.locator('iframe').count()).toBe(0);
    expect(await t.prisma.article.count({ where: { externalId: id } })).toBe(0);
  } finally {
    await context.close();
  }
});

describe('the loader’s own words', () => {
  it('name the frame in the language of data-lang, and the thread in it speaks it too', async () => {
    const id = unique('story');
    const { page, context } = await openPerson(browser, t.url);
    try {
      await page.goto(`${origin(allowed)}/story?id=${id}&data-lang=ru`);
      const frame = page.frameLocator('iframe[title="Комментарии к «Rates rise again»"]');
      await frame.locator('html[lang="ru"]').waitFor({ state: 'attached' });
      expect(await page.locator('iframe').getAttribute('src')).toMatch(/[?&]lang=ru(&|$)/);
    } finally {
      await context.close();
    }
  });

  it('say there is no thread in the language the page asks for (?lang=), marked with it', async () => {
    const { page, context } = await openPerson(browser, t.url);
    try {
      await page.goto(`${origin(other)}/story?id=${unique('story')}&lang=ru`);
      const note = page.getByText('Комментарии на этой странице недоступны.');
      await note.waitFor();
      expect(await note.getAttribute('lang')).toBe('ru');
    } finally {
      await context.close();
    }
  });

  it('fall back to English for a language with no catalogue', async () => {
    const { page, context } = await openPerson(browser, t.url);
    try {
      await page.goto(`${origin(other)}/story?id=${unique('story')}&data-lang=xx`);
      const note = page.getByText('Comments are not available on this page.');
      await note.waitFor();
      expect(await note.getAttribute('lang')).toBe('en');
    } finally {
      await context.close();
    }
  });
});
