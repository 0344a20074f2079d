import { Injectable } from '@nestjs/common';
import { CommentStatus, Prisma, PrismaService } from '@rejoinder/db';
import { CommentRow, SiblingKey, ThreadSort, TreeShape } from './comment.types.js';

const { sql, raw, empty } = Prisma;

// Columns every comment read returns, aliased to CommentRow.
const columns = (c: string) =>
  raw(`${c}.id, ${c}.article_id AS "articleId", ${c}.parent_id AS "parentId", ${c}.author_id AS "authorId",
  ${c}.depth, ${c}.status::text AS status, ${c}.body_source AS "bodySource", ${c}.body_html AS "bodyHtml",
  ${c}.reply_count AS "replyCount", ${c}.descendant_count AS "descendantCount", ${c}.upvotes, ${c}.downvotes,
  ${c}.score, ${c}.created_at AS "createdAt", ${c}.edited_at AS "editedAt"`);

const ORDER: Record<ThreadSort, string> = {
  newest: 'created_at DESC, id DESC',
  oldest: 'created_at ASC, id ASC',
  top: 'score DESC, created_at DESC, id DESC',
};

function after(key: SiblingKey | undefined): Prisma.Sql {
  if (!key) return empty;
  switch (key.sort) {
    case 'newest':
      return sql`AND (c.created_at, c.id) < (${key.createdAt}::timestamptz, ${key.id}::uuid)`;
    case 'oldest':
      return sql`AND (c.created_at, c.id) > (${key.createdAt}::timestamptz, ${key.id}::uuid)`;
    case 'top':
      return sql`AND (c.score, c.created_at, c.id) < (${key.score}::int, ${key.createdAt}::timestamptz, ${key.id}::uuid)`;
  }
}

export interface TreeQueryArgs {
  articleId: string;
  parentId: string | null;
  sort: ThreadSort;
  after?: SiblingKey;
  limit: number;
  shape: TreeShape;
}

// A page of listed siblings (top-level comments of an article when parentId
// is null, else the replies of parentId), each expanded with its first
// replies down to shape.levels, in one statement. Every step is a bounded
// index range scan, so the cost does not grow with the size of the thread.
// The row after the page (level -1) only tells that there is a next page.
// Exported for the benchmark's baseline, which runs the same statement.
export function treeQuery(args: TreeQueryArgs): Prisma.Sql {
  const parent = args.parentId === null ? sql`c.parent_id IS NULL` : sql`c.parent_id = ${args.parentId}::uuid`;
  const order = raw(ORDER[args.sort]);
  return sql`
    WITH RECURSIVE roots AS (
      SELECT c.id, c.article_id, c.reply_count, row_number() OVER (ORDER BY ${order}) AS ord
      FROM comments c
      WHERE c.article_id = ${args.articleId}::uuid AND ${parent} AND c.listed ${after(args.after)}
      ORDER BY ${order}
      LIMIT ${args.limit + 1}
    ), tree AS (
      SELECT r.id, r.article_id, r.reply_count, 0 AS level, r.ord FROM roots r WHERE r.ord <= ${args.limit}
      UNION ALL
      SELECT k.id, k.article_id, k.reply_count, t.level + 1, NULL::bigint
      FROM tree t
      CROSS JOIN LATERAL (
        SELECT c.id, c.article_id, c.reply_count FROM comments c
        WHERE c.article_id = t.article_id AND c.parent_id = t.id AND c.listed
        ORDER BY c.created_at ASC, c.id ASC
        LIMIT ${args.shape.repliesPerLevel}
      ) k
      WHERE t.level < ${args.shape.levels - 1} AND t.reply_count > 0
    )
    SELECT ${columns('c')}, u.username AS "authorName", t.level, t.ord::int AS ord
    FROM tree t JOIN comments c ON c.id = t.id JOIN users u ON u.id = c.author_id
    UNION ALL
    SELECT ${columns('c')}, NULL, -1, r.ord::int FROM roots r JOIN comments c ON c.id = r.id WHERE r.ord > ${args.limit}`;
}

export interface NewComment {
  id: string;
  articleId: string;
  parentId: string | null;
  authorId: string;
  path: string[];
  depth: number;
  status: CommentStatus;
  bodySource: string;
  bodyHtml: string;
}

export interface EventRow {
  type: string;
  audience: 'public' | 'moderators' | 'user';
  userId: string | null;
  commentId: string | null;
  // Built from the stored comment, inside the transaction.
  payload: (comment: CommentRow) => unknown;
}

export type InsertOutcome =
  | { kind: 'inserted'; comment: CommentRow; seq: number; at: Date; payload: unknown }
  | { kind: 'article-closed' }
  | { kind: 'id-taken' };

@Injectable()
export class CommentsRepository {
  constructor(private readonly prisma: PrismaService) {}

  async findById(id: string): Promise<(CommentRow & { path: string[] }) | null> {
    const rows = await this.prisma.$queryRaw<(CommentRow & { path: string[] })[]>`
      SELECT ${columns('c')}, c.path::text[] AS path, u.username AS "authorName"
      FROM comments c JOIN users u ON u.id = c.author_id
      WHERE c.id = ${id}::uuid`;
    return rows[0] ?? null;
  }

  async findMany(ids: string[]): Promise<CommentRow[]> {
    if (ids.length === 0) return [];
    return this.prisma.$queryRaw<CommentRow[]>`
      SELECT ${columns('c')}, u.username AS "authorName"
      FROM comments c JOIN users u ON u.id = c.author_id
      WHERE c.id = ANY(${ids}::uuid[])`;
  }

  // A page of listed siblings (top-level comments of an article when parentId
  // is null, else the replies of parentId), each expanded with its first
  // replies down to shape.levels, in one statement. Every step is a bounded
  // index range scan, so the cost does not grow with the size of the thread.
  async tree(args: TreeQueryArgs): Promise<{ rows: CommentRow[]; hasMore: boolean }> {
    const rows = await this.prisma.$queryRaw<CommentRow[]>(treeQuery(args));
    const hasMore = rows.some((r) => r.level === -1);
    return { rows: rows.filter((r) => r.level !== -1), hasMore };
  }

  // Ancestors of a comment, root first.
  async ancestors(path: string[]): Promise<CommentRow[]> {
    const ids = path.slice(0, -1);
    if (ids.length === 0) return [];
    const rows = await this.findMany(ids);
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => byId.get(id)).filter((r): r is CommentRow => r !== undefined);
  }

  // Inserts the comment, adjusts the counters of the article and of every
  // ancestor, and appends the article's next event, all in one transaction.
  // The article row's lock (taken first) orders concurrent writers, so event
  // numbers become visible in commit order with no gaps.
  async insertWithEvent(comment: NewComment, event: EventRow): Promise<InsertOutcome> {
    const counted = comment.status === CommentStatus.published ? 1 : 0;
    try {
      return await this.prisma.$transaction(async (tx) => {
        const seqRows = await tx.$queryRaw<{ seq: number; at: Date }[]>`
          UPDATE articles SET last_seq = last_seq + 1, comment_count = comment_count + ${counted}::int
          WHERE id = ${comment.articleId}::uuid AND state = 'open'
          RETURNING last_seq AS seq, now() AS at`;
        const head = seqRows[0];
        if (!head) return { kind: 'article-closed' as const };
        const inserted = await tx.$executeRaw`
          INSERT INTO comments (id, article_id, parent_id, author_id, path, depth, status, listed,
                                body_source, body_html, created_at, updated_at)
          VALUES (${comment.id}::uuid, ${comment.articleId}::uuid, ${comment.parentId}::uuid, ${comment.authorId}::uuid,
                  ${comment.path}::uuid[], ${comment.depth}, ${comment.status}::"CommentStatus", ${counted === 1},
                  ${comment.bodySource}, ${comment.bodyHtml}, ${head.at}, ${head.at})
          ON CONFLICT (id) DO NOTHING`;
        if (inserted === 0) throw new IdTaken();
        const ancestors = comment.path.slice(0, -1);
        if (counted && ancestors.length > 0) {
          await tx.$executeRaw`
            UPDATE comments
            SET descendant_count = descendant_count + 1,
                reply_count = reply_count + CASE WHEN id = ${comment.parentId}::uuid THEN 1 ELSE 0 END
            WHERE id = ANY(${ancestors}::uuid[])`;
        }
        const rows = await tx.$queryRaw<CommentRow[]>`
          SELECT ${columns('c')}, u.username AS "authorName"
          FROM comments c JOIN users u ON u.id = c.author_id WHERE c.id = ${comment.id}::uuid`;
        const stored = rows[0];
        const payload = event.payload(stored);
        await tx.$executeRaw`
          INSERT INTO article_events (article_id, seq, type, audience, user_id, comment_id, payload, created_at)
          VALUES (${comment.articleId}::uuid, ${head.seq}, ${event.type}, ${event.audience}::"EventAudience",
                  ${event.userId}::uuid, ${event.commentId}::uuid, ${JSON.stringify(payload)}::jsonb, ${head.at})`;
        return { kind: 'inserted' as const, comment: stored, seq: head.seq, at: head.at, payload };
      }, TX_OPTIONS);
    } catch (error) {
      if (error instanceof IdTaken) return { kind: 'id-taken' };
      throw error;
    }
  }
}

class IdTaken extends Error {}

// Writers to one article queue on its row lock; give them room to wait.
const TX_OPTIONS = { maxWait: 15_000, timeout: 15_000 };
