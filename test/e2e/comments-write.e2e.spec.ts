import { randomUUID } from 'node:crypto';
import { createArticle, createUser, http, postComment, TestUser } from '../support/factories.js';
import { startTestApp, TestApp } from '../support/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});

async function snapshot(articleId: string) {
  const [comments, events, article] = await Promise.all([
    t.prisma.comment.count({ where: { articleId } }),
    t.prisma.articleEvent.count({ where: { articleId } }),
    t.prisma.article.findUniqueOrThrow({ where: { id: articleId } }),
  ]);
  return { comments, events, lastSeq: article.lastSeq, commentCount: article.commentCount };
}

describe('posting a comment', () => {
  it('stores a top-level comment with its event, renders sanitised HTML, and points to it', async () => {
    const user = await createUser(t);
    // A member: a new account's link would wait for review (docs/moderation.md, "Links").
    await t.prisma.user.update({ where: { id: user.id }, data: { trustLevelPinned: 1 } });
    const article = await createArticle(t.prisma);
    const res = await http(t, 'POST', `/api/articles/${article.slug}/comments`, {
      token: user.token,
      body: { body: 'Hello **world** <script>alert(1)</script> https://example.com' },
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(`/api/comments/${res.body.id}`);
    expect(res.body).toMatchObject({
      articleId: article.id,
      parentId: null,
      depth: 0,
      status: 'published',
      author: { id: user.id, username: user.username },
      body: 'Hello **world** <script>alert(1)</script> https://example.com',
      replyCount: 0,
      score: 0,
    });
    expect(res.body.html).toContain('<strong>world</strong>');
    expect(res.body.html).not.toContain('<script');
    expect(res.body.html).toContain('rel="nofollow ugc noopener"');

    const state = await snapshot(article.id);
    expect(state).toEqual({ comments: 1, events: 1, lastSeq: 1, commentCount: 1 });
    const event = await t.prisma.articleEvent.findUniqueOrThrow({
      where: { articleId_seq: { articleId: article.id, seq: 1 } },
    });
    expect(event).toMatchObject({ type: 'comment.created', audience: 'public', commentId: res.body.id });
    // The log keeps the id, never the text: replays render the comment as it is then.
    expect(event.payload).toEqual({});
  });

  it('stores a reply with its path and depth and bumps every ancestor', async () => {
    const user = await createUser(t);
    const article = await createArticle(t.prisma);
    const root = await postComment(t, user, article.slug, 'root');
    const child = await postComment(t, user, article.slug, 'child', { parentId: root.id });
    const grandchild = await postComment(t, user, article.slug, 'grandchild', { parentId: child.id });
    expect(grandchild).toMatchObject({ parentId: child.id, depth: 2 });
    const rows = await t.prisma.comment.findMany({ where: { articleId: article.id } });
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get(grandchild.id)!.path).toEqual([root.id, child.id, grandchild.id]);
    expect(byId.get(root.id)).toMatchObject({ replyCount: 1, descendantCount: 2 });
    expect(byId.get(child.id)).toMatchObject({ replyCount: 1, descendantCount: 1 });
    expect(await snapshot(article.id)).toEqual({ comments: 3, events: 3, lastSeq: 3, commentCount: 3 });
  });

  it('keeps a premoderated comment out of the counts and addresses its event to moderators and the author', async () => {
    const user = await createUser(t);
    const article = await createArticle(t.prisma, { premoderation: true });
    const pending = await postComment(t, user, article.slug, 'wait for approval');
    expect(pending.status).toBe('pending');
    const event = await t.prisma.articleEvent.findFirstOrThrow({ where: { articleId: article.id } });
    expect(event).toMatchObject({ audience: 'moderators', userId: user.id });
    expect(await snapshot(article.id)).toMatchObject({ comments: 1, commentCount: 0 });
  });
});

describe('idempotent retries with a client-chosen id', () => {
  it('returns the stored comment with 200 for the same id and body, and writes nothing new', async () => {
    const user = await createUser(t);
    const article = await createArticle(t.prisma);
    const id = randomUUID();
    const first = await http(t, 'POST', `/api/articles/${article.slug}/comments`, {
      token: user.token,
      body: { id, body: 'once' },
    });
    const again = await http(t, 'POST', `/api/articles/${article.slug}/comments`, {
      token: user.token,
      body: { id, body: 'once' },
    });
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(await snapshot(article.id)).toEqual({ comments: 1, events: 1, lastSeq: 1, commentCount: 1 });
  });

  it('gives 409 for the same id with another body, or from another user', async () => {
    const user = await createUser(t);
    const other = await createUser(t);
    const article = await createArticle(t.prisma);
    const id = randomUUID();
    await postComment(t, user, article.slug, 'original', { id });
    const changed = await http(t, 'POST', `/api/articles/${article.slug}/comments`, {
      token: user.token,
      body: { id, body: 'changed' },
    });
    expect(changed.status).toBe(409);
    expect(changed.body.code).toBe('COMMENT_ID_CONFLICT');
    const stolen = await http(t, 'POST', `/api/articles/${article.slug}/comments`, {
      token: other.token,
      body: { id, body: 'original' },
    });
    expect(stolen.status).toBe(409);
    expect(stolen.body.code).toBe('COMMENT_ID_CONFLICT');
    const stored = await t.prisma.comment.findUniqueOrThrow({ where: { id } });
    expect(stored.bodySource).toBe('original');
    expect(await snapshot(article.id)).toEqual({ comments: 1, events: 1, lastSeq: 1, commentCount: 1 });
  });

  it('stores one comment when the same retry races itself', async () => {
    const user = await createUser(t);
    const article = await createArticle(t.prisma);
    const id = randomUUID();
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        http(t, 'POST', `/api/articles/${article.slug}/comments`, { token: user.token, body: { id, body: 'racing' } }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 201]);
    expect(await snapshot(article.id)).toEqual({ comments: 1, events: 1, lastSeq: 1, commentCount: 1 });
  });
});

describe('bad input is refused with a stable code and writes nothing', () => {
  let user: TestUser;
  beforeAll(async () => {
    user = await createUser(t);
  });

  const cases: [
    string,
    (ctx: { slug: string; other: { slug: string; rootId: string } }) => {
      path?: string;
      body?: unknown;
      rawBody?: string;
      token?: string | null;
      contentType?: string;
    },
    number,
    string,
  ][] = [
    ['an empty body', () => ({ body: { body: '' } }), 400, 'COMMENT_BODY_EMPTY'],
    ['a body of blanks', () => ({ body: { body: ' \n\t ' } }), 400, 'COMMENT_BODY_EMPTY'],
    ['a body over 10,000 characters', () => ({ body: { body: 'x'.repeat(10_001) } }), 400, 'COMMENT_BODY_TOO_LONG'],
    ['a missing body field', () => ({ body: {} }), 400, 'VALIDATION_FAILED'],
    ['a body that is not a string', () => ({ body: { body: 42 } }), 400, 'VALIDATION_FAILED'],
    ['an authorId field', () => ({ body: { body: 'hi', authorId: randomUUID() } }), 400, 'UNKNOWN_FIELDS'],
    ['a status field', () => ({ body: { body: 'hi', status: 'published' } }), 400, 'UNKNOWN_FIELDS'],
    ['a parentId that is not a UUID', () => ({ body: { body: 'hi', parentId: 'abc' } }), 400, 'VALIDATION_FAILED'],
    ['malformed JSON', () => ({ rawBody: '{"body": "hi"', contentType: 'application/json' }), 400, 'MALFORMED_JSON'],
    ['a JSON array', () => ({ rawBody: '[1,2]', contentType: 'application/json' }), 400, 'VALIDATION_FAILED'],
    ['a text/plain body', () => ({ rawBody: 'hi', contentType: 'text/plain' }), 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['a parent that does not exist', () => ({ body: { body: 'hi', parentId: randomUUID() } }), 400, 'PARENT_NOT_FOUND'],
    [
      'a parent in another article',
      ({ other }) => ({ body: { body: 'hi', parentId: other.rootId } }),
      400,
      'PARENT_IN_OTHER_ARTICLE',
    ],
    [
      'an unknown article',
      () => ({ path: '/api/articles/no-such-article/comments', body: { body: 'hi' } }),
      404,
      'ARTICLE_NOT_FOUND',
    ],
    ['no token', () => ({ body: { body: 'hi' }, token: null }), 401, 'UNAUTHENTICATED'],
    ['an invalid token', () => ({ body: { body: 'hi' }, token: 'not.a.token' }), 401, 'INVALID_TOKEN'],
  ];

  it.each(cases)('%s', async (_label, make, status, code) => {
    const article = await createArticle(t.prisma);
    const otherArticle = await createArticle(t.prisma);
    const otherRoot = await postComment(t, user, otherArticle.slug, 'elsewhere');
    const req = make({ slug: article.slug, other: { slug: otherArticle.slug, rootId: otherRoot.id } });
    const res = await http(t, 'POST', req.path ?? `/api/articles/${article.slug}/comments`, {
      token: req.token === null ? undefined : (req.token ?? user.token),
      body: req.body,
      rawBody: req.rawBody,
      headers: req.contentType ? { 'content-type': req.contentType } : {},
    });
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status, code });
    expect(typeof res.body.title).toBe('string');
    expect(await snapshot(article.id)).toEqual({ comments: 0, events: 0, lastSeq: 0, commentCount: 0 });
    expect(await snapshot(otherArticle.id)).toEqual({ comments: 1, events: 1, lastSeq: 1, commentCount: 1 });
  });

  it('lists every problem of an unknown-field request', async () => {
    const article = await createArticle(t.prisma);
    const res = await http(t, 'POST', `/api/articles/${article.slug}/comments`, {
      token: user.token,
      body: { body: 'hi', authorId: 'x', status: 'published' },
    });
    expect(res.body.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'authorId', code: 'unknown_field' }),
        expect.objectContaining({ path: 'status', code: 'unknown_field' }),
      ]),
    );
  });

  it('accepts exactly 10,000 characters', async () => {
    const article = await createArticle(t.prisma);
    const res = await http(t, 'POST', `/api/articles/${article.slug}/comments`, {
      token: user.token,
      body: { body: 'é'.repeat(10_000) },
    });
    expect(res.status).toBe(201);
  });

  it('refuses a body over the 64 KB request limit with 413', async () => {
    const article = await createArticle(t.prisma);
    const res = await http(t, 'POST', `/api/articles/${article.slug}/comments`, {
      token: user.token,
      body: { body: 'x'.repeat(70_000) },
    });
    expect(res.status).toBe(413);
    expect(res.body.code).toBe('PAYLOAD_TOO_LARGE');
    expect(await snapshot(article.id)).toMatchObject({ comments: 0 });
  });

  it('refuses a comment on a closed article', async () => {
    const article = await createArticle(t.prisma, { state: 'closed' });
    const res = await http(t, 'POST', `/api/articles/${article.slug}/comments`, {
      token: user.token,
      body: { body: 'too late' },
    });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('ARTICLE_CLOSED');
    expect(await snapshot(article.id)).toEqual({ comments: 0, events: 0, lastSeq: 0, commentCount: 0 });
  });

  it('refuses a reply deeper than 50 levels', async () => {
    const article = await createArticle(t.prisma);
    let parentId: string | undefined;
    for (let level = 1; level <= 50; level++) {
      const c = await postComment(t, user, article.slug, `level ${level}`, parentId ? { parentId } : {});
      parentId = c.id;
    }
    const before = await snapshot(article.id);
    expect(before.comments).toBe(50);
    const res = await http(t, 'POST', `/api/articles/${article.slug}/comments`, {
      token: user.token,
      body: { body: 'level 51', parentId },
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'THREAD_TOO_DEEP', maxDepth: 50 });
    expect(await snapshot(article.id)).toEqual(before);
  });

  it('refuses a reply to a comment that is not published', async () => {
    const article = await createArticle(t.prisma, { premoderation: true });
    const pending = await postComment(t, user, article.slug, 'pending');
    const res = await http(t, 'POST', `/api/articles/${article.slug}/comments`, {
      token: user.token,
      body: { body: 'reply', parentId: pending.id },
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('PARENT_NOT_REPLYABLE');
  });
});

describe('concurrency', () => {
  it('stores 50 concurrent replies into one thread with exact counters and gap-free event numbers', async () => {
    const article = await createArticle(t.prisma);
    const users = await Promise.all(Array.from({ length: 5 }, () => createUser(t)));
    const root = await postComment(t, users[0], article.slug, 'root');
    const child = await postComment(t, users[1], article.slug, 'child', { parentId: root.id });
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        http(t, 'POST', `/api/articles/${article.slug}/comments`, {
          token: users[i % users.length].token,
          body: { body: `reply ${i}`, parentId: i % 2 === 0 ? root.id : child.id },
        }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(201));
    const rootRow = await t.prisma.comment.findUniqueOrThrow({ where: { id: root.id } });
    const childRow = await t.prisma.comment.findUniqueOrThrow({ where: { id: child.id } });
    expect(rootRow).toMatchObject({ replyCount: 26, descendantCount: 51 });
    expect(childRow).toMatchObject({ replyCount: 25, descendantCount: 25 });
    expect(await snapshot(article.id)).toEqual({ comments: 52, events: 52, lastSeq: 52, commentCount: 52 });
    const seqs = (
      await t.prisma.articleEvent.findMany({
        where: { articleId: article.id },
        select: { seq: true },
        orderBy: { seq: 'asc' },
      })
    ).map((e) => e.seq);
    expect(seqs).toEqual(Array.from({ length: 52 }, (_, i) => i + 1));
  });
});
