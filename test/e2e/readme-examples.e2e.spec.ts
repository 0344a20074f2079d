import { readFileSync } from 'node:fs';
import { createArticle, createUser, http, postComment } from '../support/factories.js';
import { startTestApp, TestApp } from '../support/test-app.js';

// The README's request examples (its ```http blocks), sent as written and in
// order against a real server: an example the server refuses (a body of the
// wrong shape, a route that moved) fails here, so the README stays true.
// The placeholders stand for what a reader of the README would have at hand.

interface Example {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  text: string;
}

const SEED_SLUG = 'putin-and-kim-jong-un-are-not-so-different';

function readmeExamples(markdown: string): Example[] {
  return [...markdown.matchAll(/^```http\n([\s\S]*?)^```$/gm)].map(([, block]) => {
    const [head, ...rest] = block.split('\n');
    const request = /^([A-Z]+) (\/\S.*)$/.exec(head);
    if (!request) throw new Error(`Not a request line: ${head}`);
    const [, method, path] = request;
    const blank = rest.indexOf('');
    const headerLines = blank === -1 ? rest : rest.slice(0, blank);
    const headers = Object.fromEntries(
      headerLines.map((line) => {
        const colon = line.indexOf(':');
        return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()];
      }),
    );
    return {
      method,
      path,
      headers,
      body:
        blank === -1
          ? ''
          : rest
              .slice(blank + 1)
              .join('\n')
              .trim(),
      text: block,
    };
  });
}

describe('README examples', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    // The word rule the examples add is global: it goes with the test.
    await t.prisma.wordRule.deleteMany({ where: { pattern: 'miracle cure' } });
    await t.close();
  });

  it('every request example is accepted as written', async () => {
    const examples = readmeExamples(readFileSync('README.md', 'utf8'));
    expect(examples.length).toBeGreaterThanOrEqual(10);

    // The op-ed of the examples is an article of this test's own (the test
    // database has no seed), and the others the examples name are made here.
    const article = await createArticle(t.prisma);
    const other = await createUser(t);
    const moderator = await createUser(t, 'moderator');
    const admin = await createUser(t, 'admin');
    const comment = await postComment(t, other, article.slug, 'The loudspeakers worked.');
    // Held for a moderator (its author is premoderated): in the queue at version 1.
    const newcomer = await createUser(t);
    await t.prisma.user.update({ where: { id: newcomer.id }, data: { premoderated: true } });
    const queued = await http(t, 'POST', `/api/articles/${article.slug}/comments`, {
      token: newcomer.token,
      body: { body: 'Everyone here is paid by someone.' },
    });
    expect(queued.body).toMatchObject({ status: 'pending' });
    const values: Record<string, string> = {
      '<comment id>': comment.id,
      '<queued comment id>': queued.body.id as string,
      '<user id>': other.id,
      '<moderator token>': moderator.token,
      '<admin token>': admin.token,
    };
    const fill = (text: string) =>
      text.replaceAll(SEED_SLUG, article.slug).replace(/<[a-z][a-zA-Z ]*>/g, (placeholder) => {
        const value = values[placeholder];
        if (value === undefined) throw new Error(`The README uses ${placeholder}, which this test does not know`);
        return value;
      });

    for (const example of examples) {
      // Bodies are JSON as written (placeholders sit inside strings).
      if (example.body) expect(() => JSON.parse(example.body) as unknown).not.toThrow();
      const res = await http(t, example.method, fill(example.path), {
        rawBody: example.body ? fill(example.body) : undefined,
        headers: Object.fromEntries(Object.entries(example.headers).map(([name, value]) => [name, fill(value)])),
      });
      const accepted = res.status >= 200 && res.status < 300;
      expect(accepted ? 'accepted' : { example: example.text, status: res.status, body: res.body }).toBe('accepted');
      // The first request that returns a token gives <accessToken>.
      if (typeof res.body?.accessToken === 'string') values['<accessToken>'] ??= res.body.accessToken;
    }
  });
});
