import { keyPart, keysetAfter, Prisma } from '@rejoinder/db';
import { RankedSort, SiblingKey, ThreadSort, TreeShape } from './comment.types.js';
import { columns } from './comment-rows.js';

// The one statement behind every page of a thread: a page of siblings, each
// with its first replies, the pinned comments on the first page.

const { sql, raw, empty } = Prisma;

// The column each ranked sort orders by, and its SQL type for cursors.
export const RANK_COLUMN: Record<RankedSort, { column: string; type: 'int' | 'float8' }> = {
  top: { column: 'score', type: 'int' },
  best: { column: 'best_score', type: 'float8' },
  controversial: { column: 'controversy', type: 'float8' },
  replies: { column: 'reply_count', type: 'int' },
};

function orderBy(sort: Exclude<ThreadSort, 'balanced'>): string {
  switch (sort) {
    case 'newest':
      return 'created_at DESC, id DESC';
    case 'oldest':
      return 'created_at ASC, id ASC';
    default:
      return `${RANK_COLUMN[sort].column} DESC, created_at DESC, id DESC`;
  }
}

function after(key: Exclude<SiblingKey, { sort: 'balanced' }> | undefined): Prisma.Sql {
  if (!key) return empty;
  switch (key.sort) {
    case 'newest':
      return sql`AND ${keysetAfter('desc', ['c.created_at', 'c.id'], [keyPart.time(key.createdAt), keyPart.id(key.id)])}`;
    case 'oldest':
      return sql`AND ${keysetAfter('asc', ['c.created_at', 'c.id'], [keyPart.time(key.createdAt), keyPart.id(key.id)])}`;
    default: {
      const { column, type } = RANK_COLUMN[key.sort];
      const rank = type === 'int' ? keyPart.int(key.rank) : keyPart.float(key.rank);
      return sql`AND ${keysetAfter('desc', [`c.${column}`, 'c.created_at', 'c.id'], [rank, keyPart.time(key.createdAt), keyPart.id(key.id)])}`;
    }
  }
}

export interface TreeQueryArgs {
  articleId: string;
  parentId: string | null;
  sort: ThreadSort;
  after?: SiblingKey;
  limit: number;
  shape: TreeShape;
  // Also return the article's pinned comments (level -2).
  withPinned?: boolean;
  // Only top-level comments anchored to this passage.
  paragraph?: number;
}

// sort=balanced: the best (Wilson lower bound) of each stance in turn, in
// this order, comments without a declared stance last.
export const BALANCED_GROUPS = ['agree', 'disagree', 'question', 'other', null] as const;

const BEST_ORDER = 'best_score DESC, created_at DESC, id DESC';

// The roots of a balanced page: each group's next comments by its own keyset
// (one bounded index scan per group), dealt in turns. Groups before `next`
// already gave their comment in the current turn, so they wait one turn.
function balancedRoots(args: TreeQueryArgs, filter: Prisma.Sql): Prisma.Sql {
  const key = args.after?.sort === 'balanced' ? args.after : undefined;
  const branches = BALANCED_GROUPS.map((stance, group) => {
    const k = key?.keys[group];
    const keyed = k
      ? sql`AND ${keysetAfter('desc', ['c.best_score', 'c.created_at', 'c.id'], [keyPart.float(k.rank), keyPart.time(k.createdAt), keyPart.id(k.id)])}`
      : empty;
    const which = stance === null ? sql`c.stance IS NULL` : sql`c.stance = ${stance}::"Stance"`;
    return sql`(SELECT c.id, c.article_id, c.reply_count, ${group}::int AS grp,
        row_number() OVER (ORDER BY ${raw(BEST_ORDER)}) + CASE WHEN ${group}::int < ${key?.next ?? 0}::int THEN 1 ELSE 0 END AS turn
      FROM comments c
      WHERE c.article_id = ${args.articleId}::uuid AND c.depth = 0 AND c.listed AND ${which} ${filter} ${keyed}
      ORDER BY ${raw(BEST_ORDER)} LIMIT ${args.limit + 1})`;
  });
  return sql`SELECT b.id, b.article_id, b.reply_count, row_number() OVER (ORDER BY b.turn, b.grp) AS ord
      FROM (${Prisma.join(branches, ' UNION ALL ')}) b
      ORDER BY b.turn, b.grp
      LIMIT ${args.limit + 1}`;
}

// A page of listed siblings (top-level comments of an article when parentId
// is null, else the replies of parentId), each expanded with its first
// replies down to shape.levels, in one statement. Every step is a bounded
// index range scan, so the cost does not grow with the size of the thread.
// The row after the page (level -1) only tells that there is a next page.
// Exported for the benchmark's baseline, which runs the same statement.
export function treeQuery(args: TreeQueryArgs): Prisma.Sql {
  const parent = args.parentId === null ? sql`c.depth = 0` : sql`c.parent_id = ${args.parentId}::uuid`;
  const filter = args.paragraph === undefined ? empty : sql`AND c.anchor_paragraph = ${args.paragraph}::int`;
  let roots: Prisma.Sql;
  if (args.sort === 'balanced') {
    roots = balancedRoots(args, filter);
  } else {
    const order = raw(orderBy(args.sort));
    roots = sql`SELECT c.id, c.article_id, c.reply_count, row_number() OVER (ORDER BY ${order}) AS ord
      FROM comments c
      WHERE c.article_id = ${args.articleId}::uuid AND ${parent} AND c.listed ${filter} ${after(args.after?.sort === 'balanced' ? undefined : args.after)}
      ORDER BY ${order}
      LIMIT ${args.limit + 1}`;
  }
  return sql`
    WITH RECURSIVE roots AS (
      ${roots}
    ), tree AS (
      SELECT r.id, r.article_id, r.reply_count, 0 AS level, r.ord FROM roots r WHERE r.ord <= ${args.limit}
      UNION ALL
      SELECT k.id, k.article_id, k.reply_count, t.level + 1, NULL::bigint
      FROM tree t
      CROSS JOIN LATERAL (
        SELECT c.id, c.article_id, c.reply_count FROM comments c
        WHERE c.parent_id = t.id AND c.listed
        ORDER BY c.created_at ASC, c.id ASC
        LIMIT ${args.shape.repliesPerLevel}
      ) k
      WHERE t.level < ${args.shape.levels - 1} AND t.reply_count > 0
    )
    SELECT * FROM (
      SELECT ${columns('c')}, u.username AS "authorName", u.display_name AS "authorDisplayName", t.level, t.ord::int AS ord
      FROM tree t JOIN comments c ON c.id = t.id JOIN users u ON u.id = c.author_id
      UNION ALL
      SELECT ${columns('c')}, NULL, NULL, -1, r.ord::int FROM roots r JOIN comments c ON c.id = r.id WHERE r.ord > ${args.limit}
      ${args.withPinned ? pinnedRows(args.articleId) : empty}
    ) page
    -- Roots in page order, then each level oldest first: the caller nests
    -- the rows in one pass.
    ORDER BY level, ord NULLS LAST, "createdAt", id`;
}

function pinnedRows(articleId: string): Prisma.Sql {
  return sql`UNION ALL
    (SELECT ${columns('c')}, u.username, u.display_name, -2, 0 FROM comments c JOIN users u ON u.id = c.author_id
     WHERE c.article_id = ${articleId}::uuid AND c.pinned AND c.listed ORDER BY c.created_at DESC LIMIT 10)`;
}
