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
  const id = new URL(req.url ?? '/', 'http://x').searchParams.get('id') ?? 'none';
  res.setHeader('content-type', 'text/html');
  res.end(
    `<!doctype html><html lang="en"><head><title>Newsroom page</title></head><body><h1>A story</h1>` +
      `<script src="${t.url}/embed.js" data-article-id="${id}" data-title="Rates rise again"></script></body></html>`,
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
