import { createArticle, createUser, postComment } from '../support/factories.js';
import { connectSocket, waitUntil } from '../support/sockets.js';
import { startTestApp, TestApp } from '../support/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});

it('keeps delivering live after an event missing from the log, and tells readers to resync', async () => {
  const article = await createArticle(t.prisma);
  const user = await createUser(t);
  const reader = await connectSocket(t.url);
  const resyncs: { articleId: string; seq: number }[] = [];
  reader.socket.on('resync', (message: { articleId: string; seq: number }) => resyncs.push(message));
  try {
    await reader.ack('subscribe', { article: article.slug, after: 0 });
    await postComment(t, user, article.slug, 'before the hole');
    // A number handed out with no event behind it (history erased, a manual write).
    await t.prisma.article.update({ where: { id: article.id }, data: { lastSeq: { increment: 1 } } });
    const after = await postComment(t, user, article.slug, 'after the hole');
    await postComment(t, user, article.slug, 'and one more');
    await reader.waitFor((events) => events.length === 3);
    expect(reader.events.map((e) => e.seq)).toEqual([1, 3, 4]);
    expect(reader.events[1].data.comment.id).toBe(after.id);
    await waitUntil(() => resyncs.length > 0);
    expect(resyncs).toEqual([{ articleId: article.id, seq: 2 }]);
  } finally {
    reader.close();
  }
});
