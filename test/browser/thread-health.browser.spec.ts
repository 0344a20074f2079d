/// <reference lib="dom" />
import { jest } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openPerson, seriousViolations } from '../support/browser.js';
import { createArticle, createUser, postComment } from '../support/factories.js';
import type { TestUser } from '../support/factories.js';
import { startTestApp, TestApp } from '../support/test-app.js';

// A moderator watches a thread run hot in the console while a reader is on
// the article: automatic slow mode with low thresholds (4 comments in a minute; a
// minute's window, so a slow machine still gets the four posts inside it).
jest.setTimeout(90_000);

let t: TestApp;
let browser: Browser;
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  [t, browser] = await Promise.all([
    startTestApp({
      SLOW_MODE_AUTO_COMMENTS_PER_MINUTE: '4',
      SLOW_MODE_AUTO_REPORTS_PER_MINUTE: '4',
      SLOW_MODE_AUTO_WINDOW_SECONDS: '60',
      SLOW_MODE_AUTO_SECONDS: '9',
      SLOW_MODE_AUTO_QUIET_SECONDS: '600',
      SLOW_MODE_AUTO_DEBOUNCE_MS: '20',
      THREAD_HEALTH_INTERVAL_MS: '200',
    }),
    launchBrowser(),
  ]);
});
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

async function person() {
  const p = await openPerson(browser, t.url);
  closers.push(() => p.context.close());
  return p;
}

async function signIn(page: Page, user: TestUser): Promise<void> {
  await page.getByLabel('Username or email').fill(user.username);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

describe('thread health in the console', () => {
  it('shows the numbers, the hottest subthread and automatic slow mode live, and overrides it', async () => {
    const article = await createArticle(t.prisma, { title: 'A heated op-ed' });
    const mod = await createUser(t, 'moderator');
    const writers = await Promise.all([createUser(t), createUser(t), createUser(t), createUser(t)]);

    const moderator = await person();
    await moderator.page.goto('/moderation');
    await signIn(moderator.page, mod);
    // A second moderator works the queue: the feed tells them of the switch.
    const colleague = await person();
    await colleague.page.goto('/moderation');
    await signIn(colleague.page, await createUser(t, 'moderator'));
    await colleague.page.getByText('Live', { exact: true }).waitFor();
    await moderator.page.getByRole('button', { name: 'Articles' }).click();
    await moderator.page.getByLabel('Article', { exact: true }).selectOption(article.slug);
    const panel = moderator.page.getByRole('region', { name: 'Thread health' });
    await panel.getByText('Live', { exact: true }).waitFor();
    await panel.getByText('Off. It turns on by itself').waitFor();
    await panel.getByText('No replies in the last 5 minutes.').waitFor();

    const reader = await person();
    await reader.page.goto(`/articles/${article.slug}`);
    await reader.page.getByRole('heading', { name: 'A heated op-ed', level: 1 }).waitFor();
    expect(await reader.page.locator('.slow-mode').count()).toBe(0);

    // The thread runs hot: a root and three quick replies.
    const root = await postComment(t, writers[0], article.slug, 'This op-ed gets it wrong');
    for (const w of writers.slice(1)) await postComment(t, w, article.slug, 'No, it does not', { parentId: root.id });

    // The console: slow mode on by itself, why, and the subthread to look at.
    await panel
      .getByText(/On automatically: 9 s between one reader’s comments, since .* because comments came in fast/)
      .waitFor();
    await panel
      .getByText(/Slow mode turned on by itself: \d+(\.\d+)? comments per minute over the last 60 s, threshold 4/)
      .waitFor();
    const link = panel.getByRole('link', { name: 'Subthread 1' });
    await link.waitFor();
    expect(await link.getAttribute('href')).toBe(`/comments/${root.id}`);
    await panel
      .locator('[data-metric="comments"]')
      .filter({ hasText: /^4 last minute/ })
      .waitFor();
    await moderator.page
      .getByText(/^On automatically: 9 s/)
      .first()
      .waitFor();
    await colleague.page
      .getByText(/Slow mode turned on by itself on “A heated op-ed”: \d+(\.\d+)? comments and 0 reports per minute/)
      .waitFor();
    expect(await seriousViolations(moderator.page)).toEqual([]);

    // The reader is told, and told it was automatic.
    await reader.page
      .getByText(
        /Slow mode: one comment every 9 seconds per reader\. Turned on automatically .*comments are coming in fast/,
      )
      .waitFor();

    // The moderator turns it off for this article: the reader sees it go.
    await moderator.page.getByLabel('Off: never on this article').check();
    await moderator.page.getByRole('button', { name: 'Apply slow mode' }).click();
    await moderator.page.getByText('Applied: readers see the new slow mode now.').waitFor();
    await panel.locator('.slow-mode-state').filter({ hasText: 'Off, and never automatic on this article.' }).waitFor();
    await reader.page.locator('.slow-mode').waitFor({ state: 'detached' });

    // A fixed interval instead: the reader reads who set it.
    await moderator.page.getByLabel('Fixed interval').check();
    await moderator.page.getByLabel('Seconds between one reader’s comments').fill('20');
    await moderator.page.getByRole('button', { name: 'Apply slow mode' }).click();
    await reader.page.getByText(/Slow mode: one comment every 20 seconds per reader\. Set by the moderators/).waitFor();

    // The log says the service did it, with the rate it measured.
    await moderator.page.getByRole('button', { name: 'Log' }).click();
    // The log holds every article's actions: ours names the article.
    const row = moderator.page
      .getByRole('row')
      .filter({ hasText: 'slow mode on' })
      .filter({ has: moderator.page.getByRole('link', { name: '“A heated op-ed”' }) });
    await row.getByText('automatic').waitFor();
    await row.getByText(/comment rate: .* comments per minute over the last 60 s reached the threshold of 4/).waitFor();
    expect(moderator.errors).toEqual([]);
    expect(reader.errors).toEqual([]);
  });
});
