/// <reference lib="dom" />
import { jest } from '@jest/globals';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { launchBrowser, openPerson } from '../support/browser.js';
import { createArticle, unique } from '../support/factories.js';
import { signSso, SSO_AUDIENCE, SSO_ISSUER, SSO_SECRET } from '../support/sso.js';
import { startTestApp, TestApp } from '../support/test-app.js';

// A reader signed in on the publisher's site is signed in on the embedded
// thread: the page hands embed.js the token it signed for them.
jest.setTimeout(90_000);

let t: TestApp;
let browser: Browser;
beforeAll(async () => {
  [t, browser] = await Promise.all([
    startTestApp({ SSO_JWT_SECRET: SSO_SECRET, SSO_ISSUER, SSO_AUDIENCE }),
    launchBrowser(),
  ]);
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

it('signs the publisher’s reader in on the embedded thread, and they can comment at once', async () => {
  const article = await createArticle(t.prisma);
  const sub = unique('host-reader');
  const token = await signSso({ sub, name: 'Host Reader' });
  const publisher = createServer((_req, res) => {
    res.setHeader('content-type', 'text/html');
    res.end(
      `<!doctype html><html lang="en"><head><title>Publisher</title></head><body><h1>The publisher’s story</h1>` +
        `<script src="${t.url}/embed.js" data-article="${article.slug}" data-sso-token="${token}"></script></body></html>`,
    );
  });
  await new Promise<void>((resolve) => publisher.listen(0, '127.0.0.1', resolve));
  const { page, context } = await openPerson(browser, t.url);
  try {
    await page.goto(`http://localhost:${(publisher.address() as AddressInfo).port}/`);
    const frame = page.frameLocator('iframe[title="Comments"]');
    await frame.getByLabel('Write a comment').fill('Signed in through the publisher');
    await frame.getByRole('button', { name: 'Post comment' }).click();
    await frame.getByRole('article').filter({ hasText: 'Signed in through the publisher' }).waitFor();
    const account = await t.prisma.user.findFirstOrThrow({ where: { externalSubject: sub } });
    expect(account.username).toBe('Host_Reader');
    // The page shows the comment as it sends it: wait for the server to have it.
    let stored = 0;
    for (let tries = 0; tries < 100 && stored === 0; tries++) {
      stored = await t.prisma.comment.count({
        where: { authorId: account.id, articleId: article.id, bodySource: 'Signed in through the publisher' },
      });
      if (stored === 0) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(stored).toBe(1);
  } finally {
    await context.close();
    await new Promise<void>((resolve) => publisher.close(() => resolve()));
  }
});
