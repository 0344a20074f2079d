import { articleUrlKey } from '@rejoinder/common';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { writeDisqusExport } from '../../bench/imports/disqus-export.mjs';
import { runCli } from '../support/cli-process.js';
import { freshDatabase, thread } from '../support/databases.js';
import { http } from '../support/factories.js';
import { startTestApp } from '../support/test-app.js';

// Exports as sites really have them (test/fixtures/imports): the same page
// under several threads, posts whose thread or parent is not in the file,
// authors known by a display name in many scripts, Markdown-like characters,
// replies seven deep, spam and deleted posts; then the same site's export a
// week later. Every import runs the built command-line tool as a process.
const CLI_TEST_TIMEOUT_MS = 240_000;
const dir = mkdtempSync(join(tmpdir(), 'rejoinder-imports-'));
const fixture = (name: string) => join('test/fixtures/imports', name);

type Node = {
  id: string;
  body: string | null;
  html: string | null;
  status: string;
  author: { username: string; displayName: string | null } | null;
  replies: Node[];
  replyCount: number;
  descendantCount: number;
  upvotes: number;
  downvotes: number;
  pinned: boolean;
  editedAt: string | null;
};

// Every comment a reader sees, depth first, with its replies loaded.
async function everything(t: { url: string }, slug: string): Promise<Node[]> {
  const out: Node[] = [];
  const walk = async (nodes: Node[]) => {
    for (const node of nodes) {
      out.push(node);
      let replies = node.replies ?? [];
      if (node.replyCount > replies.length) {
        const res = await http(t, 'GET', `/api/comments/${node.id}/replies?limit=50`);
        expect(res.status).toBe(200);
        replies = res.body.items;
      }
      await walk(replies);
    }
  };
  await walk((await thread(t, slug)) as Node[]);
  return out;
}

const textOf = (html: string) =>
  html
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .trim();

describe('import of a real-world Disqus export, run as a process', () => {
  it(
    'makes one article of one page, skips and lists what it cannot place, keeps names, bodies and depth; a week later adds only what is new',
    async () => {
      const db = await freshDatabase();
      try {
        const report = join(dir, 'report.json');
        const first = await runCli(
          ['import:disqus', fixture('disqus-real-world.xml'), '--create-articles', '--report', report],
          { DATABASE_URL: db.url },
        );
        expect(first.stderr).toContain('Read 16 comment(s) in 6 thread(s)');
        expect(first.code).toBe(0);
        // Standard output is the summary alone.
        expect(first.stdout).not.toContain('database');
        expect(first.stdout).toContain('Created same-page: 12 comment(s)');
        expect(first.stdout).toContain(
          'merged 3 threads: https://www.blog.example.com/2015/08/same-page?utm_source=feed, https://blog.example.com/archive/same-page/amp/, http://blog.example.com/2015/08/same-page/',
        );
        expect(first.stdout).toContain('Created other-post: 2 comment(s)');
        expect(first.stdout).toContain('Imported 15 comment(s) by 10 new account(s) into 3 article(s).');
        expect(first.stdout).toContain('Articles: 3 created, 0 existing, 1 merged from several threads.');
        expect(first.stdout).toContain('Skipped: 1 comment(s)\n  1 the post names no thread in the file (213)');
        expect(first.stdout).toContain('Kept with a repair: 2 comment(s)');
        expect(first.stdout).toContain(
          '1 the post it replies to is not in the file: kept as a top-level comment (214)',
        );
        expect(first.stdout).toContain('1 the post names no author: kept under a guest account (215)');

        const written = JSON.parse(readFileSync(report, 'utf8'));
        expect(written).toMatchObject({ format: 'disqus', comments: 15, accounts: 10, alreadyImported: 0 });
        expect(written.problems).toEqual(
          expect.arrayContaining([
            expect.objectContaining({ reason: 'no-thread', item: '213', detail: '999', outcome: 'skipped' }),
            expect.objectContaining({ reason: 'parent-missing', item: '214', detail: '8888', outcome: 'attached' }),
          ]),
        );

        // One article for the page, under its https address and its identifier.
        const page = await db.prisma.article.findUniqueOrThrow({ where: { slug: 'same-page' } });
        expect(page).toMatchObject({
          urlKey: articleUrlKey('https://blog.example.com/2015/08/same-page'),
          externalId: 'same-page',
          commentCount: 9,
        });
        expect(await db.prisma.article.findUniqueOrThrow({ where: { slug: 'other-post' } })).toMatchObject({
          state: 'closed',
        });
        // A page whose address has no Latin letters gets a slug of its own.
        const chinese = await db.prisma.article.findFirstOrThrow({ where: { title: '中文文章' } });
        expect(chinese.slug).toMatch(/^disqus-[0-9a-f]{8}$/);

        const t = await startTestApp({ DATABASE_URL: db.url });
        try {
          const shown = await everything(t, 'same-page');
          // 201..208 (a chain seven replies deep), the tombstone of 209 and its reply 210;
          // 211 (deleted, nothing below) and 212 (spam) are not listed.
          expect(shown).toHaveLength(10);
          const [root] = shown;
          expect(root.author).toMatchObject({ displayName: '菜鳥', username: '菜鳥' });
          expect(root.descendantCount).toBe(7);
          const chain = shown.slice(0, 8);
          expect(chain.map((c) => c.body)).toEqual([
            'Root on the http thread',
            'Reply from the https thread: 菜鳥\\~\\~\\~ \\*not emphasis\\* and \\_not\\_ either',
            '\\# not a heading\n\n\\> not a quote\n\n1\\. not a list \\| not a table \\|',
            'Depth 3, from the AMP thread, with \\`ticks\\` and a [link](https://example.org/x_%28y%29)',
            'Depth 4',
            'Depth 5',
            'Depth 6',
            'Depth 7, the deepest',
          ]);
          // What was written is what readers see: no strikethrough, emphasis, heading, quote or list.
          expect(textOf(chain[1].html!)).toBe('Reply from the https thread: 菜鳥~~~ *not emphasis* and _not_ either');
          expect(chain[1].html).not.toMatch(/<(s|em|del)>/);
          expect(chain[2].html).not.toMatch(/<(h1|blockquote|ol|li|table)/);
          expect(textOf(chain[2].html!)).toBe('# not a heading\n> not a quote\n1. not a list | not a table |');
          expect(chain.map((c) => c.author?.displayName)).toEqual([
            '菜鳥',
            'Анна Каренина',
            'محمد',
            'John',
            'John',
            'José Ñúñez',
            '菜鳥',
            'John',
          ]);
          // Two people called John: the same name shown, two handles.
          expect(chain[3].author?.username).toBe('John');
          expect(chain[4].author?.username).toBe('John-2');
          expect(chain[1].author?.username).toBe('Анна_Каренина');
          expect(chain[7].author?.username).toBe('John');
          expect(shown[8]).toMatchObject({ status: 'deleted', body: null, author: null, replyCount: 1 });
          expect(shown[9]).toMatchObject({ body: 'Reply to a deleted post' });

          const other = await everything(t, 'other-post');
          expect(other.map((c) => [c.body, c.author?.displayName])).toEqual([
            ['Replies to a post that is not in the file', 'Bob'],
            ['No author at all', 'Guest'],
          ]);
          expect((await everything(t, chinese.slug)).map((c) => [c.body, c.author?.username])).toEqual([
            ['中文评论 \\~ 完', '小明'],
          ]);
        } finally {
          await t.app.close();
        }

        // A second run of the same file adds nothing.
        const again = await runCli(['import:disqus', fixture('disqus-real-world.xml'), '--create-articles'], {
          DATABASE_URL: db.url,
        });
        expect(again.code).toBe(0);
        expect(again.stdout).toContain('Imported 0 comment(s) by 0 new account(s) into 0 article(s).');
        expect(again.stdout).toContain('Already imported before: 15 comment(s).');

        // The export a week later: a reply at depth 8, a reply under the deleted
        // post that had none, a first comment on another page.
        const later = await runCli(['import:disqus', fixture('disqus-week-later.xml'), '--create-articles'], {
          DATABASE_URL: db.url,
        });
        expect(later.code).toBe(0);
        expect(later.stdout).toContain('Added to same-page: 2 comment(s) (12 imported before)');
        expect(later.stdout).toContain('Created no-comments: 1 comment(s)');
        expect(later.stdout).toContain('Imported 3 comment(s) by 1 new account(s) into 2 article(s).');
        expect(later.stdout).toContain('Already imported before: 15 comment(s).');
        expect(await db.prisma.comment.count()).toBe(18);
        expect((await db.prisma.article.findUniqueOrThrow({ where: { slug: 'same-page' } })).commentCount).toBe(11);

        const t2 = await startTestApp({ DATABASE_URL: db.url });
        try {
          const shown = await everything(t2, 'same-page');
          expect(shown[0].descendantCount).toBe(8);
          const deepest = shown.find((c) => c.body === 'A week later: a reply at depth 8');
          expect(deepest?.author?.displayName).toBe('Анна Каренина');
          // The deleted post that had no reply is now a tombstone above one.
          const tombstones = shown.filter((c) => c.status === 'deleted');
          expect(tombstones).toHaveLength(2);
          expect(tombstones.every((c) => c.replyCount === 1 && c.body === null)).toBe(true);
          expect(shown.map((c) => c.body)).toContain('A week later: a reply to the deleted post that had none');
          // Every count a reader sees agrees with the replies listed.
          for (const node of shown) {
            const below = shown.filter((c) => c !== node);
            expect(node.replyCount).toBeLessThanOrEqual(below.length);
          }
        } finally {
          await t2.app.close();
        }
      } finally {
        await db.drop();
      }
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it(
    'goes to the articles already here by canonical URL and identifier; --strict refuses the file and writes nothing',
    async () => {
      const db = await freshDatabase();
      try {
        // The newsroom's own articles: one known by its address (written another
        // way than the export does), one by the id the export gives its thread.
        const base = {
          byline: '',
          publishedAt: new Date('2015-08-24T00:00:00Z'),
          bodySource: '',
          bodyHtml: '',
        };
        await db.prisma.article.create({
          data: {
            ...base,
            slug: 'our-same-page',
            title: 'Ours',
            sourceUrl: 'https://blog.example.com/2015/08/same-page',
            urlKey: articleUrlKey('https://blog.example.com/2015/08/same-page'),
          },
        });
        await db.prisma.article.create({
          data: { ...base, slug: 'our-other-post', title: 'Ours too', externalId: 'other-post' },
        });
        const users = await db.prisma.user.count();

        const strict = await runCli(['import:disqus', fixture('disqus-real-world.xml'), '--strict'], {
          DATABASE_URL: db.url,
        });
        expect(strict.code).toBe(65);
        expect(strict.stderr).toContain('problem(s) in the file (--strict)');
        expect(strict.stderr).toContain('213: the post names no thread in the file');
        expect(await db.prisma.comment.count()).toBe(0);
        expect(await db.prisma.user.count()).toBe(users);

        const run = await runCli(['import:disqus', fixture('disqus-real-world.xml')], { DATABASE_URL: db.url });
        expect(run.code).toBe(0);
        expect(run.stdout).toContain('Added to our-same-page: 12 comment(s)');
        expect(run.stdout).toContain('Added to our-other-post: 2 comment(s)');
        expect(run.stdout).toContain('Articles: 0 created, 2 existing, 1 merged from several threads.');
        expect(run.stdout).toContain('1 no article here for the thread (pass --create-articles to create one)');
        expect(await db.prisma.article.count()).toBe(2);
        // The change reaches the articles' event logs, as every change does, so the
        // pages a running server keeps in its cache are dropped.
        for (const slug of ['our-same-page', 'our-other-post']) {
          const article = await db.prisma.article.findUniqueOrThrow({ where: { slug } });
          expect(article.lastSeq).toBe(1);
          const [event] = await db.prisma.$queryRaw<{ type: string; payload: { article: { slug: string } } }[]>`
            SELECT type, payload FROM article_events WHERE article_id = ${article.id}::uuid AND seq = 1`;
          expect(event).toMatchObject({ type: 'article.updated', payload: { article: { slug } } });
        }
      } finally {
        await db.drop();
      }
    },
    CLI_TEST_TIMEOUT_MS,
  );
});

describe('import of a generated Disqus export, read as it streams', () => {
  // The same generator as bench/imports (100,000 comments there, timed; here a
  // size the suite can afford, and every count checked).
  it(
    'imports 5,000 comments over 100 pages with every count right, and a second run adds nothing',
    async () => {
      const db = await freshDatabase();
      try {
        const file = join(dir, 'generated.xml');
        const made = await writeDisqusExport(file, { posts: 5000, threads: 100 });
        const run = await runCli(['import:disqus', file, '--create-articles'], { DATABASE_URL: db.url });
        expect(run.code).toBe(0);
        expect(run.stdout).toContain(`Imported 5000 comment(s)`);
        expect(run.stdout).toContain(`into ${made.pages} article(s).`);
        // Every tenth page came as two threads (http and https).
        expect(run.stdout).toContain(`${Math.ceil(made.pages / 10)} merged from several threads`);
        expect(await db.prisma.comment.count()).toBe(5000);
        const articles = await db.prisma.article.aggregate({ _sum: { commentCount: true }, _count: true });
        expect(articles).toMatchObject({ _count: made.pages, _sum: { commentCount: made.published } });
        // Each comment's counts agree with the listed replies below it.
        const wrong = await db.prisma.$queryRaw<{ n: bigint }[]>`
          SELECT count(*) AS n FROM comments c
          WHERE c.reply_count <> (SELECT count(*) FROM comments r WHERE r.parent_id = c.id AND r.listed)
             OR c.descendant_count <> (SELECT count(*) FROM comments d WHERE d.path @> ARRAY[c.id] AND d.id <> c.id AND d.listed)
             OR c.path[array_length(c.path, 1)] <> c.id
             OR c.depth <> array_length(c.path, 1) - 1`;
        expect(Number(wrong[0].n)).toBe(0);
        // Hidden posts are listed only above a shown reply.
        const strayTombstones = await db.prisma.$queryRaw<{ n: bigint }[]>`
          SELECT count(*) AS n FROM comments c
          WHERE c.listed AND c.status <> 'published' AND c.descendant_count = 0`;
        expect(Number(strayTombstones[0].n)).toBe(0);

        const again = await runCli(['import:disqus', file, '--create-articles'], { DATABASE_URL: db.url });
        expect(again.code).toBe(0);
        expect(again.stdout).toContain('Already imported before: 5000 comment(s).');
        expect(await db.prisma.comment.count()).toBe(5000);
      } finally {
        await db.drop();
      }
    },
    CLI_TEST_TIMEOUT_MS,
  );
});

describe('import of WordPress and Remark42 exports, run as a process', () => {
  it(
    'reads a WXR file: replies by comment_parent, approved, pending, spam and trash, pingbacks left out',
    async () => {
      const db = await freshDatabase();
      try {
        const run = await runCli(['import:wordpress', fixture('wordpress-export.xml'), '--create-articles'], {
          DATABASE_URL: db.url,
        });
        expect(run.code).toBe(0);
        expect(run.stdout).toContain('Created hello-world: 6 comment(s)');
        expect(run.stdout).toContain('Created about: 1 comment(s)');
        expect(run.stdout).toContain('Imported 7 comment(s) by 5 new account(s) into 2 article(s).');
        expect(run.stdout).toContain('1 a pingback or trackback, not a comment (7)');
        expect(run.stdout).toContain('1 the post it replies to is not in the file: kept as a top-level comment (8)');

        const hello = await db.prisma.article.findUniqueOrThrow({ where: { slug: 'hello-world' } });
        expect(hello).toMatchObject({
          externalId: '11',
          urlKey: 'wp.example.com/2016/01/hello-world',
          commentCount: 3,
        });
        expect((await db.prisma.article.findUniqueOrThrow({ where: { slug: 'about' } })).state).toBe('closed');
        const statuses = await db.prisma.comment.findMany({
          where: { articleId: hello.id },
          orderBy: { createdAt: 'asc' },
          select: { status: true, listed: true, moderationReason: true },
        });
        expect(statuses).toEqual([
          { status: 'published', listed: true, moderationReason: null },
          { status: 'published', listed: true, moderationReason: null },
          { status: 'pending', listed: false, moderationReason: null },
          { status: 'removed', listed: false, moderationReason: 'spam' },
          { status: 'deleted', listed: true, moderationReason: null },
          { status: 'published', listed: true, moderationReason: null },
        ]);
        // One account per address, whatever its case; the address is kept to claim it with.
        const unal = await db.prisma.user.findFirstOrThrow({ where: { displayName: 'Ünal Yılmaz' } });
        expect(unal).toMatchObject({
          username: 'Ünal_Yılmaz',
          claimEmail: 'unal@example.org',
          importedFrom: 'wordpress',
        });
        expect(await db.prisma.comment.count({ where: { authorId: unal.id } })).toBe(3);

        const t = await startTestApp({ DATABASE_URL: db.url });
        try {
          const shown = await everything(t, 'hello-world');
          expect(shown.map((c) => [c.body, c.author?.displayName ?? null])).toEqual([
            [
              'First paragraph, with **bold** and a \\* star.\nSame paragraph, next line.\n\nSecond paragraph.',
              'Ünal Yılmaz',
            ],
            ["A reply from the site's own author.", 'The Editor'],
            [null, null],
            ['A reply under the trashed one: 好\\~\\~', '李雷'],
          ]);
          expect(shown[0].html).toContain('<strong>bold</strong>');
        } finally {
          await t.app.close();
        }
      } finally {
        await db.drop();
      }
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it(
    'reads a Remark42 backup, gzipped as Remark42 keeps them: votes, pins, edits, deleted and blocked',
    async () => {
      const db = await freshDatabase();
      try {
        const file = join(dir, 'backup-remark-20190701.gz');
        writeFileSync(file, gzipSync(readFileSync(fixture('backup-remark-20190701'))));
        const run = await runCli(['import:remark42', file, '--create-articles'], { DATABASE_URL: db.url });
        expect(run.code).toBe(0);
        expect(run.stdout).toContain('Created first: 5 comment(s)');
        expect(run.stdout).toContain('merged 2 threads');
        expect(run.stdout).toContain('Created closed-one: 1 comment(s)');
        expect(run.stdout).toContain('Imported 6 comment(s) by 3 new account(s) into 2 article(s).');
        expect((await db.prisma.article.findUniqueOrThrow({ where: { slug: 'closed-one' } })).state).toBe('closed');

        const t = await startTestApp({ DATABASE_URL: db.url });
        try {
          const shown = await everything(t, 'first');
          const root = shown.find((c) => c.body?.startsWith('Root comment'))!;
          expect(root).toMatchObject({
            body: 'Root comment with *emphasis* and a literal 2\\*3',
            upvotes: 2,
            author: { displayName: 'Grace Hopper', username: 'Grace_Hopper' },
            replyCount: 1,
          });
          expect(shown.find((c) => c.body === 'A reply, edited later')).toMatchObject({
            downvotes: 1,
            editedAt: '2019-05-01T11:30:00.000Z',
          });
          expect(shown.find((c) => c.body === 'Pinned by the admin')?.pinned).toBe(true);
          // The deleted reply without replies and the blocked user's comment are not shown.
          expect(shown).toHaveLength(3);
        } finally {
          await t.app.close();
        }

        const notRemark = join(dir, 'not-remark.json');
        writeFileSync(notRemark, '[1, 2, 3]\n');
        const refused = await runCli(['import:remark42', notRemark], { DATABASE_URL: db.url });
        expect(refused.code).toBe(65);
        expect(refused.stderr).toContain('Not a Remark42 backup');
      } finally {
        await db.drop();
      }
    },
    CLI_TEST_TIMEOUT_MS,
  );
});

describe('claiming an imported account, run as a process', () => {
  it(
    'hands it to its owner by address and password, or merges it into the account they have',
    async () => {
      const db = await freshDatabase();
      try {
        expect(
          (
            await runCli(['import:wordpress', fixture('wordpress-export.xml'), '--create-articles'], {
              DATABASE_URL: db.url,
            })
          ).code,
        ).toBe(0);
        const password = 'a long and unusual passphrase';
        const claimed = await runCli(
          ['account:claim', '--account', 'Ünal_Yılmaz', '--email', 'unal@example.org', '--password', password],
          { DATABASE_URL: db.url },
        );
        expect(claimed.stderr).not.toContain('Error');
        expect(claimed.code).toBe(0);
        expect(claimed.stdout).toBe("Ünal_Yılmaz is now unal@example.org's account\n");

        const t = await startTestApp({ DATABASE_URL: db.url });
        try {
          const login = await http(t, 'POST', '/api/auth/login', { body: { login: 'unal@example.org', password } });
          expect(login.status).toBe(200);
          // Still the same name and the same comments.
          const me = await http(t, 'GET', '/api/me', { token: login.body.accessToken });
          expect(me.body.username).toBe('Ünal_Yılmaz');

          // The editor already has an account here: the imported one is merged into it.
          const editor = await http(t, 'POST', '/api/auth/register', {
            body: { username: 'editor', email: 'editor@wp.example.com', password },
          });
          expect(editor.status).toBe(201);
        } finally {
          await t.app.close();
        }
        const merged = await runCli(['account:claim', '--account', 'The_Editor', '--into', 'editor'], {
          DATABASE_URL: db.url,
        });
        expect(merged.code).toBe(0);
        expect(merged.stdout).toBe('Moved 1 comment(s) from The_Editor to editor\n');
        expect(await db.prisma.user.count({ where: { username: 'The_Editor' } })).toBe(0);

        // Bad input: said plainly, nothing changed.
        const twice = await runCli(['account:claim', '--account', 'Ünal_Yılmaz', '--into', 'editor'], {
          DATABASE_URL: db.url,
        });
        expect(twice.code).toBe(65);
        expect(twice.stderr).toContain('No unclaimed imported account "Ünal_Yılmaz"');
        const taken = await runCli(
          ['account:claim', '--account', '李雷', '--email', 'editor@wp.example.com', '--password', password],
          { DATABASE_URL: db.url },
        );
        expect(taken.code).toBe(65);
        expect(taken.stderr).toContain('belongs to another account');
        const neither = await runCli(['account:claim', '--account', '李雷'], { DATABASE_URL: db.url });
        expect(neither.code).toBe(64);
      } finally {
        await db.drop();
      }
    },
    CLI_TEST_TIMEOUT_MS,
  );
});
