import { TransferService } from '@rejoinder/forum';
import { randomUUID } from 'node:crypto';
import { createArticle, createUser, http, unique } from '../support/factories.js';
import { startTestApp, TestApp } from '../support/test-app.js';

// An account that proved it owns an address takes over the imported accounts
// whose export held that address: the hook a verified-address flow calls.
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});

async function importedAccount(claimEmail: string | null) {
  const username = unique('Imported');
  return t.prisma.user.create({
    data: {
      username,
      usernameKey: username.toLowerCase(),
      passwordHash: '!imported',
      displayName: 'Ana from the old site',
      importedFrom: 'disqus',
      claimEmail,
    },
  });
}

it('moves the comments of every imported account with the address, and no others', async () => {
  const address = `${unique('ana')}@example.org`;
  const [mine, alsoMine, other] = await Promise.all([
    importedAccount(address),
    importedAccount(address),
    importedAccount(`${unique('someone')}@example.org`),
  ]);
  const article = await createArticle(t.prisma);
  for (const author of [mine, alsoMine, other]) {
    const id = randomUUID();
    await t.prisma.comment.create({
      data: {
        id,
        articleId: article.id,
        authorId: author.id,
        path: [id],
        depth: 0,
        bodySource: 'x',
        bodyHtml: '<p>x</p>',
      },
    });
  }
  const owner = await createUser(t);

  const transfer = t.app.get(TransferService);
  const claimed = await transfer.claimByVerifiedEmail(owner.id, address.toUpperCase());
  expect(claimed).toEqual({ accounts: expect.arrayContaining([mine.username, alsoMine.username]), comments: 2 });
  expect(await t.prisma.user.count({ where: { id: { in: [mine.id, alsoMine.id] } } })).toBe(0);
  expect(await t.prisma.comment.count({ where: { authorId: owner.id } })).toBe(2);
  expect(await t.prisma.comment.count({ where: { authorId: other.id } })).toBe(1);

  // Readers now see the owner's name on them.
  const thread = await http(t, 'GET', `/api/articles/${article.slug}/comments?sort=oldest`);
  expect(thread.body.items.map((c: { author: { username: string } }) => c.author.username).sort()).toEqual(
    [owner.username, owner.username, other.username].sort(),
  );

  // An address nobody's export held changes nothing.
  expect(await transfer.claimByVerifiedEmail(owner.id, `${unique('none')}@example.org`)).toEqual({
    accounts: [],
    comments: 0,
  });
});
