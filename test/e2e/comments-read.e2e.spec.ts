import { createArticle, createUser, http, postComment, TestUser } from '../support/factories.js';
import { startTestApp, TestApp } from '../support/test-app.js';

let t: TestApp;
let user: TestUser;
beforeAll(async () => {
  t = await startTestApp();
  user = await createUser(t);
});
afterAll(async () => {
  await t.close();
});

// Posts sequentially so creation times are strictly ordered.
async function postMany(slug: string, count: number, parentId?: string): Promise<any[]> {
  const out = [];
  for (let i = 0; i < count; i++)
    out.push(await postComment(t, user, slug, `comment ${i}`, parentId ? { parentId } : {}));
  return out;
}

async function walk(path: string): Promise<any[]> {
  const seen: any[] = [];
  let cursor: string | null = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const res = await http(t, 'GET', `${path}${cursor ? `${sep}cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(res.status).toBe(200);
    seen.push(...res.body.items);
    cursor = res.body.nextCursor;
  } while (cursor);
  return seen;
}

describe('articles', () => {
  it('lists articles with their comment counts and serves one by slug', async () => {
    const article = await createArticle(t.prisma, { title: 'Listed' });
    await postMany(article.slug, 2);
    const all = await walk('/api/articles?limit=50');
    expect(all.find((a) => a.slug === article.slug)).toMatchObject({ title: 'Listed', commentCount: 2, state: 'open' });
    const one = await http(t, 'GET', `/api/articles/${article.slug}`);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({
      id: article.id,
      title: 'Listed',
      author: 'Test Author',
      publishedAt: '2020-01-01T00:00:00.000Z',
      body: 'Body',
      html: '<p>Body</p>',
      commentCount: 2,
      state: 'open',
      seq: 2,
    });
  });

  it('answers 404 with a problem document for an unknown slug', async () => {
    const res = await http(t, 'GET', '/api/articles/no-such-article');
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('ARTICLE_NOT_FOUND');
    expect((await http(t, 'GET', '/api/articles/no-such-article/comments')).body.code).toBe('ARTICLE_NOT_FOUND');
  });
});

describe('thread pages', () => {
  it('nests the first replies to three levels, with counts and cursors for the rest', async () => {
    const article = await createArticle(t.prisma);
    const [root] = await postMany(article.slug, 1);
    const children = await postMany(article.slug, 5, root.id);
    const grandchildren = await postMany(article.slug, 4, children[0].id);
    const deep = await postComment(t, user, article.slug, 'level 4', { parentId: grandchildren[0].id });

    const res = await http(t, 'GET', `/api/articles/${article.slug}/comments`);
    expect(res.status).toBe(200);
    expect(res.body.nextCursor).toBeNull();
    const top = res.body.items[0];
    expect(top).toMatchObject({ id: root.id, replyCount: 5, descendantCount: 10 });
    expect(top.replies.map((r: any) => r.id)).toEqual(children.slice(0, 3).map((c) => c.id));
    expect(top.repliesCursor).toEqual(expect.any(String));
    const first = top.replies[0];
    expect(first).toMatchObject({ replyCount: 4, descendantCount: 5 });
    expect(first.replies.map((r: any) => r.id)).toEqual(grandchildren.slice(0, 3).map((c) => c.id));
    // Level 3 is the last one included: its replies are left out, with a cursor to fetch them.
    expect(first.replies[0]).toMatchObject({ replyCount: 1, replies: [] });
    expect(first.replies[0].repliesCursor).toEqual(expect.any(String));

    const more = await http(
      t,
      'GET',
      `/api/comments/${root.id}/replies?cursor=${encodeURIComponent(top.repliesCursor)}`,
    );
    expect(more.status).toBe(200);
    expect(more.body.items.map((r: any) => r.id)).toEqual(children.slice(3).map((c) => c.id));
    const hidden = await http(
      t,
      'GET',
      `/api/comments/${grandchildren[0].id}/replies?cursor=${encodeURIComponent(first.replies[0].repliesCursor)}`,
    );
    expect(hidden.body.items.map((r: any) => r.id)).toEqual([deep.id]);
  });

  it.each([
    ['newest', (ids: string[]) => [...ids].reverse()],
    ['oldest', (ids: string[]) => ids],
  ])('walks every top-level comment once in %s order', async (sort, expected) => {
    const article = await createArticle(t.prisma);
    const posted = await postMany(article.slug, 7);
    const seen = await walk(`/api/articles/${article.slug}/comments?sort=${sort}&limit=3`);
    expect(seen.map((c) => c.id)).toEqual(expected(posted.map((c) => c.id)));
  });

  it('orders by score for sort=top, newest first among equals', async () => {
    const article = await createArticle(t.prisma);
    const posted = await postMany(article.slug, 5);
    await t.prisma.comment.update({ where: { id: posted[1].id }, data: { score: 5 } });
    await t.prisma.comment.update({ where: { id: posted[3].id }, data: { score: 2 } });
    const seen = await walk(`/api/articles/${article.slug}/comments?sort=top&limit=2`);
    expect(seen.map((c) => c.id)).toEqual([posted[1].id, posted[3].id, posted[4].id, posted[2].id, posted[0].id]);
  });

  it('keeps pending comments out of the thread', async () => {
    const article = await createArticle(t.prisma, { premoderation: true });
    await postComment(t, user, article.slug, 'pending');
    const res = await http(t, 'GET', `/api/articles/${article.slug}/comments`);
    expect(res.body.items).toEqual([]);
  });

  it.each([
    ['garbage', 'not-a-cursor'],
    ['base64 of something else', Buffer.from('{"a":1}').toString('base64url')],
  ])('refuses a cursor that is %s', async (_label, cursor) => {
    const article = await createArticle(t.prisma);
    const res = await http(t, 'GET', `/api/articles/${article.slug}/comments?cursor=${cursor}`);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('INVALID_CURSOR');
  });

  it('refuses a cursor made for another sort or another article', async () => {
    const article = await createArticle(t.prisma);
    await postMany(article.slug, 3);
    const page = await http(t, 'GET', `/api/articles/${article.slug}/comments?sort=newest&limit=1`);
    const cursor = encodeURIComponent(page.body.nextCursor);
    expect(
      (await http(t, 'GET', `/api/articles/${article.slug}/comments?sort=oldest&cursor=${cursor}`)).body.code,
    ).toBe('INVALID_CURSOR');
    const other = await createArticle(t.prisma);
    expect((await http(t, 'GET', `/api/articles/${other.slug}/comments?cursor=${cursor}`)).body.code).toBe(
      'INVALID_CURSOR',
    );
  });

  it.each([
    ['limit=0', 'VALIDATION_FAILED'],
    ['limit=101', 'VALIDATION_FAILED'],
    ['limit=abc', 'VALIDATION_FAILED'],
    ['sort=random', 'VALIDATION_FAILED'],
  ])('refuses %s', async (query, code) => {
    const article = await createArticle(t.prisma);
    const res = await http(t, 'GET', `/api/articles/${article.slug}/comments?${query}`);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe(code);
  });
});

describe('replies and permalinks', () => {
  it('pages through the replies of a comment, oldest first', async () => {
    const article = await createArticle(t.prisma);
    const [root] = await postMany(article.slug, 1);
    const replies = await postMany(article.slug, 7, root.id);
    const seen = await walk(`/api/comments/${root.id}/replies?limit=2`);
    expect(seen.map((c) => c.id)).toEqual(replies.map((c) => c.id));
  });

  it('serves a comment with its ancestors and its replies', async () => {
    const article = await createArticle(t.prisma);
    const [root] = await postMany(article.slug, 1);
    const [child] = await postMany(article.slug, 1, root.id);
    const [grandchild] = await postMany(article.slug, 1, child.id);
    const replies = await postMany(article.slug, 2, grandchild.id);
    const res = await http(t, 'GET', `/api/comments/${grandchild.id}`);
    expect(res.status).toBe(200);
    expect(res.body.ancestors.map((a: any) => a.id)).toEqual([root.id, child.id]);
    expect(res.body.comment).toMatchObject({ id: grandchild.id, depth: 2, replyCount: 2 });
    expect(res.body.comment.replies.map((r: any) => r.id)).toEqual(replies.map((r) => r.id));
  });

  it('shows a pending comment only to its author', async () => {
    const article = await createArticle(t.prisma, { premoderation: true });
    const pending = await postComment(t, user, article.slug, 'pending');
    const stranger = await createUser(t);
    expect((await http(t, 'GET', `/api/comments/${pending.id}`)).status).toBe(404);
    expect((await http(t, 'GET', `/api/comments/${pending.id}`, { token: stranger.token })).status).toBe(404);
    const own = await http(t, 'GET', `/api/comments/${pending.id}`, { token: user.token });
    expect(own.status).toBe(200);
    expect(own.body.comment.status).toBe('pending');
  });

  it.each(['not-a-uuid', '00000000-0000-4000-8000-000000000000'])('answers 404 for comment %s', async (id) => {
    for (const path of [`/api/comments/${id}`, `/api/comments/${id}/replies`]) {
      const res = await http(t, 'GET', path);
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('COMMENT_NOT_FOUND');
    }
  });
});
