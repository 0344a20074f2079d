import { Injectable } from '@nestjs/common';
import type { ArticleEvent } from '@rejoinder/common';
import { PrismaService } from '@rejoinder/db';
import { appendCommentEvents, lockArticle } from '../event-log/event-log.repository.js';
import { eventRow } from '../event-log/event-rows.js';
import { readComment } from './comment-rows.js';
import { controversy, wilsonLowerBound } from './scoring.js';

export type VoteOutcome =
  | { kind: 'voted' | 'unchanged'; articleId: string; upvotes: number; downvotes: number; score: number }
  | { kind: 'not-found' | 'not-votable' | 'own' };

@Injectable()
export class VotesRepository {
  constructor(private readonly prisma: PrismaService) {}

  // A reader's own votes among these comments.
  async votesOf(userId: string, commentIds: string[]): Promise<Map<string, number>> {
    if (commentIds.length === 0) return new Map();
    const rows = await this.prisma.vote.findMany({
      where: { userId, commentId: { in: commentIds } },
      select: { commentId: true, value: true },
    });
    return new Map(rows.map((r) => [r.commentId, r.value]));
  }

  // Records a reader's vote (+1, -1, or 0 to retract) and keeps the comment's
  // counts and sort keys exact: the comment's row lock serialises voters, who
  // get the same room to wait for a connection as other writers.
  async vote(commentId: string, userId: string, value: -1 | 0 | 1): Promise<VoteOutcome> {
    return this.prisma.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<
        { authorId: string; status: string; articleId: string; upvotes: number; downvotes: number }[]
      >`
        SELECT author_id AS "authorId", status::text AS status, article_id AS "articleId", upvotes, downvotes
        FROM comments WHERE id = ${commentId}::uuid FOR UPDATE`;
      const comment = rows[0];
      if (!comment) return { kind: 'not-found' as const };
      if (comment.status !== 'published') return { kind: 'not-votable' as const };
      if (comment.authorId === userId) return { kind: 'own' as const };
      const previous = await tx.$queryRaw<{ value: number }[]>`
        SELECT value FROM votes WHERE comment_id = ${commentId}::uuid AND user_id = ${userId}::uuid`;
      const old = previous[0]?.value ?? 0;
      const counts = { upvotes: comment.upvotes, downvotes: comment.downvotes };
      if (old === value)
        return {
          kind: 'unchanged' as const,
          articleId: comment.articleId,
          ...counts,
          score: counts.upvotes - counts.downvotes,
        };
      if (value === 0) {
        await tx.$executeRaw`DELETE FROM votes WHERE comment_id = ${commentId}::uuid AND user_id = ${userId}::uuid`;
      } else {
        await tx.$executeRaw`
          INSERT INTO votes (comment_id, user_id, value, created_at, updated_at)
          VALUES (${commentId}::uuid, ${userId}::uuid, ${value}::smallint, now(), now())
          ON CONFLICT (comment_id, user_id) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`;
      }
      const upvotes = counts.upvotes + Number(value === 1) - Number(old === 1);
      const downvotes = counts.downvotes + Number(value === -1) - Number(old === -1);
      await tx.$executeRaw`
        UPDATE comments SET upvotes = ${upvotes}, downvotes = ${downvotes}, score = ${upvotes - downvotes},
          best_score = ${wilsonLowerBound(upvotes, downvotes)}::float8, controversy = ${controversy(upvotes, downvotes)}::float8
        WHERE id = ${commentId}::uuid`;
      return { kind: 'voted' as const, articleId: comment.articleId, upvotes, downvotes, score: upvotes - downvotes };
    });
  }

  // Appends one `comment.voted` with the comment's current counts (votes are
  // coalesced: many votes, one event).
  async appendVoteEvent(commentId: string): Promise<ArticleEvent | null> {
    return this.prisma.$transaction(async (tx) => {
      const located = await tx.$queryRaw<
        { articleId: string }[]
      >`SELECT article_id AS "articleId" FROM comments WHERE id = ${commentId}::uuid`;
      if (!located[0]) return null;
      const head = await lockArticle(tx, located[0].articleId, 1, 0, false);
      if (!head) return null;
      const current = await readComment(tx, commentId);
      const [event] = await appendCommentEvents(
        tx,
        current.articleId,
        head,
        commentId,
        [
          eventRow('comment.voted').to('public', null, (c) => ({
            commentId: c.id,
            score: c.score,
            upvotes: c.upvotes,
            downvotes: c.downvotes,
            bestScore: c.bestScore,
          })),
        ],
        current,
      );
      return event ?? null;
    });
  }
}
