import { Injectable } from '@nestjs/common';
import {
  CommittedEvent,
  DomainError,
  ErrorCode,
  inModerationFeed,
  MODERATION_FEED,
  storedData,
} from '@rejoinder/common';
import type { ARTICLE_EVENTS, ArticleEventName, EventAudience, EventData } from '@rejoinder/common';
import { CommentStatus, Prisma, PrismaService } from '@rejoinder/db';
import type { PassageAnchor } from '../articles/passages.js';
import { CommentRow, RankedSort, SiblingKey, Stance, ThreadSort, TreeShape } from './comment.types.js';
import { withComment } from './visibility.js';
import { commentColumns, insertPublished, isCommentIdTaken, postContext } from './post-statements.js';
import type { PostContextRow } from './post-statements.js';

const { sql, raw, empty } = Prisma;

// Columns every comment read returns, aliased to CommentRow.
const columns = (c: string) => raw(commentColumns(c));

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
      return sql`AND (c.created_at, c.id) < (${key.createdAt}::timestamptz, ${key.id}::uuid)`;
    case 'oldest':
      return sql`AND (c.created_at, c.id) > (${key.createdAt}::timestamptz, ${key.id}::uuid)`;
    default: {
      const { column, type } = RANK_COLUMN[key.sort];
      return sql`AND (c.${raw(column)}, c.created_at, c.id) < (${key.rank}::${raw(type)}, ${key.createdAt}::timestamptz, ${key.id}::uuid)`;
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
      ? sql`AND (c.best_score, c.created_at, c.id) < (${k.rank}::float8, ${k.createdAt}::timestamptz, ${k.id}::uuid)`
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
  anchor: PassageAnchor | null;
  stance: Stance | null;
  // Why it is held (empty when published).
  holdReasons: string[];
}

export interface EventRow {
  type: ArticleEventName;
  audience: EventAudience;
  userId: string | null;
  // Built from the stored comment (after the change), inside the transaction;
  // without the comment itself, which the catalogue's rendering adds.
  payload: (comment: CommentRow) => unknown;
}

type RenderedKey<N extends ArticleEventName> = (typeof ARTICLE_EVENTS)[N] extends {
  comment: { key: infer K extends string };
}
  ? K
  : never;
type Payloads = { [N in ArticleEventName]: Omit<EventData<N>, RenderedKey<N>> };
export type EventPayload<N extends ArticleEventName> = Payloads[N];

// Services build every event through the catalogue: the name fixes the
// payload's type (`eventRow('queue.added').to('moderators', null, (c) => ...)`).
export function eventRow<N extends ArticleEventName>(type: N) {
  return {
    to: (audience: EventAudience, userId: string | null, payload: (comment: CommentRow) => Payloads[N]): EventRow => ({
      type,
      audience,
      userId,
      payload,
    }),
  };
}

export type InsertOutcome =
  | { kind: 'inserted'; comment: CommentRow; events: CommittedEvent[] }
  | { kind: 'article-closed' }
  | { kind: 'id-taken' };

// A change of a comment's moderation state, decided from its current row
// (read under lock): the new values, or an error that aborts the change.
export interface StateChange {
  // A new body: the old one is kept as a revision, and the comment shows it was edited.
  body?: { source: string; html: string };
  status?: CommentStatus;
  listed?: boolean;
  featured?: boolean;
  pinned?: boolean;
  moderationReason?: string | null;
  resolveReports?: boolean;
  openReports?: number;
  // The rules that hold it now (replacing those of an earlier hold).
  holdReasons?: string[];
}

export interface AuditEntry {
  moderatorId: string;
  action: string;
  reasonCode?: string | null;
  note?: string | null;
}

export type VoteOutcome =
  | { kind: 'voted' | 'unchanged'; articleId: string; upvotes: number; downvotes: number; score: number }
  | { kind: 'not-found' | 'not-votable' | 'own' };

// Lower bound of the Wilson score interval at 95% confidence: "best" ranks a
// comment by how sure we are that readers like it, not by its raw score.
export function wilsonLowerBound(up: number, down: number): number {
  const n = up + down;
  if (n === 0) return 0;
  const z = 1.959963984540054;
  const p = up / n;
  return (p + (z * z) / (2 * n) - z * Math.sqrt((p * (1 - p) + (z * z) / (4 * n)) / n)) / (1 + (z * z) / n);
}

// Many votes, evenly split, rank highest (Reddit's formula).
export function controversy(up: number, down: number): number {
  if (up <= 0 || down <= 0) return 0;
  const balance = up > down ? down / up : up / down;
  return (up + down) ** balance;
}

export type ChangeOutcome = { before: CommentRow; comment: CommentRow; events: CommittedEvent[] };

@Injectable()
export class CommentsRepository {
  constructor(private readonly prisma: PrismaService) {}

  async findById(id: string): Promise<(CommentRow & { path: string[] }) | null> {
    const rows = await this.prisma.$queryRaw<(CommentRow & { path: string[] })[]>`
      SELECT ${columns('c')}, c.path::text[] AS path, u.username AS "authorName", u.display_name AS "authorDisplayName"
      FROM comments c JOIN users u ON u.id = c.author_id
      WHERE c.id = ${id}::uuid`;
    return rows[0] ?? null;
  }

  async articleIdOf(id: string): Promise<string | null> {
    const row = await this.prisma.comment.findUnique({ where: { id }, select: { articleId: true } });
    return row?.articleId ?? null;
  }

  async findMany(ids: string[]): Promise<CommentRow[]> {
    if (ids.length === 0) return [];
    return this.prisma.$queryRaw<CommentRow[]>`
      SELECT ${columns('c')}, u.username AS "authorName", u.display_name AS "authorDisplayName"
      FROM comments c JOIN users u ON u.id = c.author_id
      WHERE c.id = ANY(${ids}::uuid[])`;
  }

  // A reader's own votes among these comments.
  async votesOf(userId: string, commentIds: string[]): Promise<Map<string, number>> {
    if (commentIds.length === 0) return new Map();
    const rows = await this.prisma.vote.findMany({
      where: { userId, commentId: { in: commentIds } },
      select: { commentId: true, value: true },
    });
    return new Map(rows.map((r) => [r.commentId, r.value]));
  }

  // A reader's own comments in an article that the shared page leaves out
  // (waiting for a moderator, or shadowed by a ghost ban), newest first.
  pendingOf(authorId: string, articleId: string, limit: number): Promise<CommentRow[]> {
    return this.prisma.$queryRaw<CommentRow[]>`
      SELECT ${columns('c')}, u.username AS "authorName", u.display_name AS "authorDisplayName"
      FROM comments c JOIN users u ON u.id = c.author_id
      WHERE c.author_id = ${authorId}::uuid AND c.article_id = ${articleId}::uuid
        AND c.status IN ('pending', 'shadowed')
      ORDER BY c.created_at DESC, c.id DESC
      LIMIT ${limit}`;
  }

  // A page of listed siblings (top-level comments of an article when parentId
  // is null, else the replies of parentId), each expanded with its first
  // replies down to shape.levels, in one statement. Every step is a bounded
  // index range scan, so the cost does not grow with the size of the thread.
  async tree(args: TreeQueryArgs): Promise<{ rows: CommentRow[]; hasMore: boolean; pinned: CommentRow[] }> {
    const rows = await this.prisma.$queryRaw<CommentRow[]>(treeQuery(args));
    return {
      rows: rows.filter((r) => r.level !== undefined && r.level >= 0),
      hasMore: rows.some((r) => r.level === -1),
      pinned: rows.filter((r) => r.level === -2),
    };
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
  // ancestor, and appends the article's next events, all in one transaction.
  // The article row's lock (taken first) orders concurrent writers, so event
  // numbers become visible in commit order with no gaps.
  async insertWithEvents(comment: NewComment, events: EventRow[]): Promise<InsertOutcome> {
    const listed = comment.status === CommentStatus.published;
    try {
      return await this.prisma.$transaction(async (tx) => {
        const tally = { paragraph: comment.anchor?.paragraph ?? null, stance: comment.stance };
        const head = await lockArticle(tx, comment.articleId, events.length, listed ? 1 : 0, true, tally);
        if (!head) return { kind: 'article-closed' as const };
        const { anchor } = comment;
        const inserted = await tx.$executeRaw`
          INSERT INTO comments (id, article_id, parent_id, author_id, path, depth, status, listed,
                                body_source, body_html, created_at, updated_at,
                                anchor_paragraph, anchor_quote, anchor_prefix, anchor_suffix, stance, hold_reasons)
          VALUES (${comment.id}::uuid, ${comment.articleId}::uuid, ${comment.parentId}::uuid, ${comment.authorId}::uuid,
                  ${comment.path}::uuid[], ${comment.depth}, ${comment.status}::"CommentStatus", ${listed},
                  ${comment.bodySource}, ${comment.bodyHtml}, ${head.at}, ${head.at},
                  ${anchor?.paragraph ?? null}::int, ${anchor?.quote ?? null}, ${anchor?.prefix ?? null}, ${anchor?.suffix ?? null},
                  ${comment.stance}::"Stance", ${comment.holdReasons}::text[])
          ON CONFLICT (id) DO NOTHING`;
        if (inserted === 0) throw new IdTaken();
        if (listed) {
          await bumpAncestors(tx, comment.path, comment.parentId, 1);
          if (comment.parentId)
            await notifyReply(tx, comment.parentId, comment.id, comment.articleId, comment.authorId);
        }
        const stored = await readComment(tx, comment.id);
        const committed = await appendEvents(tx, comment.articleId, head, comment.id, events, stored);
        return { kind: 'inserted' as const, comment: stored, events: committed };
      });
    } catch (error) {
      if (error instanceof IdTaken) return { kind: 'id-taken' };
      throw error;
    }
  }

  // A published comment with its one public event, in one statement on the
  // driver (post-statements.ts): the same rows as insertWithEvents, with the
  // article's lock held for one statement instead of a transaction's round
  // trips.
  async insertPublished(comment: NewComment, event: EventRow): Promise<InsertOutcome> {
    const fits = event.audience === 'public' && event.userId === null && !inModerationFeed(event.type);
    if (comment.status !== CommentStatus.published || !fits) {
      return this.insertWithEvents(comment, [event]);
    }
    // The log's payload never holds the comment (ADR 14): built from the row
    // as it will be stored, before it is.
    const planned: CommentRow = {
      ...comment,
      authorName: '',
      authorDisplayName: null,
      listed: true,
      replyCount: 0,
      descendantCount: 0,
      upvotes: 0,
      downvotes: 0,
      score: 0,
      createdAt: new Date(),
      editedAt: null,
      version: 1,
      openReports: 0,
      featured: false,
      pinned: false,
      moderationReason: null,
      bestScore: 0,
      controversy: 0,
      anchorParagraph: comment.anchor?.paragraph ?? null,
      anchorQuote: comment.anchor?.quote ?? null,
      anchorPrefix: comment.anchor?.prefix ?? null,
      anchorSuffix: comment.anchor?.suffix ?? null,
    };
    const payload = JSON.stringify(storedData(event.type, withComment(event.type, event.payload(planned), planned)));
    let rows: (CommentRow & { eventSeq: number; eventAt: Date })[];
    try {
      ({ rows } = await this.prisma.write<CommentRow & { eventSeq: number; eventAt: Date }>(
        insertPublished(comment, { type: event.type, payload }),
      ));
    } catch (error) {
      if (isCommentIdTaken(error)) return { kind: 'id-taken' };
      throw error;
    }
    const row = rows[0];
    if (!row) return { kind: 'article-closed' };
    const { eventSeq: seq, eventAt: at, ...stored } = row;
    const data = withComment(event.type, event.payload(stored), stored);
    return {
      kind: 'inserted',
      comment: stored,
      events: [
        {
          articleId: comment.articleId,
          seq,
          type: event.type,
          audience: event.audience,
          userId: event.userId,
          at: at.toISOString(),
          data,
        },
      ],
    };
  }

  // What a post needs to know (its article, whether its id is taken, its
  // parent), in one read on the driver (ADR 26); null: no such article.
  async postContext(slug: string, id: string | null, parentId: string | null): Promise<PostContextRow | null> {
    const { rows } = await this.prisma.read<PostContextRow>(postContext(slug, id, parentId));
    return rows[0] ?? null;
  }

  // Changes a comment's state with optimistic concurrency: `expectedVersion`
  // must match (else STALE_VERSION). Counters follow the change (listed
  // comments for the tree, published ones for the article); the events and
  // the audit entry commit with it.
  async changeState(args: {
    commentId: string;
    expectedVersion?: number;
    decide: (current: CommentRow & { path: string[] }) => StateChange;
    events: (before: CommentRow, after: CommentRow) => EventRow[];
    audit?: AuditEntry;
    // A reader's report, stored with the change it causes (or not at all):
    // the comment's open_reports never disagrees with its reports.
    report?: { reporterId: string; reason: string; note: string | null; weight?: number };
  }): Promise<ChangeOutcome> {
    const located = await this.findById(args.commentId);
    if (!located) throw new DomainError(ErrorCode.CommentNotFound);
    return this.prisma.$transaction(async (tx) => {
      // The article first, as every writer does, then the comment.
      await tx.$queryRaw`SELECT id FROM articles WHERE id = ${located.articleId}::uuid FOR UPDATE`;
      const rows = await tx.$queryRaw<(CommentRow & { path: string[] })[]>`
        SELECT ${columns('c')}, c.path::text[] AS path, u.username AS "authorName", u.display_name AS "authorDisplayName"
        FROM comments c JOIN users u ON u.id = c.author_id
        WHERE c.id = ${args.commentId}::uuid FOR UPDATE OF c`;
      const before = rows[0];
      if (!before) throw new DomainError(ErrorCode.CommentNotFound);
      if (args.expectedVersion !== undefined && before.version !== args.expectedVersion) {
        throw new DomainError(ErrorCode.StaleVersion, `The comment is at version ${before.version}`, {
          currentVersion: before.version,
        });
      }
      if (args.report) {
        const stored = await tx.$executeRaw`
          INSERT INTO reports (id, comment_id, reporter_id, reason, note, weight, created_at)
          VALUES (gen_random_uuid(), ${before.id}::uuid, ${args.report.reporterId}::uuid,
                  ${args.report.reason}::"ReportReason", ${args.report.note}, ${args.report.weight ?? 1}::smallint, now())
          ON CONFLICT (comment_id, reporter_id) DO NOTHING`;
        if (stored === 0) throw new DomainError(ErrorCode.AlreadyReported);
      }
      const change = args.decide(before);
      const status = change.status ?? before.status;
      const listed = change.listed ?? before.listed;
      await tx.$executeRaw`
        UPDATE comments SET
          status = ${status}::"CommentStatus",
          listed = ${listed},
          featured = ${change.featured ?? before.featured},
          pinned = ${change.pinned ?? before.pinned},
          moderation_reason = ${change.moderationReason === undefined ? before.moderationReason : change.moderationReason},
          open_reports = ${change.resolveReports ? 0 : (change.openReports ?? before.openReports)},
          body_source = ${change.body?.source ?? before.bodySource},
          body_html = ${change.body?.html ?? before.bodyHtml},
          hold_reasons = ${change.holdReasons === undefined ? sql`hold_reasons` : sql`${change.holdReasons}::text[]`},
          edited_at = ${change.body ? sql`now()` : sql`edited_at`},
          version = version + 1,
          updated_at = now()
        WHERE id = ${before.id}::uuid`;
      if (change.body) {
        await tx.$executeRaw`
          INSERT INTO comment_revisions (id, comment_id, body_source, body_html, replaced_at)
          VALUES (gen_random_uuid(), ${before.id}::uuid, ${before.bodySource}, ${before.bodyHtml}, now())`;
      }
      if (change.resolveReports) {
        await tx.$executeRaw`UPDATE reports SET resolved_at = now() WHERE comment_id = ${before.id}::uuid AND resolved_at IS NULL`;
      }
      if (before.status === CommentStatus.pending && status === CommentStatus.published && before.parentId) {
        await notifyReply(tx, before.parentId, before.id, before.articleId, before.authorId);
      }
      const listedDelta = Number(listed) - Number(before.listed);
      if (listedDelta !== 0) await bumpAncestors(tx, before.path, before.parentId, listedDelta);
      const publishedDelta =
        Number(status === CommentStatus.published) - Number(before.status === CommentStatus.published);
      const after = await readComment(tx, before.id);
      const events = args.events(before, after);
      const head = await lockArticle(tx, before.articleId, events.length, publishedDelta, false, {
        paragraph: before.anchorParagraph,
        stance: before.stance,
      });
      const committed = head ? await appendEvents(tx, before.articleId, head, before.id, events, after) : [];
      if (args.audit) {
        await tx.$executeRaw`
          INSERT INTO moderation_actions (id, moderator_id, action, target_type, target_id, article_id, reason_code, note, created_at)
          VALUES (gen_random_uuid(), ${args.audit.moderatorId}::uuid, ${args.audit.action}, 'comment', ${before.id}::uuid,
                  ${before.articleId}::uuid, ${args.audit.reasonCode ?? null}, ${args.audit.note ?? null}, now())`;
      }
      return { before, comment: after, events: committed };
    });
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
  async appendVoteEvent(commentId: string): Promise<CommittedEvent | null> {
    return this.prisma.$transaction(async (tx) => {
      const located = await tx.$queryRaw<
        { articleId: string }[]
      >`SELECT article_id AS "articleId" FROM comments WHERE id = ${commentId}::uuid`;
      if (!located[0]) return null;
      const head = await lockArticle(tx, located[0].articleId, 1, 0, false);
      if (!head) return null;
      const current = await readComment(tx, commentId);
      const [event] = await appendEvents(
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

  // The author's last comment on the article (for slow mode).
  async lastPostAt(articleId: string, authorId: string): Promise<Date | null> {
    const rows = await this.prisma.$queryRaw<{ at: Date }[]>`
      SELECT created_at AS at FROM comments
      WHERE author_id = ${authorId}::uuid AND article_id = ${articleId}::uuid
      ORDER BY created_at DESC LIMIT 1`;
    return rows[0]?.at ?? null;
  }

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
  ): Promise<{ comments: number; events: CommittedEvent[] }> {
    const articles = await this.prisma.$queryRaw<{ articleId: string }[]>`
      SELECT DISTINCT article_id AS "articleId" FROM comments WHERE author_id = ${authorId}::uuid`;
    let count = 0;
    const committed: CommittedEvent[] = [];
    for (const { articleId } of articles) {
      const outcome = await this.prisma.$transaction(async (tx) => {
        // The article first, as every writer does, then the comments.
        await tx.$queryRaw`SELECT id FROM articles WHERE id = ${articleId}::uuid FOR UPDATE`;
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
        const appended: CommittedEvent[] = [];
        let next = head?.first ?? 0;
        for (const plan of planned) {
          if (!head || plan.events.length === 0) continue;
          appended.push(
            ...(await appendEvents(
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

  async revisions(commentId: string) {
    return this.prisma.commentRevision.findMany({
      where: { commentId },
      orderBy: { replacedAt: 'asc' },
      select: { bodySource: true, bodyHtml: true, replacedAt: true },
    });
  }
}

export type Tx = Parameters<Parameters<PrismaService['$transaction']>[0]>[0];

// Bumps the article's event counter by `count` (taking its row lock) and its
// published-comment count by `published`, with the counts of the comment's
// passage and stance. Returns the first new seq, or null when `requireOpen`
// and the article is closed.
async function lockArticle(
  tx: Tx,
  articleId: string,
  count: number,
  published: number,
  requireOpen: boolean,
  tally: { paragraph: number | null; stance: string | null } = { paragraph: null, stance: null },
): Promise<{ first: number; at: Date } | null> {
  const open = requireOpen ? sql`AND state = 'open'` : empty;
  const bump = (column: string, key: string | null) =>
    key === null || published === 0
      ? empty
      : sql`, ${raw(column)} = jsonb_set(${raw(column)}, ARRAY[${key}::text], to_jsonb(COALESCE((${raw(column)}->>${key}::text)::int, 0) + ${published}::int))`;
  const rows = await tx.$queryRaw<{ last: number; at: Date }[]>`
    UPDATE articles SET last_seq = last_seq + ${count}::int, comment_count = comment_count + ${published}::int
      ${bump('passage_counts', tally.paragraph === null ? null : String(tally.paragraph))} ${bump('stance_counts', tally.stance)}
    WHERE id = ${articleId}::uuid ${open}
    RETURNING last_seq AS last, now() AS at`;
  const row = rows[0];
  return row ? { first: row.last - count + 1, at: row.at } : null;
}

// Queue events also go to the moderators' feed across articles. Its counter
// row is locked after the article's, as by every writer, so no deadlock.
export async function appendToModerationFeed(
  tx: Tx,
  articleId: string,
  type: string,
  data: unknown,
  stored: unknown,
  at: Date,
): Promise<CommittedEvent> {
  const rows = await tx.$queryRaw<{ seq: number }[]>`
    INSERT INTO moderation_feed (id, last_seq) VALUES (1, 1)
    ON CONFLICT (id) DO UPDATE SET last_seq = moderation_feed.last_seq + 1
    RETURNING last_seq AS seq`;
  const seq = rows[0].seq;
  await tx.$executeRaw`
    INSERT INTO moderation_events (seq, article_id, type, payload, created_at)
    VALUES (${seq}, ${articleId}::uuid, ${type}, ${JSON.stringify(stored)}::jsonb, ${at})`;
  return {
    articleId,
    stream: MODERATION_FEED,
    seq,
    type,
    audience: 'moderators',
    userId: null,
    at: at.toISOString(),
    data,
  };
}

// Tells the parent's author of a published reply (not when replying to oneself).
export async function notifyReply(
  tx: Tx,
  parentId: string,
  commentId: string,
  articleId: string,
  actorId: string,
): Promise<void> {
  await tx.$executeRaw`
    INSERT INTO notifications (id, user_id, type, comment_id, article_id, actor_id, created_at)
    SELECT gen_random_uuid(), p.author_id, 'reply', ${commentId}::uuid, ${articleId}::uuid, ${actorId}::uuid, now()
    FROM comments p WHERE p.id = ${parentId}::uuid AND p.author_id <> ${actorId}::uuid`;
}

async function bumpAncestors(tx: Tx, path: string[], parentId: string | null, delta: number): Promise<void> {
  const ancestors = path.slice(0, -1);
  if (ancestors.length === 0) return;
  await tx.$executeRaw`
    UPDATE comments
    SET descendant_count = descendant_count + ${delta}::int,
        reply_count = reply_count + CASE WHEN id = ${parentId}::uuid THEN ${delta}::int ELSE 0 END
    WHERE id = ANY(${ancestors}::uuid[])`;
}

async function readComment(tx: Tx, id: string): Promise<CommentRow> {
  const rows = await tx.$queryRaw<CommentRow[]>`
    SELECT ${columns('c')}, u.username AS "authorName", u.display_name AS "authorDisplayName"
    FROM comments c JOIN users u ON u.id = c.author_id WHERE c.id = ${id}::uuid`;
  return rows[0];
}

async function appendEvents(
  tx: Tx,
  articleId: string,
  head: { first: number; at: Date },
  commentId: string,
  events: EventRow[],
  comment: CommentRow,
): Promise<CommittedEvent[]> {
  const committed: CommittedEvent[] = [];
  for (const [i, event] of events.entries()) {
    const seq = head.first + i;
    // The log keeps ids, never the comment's text: a replay renders the
    // comment as it is then (ADR 14); the live event carries it now.
    const data = withComment(event.type, event.payload(comment), comment, event);
    const stored = storedData(event.type, data);
    await tx.$executeRaw`
      INSERT INTO article_events (article_id, seq, type, audience, user_id, comment_id, payload, created_at)
      VALUES (${articleId}::uuid, ${seq}, ${event.type}, ${event.audience}::"EventAudience",
              ${event.userId}::uuid, ${commentId}::uuid, ${JSON.stringify(stored)}::jsonb, ${head.at})`;
    committed.push({
      articleId,
      seq,
      type: event.type,
      audience: event.audience,
      userId: event.userId,
      at: head.at.toISOString(),
      data,
    });
    if (inModerationFeed(event.type))
      committed.push(await appendToModerationFeed(tx, articleId, event.type, data, stored, head.at));
  }
  return committed;
}

class IdTaken extends Error {}
