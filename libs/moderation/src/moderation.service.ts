import { Inject, Injectable } from '@nestjs/common';
import type { AuthUser } from '@rejoinder/accounts';
import { assertPerson, isModerator } from '@rejoinder/accounts';
import { APP_CONFIG, DomainError, DomainEventBus, ErrorCode, Keyset, TIME_ID_KEY } from '@rejoinder/common';
import type { AppConfig } from '@rejoinder/common';
import { CommentStatus, Role } from '@rejoinder/db';
import {
  ArticlesRepository,
  ArticlesService,
  CommentsRepository,
  PostingService,
  eventRow,
  fullView,
  slowModeOf,
  viewComment,
  viewInChain,
} from '@rejoinder/forum';
import type { ArticleRecord, ArticleSettings, CommentRow, CommentView, EventRow } from '@rejoinder/forum';
import type {
  ActionInput,
  ArticleSettingsInput,
  LogQuery,
  QueueQuery,
  ReportInput,
  SanctionInput,
  SlowModeSettingInput,
} from './dto/moderation.dto.js';
import { articleUpdated, SlowModeService } from './slow-mode/slow-mode.service.js';
import { ModerationRepository } from './moderation.repository.js';
import type { UserSanctions } from './moderation.repository.js';
import { fullEntry, publicEntry } from './moderation-log.view.js';
import { assertMayParticipate } from './sanctions.js';
import { eventsFor, transition } from './moderation.transitions.js';
import { asTrustLevel, TrustService } from './trust/trust.service.js';
import { TRUST_LEVEL_NAMES } from './trust/trust-level.js';

// How much an account is trusted, for moderators only: the level in force
// (0 new, 1 member, 2 regular), its name, and whether a moderator pinned it.
export interface TrustView {
  level: number;
  name: string;
  pinned: boolean;
}

export function trustView(user: { trustLevel: number; trustLevelPinned: number | null }): TrustView {
  const level = asTrustLevel(user.trustLevelPinned ?? user.trustLevel);
  return { level, name: TRUST_LEVEL_NAMES[level], pinned: user.trustLevelPinned !== null };
}

export interface QueueItem {
  comment: CommentView;
  version: number;
  openReports: number;
  moderationReason: string | null;
  // Every rule that held it (the last time it was held).
  holdReasons: string[];
  parent: CommentView | null;
  reports: { reason: string; note: string | null; createdAt: string }[];
  author: {
    id: string;
    username: string;
    approved: number;
    rejected: number;
    banned: boolean;
    suspendedUntil: string | null;
    premoderated: boolean;
    ghostBanned: boolean;
    trust: TrustView;
  };
}

export interface ActionResult {
  comment: CommentView;
  version: number;
}

// How many open reports hold a published comment back from readers.
export const REPORT_HOLD_THRESHOLD = Symbol('REPORT_HOLD_THRESHOLD');

@Injectable()
export class ModerationService {
  constructor(
    private readonly repository: ModerationRepository,
    private readonly comments: CommentsRepository,
    private readonly articles: ArticlesRepository,
    private readonly articleViews: ArticlesService,
    private readonly bus: DomainEventBus,
    private readonly posting: PostingService,
    private readonly slowMode: SlowModeService,
    private readonly trust: TrustService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  queueDepth(): Promise<{ pending: number; reported: number }> {
    return this.repository.queueDepth();
  }

  async queue(moderator: AuthUser, query: QueueQuery): Promise<{ items: QueueItem[]; nextCursor: string | null }> {
    const keyset = new Keyset(`q:${query.status}:${query.article ?? '*'}`, TIME_ID_KEY);
    const after = keyset.decode(query.cursor);
    const articleId = query.article ? (await this.articleViews.get(query.article)).id : undefined;
    const ids = await this.repository.queuePage({
      status: query.status,
      articleId,
      after: after && { createdAt: after[0], id: after[1] },
      limit: query.limit + 1,
    });
    const pageIds = ids.slice(0, query.limit);
    const rows = await this.comments.findMany(pageIds);
    const byId = new Map(rows.map((r) => [r.id, r]));
    const ordered = pageIds.map((id) => byId.get(id)).filter((r): r is CommentRow => r !== undefined);
    const items = await this.items(moderator, ordered);
    const last = ordered.at(-1);
    return {
      items,
      nextCursor: ids.length > query.limit && last ? keyset.encode([last.createdAt.toISOString(), last.id]) : null,
    };
  }

  // One comment as the queue shows it (whatever its status): why it was
  // held, its reports, its author's record and trust.
  async item(moderator: AuthUser, commentId: string): Promise<QueueItem> {
    const row = await this.comments.findById(commentId);
    if (!row) throw new DomainError(ErrorCode.CommentNotFound);
    const [item] = await this.items(moderator, [row]);
    return item;
  }

  private async items(moderator: AuthUser, ordered: CommentRow[]): Promise<QueueItem[]> {
    const pageIds = ordered.map((r) => r.id);
    const parentIds = [...new Set(ordered.map((r) => r.parentId).filter((p): p is string => p !== null))];
    const authorIds = [...new Set(ordered.map((r) => r.authorId))];
    const [parents, reports, records, states, holds] = await Promise.all([
      this.comments.findMany(parentIds),
      this.repository.openReports(pageIds),
      this.repository.authorRecords(authorIds),
      this.repository.sanctionStates(authorIds),
      this.repository.holdReasons(pageIds),
    ]);
    const parentById = new Map(parents.map((p) => [p.id, p]));
    const stateById = new Map(states.map((s) => [s.id, s]));
    return ordered.map((row): QueueItem => {
      const state = stateById.get(row.authorId);
      const record = records.get(row.authorId) ?? { approved: 0, rejected: 0 };
      const parent = row.parentId ? parentById.get(row.parentId) : undefined;
      return {
        comment: viewInChain(row, moderator),
        version: row.version,
        openReports: row.openReports,
        moderationReason: row.moderationReason,
        holdReasons: holds.get(row.id) ?? [],
        parent: parent ? viewInChain(parent, moderator) : null,
        reports: reports
          .filter((r) => r.commentId === row.id)
          .map((r) => ({ reason: r.reason, note: r.note, createdAt: r.createdAt.toISOString() })),
        author: {
          id: row.authorId,
          username: row.authorName,
          ...record,
          banned: Boolean(state?.bannedAt),
          suspendedUntil: state?.suspendedUntil?.toISOString() ?? null,
          premoderated: state?.premoderated ?? false,
          ghostBanned: Boolean(state?.ghostBannedAt),
          trust: trustView(state ?? { trustLevel: 0, trustLevelPinned: null }),
        },
      };
    });
  }

  async act(moderator: AuthUser, commentId: string, input: ActionInput): Promise<ActionResult> {
    const outcome = await this.comments.changeState({
      commentId,
      expectedVersion: input.version,
      decide: (current) => transition(input.action, current, input.reason ?? null),
      events: (before) => eventsFor(input.action, before, input.reason ?? null),
      audit: {
        moderatorId: moderator.id,
        action: input.action,
        reasonCode: input.reason ?? null,
        note: input.note ?? null,
      },
    });
    for (const event of outcome.events) this.bus.publish(event);
    // A decision on one of the author's comments changes their history.
    if (outcome.before.status !== outcome.comment.status) await this.trust.invalidate(outcome.comment.authorId);
    if (input.action === 'approve' && outcome.before.status !== CommentStatus.published && outcome.comment.parentId) {
      const parent = await this.comments.findById(outcome.comment.parentId);
      if (parent) this.posting.notifyReply(parent.authorId, fullView(outcome.comment));
    }
    return { comment: viewInChain(outcome.comment, moderator), version: outcome.comment.version };
  }

  // A reader's report. At the threshold, a published comment is held back
  // from readers until a moderator decides.
  async report(
    reporter: AuthUser,
    commentId: string,
    input: ReportInput,
    holdThreshold: number,
  ): Promise<{ openReports: number }> {
    assertPerson(reporter);
    const state = await this.repository.authorState(reporter.id, 0);
    assertMayParticipate(state);
    // A regular's report counts more toward holding the comment.
    const weight = (await this.trust.levelOf(state!)) >= 2 ? this.config.TRUST_REGULAR_REPORT_WEIGHT : 1;
    const comment = await this.comments.findById(commentId);
    // Only what the reader may see can be reported: a comment held back is
    // not found by others.
    if (
      !comment ||
      !(comment.status === CommentStatus.published || comment.status === CommentStatus.pending) ||
      !viewComment(comment, reporter)
    ) {
      throw new DomainError(ErrorCode.CommentNotFound);
    }
    if (comment.authorId === reporter.id) throw new DomainError(ErrorCode.CannotReportOwnComment);
    // The extra weight of the open reports (read before the row lock: a
    // report racing this one counts once, as an ordinary one).
    const open = await this.repository.openReportWeight(commentId);
    const extra = open.weight - open.count + (weight - 1);
    const outcome = await this.comments.changeState({
      commentId,
      report: { reporterId: reporter.id, reason: input.reason, note: input.note ?? null, weight },
      decide: (current) => {
        const openReports = current.openReports + 1;
        const hold = current.status === CommentStatus.published && openReports + extra >= holdThreshold;
        return hold
          ? { openReports, status: CommentStatus.pending, listed: false, holdReasons: ['reports'] }
          : { openReports };
      },
      events: (before, after) => {
        const events: EventRow[] = [];
        if (before.status === CommentStatus.published && after.status === CommentStatus.pending) {
          events.push(
            eventRow('comment.removed').to('public', null, () => ({
              commentId,
              status: 'pending',
              reasonCode: 'reports',
            })),
          );
        }
        if (before.openReports === 0) {
          events.push(
            eventRow('queue.added').to('moderators', null, (c) => ({
              commentId,
              queue: 'reported',
              reason: 'reports',
              reasons: ['reports'],
              version: c.version,
            })),
          );
        }
        return events;
      },
    });
    for (const event of outcome.events) this.bus.publish(event);
    this.slowMode.schedule(comment.articleId);
    return { openReports: outcome.comment.openReports };
  }

  async updateArticle(moderator: AuthUser, slug: string, input: ArticleSettingsInput) {
    const current = await this.articles.findBySlug(slug);
    if (!current) throw new DomainError(ErrorCode.ArticleNotFound);
    const { slowMode, slowModeSeconds, ...rest } = input;
    const slow: SlowModeSettingInput | undefined =
      slowMode ??
      (slowModeSeconds === undefined
        ? undefined
        : slowModeSeconds > 0
          ? { setting: 'manual', seconds: slowModeSeconds }
          : { setting: 'off' });
    const { events } = await this.articles.updateSettingsWithEvent(
      current.id,
      (article) => ({ ...rest, ...(slow ? slowModeSettings(article, slow) : {}) }),
      articleUpdated,
      { moderatorId: moderator.id, note: JSON.stringify(input) },
      (before, after) => {
        const view = slowModeOf(after);
        if (JSON.stringify(slowModeOf(before)) === JSON.stringify(view)) return null;
        return { slug: after.slug, action: 'setting', by: 'moderator', slowMode: view, rate: null, threshold: null };
      },
    );
    for (const event of events) this.bus.publish(event);
    // Back to automatic: measure now rather than at the next comment.
    if (slow?.setting === 'auto') void this.slowMode.evaluate(current.id);
    return this.articleViews.get(slug);
  }

  async sanction(moderator: AuthUser, userId: string, input: SanctionInput): Promise<UserSanctions> {
    const target = await this.repository.sanctionState(userId);
    if (!target) throw new DomainError(ErrorCode.UserNotFound);
    if (isModerator({ id: target.id, username: target.username, role: target.role as AuthUser['role'] })) {
      throw new DomainError(ErrorCode.CannotSanctionStaff);
    }
    const data: {
      bannedAt?: Date | null;
      suspendedUntil?: Date | null;
      premoderated?: boolean;
      trustLevelPinned?: number | null;
      ghostBannedAt?: Date | null;
    } = {};
    if (input.trustLevel !== undefined) data.trustLevelPinned = input.trustLevel;
    if (input.ghostBanned !== undefined) data.ghostBannedAt = input.ghostBanned ? new Date() : null;
    if (input.banned !== undefined) data.bannedAt = input.banned ? new Date() : null;
    if (input.suspendedUntil !== undefined) {
      const until = input.suspendedUntil === null ? null : new Date(input.suspendedUntil);
      if (until && until <= new Date())
        throw new DomainError(ErrorCode.ValidationFailed, 'suspendedUntil must be in the future');
      data.suspendedUntil = until;
    }
    if (input.premoderated !== undefined) data.premoderated = input.premoderated;
    const action =
      input.banned === true
        ? 'ban'
        : input.banned === false
          ? 'unban'
          : input.suspendedUntil
            ? 'suspend'
            : input.suspendedUntil === null
              ? 'unsuspend'
              : input.premoderated !== undefined
                ? input.premoderated
                  ? 'premoderate'
                  : 'unpremoderate'
                : input.ghostBanned !== undefined
                  ? input.ghostBanned
                    ? 'ghost_ban'
                    : 'lift_ghost_ban'
                  : input.trustLevel === null
                    ? 'unpin_trust_level'
                    : 'pin_trust_level';
    const pinNote = input.trustLevel === undefined ? null : `trust level ${input.trustLevel ?? 'computed'}`;
    return this.repository.setSanctions(userId, data, {
      moderatorId: moderator.id,
      action,
      reasonCode: input.reason ?? null,
      note: input.note ?? pinNote,
    });
  }

  // An admin appoints or demotes a moderator (or an admin). The role is read
  // from the database at every request, so it takes effect at once.
  async setRole(admin: AuthUser, userId: string, role: Role): Promise<{ id: string; username: string; role: Role }> {
    if (userId === admin.id) throw new DomainError(ErrorCode.Forbidden, 'Another admin must change your role');
    const target = await this.repository.sanctionState(userId);
    if (!target) throw new DomainError(ErrorCode.UserNotFound);
    return this.repository.setRole(userId, role, { moderatorId: admin.id });
  }

  async log(query: LogQuery, publicOnly: boolean) {
    const keyset = new Keyset(`log:${publicOnly ? 'public' : 'all'}:${query.article ?? '*'}`, TIME_ID_KEY);
    const before = keyset.decode(query.cursor);
    const articleId = query.article ? (await this.articleViews.get(query.article)).id : undefined;
    const rows = await this.repository.log({
      articleId,
      publicOnly,
      before: before && { createdAt: before[0], id: before[1] },
      limit: query.limit + 1,
    });
    return keyset.page(
      rows,
      query.limit,
      (row) => [row.createdAt.toISOString(), row.id],
      (row): object => (publicOnly ? publicEntry(row) : fullEntry(row)),
    );
  }
}

// A moderator's slow-mode choice, applied to the article as it is under its
// row lock: back to automatic keeps an automatic slow mode in force.
function slowModeSettings(article: ArticleRecord, input: SlowModeSettingInput): ArticleSettings {
  const none = { slowModeSeconds: 0, slowModeSource: null, slowModeReason: null, slowModeSince: null };
  switch (input.setting) {
    case 'manual': {
      const seconds = input.seconds!;
      const unchanged = article.slowModeSource === 'manual' && article.slowModeSeconds === seconds;
      return {
        slowModeSetting: 'manual',
        slowModeSeconds: seconds,
        slowModeSource: 'manual',
        slowModeReason: null,
        slowModeSince: unchanged ? article.slowModeSince : new Date(),
      };
    }
    case 'off':
      return { slowModeSetting: 'off', ...none };
    case 'auto':
      return article.slowModeSource === 'auto' ? { slowModeSetting: 'auto' } : { slowModeSetting: 'auto', ...none };
  }
}
