import { randomUUID } from 'node:crypto';
import { CommentStatus } from '@rejoinder/db';
import { eventRow, PostsRepository } from '@rejoinder/forum';
import type { InsertOutcome, NewComment } from '@rejoinder/forum';
import { startTestApp, TestApp } from '../support/test-app.js';
import { createArticle, createUser, postComment, TestUser } from '../support/factories.js';

// A new comment is stored by one of two paths: the one statement on the driver
// (insertPublished, for a published comment with its one public event) and the
// transaction (insertWithEvents, for every other case). Both must leave the
// same rows: the comment, its article's counters and log, its parent's
// counters and the reply notification. Each case is stored by both paths, in
// twin articles, and what they wrote is compared.

let t: TestApp;
let posts: PostsRepository;
let parentAuthor: TestUser;
let author: TestUser;
beforeAll(async () => {
  t = await startTestApp();
  posts = t.app.get(PostsRepository);
  parentAuthor = await createUser(t);
  author = await createUser(t);
});
afterAll(async () => {
  await t.close();
});

interface Case {
  name: string;
  status: CommentStatus;
  reply: boolean;
  anchored: boolean;
}

const CASES: Case[] = [
  { name: 'a published top-level comment', status: CommentStatus.published, reply: false, anchored: false },
  {
    name: 'a published comment on a passage, with a stance',
    status: CommentStatus.published,
    reply: false,
    anchored: true,
  },
  { name: 'a published reply', status: CommentStatus.published, reply: true, anchored: false },
  { name: 'a pending comment', status: CommentStatus.pending, reply: false, anchored: false },
  { name: 'a pending reply', status: CommentStatus.pending, reply: true, anchored: false },
  { name: 'a shadowed reply', status: CommentStatus.shadowed, reply: true, anchored: false },
];

type Path = 'statement' | 'transaction';

// Stores the case's comment in a new article by one path; returns what was
// written, with ids and times replaced by their roles.
async function store(c: Case, path: Path): Promise<unknown> {
  const article = await createArticle(t.prisma);
  const parent = c.reply ? await postComment(t, parentAuthor, article.slug, 'The parent') : null;
  const id = randomUUID();
  const comment: NewComment = {
    id,
    articleId: article.id,
    parentId: parent?.id ?? null,
    authorId: author.id,
    path: parent ? [parent.id, id] : [id],
    depth: parent ? 1 : 0,
    status: c.status,
    bodySource: 'The same words',
    bodyHtml: '<p>The same words</p>',
    anchor: c.anchored ? { paragraph: 0, quote: 'Body', prefix: '', suffix: '' } : null,
    stance: c.anchored ? 'agree' : null,
    lang: c.anchored ? 'ru' : null,
    holdReasons: c.status === CommentStatus.pending ? ['premoderation'] : [],
  };
  const event = eventRow('comment.created').to('public', null, () => ({}));
  const outcome: InsertOutcome =
    path === 'statement' ? await posts.insertPublished(comment, event) : await posts.insertWithEvents(comment, [event]);
  expect(outcome.kind).toBe('inserted');
  const roles = new Map<string, string>([
    [article.id, '<article>'],
    [id, '<comment>'],
    [author.id, '<author>'],
    [parentAuthor.id, '<parent author>'],
    ...(parent ? [[parent.id as string, '<parent>'] as [string, string]] : []),
  ]);
  const [articleRow] = await t.prisma.$queryRaw<unknown[]>`
    SELECT last_seq, comment_count, passage_counts, stance_counts FROM articles WHERE id = ${article.id}::uuid`;
  const [commentRow] = await t.prisma.$queryRaw<unknown[]>`
    SELECT article_id, parent_id, author_id, path::text[] AS path, depth, status::text AS status, listed,
           body_source, body_html, reply_count, descendant_count, upvotes, downvotes, score, best_score, controversy,
           version, open_reports, featured, pinned, moderation_reason, anchor_paragraph, anchor_quote,
           anchor_prefix, anchor_suffix, stance::text AS stance, hold_reasons, created_at = updated_at AS fresh
    FROM comments WHERE id = ${id}::uuid`;
  const parentRow = parent
    ? (
        await t.prisma.$queryRaw<unknown[]>`
          SELECT reply_count, descendant_count FROM comments WHERE id = ${parent.id}::uuid`
      )[0]
    : null;
  const events = await t.prisma.$queryRaw<unknown[]>`
    SELECT seq, type, audience::text AS audience, user_id, comment_id, payload FROM article_events
    WHERE article_id = ${article.id}::uuid ORDER BY seq`;
  const notifications = await t.prisma.$queryRaw<unknown[]>`
    SELECT user_id, type, article_id, actor_id FROM notifications WHERE comment_id = ${id}::uuid`;
  // What the bus is handed: the same events, carrying the stored comment.
  const committed = outcome.kind === 'inserted' ? outcome.events : null;
  const written = { articleRow, commentRow, parentRow, events, notifications, committed };
  const text = JSON.stringify(written, (_key, value: unknown) => (typeof value === 'bigint' ? Number(value) : value));
  return JSON.parse(
    text
      .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, (uuid) => roles.get(uuid) ?? '<other>')
      .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<time>')
      .replace(/"slug":"article-[0-9a-f]{8}"/g, '"slug":"<slug>"'),
  );
}

describe.each(CASES)('$name', (c) => {
  it('is written the same by the one statement and by the transaction', async () => {
    const byStatement = await store(c, 'statement');
    const byTransaction = await store(c, 'transaction');
    expect(byStatement).toEqual(byTransaction);
    // The comparison saw the comment and its event.
    expect(byStatement).toMatchObject({
      commentRow: { status: c.status, author_id: '<author>', body_source: 'The same words' },
      events: expect.arrayContaining([expect.objectContaining({ type: 'comment.created', comment_id: '<comment>' })]),
    });
  });
});
