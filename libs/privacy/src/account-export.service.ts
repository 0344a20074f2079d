import { Injectable } from '@nestjs/common';
import { DomainError, ErrorCode } from '@rejoinder/common';
import { statusSeenBy } from '@rejoinder/forum';
import { PrivacyRepository } from './privacy.repository.js';

export const EXPORT_FORMAT = 'rejoinder.account-export';
export const EXPORT_VERSION = 1;

const iso = (date: Date | null) => (date ? date.toISOString() : null);

// Everything Rejoinder holds about a reader, in the documented format of
// docs/privacy.md (the right of access and to data portability). The password
// hash is never exported, only whether there is one; who moderated is not
// the reader's data and is left out.
@Injectable()
export class AccountExportService {
  constructor(private readonly privacy: PrivacyRepository) {}

  async export(userId: string) {
    const data = await this.privacy.everything(userId);
    const user = data.user;
    if (!user) throw new DomainError(ErrorCode.UserNotFound);
    const owner = { id: user.id, username: user.username, role: user.role };
    return {
      format: EXPORT_FORMAT,
      version: EXPORT_VERSION,
      exportedAt: new Date().toISOString(),
      account: {
        id: user.id,
        username: user.username,
        email: user.email,
        role: user.role,
        createdAt: iso(user.createdAt),
        updatedAt: iso(user.updatedAt),
        hasPassword: user.passwordHash !== null,
        externalIdentity: user.externalIssuer ? { issuer: user.externalIssuer, subject: user.externalSubject } : null,
      },
      comments: data.comments.map((c) => ({
        id: c.id,
        article: { id: c.articleId, slug: c.article.slug },
        parentId: c.parentId,
        // As its author is shown it (a ghost ban never shows through).
        status: statusSeenBy({ status: c.status, authorId: user.id }, owner),
        body: c.bodySource,
        html: c.bodyHtml,
        createdAt: iso(c.createdAt),
        editedAt: iso(c.editedAt),
        upvotes: c.upvotes,
        downvotes: c.downvotes,
        featured: c.featured,
        pinned: c.pinned,
        moderationReason: c.moderationReason,
        revisions: c.revisions.map((r) => ({ body: r.bodySource, html: r.bodyHtml, replacedAt: iso(r.replacedAt) })),
      })),
      votes: data.votes.map((v) => ({
        commentId: v.commentId,
        value: v.value,
        createdAt: iso(v.createdAt),
        updatedAt: iso(v.updatedAt),
      })),
      reports: data.reports.map((r) => ({
        commentId: r.commentId,
        reason: r.reason,
        note: r.note,
        createdAt: iso(r.createdAt),
        resolvedAt: iso(r.resolvedAt),
      })),
      notifications: data.notifications.map((n) => ({
        id: n.id,
        type: n.type,
        commentId: n.commentId,
        articleId: n.articleId,
        readAt: iso(n.readAt),
        createdAt: iso(n.createdAt),
      })),
      sanctions: {
        current: {
          bannedAt: iso(user.bannedAt),
          suspendedUntil: iso(user.suspendedUntil),
          premoderated: user.premoderated,
        },
        history: data.sanctions.map((s) => ({
          action: s.action,
          reasonCode: s.reasonCode,
          note: s.note,
          at: iso(s.createdAt),
        })),
      },
    };
  }
}
