import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AccountsService, PasswordHasher } from '@rejoinder/accounts';
import type { PublicAccount, Session } from '@rejoinder/accounts';
import { APP_CONFIG, DomainError, ErrorCode, RateLimits } from '@rejoinder/common';
import type { AppConfig } from '@rejoinder/common';
import { AccountLinksRepository, LinkTokenRecord } from './account-links.repository.js';
import { hashLinkToken } from './mail-links.js';
import { MailOutboxRepository } from './mail-outbox.repository.js';

// Address confirmation, password reset and the signed-in reader's changes of
// password and address. The messages themselves are queued (mail_outbox) and
// sent by the worker, which makes each link's token.
@Injectable()
export class AccountMailService {
  constructor(
    private readonly links: AccountLinksRepository,
    private readonly outbox: MailOutboxRepository,
    private readonly accounts: AccountsService,
    private readonly hasher: PasswordHasher,
    private readonly limits: RateLimits,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async confirmAddress(token: string): Promise<PublicAccount> {
    const record = await this.usable(token, 'verify_email');
    const account = await this.links.account({ id: record.userId });
    if (!account || !record.email || account.email !== record.email)
      throw new DomainError(ErrorCode.LinkInvalid, 'The link was for an address the account no longer has');
    if (!(await this.links.confirmAddress(record.id, record.userId, record.email)))
      throw new DomainError(ErrorCode.LinkUsed);
    return this.accounts.account(record.userId);
  }

  // Another confirmation link to the account's address (rate limited).
  async resendConfirmation(userId: string): Promise<void> {
    const account = await this.links.account({ id: userId });
    if (!account) throw new DomainError(ErrorCode.UserNotFound);
    if (!account.email) throw new DomainError(ErrorCode.NoEmailAddress);
    if (account.emailVerifiedAt) throw new DomainError(ErrorCode.EmailAlreadyVerified);
    await this.limits.consume('email-verification', userId);
    await this.outbox.enqueue([
      { kind: 'verify_email', recipientId: userId, cause: randomUUID(), data: { email: account.email } },
    ]);
  }

  // Answers the same whether or not the address belongs to an account, and
  // does the same work (one statement that queues the link if it does): the
  // caller always says 202. An account from the publisher's login gets a
  // message saying it has no password here, never a reset link.
  async requestReset(email: string): Promise<void> {
    const address = email.trim().toLowerCase();
    await this.limits.consume('password-reset', address);
    await this.outbox.enqueuePasswordReset(address);
  }

  async confirmReset(token: string, password: string): Promise<Session> {
    const record = await this.usable(token, 'password_reset');
    const account = await this.links.account({ id: record.userId });
    if (!account) throw new DomainError(ErrorCode.LinkInvalid);
    if (account.external) throw new DomainError(ErrorCode.ExternalAccount);
    assertPasswordFits(password, account.username);
    const hash = await this.hasher.hash(password);
    if (!(await this.links.resetPassword(record.id, record.userId, record.email, hash)))
      throw new DomainError(ErrorCode.LinkUsed);
    return this.accounts.sessionFor(await this.accounts.record(record.userId));
  }

  async changePassword(userId: string, current: string, next: string): Promise<Session> {
    const account = await this.localAccount(userId, current);
    assertPasswordFits(next, account.username);
    await this.links.setPassword(userId, await this.hasher.hash(next));
    return this.accounts.sessionFor(await this.accounts.record(userId));
  }

  async changeEmail(userId: string, password: string, email: string): Promise<PublicAccount> {
    const account = await this.localAccount(userId, password);
    const address = email.toLowerCase();
    if (address === account.email) return this.accounts.account(userId);
    if (!(await this.links.setEmail(userId, address))) throw new DomainError(ErrorCode.EmailTaken);
    return this.accounts.account(userId);
  }

  // The signed-in reader's own account, for a change that takes its current
  // password: an account from the publisher's login has none here, and wrong
  // passwords count toward the account's sign-in failures.
  private async localAccount(userId: string, password: string) {
    const account = await this.links.account({ id: userId });
    if (!account) throw new DomainError(ErrorCode.UserNotFound);
    if (account.external) throw new DomainError(ErrorCode.ExternalAccount);
    await this.limits.assertOpen('login-failures', userId);
    if (!(await this.hasher.verify(account.passwordHash, password))) {
      await this.limits.penalise('login-failures', userId);
      throw new DomainError(ErrorCode.InvalidCredentials, 'The password is not right');
    }
    return account;
  }

  private async usable(token: string, purpose: string): Promise<LinkTokenRecord> {
    const record = await this.links.findToken(hashLinkToken(token));
    if (!record || record.purpose !== purpose) throw new DomainError(ErrorCode.LinkInvalid);
    if (record.usedAt) throw new DomainError(ErrorCode.LinkUsed);
    if (record.expiresAt.getTime() <= Date.now()) throw new DomainError(ErrorCode.LinkExpired);
    return record;
  }

  get requireVerified(): boolean {
    return this.config.REQUIRE_VERIFIED_EMAIL_TO_POST;
  }
}

function assertPasswordFits(password: string, username: string): void {
  if (password.toLowerCase().includes(username.toLowerCase()))
    throw new DomainError(ErrorCode.ValidationFailed, 'The password must not contain the username', {
      errors: [{ path: 'password', code: 'custom', message: 'must not contain the username' }],
    });
}
