/// <reference lib="dom" />
import { jest } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openPerson, seriousViolations } from '../support/browser.js';
import { createArticle, createUser, http } from '../support/factories.js';
import type { TestUser } from '../support/factories.js';
import { linkToken, SmtpSink } from '../support/smtp-sink.js';
import { startTestApp, TestApp } from '../support/test-app.js';

// A reader who forgot the password gets back in from the mailed link, and
// chooses what they are emailed about, in real Chromium; the mail goes to a
// real SMTP server.
jest.setTimeout(90_000);

let t: TestApp;
let browser: Browser;
let sink: SmtpSink;

beforeAll(async () => {
  sink = await new SmtpSink().start();
  [t, browser] = await Promise.all([
    startTestApp({
      SMTP_URL: sink.url,
      PUBLIC_URL: 'http://127.0.0.1:1',
      MAIL_COALESCE_SECONDS: '0',
      MAIL_POLL_MS: '50',
    }),
    launchBrowser(),
  ]);
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
  await sink?.stop();
});

async function signIn(page: Page, user: TestUser, password = user.password): Promise<void> {
  await page.getByRole('button', { name: 'Sign in to comment' }).click();
  await page.getByLabel('Username or email').fill(user.username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByLabel('Write a comment').waitFor();
}

describe('forgot password', () => {
  it('sends a reset link from the sign-in box, and the link sets a new password that signs in', async () => {
    const article = await createArticle(t.prisma);
    const user = await createUser(t);
    const { context, page, errors } = await openPerson(browser, t.url);
    try {
      await page.goto(`/articles/${article.slug}`);
      await page.getByRole('button', { name: 'Sign in to comment' }).click();
      await page.getByRole('button', { name: 'Forgot password?' }).click();
      await page.getByLabel('Email').fill(user.email);
      await page.getByRole('button', { name: 'Send reset link' }).click();
      await page.getByRole('status').filter({ hasText: 'a link to choose a new password is on its way' }).waitFor();

      const mail = (await sink.waitFor(user.email, 2)).find((m) => m.subject === 'Reset your password')!;
      const token = linkToken(mail, '/reset-password');
      await page.goto(`/reset-password#token=${token}`);
      await page.getByLabel('New password').fill('short');
      expect(await page.getByLabel('New password').evaluate((el) => (el as HTMLInputElement).validity.valid)).toBe(
        false,
      );
      await page.getByLabel('New password').fill('a fresh passphrase here');
      await page.getByRole('button', { name: 'Set new password' }).click();
      await page.getByRole('status').filter({ hasText: 'Your password is changed' }).waitFor();
      expect(await seriousViolations(page)).toEqual([]);

      // The same link again (a fresh load: a fragment alone would not reload): a clear answer, not a crash.
      await page.goto('/');
      await page.goto(`/reset-password#token=${token}`);
      await page.getByLabel('New password').fill('another fresh passphrase');
      await page.getByRole('button', { name: 'Set new password' }).click();
      await page.getByRole('alert').filter({ hasText: 'used already' }).waitFor();

      const old = await http(t, 'POST', '/api/auth/login', { body: { login: user.username, password: user.password } });
      expect(old.status).toBe(401);
      const fresh = await openPerson(browser, t.url);
      await fresh.page.goto(`/articles/${article.slug}`);
      await signIn(fresh.page, user, 'a fresh passphrase here');
      await fresh.context.close();
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe('notification settings', () => {
  it('are reached from the reader page and saved', async () => {
    const article = await createArticle(t.prisma);
    const user = await createUser(t);
    const { context, page, errors } = await openPerson(browser, t.url);
    try {
      await page.goto(`/articles/${article.slug}`);
      await signIn(page, user);
      await page.getByRole('link', { name: 'Notification settings' }).click();
      const section = page.getByRole('region', { name: 'Notification settings' });
      await section.waitFor();
      const replies = page.getByRole('checkbox', { name: 'Email me when someone replies' });
      expect(await replies.isChecked()).toBe(true);
      await replies.uncheck();
      await page.getByLabel('Send them').selectOption('daily');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
      expect((await http(t, 'GET', '/api/me/notification-settings', { token: user.token })).body).toMatchObject({
        onReply: false,
        digest: 'daily',
      });
      await page.reload();
      await page.getByRole('region', { name: 'Notification settings' }).waitFor();
      expect(await page.getByRole('checkbox', { name: 'Email me when someone replies' }).isChecked()).toBe(false);
      expect(await seriousViolations(page)).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('are in the moderation console, with the moderators’ alerts', async () => {
    const mod = await createUser(t, 'moderator');
    const { context, page } = await openPerson(browser, t.url);
    try {
      await page.goto('/moderation');
      await page.getByLabel('Username or email').fill(mod.username);
      await page.getByLabel('Password').fill(mod.password);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.getByRole('button', { name: 'Notification settings' }).click();
      await page.getByRole('region', { name: 'Notification settings' }).waitFor();
      await page.getByRole('checkbox', { name: 'Email me about new reports' }).check();
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
      expect((await http(t, 'GET', '/api/me/notification-settings', { token: mod.token })).body.moderation).toEqual({
        onReport: true,
        queueAgeMinutes: null,
      });
    } finally {
      await context.close();
    }
  });
});
