import { Injectable } from '@nestjs/common';
import type { ArticleEvent } from '@rejoinder/common';
import { CommentStatus, Prisma, PrismaService } from '@rejoinder/db';
import { appendCommentEvents, columns, holdArticle, lockArticle } from '@rejoinder/forum';
import type { CommentRow, EventRow } from '@rejoinder/forum';

const { sql, raw } = Prisma;

// What privacy asks of the comments table: erasing an author, and purging the
// text of decided comments after the retention period (docs/privacy.md).
@Injectable()
export class CommentErasureRepository {
  constructor(private readonly prisma: PrismaService) {}

  // Erases an author's comments, one article at a time: each becomes a
  // tombstone with no body and the placeholder author (replies keep their
  // place), its revisions are deleted, and the moderation notes and
  // notifications about it go. The event log keeps ids only, so it holds
  // nothing to scrub. The new events (from `events`) commit with the change.
  // Returns how many comments were erased and the committed events.
  async eraseAuthor(
    authorId: string,
    placeholderId: string,
    events: (before: CommentRow) => EventRow[],
  ): Promise<{ comments: number; events: ArticleEvent[] }> {
    const articles = await this.prisma.$queryRaw<{ articleId: string }[]>`
      SELECT DISTINCT article_id AS "articleId" FROM comments WHERE author_id = ${authorId}::uuid`;
    let count = 0;
    const committed: ArticleEvent[] = [];
    for (const { articleId } of articles) {
      const outcome = await this.prisma.$transaction(async (tx) => {
        // The article first, as every writer does, then the comments.
        await holdArticle(tx, articleId);
        const before = await tx.$queryRaw<CommentRow[]>`
          SELECT ${columns('c')}, u.username AS "authorName", u.display_name AS "authorDisplayName"
          FROM comments c JOIN users u ON u.id = c.author_id
          WHERE c.article_id = ${articleId}::uuid AND c.author_id = ${authorId}::uuid FOR UPDATE OF c`;
        const ids = before.map((c) => c.id);
        await tx.$executeRaw`DELETE FROM comment_revisions WHERE comment_id = ANY(${ids}::uuid[])`;
        await tx.$executeRaw`UPDATE reports SET resolved_at = now() WHERE comment_id = ANY(${ids}::uuid[]) AND resolved_at IS NULL`;
        await tx.$executeRaw`DELETE FROM notifications WHERE comment_id = ANY(${ids}::uuid[])`;
        await tx.$executeRaw`UPDATE moderation_actions SET note = NULL WHERE target_type = 'comment' AND target_id = ANY(${ids}::uuid[])`;
        await tx.$executeRaw`
          UPDATE comments SET
            author_id = ${placeholderId}::uuid, body_source = '', body_html = '',
            status = 'deleted',
            featured = false, pinned = false, open_reports = 0, moderation_reason = NULL, edited_at = NULL,
            version = version + 1, updated_at = now()
          WHERE id = ANY(${ids}::uuid[])`;
        const after = new Map(
          (
            await tx.$queryRaw<CommentRow[]>`
              SELECT ${columns('c')}, u.username AS "authorName", u.display_name AS "authorDisplayName"
              FROM comments c JOIN users u ON u.id = c.author_id WHERE c.id = ANY(${ids}::uuid[])`
          ).map((c) => [c.id, c]),
        );
        const published = before.filter((c) => c.status === CommentStatus.published).length;
        const planned = before.map((c) => ({ comment: after.get(c.id)!, events: events(c) }));
        const total = planned.reduce((sum, p) => sum + p.events.length, 0);
        const head = await lockArticle(tx, articleId, total, -published, false);
        const appended: ArticleEvent[] = [];
        let next = head?.first ?? 0;
        for (const plan of planned) {
          if (!head || plan.events.length === 0) continue;
          appended.push(
            ...(await appendCommentEvents(
              tx,
              articleId,
              { first: next, at: head.at },
              plan.comment.id,
              plan.events,
              plan.comment,
            )),
          );
          next += plan.events.length;
        }
        return { comments: ids.length, events: appended };
      });
      count += outcome.comments;
      committed.push(...outcome.events);
    }
    return { comments: count, events: committed };
  }

  // Purges the bodies and revisions of rejected, removed and deleted comments
  // decided before the given times (null: keep that kind), up to `limit` at a
  // time. With `dryRun`, only counts.
  async purgeDecided(
    before: Partial<Record<'rejected' | 'removed' | 'deleted', Date | null>>,
    options: { dryRun: boolean; limit: number },
  ): Promise<{ comments: number; revisions: number; articles: number }> {
    const kinds = (['rejected', 'removed', 'deleted'] as const).filter((kind) => before[kind]);
    const due = (c: string) => {
      const clauses = kinds.map(
        (kind) =>
          sql`(${raw(c)}.status = ${kind}::"CommentStatus" AND ${raw(c)}.updated_at < ${before[kind]}::timestamptz)`,
      );
      return clauses.length === 0 ? sql`false` : sql`(${Prisma.join(clauses, ' OR ')}) AND ${raw(c)}.body_source <> ''`;
    };
    if (options.dryRun) {
      const rows = await this.prisma.$queryRaw<{ comments: number; revisions: number; articles: number }[]>`
        SELECT count(*)::int AS comments, count(DISTINCT c.article_id)::int AS articles,
               (SELECT count(*)::int FROM comment_revisions r JOIN comments c2 ON c2.id = r.comment_id WHERE ${due('c2')}) AS revisions
        FROM comments c WHERE ${due('c')}`;
      return rows[0];
    }
    return this.prisma.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<{ id: string; articleId: string }[]>`
        SELECT c.id, c.article_id AS "articleId" FROM comments c WHERE ${due('c')}
        ORDER BY c.updated_at LIMIT ${options.limit} FOR UPDATE OF c SKIP LOCKED`;
      const ids = rows.map((r) => r.id);
      const revisions = await tx.$executeRaw`DELETE FROM comment_revisions WHERE comment_id = ANY(${ids}::uuid[])`;
      await tx.$executeRaw`UPDATE comments SET body_source = '', body_html = '' WHERE id = ANY(${ids}::uuid[])`;
      return { comments: ids.length, revisions, articles: new Set(rows.map((r) => r.articleId)).size };
    });
  }
}
