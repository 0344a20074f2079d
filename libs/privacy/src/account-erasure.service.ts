import { Injectable } from '@nestjs/common';
import { AccountsService, ERASED_AUTHOR_ID, OidcService, SsoService } from '@rejoinder/accounts';
import type { AuthUser, OidcResponse } from '@rejoinder/accounts';
import { DomainError, DomainEventBus, ErrorCode } from '@rejoinder/common';
import { CommentStatus } from '@rejoinder/db';
import { eventRow } from '@rejoinder/forum';
import { CommentErasureRepository } from './comment-erasure.repository.js';
import type { CommentRow, EventRow } from '@rejoinder/forum';
import { PrivacyRepository } from './privacy.repository.js';

export interface ErasureResult {
  userId: string;
  comments: number;
  erasedAt: string;
}

// What a reader's open thread learns when an erased account's comment turns
// into a tombstone: the same events as when an author deletes.
function erasureEvents(before: CommentRow): EventRow[] {
  switch (before.status) {
    case CommentStatus.published:
      return [eventRow('comment.deleted').to('public', null, (c) => ({ commentId: c.id }))];
    case CommentStatus.pending:
      return [
        eventRow('comment.deleted').to('moderators', null, (c) => ({ commentId: c.id })),
        eventRow('queue.resolved').to('moderators', null, (c) => ({
          commentId: c.id,
          action: 'erase',
          status: c.status,
          version: c.version,
        })),
      ];
    default:
      return [];
  }
}

const ATTEMPTS = 3;

// The right to erasure: the account and its personal data go; its comments
// stay as tombstones without body or author so the replies keep their place;
// revisions and moderation notes go (the event log keeps ids only). The
// moderation log records that an erasure happened (who asked, which account
// id), not what was erased.
@Injectable()
export class AccountErasureService {
  constructor(
    private readonly accounts: AccountsService,
    private readonly sso: SsoService,
    private readonly oidc: OidcService,
    private readonly comments: CommentErasureRepository,
    private readonly privacy: PrivacyRepository,
    private readonly events: DomainEventBus,
  ) {}

  // The reader erases their own account, confirming with their password or,
  // for an account from the publisher's login, a token the host just signed
  // or the answer of a sign-in just made at the OIDC provider.
  async eraseOwn(
    user: AuthUser,
    confirmation: { password?: string; token?: string; oidc?: OidcResponse },
  ): Promise<ErasureResult> {
    if (confirmation.password !== undefined) await this.accounts.checkPassword(user.id, confirmation.password);
    else if (confirmation.token !== undefined) await this.sso.confirm(user.id, confirmation.token);
    else if (confirmation.oidc !== undefined) await this.oidc.confirm(user.id, confirmation.oidc);
    else
      throw new DomainError(
        ErrorCode.ErasureNotConfirmed,
        "Send your password, a fresh token from the publisher's login, or a fresh OIDC sign-in",
      );
    return this.erase(user.id, user.id);
  }

  // An admin erases an account (a reader's request that reached the
  // newsroom), confirming with the account's username.
  async eraseByAdmin(admin: AuthUser, userId: string, confirm: string | undefined): Promise<ErasureResult> {
    if (userId === ERASED_AUTHOR_ID) throw new DomainError(ErrorCode.UserNotFound);
    const account = await this.accounts.account(userId);
    if (confirm === undefined || confirm !== account.username) {
      throw new DomainError(ErrorCode.ErasureNotConfirmed, 'Send the account\'s username as "confirm"');
    }
    return this.erase(userId, admin.id);
  }

  private async erase(userId: string, actorId: string): Promise<ErasureResult> {
    let comments = 0;
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const outcome = await this.comments.eraseAuthor(userId, ERASED_AUTHOR_ID, erasureEvents);
      comments += outcome.comments;
      for (const event of outcome.events) this.events.publish(event);
      if (await this.privacy.deleteAccount(userId, { actorId }))
        return { userId, comments, erasedAt: new Date().toISOString() };
    }
    throw new Error('The account kept writing comments while being erased');
  }
}
