/// <reference lib="dom" />
import { jest } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openPerson, seriousViolations } from '../support/browser.js';
import { createArticle, createUser, http, postComment } from '../support/factories.js';
import type { TestUser } from '../support/factories.js';
import { startTestApp, TestApp } from '../support/test-app.js';

// A reader comes back to a debate in real Chromium: the page remembers the
// last event it showed them and sums up what happened since.
jest.setTimeout(90_000);

let t: TestApp;
let browser: Browser;

beforeAll(async () => {
  [t, browser] = await Promise.all([startTestApp(), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

async function signIn(page: Page, user: TestUser): Promise<void> {
  await page.getByRole('button', { name: 'Sign in to comment' }).click();
  await page.getByLabel('Username or email').fill(user.username);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByLabel('Write a comment').waitFor();
}

describe('since your last visit', () => {
  it('sums up, on return, the replies to the reader, the best new comments and removals, and can be dismissed', async () => {
    const article = await createArticle(t.prisma);
    const [ann, bob, cat, moderator] = await Promise.all([
      createUser(t),
      createUser(t),
      createUser(t),
      createUser(t, 'moderator'),
    ]);
    const mine = await postComment(t, ann, article.slug, 'Ann thinks deterrence is a bluff.');

    const { context, page, errors } = await openPerson(browser, t.url);
    try {
      await page.goto(`/articles/${article.slug}`);
      await signIn(page, ann);
      await page.getByRole('article').filter({ hasText: 'Ann thinks deterrence' }).waitFor();
      // A first visit has nothing to catch up on.
      expect(await page.getByRole('region', { name: 'Since your last visit' }).count()).toBe(0);
      await page.close();

      // While Ann is away.
      const reply = await postComment(t, bob, article.slug, 'Bob says it is no bluff at all.', {
        parentId: mine.id,
      });
      const angle = await http(t, 'POST', `/api/articles/${article.slug}/comments`, {
        token: cat.token,
        body: { body: 'Cat has a new angle on the op-ed.', stance: 'question' },
      });
      expect(angle.status).toBe(201);
      const removed = await postComment(t, cat, article.slug, 'SECRET text that was taken down.', {
        parentId: mine.id,
      });
      const { version } = await t.prisma.comment.findUniqueOrThrow({ where: { id: removed.id } });
      const action = await http(t, 'POST', `/api/moderation/comments/${removed.id}/actions`, {
        token: moderator.token,
        body: { action: 'remove', reason: 'abuse', version },
      });
      expect(action.status).toBe(200);

      // Ann comes back.
      const back = await context.newPage();
      back.on('pageerror', (error) => errors.push(error.message));
      await back.goto(`/articles/${article.slug}`);
      const panel = back.getByRole('region', { name: 'Since your last visit' });
      await panel.waitFor();
      await panel.getByText(/^2 new comments \(1 top-level comment, 1 reply\)/).waitFor();
      await panel.getByRole('list', { name: 'New comments by stance' }).getByText('Question 1').waitFor();
      const replies = panel.getByRole('list', { name: /Replies to you/ });
      const toReply = replies.getByRole('link', { name: /Bob says it is no bluff/ });
      expect(await toReply.getAttribute('href')).toBe(
        `/articles/${article.slug}?comment=${reply.id}#comment-${reply.id}`,
      );
      await panel
        .getByRole('list', { name: 'Best new comments' })
        .getByRole('link', { name: /Cat has a new angle/ })
        .waitFor();
      await panel
        .getByRole('list', { name: 'Busiest conversations' })
        .getByRole('link', { name: /Ann thinks deterrence/ })
        .waitFor();
      await panel
        .getByRole('list', { name: 'Moderation in your conversations' })
        .getByText('A comment in a conversation you joined was removed')
        .waitFor();
      expect(await panel.textContent()).not.toContain('SECRET');
      expect(await seriousViolations(back)).toEqual([]);

      // Dismissed, it goes, and the keyboard lands on the comments.
      await panel.getByRole('button', { name: 'Dismiss summary' }).click();
      await panel.waitFor({ state: 'detached' });
      await back.waitForFunction(() => document.activeElement?.id === 'thread-title');

      // The visit moved the mark on: the next one has nothing to tell.
      await back.reload();
      await back.locator(`#comment-${reply.id}`).waitFor();
      expect(await back.getByRole('region', { name: 'Since your last visit' }).count()).toBe(0);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
