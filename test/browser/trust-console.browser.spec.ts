/// <reference lib="dom" />
import { jest } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openPerson } from '../support/browser.js';
import { createArticle, createUser, http, postComment, unique } from '../support/factories.js';
import type { TestUser } from '../support/factories.js';
import { startTestApp, TestApp } from '../support/test-app.js';

// The console's controls for trust: why a comment was held, the author's
// trust level and its pin, the ghost ban, email-domain rules, new-commenter
// review per article and holds by reason in the thread's health.
jest.setTimeout(90_000);

let t: TestApp;
let browser: Browser;
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  [t, browser] = await Promise.all([startTestApp({ NEW_COMMENTER_REVIEW: '1' }), launchBrowser()]);
});
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

async function moderatorPage(): Promise<{ page: Page; errors: string[] }> {
  const p = await openPerson(browser, t.url);
  closers.push(() => p.context.close());
  const mod = await createUser(t, 'moderator');
  await p.page.goto('/moderation');
  await signIn(p.page, mod);
  return p;
}

async function signIn(page: Page, user: TestUser): Promise<void> {
  await page.getByLabel('Username or email').fill(user.username);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

describe('trust in the console', () => {
  it('shows why a comment was held and the author’s trust, and pins a level and ghost-bans from the card', async () => {
    const article = await createArticle(t.prisma, { title: 'Trust on the queue' });
    const newcomer = await createUser(t);
    const held = await postComment(t, newcomer, article.slug, 'Look at https://spam.example/offer');
    expect(held.status).toBe('pending');

    const { page, errors } = await moderatorPage();
    const card = page.locator('.queue-item', { hasText: 'spam.example' });
    await card.waitFor();
    await card.getByText('Held for:').waitFor();
    expect(await card.locator('.hold-reasons .badge').allTextContents()).toEqual(['new commenter', 'links']);
    await card.getByText('trust: new').waitFor();

    await card.getByText(`Sanction ${newcomer.username}`).click();
    await card.getByLabel('Trust level').selectOption('1');
    await card.getByText('trust: member (pinned)').waitFor();
    expect((await t.prisma.user.findUniqueOrThrow({ where: { id: newcomer.id } })).trustLevelPinned).toBe(1);

    await card.getByRole('button', { name: 'Ghost-ban' }).click();
    await card.getByRole('button', { name: 'Lift ghost ban' }).waitFor();
    await card.locator('.record').getByText('ghost-banned').waitFor();
    expect((await t.prisma.user.findUniqueOrThrow({ where: { id: newcomer.id } })).ghostBannedAt).not.toBeNull();
    // The author is not told: their next comment reads as published to them.
    expect((await postComment(t, newcomer, article.slug, 'Still talking')).status).toBe('published');

    await card.getByLabel('Trust level').selectOption('');
    await card.getByText('trust: new', { exact: true }).waitFor();
    expect((await t.prisma.user.findUniqueOrThrow({ where: { id: newcomer.id } })).trustLevelPinned).toBeNull();
    expect(errors).toEqual([]);
  });

  it('keeps the email-domain rules, which refuse sign-ups at once', async () => {
    const { page, errors } = await moderatorPage();
    await page.getByRole('button', { name: 'Email domains' }).click();
    const panel = page.getByRole('region', { name: 'Email domains' });
    const domain = `${unique('throwaway')}.example`;
    await panel.getByLabel('Domain', { exact: true }).fill(domain);
    await panel.getByLabel('Rule', { exact: true }).selectOption('refuse');
    await panel.getByRole('button', { name: 'Add domain' }).click();
    const rule = panel.getByRole('listitem').filter({ hasText: domain });
    await rule.getByText('refused').waitFor();

    const refused = await http(t, 'POST', '/api/auth/register', {
      body: { username: unique('t').replace('-', '_'), email: `troll@${domain}`, password: 'correct horse battery' },
    });
    expect(refused.body.code).toBe('EMAIL_DOMAIN_REFUSED');

    // A bad domain is explained, not stored.
    await panel.getByLabel('Domain', { exact: true }).fill('not a domain');
    await panel.getByRole('button', { name: 'Add domain' }).click();
    await panel.getByRole('alert').waitFor();

    await panel.getByRole('button', { name: `Delete ${domain}` }).click();
    await rule.waitFor({ state: 'detached' });
    expect(await t.prisma.emailDomainRule.count({ where: { domain } })).toBe(0);
    expect(errors).toEqual([]);
  });

  it('sets new-commenter review per article and counts holds by reason in the thread’s health', async () => {
    const article = await createArticle(t.prisma, { title: 'Reviewed newcomers' });
    await postComment(t, await createUser(t), article.slug, 'A first comment');
    const { page, errors } = await moderatorPage();
    await page.getByRole('button', { name: 'Articles' }).click();
    await page.getByLabel('Article', { exact: true }).selectOption(article.slug);
    const health = page.getByRole('region', { name: 'Thread health' });
    const holds = health.getByRole('list', { name: 'Holds by reason' });
    await holds.locator('[data-reason="new_commenter"]').getByText('1').waitFor();

    const review = page.locator('input[name="newCommenterReview"]');
    await review.fill('3');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Saved. Readers see the change now.').waitFor();
    expect((await t.prisma.article.findUniqueOrThrow({ where: { id: article.id } })).newCommenterReview).toBe(3);
    await review.fill('');
    await page.getByRole('button', { name: 'Save settings' }).click();
    const stored = async () =>
      (await t.prisma.article.findUniqueOrThrow({ where: { id: article.id } })).newCommenterReview;
    for (let i = 0; i < 100 && (await stored()) !== null; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await stored()).toBeNull();
    expect(errors).toEqual([]);
  });
});
