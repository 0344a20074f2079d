import { Injectable } from '@nestjs/common';
import { DomainError, ErrorCode } from '@rejoinder/common';
import { AccountsService, Session } from '../accounts.service.js';
import { UsersRepository } from '../users.repository.js';
import { ExternalAccountsService, profileFromClaims } from './external-accounts.service.js';
import { SsoTokenVerifier } from './sso-token.verifier.js';

// Sign-in with a token signed by the host site: the reader signed in there
// is signed in here, in an account of the publisher's namespace.
@Injectable()
export class SsoService {
  constructor(
    private readonly verifier: SsoTokenVerifier,
    private readonly external: ExternalAccountsService,
    private readonly accounts: AccountsService,
    private readonly users: UsersRepository,
  ) {}

  async signIn(token: string): Promise<Session> {
    const claims = await this.verifier.verify(token);
    const profile = profileFromClaims(
      { issuer: this.verifier.issuer, subject: claims.sub },
      claims,
      this.verifier.roleClaim,
    );
    return this.accounts.sessionFor(await this.external.upsert(profile));
  }

  // A token just signed by the host for this very account: how a reader
  // without a password confirms erasing their account.
  async confirm(userId: string, token: string): Promise<void> {
    const claims = await this.verifier.verify(token);
    const user = await this.users.findById(userId);
    if (!user || user.externalIssuer !== this.verifier.issuer || user.externalSubject !== claims.sub) {
      throw new DomainError(ErrorCode.SignInWrongAccount);
    }
  }
}
