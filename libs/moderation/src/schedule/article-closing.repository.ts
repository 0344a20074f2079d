import { Injectable } from '@nestjs/common';
import type { ArticleEvent, EventData } from '@rejoinder/common';
import { PrismaService } from '@rejoinder/db';
import { appendEvents } from '@rejoinder/forum';
import type { ArticleRecord } from '@rejoinder/forum';

@Injectable()
export class ArticleClosingRepository {
  constructor(private readonly prisma: PrismaService) {}

  // Closes the open articles whose time has come (their own, or `defaultDays`
  // after publication), at most `limit`, each with its `article.updated` and a
  // line in the moderation log, in one transaction. SKIP LOCKED lets several
  // nodes sweep at once without closing one twice; an article the schedule
  // closed once (auto_closed_at) is never closed by it again, so a moderator
  // may reopen it.
  closeDue(
    defaultDays: number | null,
    limit: number,
    payload: (article: ArticleRecord) => EventData<'article.updated'>,
  ): Promise<ArticleEvent[]> {
    return this.prisma.$transaction(async (tx) => {
      const due = await tx.$queryRaw<{ id: string }[]>`
        SELECT id FROM articles
        WHERE state = 'open' AND auto_closed_at IS NULL
          AND CASE WHEN closes_at_set THEN closes_at
                   ELSE published_at + (${defaultDays}::int * interval '1 day') END <= now()
        ORDER BY published_at
        LIMIT ${limit}
        FOR UPDATE SKIP LOCKED`;
      const committed: ArticleEvent[] = [];
      for (const { id } of due) {
        const article = await tx.article.update({
          where: { id },
          data: { state: 'closed', autoClosedAt: new Date() },
        });
        await tx.moderationAction.create({
          data: {
            moderatorId: null,
            action: 'auto_close',
            targetType: 'article',
            targetId: id,
            articleId: id,
            reasonCode: 'schedule',
            note: article.closesAtSet ? 'the article’s closing time' : `${defaultDays} days after publication`,
          },
        });
        const { committed: events } = await appendEvents(tx, id, [['article.updated', 'public', payload(article)]]);
        committed.push(...events);
      }
      return committed;
    });
  }
}
