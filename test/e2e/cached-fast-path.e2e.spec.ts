import { jest } from '@jest/globals';
import { request } from 'node:http';
import { CommentsService } from '@rejoinder/forum';
import { createArticle, createUser, postComment, TestUser } from '../support/factories.js';
import { startTestApp, TestApp } from '../support/test-app.js';

// The same database behind two servers: one answers cached thread pages of
// anonymous readers from its early hook, the other sends every request
// through Nest's router (HTTP_CACHED_FAST_PATH=off). Their answers must be
// the same bytes with the same headers.
let fast: TestApp;
let normal: TestApp;
let author: TestUser;

beforeAll(async () => {
  [fast, normal] = await Promise.all([startTestApp(), startTestApp({ HTTP_CACHED_FAST_PATH: 'off' })]);
  author = await createUser(fast);
});
afterAll(async () => {
  await Promise.all([fast?.close(), normal?.close()]);
});

interface RawAnswer {
  status: number;
  headers: [string, string][];
  body: Buffer;
}

// The answer as sent on the wire: the body not decoded, the headers in order.
function rawGet(base: string, path: string, headers: Record<string, string>): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const list: [string, string][] = [];
        for (let i = 0; i < res.rawHeaders.length; i += 2)
          list.push([res.rawHeaders[i].toLowerCase(), res.rawHeaders[i + 1]]);
        resolve({ status: res.statusCode!, headers: list, body: Buffer.concat(chunks) });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

// Every header but the date, which differs from one second to the next.
const headerLines = (answer: RawAnswer) =>
  answer.headers
    .filter(([name]) => name !== 'date')
    .map(([name, value]) => `${name}: ${value}`)
    .sort();

const header = (answer: RawAnswer, name: string) => answer.headers.find(([n]) => n === name)?.[1];

function countLoads(app: TestApp) {
  return jest.spyOn(app.app.get(CommentsService), 'cachedThread');
}

describe('a cached thread page for an anonymous reader, answered before the framework', () => {
  it('is the same answer as the normal path: bytes, headers, ETag and 304, in every encoding', async () => {
    const article = await createArticle(fast.prisma);
    // Long enough to be compressed.
    for (let i = 0; i < 4; i++) await postComment(fast, author, article.slug, `comment ${i} ${'words '.repeat(60)}`);
    const paths = [
      `/api/articles/${article.slug}/comments?sort=newest`,
      `/api/articles/${article.slug}/comments?sort=top&limit=2`,
      `/api/articles/${article.slug}/comments`,
    ];
    // Both servers render and keep the pages first.
    for (const path of paths) {
      for (const t of [fast, normal]) expect((await rawGet(t.url, path, {})).status).toBe(200);
    }
    const fastLoads = countLoads(fast);
    const normalLoads = countLoads(normal);
    let compared = 0;
    for (const path of paths) {
      for (const encoding of ['identity', 'br', 'gzip', 'gzip, deflate, br']) {
        const asked = { 'accept-encoding': encoding, 'x-request-id': `same-${compared}` };
        const [a, b] = await Promise.all([rawGet(fast.url, path, asked), rawGet(normal.url, path, asked)]);
        expect(a.status).toBe(200);
        expect(b.status).toBe(200);
        expect(a.body.equals(b.body)).toBe(true);
        expect(headerLines(a)).toEqual(headerLines(b));
        expect(header(a, 'x-request-id')).toBe(`same-${compared}`);
        if (encoding !== 'identity') expect(header(a, 'content-encoding')).toBeDefined();

        const etag = header(a, 'etag')!;
        const conditional = { ...asked, 'if-none-match': etag };
        const [c, d] = await Promise.all([rawGet(fast.url, path, conditional), rawGet(normal.url, path, conditional)]);
        expect(c.status).toBe(304);
        expect(d.status).toBe(304);
        expect(c.body.length).toBe(0);
        expect(headerLines(c)).toEqual(headerLines(d));
        compared++;
      }
    }
    expect(compared).toBe(12);
    // The fast server answered every one of them without the controller; the
    // other went through it each time.
    expect(fastLoads).not.toHaveBeenCalled();
    expect(normalLoads).toHaveBeenCalledTimes(24);
    fastLoads.mockRestore();
    normalLoads.mockRestore();
  });

  it('is never given to a reader who says who they are, nor for a page not in memory', async () => {
    const article = await createArticle(fast.prisma);
    await postComment(fast, author, article.slug, 'hello');
    const path = `/api/articles/${article.slug}/comments?sort=newest`;
    const loads = countLoads(fast);
    // A miss: through the controller, which keeps the page.
    const first = await rawGet(fast.url, path, {});
    expect(first.status).toBe(200);
    expect(loads).toHaveBeenCalledTimes(1);
    // Signed in: the controller, and the answer only their browser may keep.
    const signedIn = await rawGet(fast.url, path, { authorization: `Bearer ${author.token}` });
    expect(signedIn.status).toBe(200);
    expect(header(signedIn, 'cache-control')).toBe('private, no-cache');
    expect(JSON.parse(signedIn.body.toString()).viewer).toBeDefined();
    expect(loads).toHaveBeenCalledTimes(2);
    // A bad token is refused as before, not answered from memory.
    const badToken = await rawGet(fast.url, path, { authorization: 'Bearer nope' });
    expect(badToken.status).toBe(401);
    expect(loads).toHaveBeenCalledTimes(2);
    // A cookie or an API key header: the controller too.
    await rawGet(fast.url, path, { cookie: 'session=1' });
    await rawGet(fast.url, path, { 'x-api-key': 'k' });
    expect(loads).toHaveBeenCalledTimes(4);
    // A query the route refuses: the controller's problem document.
    const refused = await rawGet(fast.url, `${path}&limit=0`, {});
    expect(refused.status).toBe(400);
    // An anonymous reader now: from memory, without the controller.
    const hit = await rawGet(fast.url, path, {});
    expect(hit.status).toBe(200);
    expect(hit.body.equals(first.body)).toBe(true);
    expect(header(hit, 'cache-control')).toBe('public, max-age=1, stale-while-revalidate=2');
    expect(loads).toHaveBeenCalledTimes(4);
    loads.mockRestore();
  });
});
