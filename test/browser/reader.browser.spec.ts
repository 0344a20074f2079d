/// <reference lib="dom" />
import { jest } from '@jest/globals';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openPerson, seriousViolations } from '../support/browser.js';
import { createArticle, createUser, http, postComment, unique } from '../support/factories.js';
import type { TestUser } from '../support/factories.js';
import { startTestApp, TestApp } from '../support/test-app.js';
import { renderArticleMarkdown } from '@rejoinder/forum';

// Readers and moderators in real Chromium, each in their own browser profile,
// against the real server and database: what they see, they see live.
jest.setTimeout(90_000);

let t: TestApp;
let browser: Browser;
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  [t, browser] = await Promise.all([startTestApp(), launchBrowser()]);
});
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

async function person(options: Parameters<typeof openPerson>[2] = {}) {
  const p = await openPerson(browser, t.url, options);
  closers.push(() => p.context.close());
  return p;
}

const thread = (page: Page) => page.getByRole('region', { name: /^Comments/ });
const comment = (page: Page, text: string) => thread(page).getByRole('article').filter({ hasText: text }).last();

async function signUp(page: Page, username = unique('reader').replace('-', '_')): Promise<string> {
  await page.getByRole('button', { name: 'Sign in to comment' }).click();
  await page.getByRole('button', { name: /Create an account/ }).click();
  await page.getByLabel('Username', { exact: true }).fill(username);
  await page.getByLabel('Email').fill(`${username}@example.test`);
  await page.getByLabel('Password').fill('correct horse battery');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByLabel('Write a comment').waitFor();
  return username;
}

async function signIn(page: Page, user: TestUser): Promise<void> {
  await page.getByLabel('Username or email').fill(user.username);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

async function post(page: Page, text: string): Promise<void> {
  await page.getByLabel('Write a comment').fill(text);
  await page.getByRole('button', { name: 'Post comment' }).click();
}

describe('reader page', () => {
  it('serves the op-ed as the page heading, with long-lived caching for hashed assets only', async () => {
    const article = await createArticle(t.prisma, { title: 'A headline worth arguing about' });
    const { page } = await person();
    const response = await page.goto(`/articles/${article.slug}`);
    expect(response?.headers()['cache-control']).toBe('no-cache');
    await page.getByRole('heading', { level: 1, name: 'A headline worth arguing about' }).waitFor();
    const script = await page.locator('script[src^="/assets/"]').getAttribute('src');
    const asset = await http(t, 'GET', script!);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await page.title()).toBe('A headline worth arguing about · Rejoinder');
  });

  it('lets two readers sign up, post and reply, with the other’s comment arriving live behind “Show N new comments”', async () => {
    const article = await createArticle(t.prisma);
    const ann = await person();
    const bob = await person();
    await Promise.all([ann.page.goto(`/articles/${article.slug}`), bob.page.goto(`/articles/${article.slug}`)]);
    await bob.page.getByText('No comments yet').waitFor();
    await bob.page.getByText(/\d+ reading/).waitFor();
    // Count every layout shift on Bob's page from here on.
    await bob.page.evaluate(() => {
      const w = window as unknown as { shifted: number };
      w.shifted = 0;
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries() as (PerformanceEntry & { value: number; hadRecentInput: boolean })[]) {
          if (!entry.hadRecentInput) w.shifted += entry.value;
        }
      }).observe({ type: 'layout-shift' });
    });

    const annName = await signUp(ann.page);
    await post(ann.page, 'Deterrence worked, but only just.');
    // Her own comment appears at once, signed with her name.
    await comment(ann.page, 'Deterrence worked, but only just.').getByText(annName).waitFor();
    await ann.page.getByRole('heading', { name: 'Comments 1' }).waitFor();

    // Bob was reading: the new comment waits behind a button instead of moving the page.
    const show = bob.page.getByRole('button', { name: /^Show 1 new comment/ });
    await show.waitFor();
    expect(await thread(bob.page).getByRole('article').count()).toBe(0);
    // Its arrival moved nothing on the page.
    expect(await bob.page.evaluate(() => (window as unknown as { shifted: number }).shifted)).toBe(0);
    await show.click();
    await comment(bob.page, 'Deterrence worked, but only just.').waitFor();
    await bob.page.getByRole('heading', { name: 'Comments 1' }).waitFor();

    await signUp(bob.page);
    const annsComment = comment(bob.page, 'Deterrence worked, but only just.');
    await annsComment.getByRole('button', { name: 'Reply' }).click();
    await bob.page.getByLabel('Write a reply').fill('Only just is still worked.');
    await bob.page.getByRole('button', { name: 'Post reply' }).click();

    // The reply appears under Ann's comment on her page, live and in place.
    await comment(ann.page, 'Deterrence worked, but only just.')
      .getByRole('article')
      .filter({ hasText: 'Only just is still worked.' })
      .waitFor();
    // And tells her about it.
    await ann.page.getByRole('button', { name: /Replies to you.*1 unread/ }).waitFor();
    expect(ann.errors).toEqual([]);
    expect(bob.errors).toEqual([]);
  });

  it('answers a passage with a stance: the quote, the stance and the passage counts show, live for other readers', async () => {
    const article = await createArticle(t.prisma);
    const body = 'The first claim.\n\nBoth regimes rely on the army and on fear.\n\nA closing thought.';
    await t.prisma.article.update({
      where: { id: article.id },
      data: { bodySource: body, bodyHtml: renderArticleMarkdown(body) },
    });
    const ann = await person();
    const bob = await person();
    await Promise.all([ann.page.goto(`/articles/${article.slug}`), bob.page.goto(`/articles/${article.slug}`)]);
    await bob.page.getByText(/\d+ reading/).waitFor();
    await signUp(ann.page);
    // Select words in the second passage, as a reader does with the mouse or the keyboard.
    await ann.page.evaluate(() => {
      const text = document.querySelector('#passage-1 .passage-text p')!.firstChild!;
      const range = document.createRange();
      range.setStart(text, text.textContent!.indexOf('rely'));
      range.setEnd(text, text.textContent!.indexOf(' and'));
      document.getSelection()!.removeAllRanges();
      document.getSelection()!.addRange(range);
    });
    await ann.page.getByRole('button', { name: 'Answer this passage in a comment' }).click();
    await ann.page.getByText('Answering passage 2').waitFor();
    await ann.page.getByRole('radio', { name: 'Disagree' }).check();
    await post(ann.page, 'Fear is not the whole story.');

    const mine = comment(ann.page, 'Fear is not the whole story.');
    await mine.getByText('Disagree').waitFor();
    expect(await mine.locator('.anchor q').textContent()).toBe('rely on the army');
    for (const page of [ann.page, bob.page]) {
      await page.getByRole('button', { name: '1 comment on this passage' }).waitFor();
      await page
        .getByRole('list', { name: 'Stances taken' })
        .getByText(/Disagree\s*1/)
        .waitFor();
    }
    // The count opens that passage's comments.
    await bob.page.getByRole('button', { name: '1 comment on this passage' }).click();
    await bob.page.getByText('Comments on passage 2').waitFor();
    await comment(bob.page, 'Fear is not the whole story.').waitFor();
    expect(ann.errors).toEqual([]);
    expect(bob.errors).toEqual([]);
  });

  it('catches up after a dropped connection, with an offline notice meanwhile', async () => {
    const article = await createArticle(t.prisma);
    const writer = await createUser(t);
    const reader = await person();
    await reader.page.goto(`/articles/${article.slug}`);
    await reader.page.getByText('No comments yet').waitFor();
    await postComment(t, writer, article.slug, 'Before the tunnel');
    await reader.page.getByRole('button', { name: /^Show 1 new comment/ }).click();
    await comment(reader.page, 'Before the tunnel').waitFor();

    await reader.live.drop();
    await reader.page.getByText(/You are offline\. Reconnecting/).waitFor();
    await postComment(t, writer, article.slug, 'While you were away');
    await postComment(t, writer, article.slug, 'Also while you were away');
    reader.live.restore();

    await reader.page.getByRole('button', { name: /^Show 2 new comments/ }).click();
    await comment(reader.page, 'While you were away').waitFor();
    await comment(reader.page, 'Also while you were away').waitFor();
    await reader.page.getByText(/You are offline/).waitFor({ state: 'detached' });
    // Each exactly once.
    expect(await thread(reader.page).getByRole('article').count()).toBe(3);
  });

  it('reloads the thread when the server says too much happened while away, then follows from there', async () => {
    // A server that replays at most two missed events; more is a resync.
    const small = await startTestApp({ REALTIME_BACKLOG_LIMIT: '2' });
    try {
      const article = await createArticle(small.prisma);
      const writer = await createUser(small);
      const reader = await openPerson(browser, small.url);
      closers.push(() => reader.context.close());
      await reader.page.goto(`/articles/${article.slug}`);
      await reader.page.getByText('No comments yet').waitFor();

      await reader.live.drop();
      await reader.page.getByText(/You are offline\. Reconnecting/).waitFor();
      for (const text of ['Away one', 'Away two', 'Away three']) await postComment(small, writer, article.slug, text);
      reader.live.restore();

      for (const text of ['Away one', 'Away two', 'Away three']) await comment(reader.page, text).waitFor();
      await reader.page.getByText(/You are offline/).waitFor({ state: 'detached' });
      expect(await thread(reader.page).getByRole('article').count()).toBe(3);

      await postComment(small, writer, article.slug, 'After the reload');
      await reader.page.getByRole('button', { name: /^Show 1 new comment/ }).click();
      await comment(reader.page, 'After the reload').waitFor();
      expect(await thread(reader.page).getByRole('article').count()).toBe(4);
    } finally {
      await small.close();
    }
  });

  it('reloads the thread when an event is missing from the log, and keeps following live', async () => {
    const article = await createArticle(t.prisma);
    const writer = await createUser(t);
    const reader = await person();
    await reader.page.goto(`/articles/${article.slug}`);
    await reader.page.getByText('No comments yet').waitFor();
    await postComment(t, writer, article.slug, 'Before the hole');
    await reader.page.getByRole('button', { name: /^Show 1 new comment/ }).click();
    await comment(reader.page, 'Before the hole').waitFor();

    // A number handed out with no event behind it: the server says resync.
    await t.prisma.article.update({ where: { id: article.id }, data: { lastSeq: { increment: 1 } } });
    await postComment(t, writer, article.slug, 'After the hole');
    // The reload shows it in the list, with no "new comments" button to press.
    await comment(reader.page, 'After the hole').waitFor();
    expect(await thread(reader.page).getByRole('article').count()).toBe(2);

    await postComment(t, writer, article.slug, 'Still live');
    await reader.page.getByRole('button', { name: /^Show 1 new comment/ }).click();
    await comment(reader.page, 'Still live').waitFor();
    expect(await thread(reader.page).getByRole('article').count()).toBe(3);
  });

  it('posts with the keyboard alone', async () => {
    const article = await createArticle(t.prisma);
    const user = await createUser(t);
    const { page } = await person();
    await page.goto(`/articles/${article.slug}`);
    const focusedLabel = () =>
      page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        if (!el) return '';
        const label = el.id
          ? document.querySelector(`label[for="${el.id}"]`)?.textContent
          : el.closest('label')?.textContent;
        return (label ?? el.textContent ?? '').trim();
      });
    const tabTo = async (name: string | RegExp) => {
      for (let i = 0; i < 80; i++) {
        await page.keyboard.press('Tab');
        const label = await focusedLabel();
        if (typeof name === 'string' ? label.startsWith(name) : name.test(label)) return;
      }
      throw new Error(`no focusable element named ${String(name)}`);
    };
    await tabTo('Sign in to comment');
    await page.keyboard.press('Enter');
    // The first field of the sign-in form takes the focus (once the form is there).
    await page.waitForFunction(
      () =>
        (document.activeElement as HTMLInputElement | null)?.labels?.[0]?.textContent?.trim() === 'Username or email',
    );
    await page.keyboard.type(user.username);
    await page.keyboard.press('Tab');
    await page.keyboard.type(user.password);
    await page.keyboard.press('Enter');
    await page.getByLabel('Write a comment').waitFor();
    await tabTo('Write a comment');
    await page.keyboard.type('Typed without a mouse.');
    // The stance is one stop: arrows choose within it.
    await page.keyboard.press('Tab');
    expect(await focusedLabel()).toBe('None');
    await page.keyboard.press('ArrowRight');
    expect(await focusedLabel()).toBe('Agree');
    await page.keyboard.press('Tab');
    expect(await focusedLabel()).toBe('Post comment');
    await page.keyboard.press('Enter');
    await comment(page, 'Typed without a mouse.').getByText(user.username).waitFor();
    await comment(page, 'Typed without a mouse.').getByText('Agree', { exact: true }).waitFor();
  });

  it('opens a permalink at its comment, loads more replies, re-sorts, votes, edits and deletes', async () => {
    const article = await createArticle(t.prisma);
    const [author, other] = await Promise.all([createUser(t), createUser(t)]);
    const root = await postComment(t, other, article.slug, 'The root of a long thread');
    for (let i = 1; i <= 5; i++) await postComment(t, author, article.slug, `Reply number ${i}`, { parentId: root.id });
    const popular = await postComment(t, author, article.slug, 'A popular opinion');
    await http(t, 'PUT', `/api/comments/${popular.id}/vote`, { token: other.token, body: { value: 1 } });

    const { page } = await person();
    // A permalink: the thread opens at the comment, highlighted and focused.
    const target = await postComment(t, author, article.slug, 'Linked to directly', { parentId: root.id });
    await page.goto(`/articles/${article.slug}?comment=${target.id}`);
    const linked = comment(page, 'Linked to directly');
    await linked.waitFor();
    expect(await linked.evaluate((el) => el.classList.contains('highlight') && document.activeElement === el)).toBe(
      true,
    );
    await page.getByRole('button', { name: 'Show all comments' }).click();

    // The first page shows three replies under the root; the rest load on demand.
    const rootComment = comment(page, 'The root of a long thread');
    await rootComment.getByRole('button', { name: /Load more replies/ }).click();
    await comment(page, 'Linked to directly').waitFor();
    expect(await rootComment.getByRole('article').count()).toBe(6);

    await page.getByLabel('Sort by').selectOption('top');
    await page.waitForFunction(
      () => document.querySelector('.comments article .body')?.textContent?.trim() === 'A popular opinion',
    );

    await page.getByRole('button', { name: 'Sign in to comment' }).click();
    await signIn(page, author);
    await page.getByLabel('Write a comment').waitFor();
    const other1 = comment(page, 'The root of a long thread');
    await other1.getByRole('button', { name: 'Vote up' }).first().click();
    await other1.getByRole('button', { name: 'Vote up', pressed: true }).first().waitFor();

    await post(page, 'I will think better of this');
    const mine = comment(page, 'I will think better of this');
    await mine.getByRole('button', { name: 'Edit' }).click();
    await page.getByLabel('Edit your comment').fill('I thought better of this');
    await page.getByRole('button', { name: 'Save' }).click();
    const edited = comment(page, 'I thought better of this');
    await edited.getByText('edited').waitFor();
    page.once('dialog', (dialog) => void dialog.accept());
    await edited.getByRole('button', { name: 'Delete' }).click();
    await page.getByText('I thought better of this').waitFor({ state: 'detached' });
  });

  it("offers to edit only within the server's edit window, as the article tells the page", async () => {
    const strict = await startTestApp({ EDIT_WINDOW_SECONDS: '0' });
    try {
      const article = await createArticle(strict.prisma);
      const author = await createUser(strict);
      await postComment(strict, author, article.slug, 'Final as soon as posted');
      expect((await http(strict, 'GET', `/api/articles/${article.slug}`)).body.editWindowSeconds).toBe(0);
      const { page, context } = await openPerson(browser, strict.url);
      closers.push(() => context.close());
      await page.goto(`/articles/${article.slug}`);
      await page.getByRole('button', { name: 'Sign in to comment' }).click();
      await signIn(page, author);
      await page.getByLabel('Write a comment').waitFor();
      const mine = comment(page, 'Final as soon as posted');
      await mine.getByRole('button', { name: 'Delete' }).waitFor();
      expect(await mine.getByRole('button', { name: 'Edit' }).count()).toBe(0);
    } finally {
      await strict.close();
    }
  });

  it('has no serious or critical accessibility violations, on a desktop and at 360 px in dark mode', async () => {
    const article = await createArticle(t.prisma);
    const [a, b] = await Promise.all([createUser(t), createUser(t)]);
    // A member: a new account's link would wait for review.
    await t.prisma.user.update({ where: { id: a.id }, data: { trustLevelPinned: 1 } });
    const first = await postComment(t, a, article.slug, 'A *first* comment with a [link](https://example.com).');
    await postComment(t, b, article.slug, 'A reply.', { parentId: first.id });
    for (const options of [{ width: 1280 }, { width: 360, colorScheme: 'dark' as const }]) {
      const { page } = await person(options);
      await page.goto(`/articles/${article.slug}`);
      await comment(page, 'A reply.').waitFor();
      expect(await seriousViolations(page)).toEqual([]);
      await page.getByRole('button', { name: 'Sign in to comment' }).click();
      await signIn(page, b);
      await page.getByLabel('Write a comment').waitFor();
      expect(await seriousViolations(page)).toEqual([]);
      // Nothing wider than the screen.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(options.width);
    }
  });
});

describe('embed.js', () => {
  it('renders the live thread into a publisher’s page on another origin, sized to its content', async () => {
    const article = await createArticle(t.prisma);
    const writer = await createUser(t);
    for (let i = 1; i <= 6; i++) await postComment(t, writer, article.slug, `Embedded comment ${i}`);
    // The publisher's own page, with CSS that would wreck any element it reached.
    const publisher = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end(
        `<!doctype html><html lang="en"><head><title>Publisher</title><style>article, p, button { display: none !important }</style></head>` +
          `<body><h1>The publisher’s story</h1><script src="${t.url}/embed.js" data-article="${article.slug}"></script></body></html>`,
      );
    });
    await new Promise<void>((resolve) => publisher.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise((resolve) => publisher.close(() => resolve())));
    const { page } = await person();
    await page.goto(`http://localhost:${(publisher.address() as AddressInfo).port}/`);
    const frame = page.frameLocator('iframe[title="Comments"]');
    await frame.getByRole('article').filter({ hasText: 'Embedded comment 6' }).waitFor();

    // The frame grows to its content: no scroll bar inside it.
    await page.waitForFunction(() => {
      const iframe = document.querySelector('iframe')!;
      const inner = iframe.contentDocument ? null : iframe.getBoundingClientRect().height;
      return inner !== null && inner > 400;
    });
    const sizes = await page
      .frames()[1]
      .evaluate(() => ({ content: document.documentElement.scrollHeight, view: window.innerHeight }));
    expect(sizes.view).toBeGreaterThanOrEqual(sizes.content);

    await postComment(t, writer, article.slug, 'Live inside the frame');
    await frame.getByRole('button', { name: /^Show 1 new comment/ }).click();
    await frame.getByRole('article').filter({ hasText: 'Live inside the frame' }).waitFor();
  });
});

describe('moderation in the browser', () => {
  async function moderatorPage(user: TestUser) {
    const p = await person();
    await p.page.goto('/moderation');
    await signIn(p.page, user);
    await p.page.getByRole('heading', { name: 'Moderation', level: 1 }).waitFor();
    await p.page.getByText('Live', { exact: true }).waitFor();
    return p;
  }

  it('shows a held comment’s stance, the passage it answers and the language it is written in', async () => {
    const article = await createArticle(t.prisma, { premoderation: true });
    const body = 'The first claim.\n\nBoth regimes rely on the army.';
    await t.prisma.article.update({
      where: { id: article.id },
      data: { bodySource: body, bodyHtml: renderArticleMarkdown(body) },
    });
    const [mod, author] = await Promise.all([createUser(t, 'moderator'), createUser(t)]);
    const moderator = await moderatorPage(mod);
    await moderator.page.getByRole('combobox', { name: /^Article/ }).selectOption(article.slug);
    const posted = await http(t, 'POST', `/api/articles/${article.slug}/comments`, {
      token: author.token,
      body: {
        body: 'The army is loyal to money.',
        stance: 'disagree',
        anchor: { paragraph: 1, quote: 'the army' },
        lang: 'en-GB',
      },
    });
    expect(posted.status).toBe(201);
    const item = moderator.page.getByRole('article').filter({ hasText: 'The army is loyal to money.' });
    await item.getByText('Answering passage 2 of the article:').waitFor();
    await item.getByText('disagree', { exact: true }).waitFor();
    expect(await item.locator('.body').getAttribute('lang')).toBe('en-GB');
    expect(moderator.errors).toEqual([]);
  });

  it('holds a comment under premoderation, then shows it to readers live when a moderator approves it', async () => {
    const article = await createArticle(t.prisma, { premoderation: true });
    const [mod, author] = await Promise.all([createUser(t, 'moderator'), createUser(t)]);
    const moderator = await moderatorPage(mod);
    // This article's items only.
    await moderator.page.getByRole('combobox', { name: /^Article/ }).selectOption(article.slug);
    const reader = await person();
    const writer = await person();
    await Promise.all([reader.page.goto(`/articles/${article.slug}`), writer.page.goto(`/articles/${article.slug}`)]);
    await writer.page.getByRole('button', { name: 'Sign in to comment' }).click();
    await signIn(writer.page, author);
    await post(writer.page, 'Please let this through.');
    await writer.page.getByText(/held for review/).waitFor();
    await comment(writer.page, 'Please let this through.').getByText('Awaiting review').waitFor();

    const item = moderator.page.getByRole('article').filter({ hasText: 'Please let this through.' });
    await item.getByRole('button', { name: 'Approve' }).click();
    await item.waitFor({ state: 'detached' });
    await moderator.page.getByText('Nothing waits here').waitFor();

    await reader.page.getByRole('button', { name: /^Show 1 new comment/ }).click();
    await comment(reader.page, 'Please let this through.').waitFor();
    // The author's copy loses its badge in place.
    await comment(writer.page, 'Please let this through.').getByText('Awaiting review').waitFor({ state: 'detached' });
    expect(await seriousViolations(moderator.page)).toEqual([]);
  });

  it('takes a reported comment down live for every reader', async () => {
    const article = await createArticle(t.prisma);
    const [mod, author, reporterUser] = await Promise.all([createUser(t, 'moderator'), createUser(t), createUser(t)]);
    await postComment(t, author, article.slug, 'Something nobody should read.');
    const moderator = await moderatorPage(mod);
    await moderator.page.getByRole('button', { name: 'Reported' }).click();
    const reader = await person();
    await reader.page.goto(`/articles/${article.slug}`);
    await reader.page.getByRole('button', { name: 'Sign in to comment' }).click();
    await signIn(reader.page, reporterUser);
    await reader.page.getByLabel('Write a comment').waitFor();
    const target = comment(reader.page, 'Something nobody should read.');
    await target.getByRole('button', { name: 'Report' }).click();
    await target.getByLabel('Reason').selectOption('abuse');
    await target.getByRole('button', { name: 'Send report' }).click();
    await reader.page.getByText('The moderators will look at your report').waitFor();

    const item = moderator.page.getByRole('article').filter({ hasText: 'Something nobody should read.' });
    await item.getByRole('list', { name: 'Reports' }).getByText('abuse').waitFor();
    await item.getByLabel('Reason').selectOption('abuse');
    await item.getByRole('button', { name: 'Remove' }).click();
    await item.waitFor({ state: 'detached' });

    await reader.page.getByText('Something nobody should read.').waitFor({ state: 'detached' });
    await reader.page.getByText('Removed by a moderator').waitFor();
  });

  it('works the queue from the keyboard and closes an article live', async () => {
    const article = await createArticle(t.prisma, { premoderation: true });
    const [mod, author] = await Promise.all([createUser(t, 'moderator'), createUser(t)]);
    const moderator = await moderatorPage(mod);
    const reader = await person();
    await reader.page.goto(`/articles/${article.slug}`);
    await reader.page.getByText('reviewed by a moderator').waitFor();
    await postComment(t, author, article.slug, 'First in line');
    await postComment(t, author, article.slug, 'Second in line');
    const queue = moderator.page.getByRole('article');
    await queue.filter({ hasText: 'Second in line' }).waitFor();

    // The queue holds every article's items: focus ours, A approves it.
    await queue.filter({ hasText: 'First in line' }).getByText('Author’s record').click();
    await moderator.page.keyboard.press('a');
    await queue.filter({ hasText: 'First in line' }).waitFor({ state: 'detached' });
    await reader.page.getByRole('button', { name: /^Show 1 new comment/ }).click();
    await comment(reader.page, 'First in line').waitFor();

    // J and K move between items; R without a reason asks for one and changes nothing.
    const second = queue.filter({ hasText: 'Second in line' });
    await second.getByText('Author’s record').click();
    const position = () =>
      moderator.page.evaluate(() => {
        const items = [...document.querySelectorAll('.queue-item')];
        return { at: items.indexOf(document.activeElement!), of: items.length };
      });
    const start = await position();
    expect(start.at).toBeGreaterThanOrEqual(0);
    await moderator.page.keyboard.press('j');
    const next = await position();
    expect(next.at).toBe(Math.min(start.at + 1, start.of - 1));
    await moderator.page.keyboard.press('k');
    expect((await position()).at).toBe(Math.max(next.at - 1, 0));
    await second.getByText('Author’s record').click();
    await moderator.page.keyboard.press('r');
    await second.getByText('Choose a reason first.').waitFor();

    await moderator.page.getByRole('button', { name: 'Articles' }).click();
    await moderator.page.getByLabel('Article', { exact: true }).selectOption(article.slug);
    await moderator.page.getByLabel('Closed for comments').check();
    await moderator.page.getByRole('button', { name: 'Save settings' }).click();
    await moderator.page.getByText('Saved.').waitFor();
    await reader.page.getByText('Comments on this article are closed.').waitFor();

    await moderator.page.getByRole('button', { name: 'Log' }).click();
    await moderator.page.getByRole('cell', { name: 'update article' }).first().waitFor();
  });

  it('suspends an author for the length the moderator picks, and lifts it', async () => {
    const article = await createArticle(t.prisma, { premoderation: true });
    const [mod, author] = await Promise.all([createUser(t, 'moderator'), createUser(t)]);
    const moderator = await moderatorPage(mod);
    await postComment(t, author, article.slug, 'Waiting with a sanction to come');
    const item = moderator.page.getByRole('article').filter({ hasText: 'Waiting with a sanction to come' });
    await item.waitFor();
    await item.getByText(`Sanction ${author.username}`).click();
    await item.getByLabel('Suspend for').selectOption({ label: '7 days' });
    const before = Date.now();
    await item.getByRole('button', { name: 'Suspend', exact: true }).click();
    await item.getByText(/suspended until/).waitFor();
    const { suspendedUntil } = await t.prisma.user.findUniqueOrThrow({ where: { id: author.id } });
    const days = (suspendedUntil!.getTime() - before) / 86_400_000;
    expect(days).toBeGreaterThan(6.9);
    expect(days).toBeLessThan(7.1);

    await item.getByRole('button', { name: 'Lift suspension' }).click();
    await item.getByText(/suspended until/).waitFor({ state: 'detached' });
    expect((await t.prisma.user.findUniqueOrThrow({ where: { id: author.id } })).suspendedUntil).toBeNull();
  });

  it('shows a moderator that another acted first (409) instead of undoing their decision', async () => {
    const article = await createArticle(t.prisma, { premoderation: true });
    const [first, second, author] = await Promise.all([
      createUser(t, 'moderator'),
      createUser(t, 'moderator'),
      createUser(t),
    ]);
    const [one, two] = [await moderatorPage(first), await moderatorPage(second)];
    await postComment(t, author, article.slug, 'Two moderators, one comment.');
    const itemOne = one.page.getByRole('article').filter({ hasText: 'Two moderators, one comment.' });
    const itemTwo = two.page.getByRole('article').filter({ hasText: 'Two moderators, one comment.' });
    await Promise.all([itemOne.waitFor(), itemTwo.waitFor()]);

    // The second console's link lags: it has not heard that the first approved.
    two.live.stall();
    await itemOne.getByRole('button', { name: 'Approve' }).click();
    await itemOne.waitFor({ state: 'detached' });
    await itemTwo.getByLabel('Reason').selectOption('spam');
    await itemTwo.getByRole('button', { name: 'Reject' }).click();
    await itemTwo.getByRole('alert').filter({ hasText: 'Someone else acted on this comment first' }).waitFor();

    const stored = await t.prisma.comment.findFirstOrThrow({ where: { articleId: article.id } });
    expect(stored.status).toBe('published');
  });
});
