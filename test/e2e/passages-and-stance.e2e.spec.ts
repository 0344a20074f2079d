import { ArticlesRepository, renderArticleMarkdown } from '@rejoinder/forum';
import { createArticle, createUser, http, postComment, TestUser } from '../support/factories.js';
import { connectSocket } from '../support/sockets.js';
import { startTestApp, TestApp } from '../support/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});

const BODY = [
  '## A first heading',
  'The Kremlin and Pyongyang *share* a taste for threats.',
  'Both regimes rely on the army.\nAnd on fear.',
  '> A quoted line from a speech.',
].join('\n\n');

async function opEd(): Promise<{ id: string; slug: string }> {
  const article = await createArticle(t.prisma);
  await t.prisma.article.update({
    where: { id: article.id },
    data: { bodySource: BODY, bodyHtml: renderArticleMarkdown(BODY) },
  });
  return article;
}

function post(user: TestUser, slug: string, body: Record<string, unknown>) {
  return http(t, 'POST', `/api/articles/${slug}/comments`, { token: user.token, body });
}

async function voteUp(comment: { id: string }, voters: TestUser[], count: number, down = 0) {
  for (const [i, voter] of voters.slice(0, count + down).entries()) {
    const res = await http(t, 'PUT', `/api/comments/${comment.id}/vote`, {
      token: voter.token,
      body: { value: i < count ? 1 : -1 },
    });
    expect(res.status).toBe(200);
  }
}

describe('passage anchors', () => {
  it('anchors a top-level comment to a passage, counts it per passage, and lists a passage', async () => {
    const user = await createUser(t);
    const article = await opEd();
    const res = await post(user, article.slug, {
      body: 'Not the same army.',
      anchor: { paragraph: 2, quote: 'rely on  the army. And' },
    });
    expect(res.status).toBe(201);
    // White space is collapsed as a reader sees it on the page.
    expect(res.body.anchor).toEqual({ paragraph: 2, quote: 'rely on the army. And' });
    await post(user, article.slug, { body: 'Shared taste?', anchor: { paragraph: 1, quote: 'share a taste' } });
    await postComment(t, user, article.slug, 'Not anchored');

    const got = await http(t, 'GET', `/api/articles/${article.slug}`);
    expect(got.body.passageCounts).toEqual([0, 1, 1, 0]);

    const page = await http(t, 'GET', `/api/articles/${article.slug}/comments?paragraph=2`);
    expect(page.status).toBe(200);
    expect(page.body.items.map((c: { id: string }) => c.id)).toEqual([res.body.id]);

    // Deleting it takes it off its passage's count.
    expect((await http(t, 'DELETE', `/api/comments/${res.body.id}`, { token: user.token })).status).toBe(204);
    expect((await http(t, 'GET', `/api/articles/${article.slug}`)).body.passageCounts).toEqual([0, 1, 0, 0]);
  });

  it('refuses a missing passage, a quote not in it, and an anchor or stance on a reply, writing nothing', async () => {
    const user = await createUser(t);
    const article = await opEd();
    const root = await postComment(t, user, article.slug, 'root');
    const cases: [Record<string, unknown>, number, string][] = [
      [{ body: 'x', anchor: { paragraph: 4, quote: 'army' } }, 400, 'PARAGRAPH_NOT_FOUND'],
      [{ body: 'x', anchor: { paragraph: 1, quote: 'army' } }, 400, 'QUOTE_NOT_IN_PARAGRAPH'],
      [{ body: 'x', anchor: { paragraph: 1, quote: '   ' } }, 400, 'QUOTE_NOT_IN_PARAGRAPH'],
      [{ body: 'x', anchor: { paragraph: -1, quote: 'army' } }, 400, 'VALIDATION_FAILED'],
      [{ body: 'x', anchor: { paragraph: 1, quote: 'taste', offset: 3 } }, 400, 'UNKNOWN_FIELDS'],
      [{ body: 'x', stance: 'maybe' }, 400, 'VALIDATION_FAILED'],
      [{ body: 'x', parentId: root.id, stance: 'agree' }, 400, 'TOP_LEVEL_ONLY'],
      [{ body: 'x', parentId: root.id, anchor: { paragraph: 1, quote: 'taste' } }, 400, 'TOP_LEVEL_ONLY'],
    ];
    for (const [body, status, code] of cases) {
      const res = await post(user, article.slug, body);
      expect({ status: res.status, code: res.body.code, type: res.headers.get('content-type') }).toEqual({
        status,
        code,
        type: expect.stringContaining('application/problem+json'),
      });
    }
    expect(await t.prisma.comment.count({ where: { articleId: article.id } })).toBe(1);
    const filter = await http(t, 'GET', `/api/articles/${article.slug}/comments?paragraph=9`);
    expect([filter.status, filter.body.code]).toEqual([400, 'PARAGRAPH_NOT_FOUND']);
    const bad = await http(t, 'GET', `/api/articles/${article.slug}/comments?paragraph=one`);
    expect([bad.status, bad.body.code]).toEqual([400, 'VALIDATION_FAILED']);
  });

  it('finds the quote again after an edit of the article, and follows the counts', async () => {
    const user = await createUser(t);
    const article = await opEd();
    const moved = await post(user, article.slug, { body: 'On fear', anchor: { paragraph: 2, quote: 'on fear' } });
    const gone = await post(user, article.slug, {
      body: 'On threats',
      anchor: { paragraph: 1, quote: 'taste for threats' },
    });
    const record = await t.prisma.article.findUniqueOrThrow({ where: { id: article.id } });
    const edited = ['A new opening paragraph.', BODY.replace('a taste for threats', 'a fondness for menace')].join(
      '\n\n',
    );
    const { slug, title, byline, publishedAt, sourceUrl } = record;
    await t.app.get(ArticlesRepository).upsert({
      slug,
      title,
      byline,
      publishedAt,
      sourceUrl,
      bodySource: edited,
      bodyHtml: renderArticleMarkdown(edited),
    });

    const comments = await http(t, 'GET', `/api/articles/${article.slug}/comments`);
    const byId = new Map(comments.body.items.map((c: { id: string; anchor: unknown }) => [c.id, c.anchor]));
    expect(byId.get(moved.body.id)).toEqual({ paragraph: 3, quote: 'on fear' });
    expect(byId.get(gone.body.id)).toEqual({ paragraph: null, quote: 'taste for threats' });
    expect((await http(t, 'GET', `/api/articles/${article.slug}`)).body.passageCounts).toEqual([0, 0, 0, 1, 0]);
  });

  it('carries the anchor and the stance in live events', async () => {
    const user = await createUser(t);
    const article = await opEd();
    const reader = await connectSocket(t.url);
    try {
      await reader.ack('subscribe', { article: article.slug });
      // Over the socket, the same rules and codes.
      const writer = await connectSocket(t.url, { token: user.token });
      try {
        const refused = await writer.ack('comment.create', {
          article: article.slug,
          body: 'x',
          anchor: { paragraph: 0, quote: 'fear' },
        });
        expect(refused.error).toMatchObject({ code: 'QUOTE_NOT_IN_PARAGRAPH', status: 400 });
        const sent = await writer.ack('comment.create', {
          article: article.slug,
          body: 'Over the socket',
          stance: 'question',
        });
        expect(sent.comment).toMatchObject({ stance: 'question', anchor: null });
      } finally {
        writer.close();
      }
      const res = await post(user, article.slug, {
        body: 'Fear, yes.',
        stance: 'agree',
        anchor: { paragraph: 2, quote: 'fear' },
      });
      const received = await reader.waitFor((events) =>
        events.some((e) => e.type === 'comment.created' && e.data.comment.id === res.body.id),
      );
      const created = received.find((e) => e.data.comment?.id === res.body.id)!;
      expect(created.data.comment).toMatchObject({
        id: res.body.id,
        anchor: { paragraph: 2, quote: 'fear' },
        stance: 'agree',
      });

      // The placeholder of a removed comment keeps both, so a page can update its counts.
      const moderator = await createUser(t, 'moderator');
      const removed = await http(t, 'POST', `/api/moderation/comments/${res.body.id}/actions`, {
        token: moderator.token,
        body: { action: 'remove', reason: 'off_topic', version: 1 },
      });
      expect(removed.status).toBe(200);
      const events = await reader.waitFor((all) => all.some((e) => e.type === 'comment.removed'));
      const removal = events.find((e) => e.type === 'comment.removed')!;
      expect(removal.data.comment).toMatchObject({
        body: null,
        anchor: { paragraph: 2, quote: 'fear' },
        stance: 'agree',
      });
      const counts = (await http(t, 'GET', `/api/articles/${article.slug}`)).body;
      expect([counts.passageCounts[2], counts.stanceCounts.agree]).toEqual([0, 0]);
    } finally {
      reader.close();
    }
  });
});

describe('stance', () => {
  it('counts each stance on the article', async () => {
    const user = await createUser(t);
    const article = await opEd();
    for (const stance of ['agree', 'agree', 'disagree', 'question'])
      await post(user, article.slug, { body: `I ${stance} ${Math.random()}`, stance });
    await postComment(t, user, article.slug, 'no stance');
    const got = await http(t, 'GET', `/api/articles/${article.slug}`);
    expect(got.body.stanceCounts).toEqual({ agree: 2, disagree: 1, question: 1, other: 0 });
  });

  it('sort=balanced deals the best of each stance in turn, page after page, with no repeat or gap', async () => {
    const author = await createUser(t);
    const voters = await Promise.all(Array.from({ length: 6 }, () => createUser(t)));
    const article = await opEd();
    const make = async (stance: string | null, up: number, down = 0) => {
      const res = await post(
        author,
        article.slug,
        stance ? { body: `${stance} ${up}/${down}`, stance } : { body: `none ${up}/${down}` },
      );
      await voteUp(res.body, voters, up, down);
      return res.body.body as string;
    };
    // The loudest side has the most comments; each side's best comes first.
    await make('agree', 6);
    await make('agree', 5);
    await make('agree', 4);
    await make('agree', 3);
    await make('disagree', 2);
    await make('disagree', 5, 1);
    await make('question', 1);
    await make(null, 2);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `/api/articles/${article.slug}/comments?sort=balanced&limit=3${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await http(t, 'GET', query);
      expect([page.status, page.body.code]).toEqual([200, undefined]);
      seen.push(...page.body.items.map((c: { body: string }) => c.body));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([
      'agree 6/0',
      'disagree 5/1',
      'question 1/0',
      'none 2/0',
      'agree 5/0',
      'disagree 2/0',
      'agree 4/0',
      'agree 3/0',
    ]);

    const other = await http(
      t,
      'GET',
      `/api/articles/${article.slug}/comments?sort=best&cursor=${(await http(t, 'GET', `/api/articles/${article.slug}/comments?sort=balanced&limit=1`)).body.nextCursor}`,
    );
    expect([other.status, other.body.code]).toEqual([400, 'INVALID_CURSOR']);
  });
});
