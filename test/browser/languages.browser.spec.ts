/// <reference lib="dom" />
import { jest } from '@jest/globals';
import { gzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openPerson, seriousViolations } from '../support/browser.js';
import { createUser, http, postComment, unique } from '../support/factories.js';
import type { TestUser } from '../support/factories.js';
import { startTestApp, TestApp } from '../support/test-app.js';
import { renderArticleMarkdown } from '@rejoinder/forum';

// The pages in other languages, in real Chromium against the real server:
// Russian words and plurals, a pseudo-locale that shows any text that did not
// come through a catalogue, and a right-to-left page.
jest.setTimeout(180_000);

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

async function person() {
  const p = await openPerson(browser, t.url);
  closers.push(() => p.context.close());
  return p;
}

const PASSAGES = [
  'First passage.',
  'Second passage.',
  'Third passage.',
  'Fourth passage.',
  'Fifth passage.',
  'Sixth passage.',
];

async function articleWithPassages(title: string): Promise<{ id: string; slug: string }> {
  const slug = unique('article');
  const bodySource = PASSAGES.join('\n\n');
  return t.prisma.article.create({
    data: {
      slug,
      title,
      byline: 'Test Author',
      publishedAt: new Date('2026-01-01T00:00:00Z'),
      bodySource,
      bodyHtml: renderArticleMarkdown(bodySource),
    },
    select: { id: true, slug: true },
  });
}

async function signIn(page: Page, user: TestUser, names: Names): Promise<void> {
  await page.getByRole('button', { name: names.signInToComment }).click();
  await page.getByLabel(names.usernameOrEmail).fill(user.username);
  await page.getByLabel(names.password, { exact: true }).fill(user.password);
  await page.getByRole('button', { name: names.signIn, exact: true }).click();
  await page.getByLabel(names.writeComment).waitFor();
}

// The accessible names the other browser tests find controls by, and the
// Russian name of each.
const ENGLISH = {
  signInToComment: 'Sign in to comment',
  usernameOrEmail: 'Username or email',
  password: 'Password',
  signIn: 'Sign in',
  writeComment: 'Write a comment',
  postComment: 'Post comment',
  comments: 'Comments',
  edit: 'Edit',
  delete: 'Delete',
  reply: 'Reply',
  writeReply: 'Write a reply',
  postReply: 'Post reply',
  save: 'Save',
  report: 'Report',
  reason: 'Reason',
  stances: 'Stances taken',
  disagree: 'Disagree',
  notificationSettings: 'Notification settings',
  language: 'Language',
};
type Names = typeof ENGLISH;
const RUSSIAN: Names = {
  signInToComment: 'Войдите, чтобы комментировать',
  usernameOrEmail: 'Имя пользователя или эл. почта',
  password: 'Пароль',
  signIn: 'Войти',
  writeComment: 'Написать комментарий',
  postComment: 'Отправить комментарий',
  comments: 'Комментарии',
  edit: 'Изменить',
  delete: 'Удалить',
  reply: 'Ответить',
  writeReply: 'Написать ответ',
  postReply: 'Отправить ответ',
  save: 'Сохранить',
  report: 'Пожаловаться',
  reason: 'Причина',
  stances: 'Занятые позиции',
  disagree: 'Не согласен',
  notificationSettings: 'Настройки уведомлений',
  language: 'Язык',
};

describe('the accessible-name contract', () => {
  it.each([
    ['en', ENGLISH],
    ['ru', RUSSIAN],
  ])('holds in %s: every control the tests use has its name', async (lang, names) => {
    const article = await articleWithPassages(unique('Names'));
    const author = await createUser(t);
    const reader = await createUser(t);
    await postComment(t, author, article.slug, 'Someone else’s view');
    const { page, errors } = await person();
    await page.goto(`/articles/${article.slug}?lang=${lang}`);
    expect(await page.locator('html').getAttribute('lang')).toBe(lang);
    await page.getByRole('heading', { name: new RegExp(`^${names.comments}`) }).waitFor();
    await page.getByRole('combobox', { name: names.language }).waitFor();
    await signIn(page, reader, names);

    // Post with a stance, reply, edit, then open the report form on another's comment.
    await page.getByRole('radio', { name: names.disagree }).check();
    await page.getByLabel(names.writeComment).fill('My own view');
    await page.getByRole('button', { name: names.postComment }).click();
    const thread = page.getByRole('region', { name: new RegExp(`^${names.comments}`) });
    const mine = thread.getByRole('article').filter({ hasText: 'My own view' }).last();
    await mine.getByRole('button', { name: names.edit }).waitFor();
    await mine.getByRole('button', { name: names.delete }).waitFor();
    await page.getByRole('list', { name: names.stances }).waitFor();
    const theirs = thread.getByRole('article').filter({ hasText: 'Someone else’s view' }).last();
    await theirs.getByRole('button', { name: names.reply }).click();
    await page.getByLabel(names.writeReply).fill('A reply');
    await page.getByRole('button', { name: names.postReply }).click();
    await thread.getByRole('article').filter({ hasText: 'A reply' }).last().waitFor();
    await mine.getByRole('button', { name: names.edit }).click();
    await thread.getByRole('button', { name: names.save, exact: true }).waitFor();
    await theirs.getByRole('button', { name: names.report }).first().click();
    await page.getByLabel(names.reason).waitFor();
    await page.getByRole('link', { name: names.notificationSettings }).waitFor();
    expect(errors).toEqual([]);
  });
});

describe('Russian', () => {
  const COUNTS = [1, 2, 5, 11, 21, 22];
  const COMMENTS = [
    '1 комментарий',
    '2 комментария',
    '5 комментариев',
    '11 комментариев',
    '21 комментарий',
    '22 комментария',
  ];
  const REPLIES = ['1 ответ', '2 ответа', '5 ответов', '11 ответов', '21 ответ', '22 ответа'];

  it('says 1, 2, 5, 11, 21 and 22 comments and replies with the right plural', async () => {
    const article = await articleWithPassages(unique('Plurals'));
    const writers = await Promise.all([0, 1, 2, 3].map(() => createUser(t)));
    let n = 0;
    const write = (body: unknown) =>
      http(t, 'POST', `/api/articles/${article.slug}/comments`, { token: writers[n++ % writers.length].token, body });
    // Passage i gets COUNTS[i] comments that quote it.
    for (const [paragraph, count] of COUNTS.entries()) {
      const quote = PASSAGES[paragraph].replace('.', '');
      for (let i = 0; i < count; i++) {
        const res = await write({ body: `On passage ${paragraph} (${i})`, anchor: { paragraph, quote } });
        expect(res.status).toBe(201);
      }
    }
    // Six conversations whose hidden replies number COUNTS (three are shown inline).
    for (const [index, count] of COUNTS.entries()) {
      const root = await write({ body: `Conversation ${index}` });
      for (let i = 0; i < count + 3; i++) {
        const res = await write({ body: `Reply ${i} in conversation ${index}`, parentId: root.body.id });
        expect(res.status).toBe(201);
      }
    }

    const { page, errors } = await person();
    await page.goto(`/articles/${article.slug}?lang=ru`);
    for (const [i, words] of COMMENTS.entries()) {
      const button = page.locator(`#passage-${i} .passage-count`);
      expect(await button.getAttribute('aria-label')).toBe(`${words} к этому фрагменту`);
      expect(await button.textContent()).toBe(String(COUNTS[i]));
    }
    for (const [index, words] of REPLIES.entries()) {
      const root = page
        .getByRole('article')
        .filter({ hasText: `Conversation ${index}` })
        .first();
      await root.getByRole('button', { name: `Показать ещё ${words}` }).waitFor();
    }
    expect(errors).toEqual([]);
  });

  it('keeps the reader’s choice with their account, and the next page opens in it', async () => {
    const article = await articleWithPassages(unique('Choice'));
    const reader = await createUser(t);
    const { page } = await person();
    await page.goto(`/articles/${article.slug}`);
    await signIn(page, reader, ENGLISH);
    await page.getByRole('combobox', { name: 'Language' }).selectOption('ru');
    await page.getByRole('button', { name: RUSSIAN.postComment }).waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('ru');
    const row = await t.prisma.user.findUniqueOrThrow({ where: { id: reader.id } });
    expect(row.locale).toBe('ru');
    // Another browser, signed in as the same reader, with an English browser.
    const other = await person();
    await other.page.goto(`/articles/${article.slug}`);
    await signIn(other.page, reader, ENGLISH);
    await other.page.goto(`/articles/${article.slug}`);
    await other.page.getByRole('button', { name: RUSSIAN.postComment }).waitFor();
  });

  it('loads one catalogue, within the 60 KB budget of the reader page', async () => {
    const article = await articleWithPassages(unique('Budget'));
    const { page } = await person();
    const assets: { url: string; bytes: number }[] = [];
    page.on('response', async (response) => {
      const url = response.url();
      if (!/\/assets\/.*\.(js|css)$/.test(url)) return;
      const body = await response.body();
      assets.push({ url, bytes: gzipSync(body, { level: 9 }).length });
    });
    await page.goto(`/articles/${article.slug}?lang=ru`, { waitUntil: 'networkidle' });
    await page.getByRole('button', { name: RUSSIAN.signInToComment }).waitFor();
    const catalogues = assets.filter((a) => /\/assets\/(en|ru|en-XA|ar-XB)-[\w-]+\.js$/.test(a.url));
    expect(catalogues.map((a) => a.url.replace(/^.*\/assets\/|-[\w-]+\.js$/g, ''))).toEqual(['ru']);
    const total = assets.reduce((sum, a) => sum + a.bytes, 0);
    expect(total).toBeLessThanOrEqual(60 * 1024);
  });
});

// Text a reader sees that is not the interface's: what people wrote, names
// (in <bdi> or dir=auto, as a right-to-left page needs them), times, numbers. Everything else must come through a catalogue, which the
// pseudo-locale marks with ⟦ ⟧.
async function untranslated(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const own = (el: Element | null) =>
      !!el?.closest(
        '.body, .passage-text, .article-body, #article-title, .author, .avatar, time, q, code, bdi, [dir=auto], [lang]:not(html), .brand, .when',
      );
    const marked = (text: string) => /⟦/.test(text);
    const data = (text: string) => /^[\s\d.,:;·()@%#/+\-–—…“”«»"'!?▲▼]*$/.test(text);
    const found: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent ?? '';
      const el = node.parentElement;
      if (!el || el.closest('script, style, [hidden]') || own(el)) continue;
      if (!marked(text) && !data(text)) found.push(`text: ${text.trim()}`);
    }
    for (const el of document.querySelectorAll('[aria-label], [title], [placeholder], [alt]')) {
      if (own(el)) continue;
      for (const name of ['aria-label', 'title', 'placeholder', 'alt']) {
        const value = el.getAttribute(name);
        if (value && !marked(value) && !data(value)) found.push(`${name}: ${value}`);
      }
    }
    if (!marked(document.title) && !data(document.title)) found.push(`title: ${document.title}`);
    return found;
  });
}

describe('a comment’s language', () => {
  it('marks the text of a comment written on a page whose language the reader chose, and only then', async () => {
    const article = await articleWithPassages(unique('Written in'));
    const [reader, other] = await Promise.all([createUser(t), createUser(t)]);
    const unmarked = await postComment(t, other, article.slug, 'Posted without a language');
    const { page, errors } = await person();
    await page.goto(`/articles/${article.slug}?lang=ru`);
    await signIn(page, reader, RUSSIAN);
    await page.getByLabel(RUSSIAN.writeComment).fill('Согласен с автором.');
    await page.getByRole('button', { name: RUSSIAN.postComment }).click();
    const thread = page.getByRole('region', { name: new RegExp(`^${RUSSIAN.comments}`) });
    const body = (text: string) => thread.getByRole('article').filter({ hasText: text }).last().locator('.body');
    // Stored once the page no longer shows it as being sent.
    await thread.locator('.comment:not(.sending)').filter({ hasText: 'Согласен с автором.' }).waitFor();
    expect(await body('Согласен с автором.').getAttribute('lang')).toBe('ru');
    const stored = await t.prisma.comment.findFirstOrThrow({
      where: { articleId: article.id, authorId: reader.id },
      select: { lang: true },
    });
    expect(stored.lang).toBe('ru');
    // As the server sends it, after a reload.
    await page.reload();
    await body('Согласен с автором.').waitFor();
    expect(await body('Согласен с автором.').getAttribute('lang')).toBe('ru');
    expect(await body('Posted without a language').getAttribute('lang')).toBeNull();
    expect(unmarked.lang).toBeNull();

    // A page that only followed the browser's language marks nothing.
    const english = await person();
    await english.page.goto(`/articles/${article.slug}`);
    await signIn(english.page, other, ENGLISH);
    await english.page.getByLabel(ENGLISH.writeComment).fill('Just the browser’s language');
    await english.page.getByRole('button', { name: ENGLISH.postComment }).click();
    const mine = english.page
      .getByRole('region', { name: new RegExp(`^${ENGLISH.comments}`) })
      .locator('.comment:not(.sending)')
      .filter({ hasText: 'Just the browser’s language' });
    await mine.waitFor();
    expect(await mine.locator('.body').getAttribute('lang')).toBeNull();
    const row = await t.prisma.comment.findFirstOrThrow({
      where: { articleId: article.id, bodySource: 'Just the browser’s language' },
      select: { lang: true },
    });
    expect(row.lang).toBeNull();
    expect(errors).toEqual([]);
  });
});

describe('pseudo-locales', () => {
  it('show no text on the reader page and the console that did not come through a catalogue', async () => {
    const article = await articleWithPassages(unique('Pseudo'));
    const author = await createUser(t);
    const moderator = await createUser(t, 'moderator');
    await postComment(t, author, article.slug, 'A comment to show');
    const { page, errors } = await person();
    await page.goto(`/articles/${article.slug}?lang=en-XA`);
    await page.getByRole('article').filter({ hasText: 'A comment to show' }).waitFor();
    expect(await untranslated(page)).toEqual([]);

    // Signed in, with the composer open, as a moderator.
    await page.locator('.thread-meta button').click();
    await page.locator('input[name=login]').fill(moderator.username);
    await page.locator('input[name=password]').fill(moderator.password);
    await page.locator('.account-form button[type=submit]').click();
    await page.locator('.composer textarea').waitFor();
    expect(await untranslated(page)).toEqual([]);

    await page.goto('/moderation?lang=en-XA');
    await page.locator('.queue-head').waitFor();
    await page.locator('.queue-item, .queue .empty').first().waitFor();
    expect(await untranslated(page)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('lays a right-to-left page out from the right, and it passes axe-core', async () => {
    const article = await articleWithPassages(unique('RTL'));
    const author = await createUser(t);
    await postComment(t, author, article.slug, 'A comment to show');
    const { page, errors } = await person();
    await page.goto(`/articles/${article.slug}?lang=ar-XB`);
    await page.getByRole('article').filter({ hasText: 'A comment to show' }).waitFor();
    expect(await page.locator('html').getAttribute('dir')).toBe('rtl');
    expect(await page.locator('html').getAttribute('lang')).toBe('ar-XB');
    // The brand starts the header at its right, the language picker ends it at its left.
    const brand = await page.locator('.brand').boundingBox();
    const picker = await page.locator('.language-picker').boundingBox();
    expect(brand!.x).toBeGreaterThan(picker!.x);
    expect(await seriousViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
  });
});
