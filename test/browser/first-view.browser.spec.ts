/// <reference lib="dom" />
import { jest } from '@jest/globals';
import type { Browser } from 'playwright-core';
import { launchBrowser, openPerson } from '../support/browser.js';
import { createArticle, createUser, postComment } from '../support/factories.js';
import { startTestApp, TestApp } from '../support/test-app.js';

// What the reader page downloads before it shows the article, as Chromium
// receives it: the initial script under 20 KB compressed; the thread a chunk
// of its own; the Markdown preview and the moderation console not at all.
jest.setTimeout(90_000);

const INITIAL_SCRIPT_BUDGET = 20 * 1024;

let t: TestApp;
let browser: Browser;

beforeAll(async () => {
  [t, browser] = await Promise.all([startTestApp(), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

interface Loaded {
  path: string;
  encodedBytes: number;
  decodedBytes: number;
  initial: boolean;
}

it('ships the reader page’s first view in under 20 KB of compressed script, the rest when needed', async () => {
  const article = await createArticle(t.prisma);
  const author = await createUser(t);
  await postComment(t, author, article.slug, 'A comment below the fold.');
  const { page, context, errors } = await openPerson(browser, t.url);
  const encodings = new Map<string, string | undefined>();
  page.on('response', (response) => {
    encodings.set(new URL(response.url()).pathname, response.headers()['content-encoding']);
  });
  await page.goto(`/articles/${article.slug}`);
  await page.getByRole('article').filter({ hasText: 'A comment below the fold.' }).waitFor();
  await page.waitForLoadState('networkidle');
  // What the HTML itself names (the entry script, any preloads, the styles),
  // not what the page adds later.
  const html = await (await fetch(`${t.url}/articles/${article.slug}`)).text();
  const initial = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
  const loaded = (
    await page.evaluate(() =>
      (performance.getEntriesByType('resource') as PerformanceResourceTiming[])
        .filter((e) => new URL(e.name).pathname.startsWith('/assets/'))
        .map((e) => ({
          path: new URL(e.name).pathname,
          encodedBytes: e.encodedBodySize,
          decodedBytes: e.decodedBodySize,
        })),
    )
  ).map((r): Loaded => ({ ...r, initial: initial.includes(r.path) }));
  await context.close();
  expect(errors).toEqual([]);

  const scripts = loaded.filter((r) => r.path.endsWith('.js'));
  const initialScripts = scripts.filter((r) => r.initial);
  expect(initialScripts.map((r) => r.path)).toEqual([expect.stringMatching(/^\/assets\/index-[\w-]+\.js$/)]);
  const initialBytes = initialScripts.reduce((n, r) => n + r.encodedBytes, 0);
  expect(initialBytes).toBeGreaterThan(0);
  expect(initialBytes).toBeLessThan(INITIAL_SCRIPT_BUDGET);
  // Sent compressed: far fewer bytes than the file itself (files under 1 KB are sent as they are).
  for (const r of loaded.filter((l) => l.decodedBytes >= 1024)) {
    expect(encodings.get(r.path)).toBe('br');
    expect(r.encodedBytes).toBeLessThan(r.decodedBytes / 2);
  }
  // The thread came after, in its own chunk; the preview and the console never came.
  expect(scripts.some((r) => !r.initial && /^\/assets\/thread-/.test(r.path))).toBe(true);
  expect(scripts.some((r) => /^\/assets\/(preview|console)-/.test(r.path))).toBe(false);
});
