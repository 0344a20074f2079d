import { Injectable } from '@nestjs/common';
import { DomainError, ErrorCode } from '@rejoinder/common';
import type { ArticleEvent } from '@rejoinder/common';
import { CommentStatus, Prisma, PrismaService } from '@rejoinder/db';
import {
  appendCommentEvents,
  bumpAncestors,
  holdArticle,
  lockArticle,
  notifyReply,
} from '../event-log/event-log.repository.js';
import type { EventRow } from '../event-log/event-rows.js';
import { CommentRow } from './comment.types.js';
import { columns, readComment } from './comment-rows.js';
import { treeQuery } from './thread-query.js';
import type { TreeQueryArgs } from './thread-query.js';

const { sql } = Prisma;

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

export type ChangeOutcome = { before: CommentRow; comment: CommentRow; events: ArticleEvent[] };

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
      await holdArticle(tx, located.articleId);
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
      const committed = head ? await appendCommentEvents(tx, before.articleId, head, before.id, events, after) : [];
      if (args.audit) {
        await tx.$executeRaw`
          INSERT INTO moderation_actions (id, moderator_id, action, target_type, target_id, article_id, reason_code, note, created_at)
          VALUES (gen_random_uuid(), ${args.audit.moderatorId}::uuid, ${args.audit.action}, 'comment', ${before.id}::uuid,
                  ${before.articleId}::uuid, ${args.audit.reasonCode ?? null}, ${args.audit.note ?? null}, now())`;
      }
      return { before, comment: after, events: committed };
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

  async revisions(commentId: string) {
    return this.prisma.commentRevision.findMany({
      where: { commentId },
      orderBy: { replacedAt: 'asc' },
      select: { bodySource: true, bodyHtml: true, replacedAt: true },
    });
  }
}
