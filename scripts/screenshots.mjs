// Rewrites docs/screenshots/: the reader page and the moderation console, on a
// desktop and at 360 px, and the discussion in Russian and right to left,
// from a fresh server with a seeded discussion.
// Usage: npm run screenshots (needs /usr/bin/chromium or CHROMIUM_PATH).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { openDatabase } from '../dist/libs/db/src/index.js';
import { launchChromium, startLocalServer } from './lib/local-server.mjs';

const port = Number(process.env.PORT ?? 3099);
const pgPort = Number(process.env.EMBEDDED_PG_PORT ?? 54399);
const slug = 'putin-and-kim-jong-un-are-not-so-different';
const out = join(import.meta.dirname, '..', 'docs', 'screenshots');
// A fresh database each run, inside the project (the embedded server's user
// must reach it), unless DATABASE_URL names one (then use an empty database).
const dataDir = join(import.meta.dirname, '..', '.data-screenshots');
const { base, call, ready, stop } = startLocalServer({ port, pgPort, dataDir });

const register = (username) =>
  call('POST', '/api/auth/register', {
    body: { username, email: `${username}@example.com`, password: 'correct horse battery' },
  });

async function seed() {
  const [maria, tomasz, evelyn, jun, desk] = await Promise.all(
    ['maria_k', 'tomasz', 'evelyn_r', 'jun_park', 'desk_editor'].map(register),
  );
  // The server's database, opened as the CLI opens it: DATABASE_URL, or the
  // embedded PostgreSQL the server runs (its password is kept in its DATA_DIR).
  const database = await openDatabase({
    DATABASE_URL: process.env.DATABASE_URL,
    DATA_DIR: dataDir,
    EMBEDDED_PG_PORT: pgPort,
  });
  const db = new pg.Client({ connectionString: database.url });
  await db.connect();
  try {
    await db.query(`UPDATE users SET role = 'moderator' WHERE id = $1`, [desk.user.id]);
  } finally {
    await db.end();
    await database.stop();
  }
  const post = (who, body, parentId) =>
    call('POST', `/api/articles/${slug}/comments`, {
      token: who.accessToken,
      body: { body, ...(parentId ? { parentId } : {}) },
    });
  const a = await post(
    maria,
    'The comparison holds further than the author admits. Both leaders rely on **manufactured crises** to rally support at home, and both have learned that the West blinks first.',
  );
  const b = await post(
    tomasz,
    'I lived through 2014 in Kharkiv. The difference is scale: one of them can actually follow through on the threat.',
    a.id,
  );
  await post(
    evelyn,
    '> the West blinks first\n\nOr the West simply has more to lose. That is not the same thing as weakness.',
    a.id,
  );
  await post(maria, 'Fair point, Tomasz. Scale matters, but the *playbook* is the same.', b.id);
  const c = await post(
    jun,
    'As someone from Seoul: the loudspeakers were the only leverage we had, and they worked. Talks happened within days.',
  );
  await post(evelyn, 'A sharp piece, though I wish it had said more about China’s role in restraining Pyongyang.');
  for (const [who, id, value] of [
    [tomasz, a.id, 1],
    [evelyn, a.id, 1],
    [jun, a.id, 1],
    [maria, c.id, 1],
    [tomasz, c.id, 1],
  ]) {
    await call('PUT', `/api/comments/${id}/vote`, { token: who.accessToken, body: { value } });
  }
  // Work for the moderators: a premoderated newcomer and a reported comment.
  const troll = await register('new_account_42');
  await call('PATCH', `/api/moderation/users/${troll.user.id}`, {
    token: desk.accessToken,
    body: { premoderated: true },
  });
  await post(troll, 'Everyone here is paid by one government or another. Wake up.');
  // Published, then reported (a premoderated author's comment is not shown to report).
  const angry = await register('angry_reader');
  const rude = await post(angry, 'Only an idiot would believe this article.');
  await call('POST', `/api/comments/${rude.id}/reports`, {
    token: jun.accessToken,
    body: { reason: 'abuse', note: 'Insults other readers' },
  });
  await post(jun, 'Does anyone have a source for the 50,000 troops figure?');
  return { maria, desk };
}

async function shoot() {
  const browser = await launchChromium();
  const { maria, desk } = await seed();
  mkdirSync(out, { recursive: true });
  for (const [name, width, colorScheme] of [
    ['desktop', 1280, 'light'],
    ['mobile', 360, 'light'],
    ['desktop-dark', 1280, 'dark'],
    ['mobile-dark', 360, 'dark'],
  ]) {
    const open = async (who) => {
      const context = await browser.newContext({
        viewport: { width, height: width > 600 ? 1000 : 780 },
        colorScheme,
        deviceScaleFactor: width > 600 ? 1 : 2,
      });
      const session = JSON.stringify({ user: who.user, accessToken: who.accessToken });
      await context.addInitScript((value) => localStorage.setItem('rejoinder.session', value), session);
      return { context, page: await context.newPage() };
    };
    const reader = await open(maria);
    await reader.page.goto(`${base}/articles/${slug}`);
    await reader.page.getByRole('article').filter({ hasText: 'Fair point, Tomasz' }).last().waitFor();
    await reader.page.screenshot({ path: join(out, `article-${name}.png`) });
    await reader.page.evaluate(() => {
      document.getElementById('thread-title').scrollIntoView({ block: 'start' });
      window.scrollBy(0, -24);
    });
    await reader.page.screenshot({ path: join(out, `thread-${name}.png`) });
    await reader.context.close();

    const moderator = await open({ ...desk, user: { ...desk.user, role: 'moderator' } });
    await moderator.page.goto(`${base}/moderation`);
    await moderator.page.getByText('Live', { exact: true }).waitFor();
    await moderator.page.getByRole('article').first().waitFor();
    await moderator.page.screenshot({ path: join(out, `moderation-${name}.png`) });
    await moderator.context.close();
  }
  // The discussion in Russian, and right to left (the ar-XB pseudo-locale:
  // the page's layout as Arabic or Hebrew readers get it).
  for (const [name, lang] of [
    ['ru', 'ru'],
    ['rtl', 'ar-XB'],
  ]) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
    const page = await context.newPage();
    await page.goto(`${base}/articles/${slug}?lang=${lang}`);
    await page.getByRole('article').filter({ hasText: 'Fair point, Tomasz' }).last().waitFor();
    await page.evaluate(() => {
      document.getElementById('thread-title').scrollIntoView({ block: 'start' });
      window.scrollBy(0, -24);
    });
    await page.screenshot({ path: join(out, `thread-${name}-desktop.png`) });
    await context.close();
  }
  await browser.close();
}

try {
  await ready();
  await shoot();
  console.log(`Screenshots written to ${out}`);
} finally {
  await stop();
}
