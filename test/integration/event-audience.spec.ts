import { Role } from '@rejoinder/db';
import type { EventAudience } from '@rejoinder/common';
import { canSee, canSeeSql } from '@rejoinder/forum';
import type { Viewer } from '@rejoinder/forum';
import { startTestApp, TestApp } from '../support/test-app.js';
import { createArticle, createUser } from '../support/factories.js';

// Who may receive an event is decided twice: by canSee for live events, and
// by its SQL twin (canSeeSql) where a replay reads the log. For every audience,
// every user an event may name and every kind of viewer, the database must
// return exactly the events canSee lets through (visibility.spec.ts holds
// canSee to the table of docs/realtime.md).

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});

it('reads from the log exactly the events canSee lets each viewer receive', async () => {
  const author = await createUser(t);
  const reader = await createUser(t);
  const moderator = await createUser(t, 'moderator');
  const admin = await createUser(t, 'admin');
  const article = await createArticle(t.prisma);
  const named = { nobody: null, author: author.id, reader: reader.id, moderator: moderator.id };
  const events: { seq: number; audience: EventAudience; userId: string | null }[] = [];
  for (const audience of ['public', 'moderators', 'user'] as const) {
    for (const userId of Object.values(named)) events.push({ seq: events.length + 1, audience, userId });
  }
  for (const e of events) {
    await t.prisma.$executeRaw`
      INSERT INTO article_events (article_id, seq, type, audience, user_id, payload, created_at)
      VALUES (${article.id}::uuid, ${e.seq}, 'article.updated', ${e.audience}::"EventAudience", ${e.userId}::uuid, '{}'::jsonb, now())`;
  }
  const viewers: Viewer[] = [
    null,
    { id: author.id, username: author.username, role: Role.commenter },
    { id: reader.id, username: reader.username, role: Role.commenter },
    { id: moderator.id, username: moderator.username, role: Role.moderator },
    { id: admin.id, username: admin.username, role: Role.admin },
  ];
  for (const viewer of viewers) {
    const rows = await t.prisma.$queryRaw<{ seq: number }[]>`
      SELECT e.seq FROM article_events e WHERE e.article_id = ${article.id}::uuid AND ${canSeeSql(viewer)} ORDER BY e.seq`;
    const expected = events.filter((e) => canSee(e, viewer)).map((e) => e.seq);
    expect({ viewer: viewer?.role ?? 'anonymous', seqs: rows.map((r) => r.seq) }).toEqual({
      viewer: viewer?.role ?? 'anonymous',
      seqs: expected,
    });
    // Every viewer receives at least the public events.
    expect(expected.length).toBeGreaterThanOrEqual(4);
  }
});
