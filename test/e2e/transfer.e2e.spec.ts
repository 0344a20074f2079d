import { ERASED_AUTHOR_ID } from '@rejoinder/accounts';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/cli-process.js';
import { freshDatabase, thread } from '../support/databases.js';
import { createArticle, createUser, http, postComment, unique } from '../support/factories.js';
import { startTestApp, TestApp } from '../support/test-app.js';

const dir = mkdtempSync(join(tmpdir(), 'rejoinder-transfer-'));
// Each test runs the command-line tool several times, each a full start-up of the process.
const CLI_TEST_TIMEOUT_MS = 180_000;

const withoutArticleId = (nodes: any[]): unknown[] =>
  nodes.map(({ articleId: _a, replies, ...rest }) => ({ ...rest, replies: withoutArticleId(replies ?? []) }));

describe('export and import of an article, run as processes', () => {
  let t: TestApp;
  let slug: string;
  let exported: string;

  beforeAll(async () => {
    t = await startTestApp();
    const article = await createArticle(t.prisma);
    slug = article.slug;
    const [alice, bob, mod] = await Promise.all([createUser(t), createUser(t), createUser(t, 'moderator')]);
    const root = await postComment(t, alice, slug, 'A *root* comment');
    const reply = await postComment(t, bob, slug, 'A reply', { parentId: root.id });
    const deep = await postComment(t, alice, slug, 'Deeper', { parentId: reply.id });
    await postComment(t, bob, slug, 'Deepest', { parentId: deep.id });
    const doomed = await postComment(t, bob, slug, 'Soon deleted, but it has a reply');
    await postComment(t, alice, slug, 'Reply to the deleted one', { parentId: doomed.id });
    const spam = await postComment(t, alice, slug, 'Removed by a moderator');
    const pinned = await postComment(t, bob, slug, 'Pinned and featured');
    expect(
      (
        await http(t, 'PATCH', `/api/comments/${root.id}`, {
          token: alice.token,
          body: { body: 'A *root* comment, edited' },
        })
      ).status,
    ).toBe(200);
    expect(
      (await http(t, 'PUT', `/api/comments/${root.id}/vote`, { token: bob.token, body: { value: 1 } })).status,
    ).toBe(200);
    expect(
      (await http(t, 'PUT', `/api/comments/${reply.id}/vote`, { token: alice.token, body: { value: -1 } })).status,
    ).toBe(200);
    expect((await http(t, 'DELETE', `/api/comments/${doomed.id}`, { token: bob.token })).status).toBe(204);
    const act = async (id: string, action: string, reason?: string) => {
      const { version } = (await t.prisma.comment.findUnique({ where: { id } }))!;
      const res = await http(t, 'POST', `/api/moderation/comments/${id}/actions`, {
        token: mod.token,
        body: { action, version, reason },
      });
      expect(res.status).toBe(200);
    };
    await act(spam.id, 'remove', 'spam');
    await act(pinned.id, 'pin');
    await act(pinned.id, 'feature');
    exported = join(dir, `${slug}.json`);
  }, CLI_TEST_TIMEOUT_MS);
  afterAll(async () => {
    await t.close();
  });

  it(
    'brings threading, timestamps, votes and moderation states into another database intact',
    async () => {
      const out = await runCli(['export', '--article', slug, '--out', exported]);
      expect(out.stderr).toContain(`Exported ${slug}: 8 comment(s) by 2 account(s)`);
      expect(out.code).toBe(0);
      const doc = JSON.parse(readFileSync(exported, 'utf8'));
      expect(doc).toMatchObject({ format: 'rejoinder.article', version: 1, article: { slug } });
      // Public names only: no e-mail, no password hash.
      expect(Object.keys(doc.accounts[0]).sort()).toEqual(['id', 'username']);

      const other = await freshDatabase();
      try {
        const imported = await runCli(['import', exported], { DATABASE_URL: other.url });
        expect(imported.stdout).toContain('Imported 8 comment(s) by 2 new account(s) into 1 article(s).');
        expect(imported.code).toBe(0);
        // Progress is reported (one line per step when not on a terminal).
        expect(imported.stderr).toContain('8/8 comments');

        // Exporting again from the other database gives the same document.
        const again = join(dir, `${slug}-again.json`);
        expect((await runCli(['export', '--article', slug, '--out', again], { DATABASE_URL: other.url })).code).toBe(0);
        const second = JSON.parse(readFileSync(again, 'utf8'));
        expect({ ...second, exportedAt: null }).toEqual({ ...doc, exportedAt: null });

        // And readers see the same thread there, counters and HTML included.
        const there = await startTestApp({ DATABASE_URL: other.url });
        try {
          expect(withoutArticleId((await thread(there, slug)) as any[])).toEqual(
            withoutArticleId((await thread(t, slug)) as any[]),
          );
          const article = await http(there, 'GET', `/api/articles/${slug}`);
          expect(article.body.commentCount).toBe((await http(t, 'GET', `/api/articles/${slug}`)).body.commentCount);
          // Imported accounts have no password.
          const login = await http(there, 'POST', '/api/auth/login', {
            body: { login: doc.accounts[0].username, password: 'correct horse battery' },
          });
          expect(login.status).toBe(401);
        } finally {
          await there.app.close();
        }

        // The same file again is refused, and nothing changes.
        const twice = await runCli(['import', exported], { DATABASE_URL: other.url });
        expect(twice.code).toBe(65);
        expect(twice.stderr).toContain(`The article "${slug}" exists in this database already. Nothing was imported.`);
      } finally {
        await other.drop();
      }
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it(
    'carries the comments of an erased account under the erased-author placeholder, never its name',
    async () => {
      const article = await createArticle(t.prisma);
      const [leaving, staying] = await Promise.all([createUser(t), createUser(t)]);
      const root = await postComment(t, leaving, article.slug, 'Written by an account that is erased later');
      await postComment(t, staying, article.slug, 'A reply that stays', { parentId: root.id });
      const erased = await http(t, 'DELETE', '/api/me', { token: leaving.token, body: { password: leaving.password } });
      expect(erased.status).toBe(200);

      const file = join(dir, `${article.slug}.json`);
      const out = await runCli(['export', '--article', article.slug, '--out', file]);
      expect(out.code).toBe(0);
      const doc = JSON.parse(readFileSync(file, 'utf8'));
      expect(JSON.stringify(doc)).not.toContain(leaving.username);
      expect(doc.comments.find((c: { id: string }) => c.id === root.id).authorId).toBe(ERASED_AUTHOR_ID);

      const other = await freshDatabase();
      try {
        const imported = await runCli(['import', file], { DATABASE_URL: other.url });
        expect(imported.code).toBe(0);
        // The placeholder is the target's own (every database has it): no new
        // account is made for it, and nobody can sign in as it.
        const placeholder = await other.prisma.user.findUniqueOrThrow({ where: { id: ERASED_AUTHOR_ID } });
        expect(await other.prisma.user.count({ where: { username: { startsWith: placeholder.username } } })).toBe(1);
        expect(await other.prisma.comment.findUniqueOrThrow({ where: { id: root.id } })).toMatchObject({
          authorId: ERASED_AUTHOR_ID,
        });
        const there = await startTestApp({ DATABASE_URL: other.url });
        try {
          expect(withoutArticleId((await thread(there, article.slug)) as any[])).toEqual(
            withoutArticleId((await thread(t, article.slug)) as any[]),
          );
        } finally {
          await there.app.close();
        }
      } finally {
        await other.drop();
      }
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it(
    'refuses malformed files with a clear message and writes nothing',
    async () => {
      const doc = JSON.parse(readFileSync(exported, 'utf8'));
      const cases: [string, string, string][] = [
        ['not-json.json', '{"format": "rejoinder.article",', 'Not JSON'],
        ['other-format.json', JSON.stringify({ format: 'wordpress' }), 'Not a Rejoinder export'],
        ['future.json', JSON.stringify({ ...doc, version: 2 }), 'Export version 2 is not supported'],
        [
          'bad-field.json',
          JSON.stringify({ ...doc, comments: [{ ...doc.comments[0], status: 'weird' }] }),
          'Invalid export at comments.0.status',
        ],
        [
          'orphan.json',
          JSON.stringify({ ...doc, comments: doc.comments.filter((c: any) => c.parentId !== null) }),
          'Invalid export at comments.0.parentId',
        ],
      ];
      const other = await freshDatabase();
      try {
        for (const [name, text, message] of cases) {
          const file = join(dir, name);
          writeFileSync(file, text);
          const result = await runCli(['import', file], { DATABASE_URL: other.url });
          expect(result.stderr).toContain(message);
          expect(result.code).toBe(65);
        }
        expect((await runCli(['import', join(dir, 'missing.json')], { DATABASE_URL: other.url })).stderr).toContain(
          'Cannot read',
        );

        // All or nothing: a clash on the last comment leaves no article, account or comment behind.
        const clash = doc.comments.at(-1);
        const existing = await createArticle(other.prisma as never);
        const author = await other.prisma.user.create({
          data: {
            username: unique('u').replace('-', '_'),
            usernameKey: unique('k'),
            email: `${randomUUID()}@example.test`,
            passwordHash: 'x',
          },
        });
        await other.prisma.comment.create({
          data: {
            id: clash.id,
            articleId: existing.id,
            authorId: author.id,
            path: [clash.id],
            depth: 0,
            bodySource: 'x',
            bodyHtml: 'x',
          },
        });
        const users = await other.prisma.user.count();
        const result = await runCli(['import', exported], { DATABASE_URL: other.url });
        expect(result.stderr).toContain(`Comment ${clash.id} exists in this database already`);
        expect(result.code).toBe(65);
        expect(await other.prisma.article.count({ where: { slug } })).toBe(0);
        expect(await other.prisma.user.count()).toBe(users);
        expect(await other.prisma.comment.count()).toBe(1);
      } finally {
        await other.drop();
      }
    },
    CLI_TEST_TIMEOUT_MS,
  );
});

describe('import of a Disqus export, run as a process', () => {
  const fixture = readFileSync('test/fixtures/disqus-export.xml', 'utf8');

  it(
    'maps threads to articles by URL or slug, keeps replies, names and hidden posts',
    async () => {
      const db = await freshDatabase();
      try {
        const byUrl = await createArticle(db.prisma as never);
        const bySlug = await createArticle(db.prisma as never);
        await db.prisma.article.update({
          where: { id: byUrl.id },
          data: { sourceUrl: `https://news.example.com/opinion/${byUrl.slug}` },
        });
        const file = join(dir, 'disqus.xml');
        writeFileSync(file, fixture.replace('__BY_URL__', byUrl.slug).replace('__BY_SLUG__', bySlug.slug));

        const result = await runCli(['import:disqus', file], { DATABASE_URL: db.url });
        expect(result.stdout).toContain('Imported 5 comment(s) by 4 new account(s) into 2 article(s).');
        expect(result.code).toBe(0);

        const t = await startTestApp({ DATABASE_URL: db.url });
        try {
          const first = (await thread(t, byUrl.slug)) as any[];
          // The spam post is hidden entirely (no shown reply under it); the deleted one stays as a tombstone.
          expect(first).toHaveLength(1);
          const [root] = first;
          // Readers see the name the author showed there; the handle is derived from it.
          expect(root.author).toMatchObject({ username: 'Anna_Reader', displayName: 'Anna Reader' });
          expect(root.createdAt).toBe('2015-08-24T10:00:00.000Z');
          expect(root.body).toBe(
            'First! Read [the report](https://example.org/report) & weep.\n\nSecond paragraph\nwith a break, 2 \\* 3 = 6.',
          );
          expect(root.html).toContain('<a href="https://example.org/report"');
          expect(root.descendantCount).toBe(2);
          const [tombstone] = root.replies;
          expect(tombstone).toMatchObject({ status: 'deleted', body: null, author: null });
          expect(tombstone.replies[0]).toMatchObject({
            body: 'Replying to the deleted one, as a guest.',
            author: { username: 'A_Guest', displayName: 'A Guest' },
          });
          const second = (await thread(t, bySlug.slug)) as any[];
          expect(second.map((c) => c.body)).toEqual(['Plain text, **bold** \\<not a tag\\>']);
          expect(second[0].author.id).toBe(root.author.id);
          expect((await http(t, 'GET', `/api/articles/${byUrl.slug}`)).body.commentCount).toBe(2);
        } finally {
          await t.app.close();
        }

        // The same file again adds nothing, and says so.
        const comments = await db.prisma.comment.count();
        const again = await runCli(['import:disqus', file], { DATABASE_URL: db.url });
        expect(again.code).toBe(0);
        expect(again.stdout).toContain('Imported 0 comment(s) by 0 new account(s) into 0 article(s).');
        expect(again.stdout).toContain('Already imported before: 5 comment(s).');
        expect(await db.prisma.comment.count()).toBe(comments);
      } finally {
        await db.drop();
      }
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it(
    'refuses malformed XML; skips and lists threads with no article, or refuses them all with --strict',
    async () => {
      const db = await freshDatabase();
      try {
        const broken = join(dir, 'broken.xml');
        writeFileSync(broken, fixture.replace('</thread>', ''));
        const malformed = await runCli(['import:disqus', broken], { DATABASE_URL: db.url });
        expect(malformed.stderr).toMatch(/Malformed XML at line \d+, column \d+/);
        expect(malformed.code).toBe(65);

        // A file cut short breaks at its end, and is named there.
        const cut = join(dir, 'cut.xml');
        const cutText = fixture.slice(0, Math.floor(fixture.length * 0.9));
        writeFileSync(cut, cutText);
        const truncated = await runCli(['import:disqus', cut], { DATABASE_URL: db.url });
        const lastLine = cutText.trimEnd().split('\n').length;
        expect(truncated.stderr).toContain(`Malformed XML at line ${lastLine}, column `);
        expect(truncated.stderr).toContain('still open (is it cut short?)');
        expect(truncated.code).toBe(65);

        const notDisqus = join(dir, 'rss.xml');
        writeFileSync(notDisqus, '<rss><channel/></rss>');
        expect((await runCli(['import:disqus', notDisqus], { DATABASE_URL: db.url })).stderr).toContain(
          'the root element must be <disqus>',
        );

        // Only one of the two threads has an article.
        const only = await createArticle(db.prisma as never);
        const file = join(dir, 'half.xml');
        writeFileSync(file, fixture.replace('__BY_URL__', 'nowhere').replace('__BY_SLUG__', only.slug));
        // The migrations' own accounts (the placeholder for erased authors) only.
        const users = await db.prisma.user.count();
        const strict = await runCli(['import:disqus', file, '--strict'], { DATABASE_URL: db.url });
        expect(strict.stderr).toContain('https://news.example.com/opinion/nowhere: no article here for the thread');
        expect(strict.stderr).toContain('Nothing was imported.');
        expect(strict.code).toBe(65);
        expect(await db.prisma.comment.count()).toBe(0);
        expect(await db.prisma.user.count()).toBe(users);

        const half = await runCli(['import:disqus', file], { DATABASE_URL: db.url });
        expect(half.code).toBe(0);
        expect(half.stdout).toContain('Imported 1 comment(s) by 1 new account(s) into 1 article(s).');
        expect(half.stdout).toContain('Skipped: 4 comment(s)');
        expect(half.stdout).toContain(
          '4 no article here for the thread (pass --create-articles to create one) (https://news.example.com/opinion/nowhere)',
        );

        // Asked to create the missing article, a second run adds the rest.
        const created = await runCli(['import:disqus', file, '--create-articles'], { DATABASE_URL: db.url });
        expect(created.stdout).toContain('Created nowhere: 4 comment(s)');
        expect(created.stdout).toContain('Already imported before: 1 comment(s).');
        expect(created.code).toBe(0);
        expect(await db.prisma.article.findUniqueOrThrow({ where: { slug: 'nowhere' } })).toMatchObject({
          sourceUrl: 'https://news.example.com/opinion/nowhere',
          urlKey: 'news.example.com/opinion/nowhere',
        });
      } finally {
        await db.drop();
      }
    },
    CLI_TEST_TIMEOUT_MS,
  );
});
