import { Inject, Injectable, Optional } from '@nestjs/common';
import { APP_CONFIG, DomainError, ErrorCode, knownLocales, RateLimits } from '@rejoinder/common';
import type { AppConfig } from '@rejoinder/common';
import { Role } from '@rejoinder/db';
import { AuthUser, ERASED_AUTHOR_ID } from './auth-user.js';
import { LoginInput, RegisterInput } from './dto/account.dto.js';
import { PasswordHasher } from './password-hasher.js';
import { IssuedToken, TokenService } from './token.service.js';
import { UserRecord, UsersRepository } from './users.repository.js';
import type { UserWithStanding } from './users.repository.js';
import type { AccountState } from './users.repository.js';
import { SIGNUP_POLICY } from './signup-policy.js';
import type { SignupPolicy } from './signup-policy.js';

export interface PublicAccount {
  id: string;
  username: string;
  // Null for an account from the publisher's login that gave no address.
  email: string | null;
  // The address is confirmed (mail goes only to a confirmed address).
  emailVerified: boolean;
  // Signs in with the publisher's login: no password here.
  external: boolean;
  role: Role;
  createdAt: string;
  // The chosen language; null: the browser's, else DEFAULT_LOCALE.
  locale: string | null;
}

export interface Session extends IssuedToken {
  user: PublicAccount;
}

// A token issued before the account's last sign-out everywhere is no longer valid.
export function signedOut(issuedAt: Date, validAfter: Date | null): boolean {
  return validAfter !== null && issuedAt.getTime() < validAfter.getTime();
}

function toAccount(user: UserRecord): PublicAccount {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    emailVerified: user.email !== null && user.emailVerifiedAt !== null,
    external: user.externalIssuer !== null,
    role: user.role,
    createdAt: user.createdAt.toISOString(),
    locale: user.locale ?? null,
  };
}

@Injectable()
export class AccountsService {
  constructor(
    private readonly users: UsersRepository,
    private readonly hasher: PasswordHasher,
    private readonly tokens: TokenService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() private readonly limits?: RateLimits,
    @Optional() @Inject(SIGNUP_POLICY) private readonly signupPolicy?: SignupPolicy,
  ) {}

  // Self-service registration, unless the newsroom turned it off so readers
  // come only through its own login.
  async signUp(input: RegisterInput): Promise<Session> {
    if (!this.config.LOCAL_SIGNUP) throw new DomainError(ErrorCode.SignupDisabled);
    await this.signupPolicy?.admit(input.email);
    return this.register(input);
  }

  // A session for an account found or made by another way of signing in.
  async sessionFor(user: UserRecord): Promise<Session> {
    return { user: toAccount(user), ...(await this.tokens.issue(user.id)) };
  }

  // Checks an account's password (for confirming a destructive action).
  async checkPassword(userId: string, password: string): Promise<void> {
    const user = await this.users.findById(userId);
    const ok = await this.hasher.verify(user?.passwordHash ?? null, password);
    if (!user?.passwordHash || !ok) throw new DomainError(ErrorCode.InvalidCredentials, 'The password is not right');
  }

  async register(input: RegisterInput, role: Role = Role.commenter): Promise<Session> {
    await this.assertAvailable(input.username, input.email);
    const user = await this.users.create({ ...input, passwordHash: await this.hasher.hash(input.password), role });
    // Lost a race with another registration for the same name or address.
    if (!user) await this.assertAvailable(input.username, input.email);
    if (!user) throw new DomainError(ErrorCode.UsernameTaken);
    return { user: toAccount(user), ...(await this.tokens.issue(user.id)) };
  }

  // Failed attempts are counted per account, whatever address they come
  // from; at the limit the account refuses sign-ins (429 with Retry-After)
  // until the window passes. Names that match no account are counted too, so
  // the answer tells nothing about which exist.
  async login(input: LoginInput): Promise<Session> {
    const user = await this.users.findByLogin(input.login);
    const key = user?.id ?? `login:${input.login.trim().toLowerCase()}`;
    await this.limits?.assertOpen('login-failures', key);
    const ok = await this.hasher.verify(user?.passwordHash ?? null, input.password);
    // An account without a password (from the publisher's login) never signs in with one.
    if (!user?.passwordHash || !ok) {
      await this.limits?.penalise('login-failures', key);
      throw new DomainError(ErrorCode.InvalidCredentials);
    }
    await this.limits?.reset('login-failures', key);
    return { user: toAccount(user), ...(await this.tokens.issue(user.id)) };
  }

  // The user behind a bearer token; the role comes from the database, so a
  // promotion or demotion takes effect on the next request.
  async authenticate(token: string, withStanding = false): Promise<AuthUser> {
    return (await this.session(token, withStanding)).user;
  }

  // The same, with the time the token expires (an open socket signs out then).
  // A token issued before the account's last sign-out everywhere (a password
  // reset or change) is refused as expired. With the standing: the account's
  // sanctions, trust and address too, in the same statement (for posting).
  async session(token: string, withStanding = false): Promise<{ user: AuthUser; expiresAt: Date; issuedAt: Date }> {
    const { userId, expiresAt, issuedAt } = await this.tokens.verify(token);
    const user =
      userId === ERASED_AUTHOR_ID
        ? null
        : withStanding
          ? await this.users.findByIdWithStanding(userId)
          : await this.users.findById(userId);
    if (!user) throw new DomainError(ErrorCode.InvalidToken, 'The account no longer exists');
    if (signedOut(issuedAt, user.sessionsValidAfter))
      throw new DomainError(ErrorCode.TokenExpired, 'Signed out everywhere: sign in again');
    const authUser: AuthUser = {
      id: user.id,
      username: user.username,
      role: user.role,
      createdAt: user.createdAt,
      trustLevel: user.trustLevel,
    };
    if (withStanding) {
      const s = user as UserWithStanding;
      authUser.standing = {
        id: s.id,
        username: s.username,
        role: s.role,
        bannedAt: s.bannedAt,
        suspendedUntil: s.suspendedUntil,
        premoderated: s.premoderated,
        ghostBannedAt: s.ghostBannedAt,
        createdAt: s.createdAt,
        email: s.email,
        emailVerified: s.email !== null && s.emailVerifiedAt !== null,
        trustLevel: s.storedTrustLevel,
        trustLevelPinned: s.trustLevelPinned,
        trustComputedAt: s.trustComputedAt,
      };
    }
    return { user: authUser, expiresAt, issuedAt };
  }

  // The account as it is now, for a caller that holds an older copy (a socket).
  async current(userId: string): Promise<AuthUser> {
    const user = userId === ERASED_AUTHOR_ID ? null : await this.users.findById(userId);
    if (!user) throw new DomainError(ErrorCode.InvalidToken, 'The account no longer exists');
    return {
      id: user.id,
      username: user.username,
      role: user.role,
      createdAt: user.createdAt,
      trustLevel: user.trustLevel,
    };
  }

  // Role and sanctions of these accounts, those changed since `since` only
  // when given (open sockets follow their accounts with this).
  accountStates(ids: string[], since?: Date): Promise<AccountState[]> {
    return this.users.accountStates(ids, since);
  }

  async account(userId: string): Promise<PublicAccount> {
    const user = await this.users.findById(userId);
    if (!user) throw new DomainError(ErrorCode.UserNotFound);
    return toAccount(user);
  }

  // The reader's language for the pages and their emails: one of the
  // catalogues, or null to follow the browser.
  async setLocale(userId: string, locale: string | null): Promise<PublicAccount> {
    if (locale !== null && !knownLocales().includes(locale))
      throw new DomainError(
        ErrorCode.ValidationFailed,
        /*i18n*/ {
          id: 'detail.locale-unknown',
          message: 'There is no catalogue for the language {locale}',
          values: { locale },
        },
      );
    await this.users.setLocale(userId, locale);
    return this.account(userId);
  }

  // The stored account, for a caller that issues it a new session.
  async record(userId: string): Promise<UserRecord> {
    const user = await this.users.findById(userId);
    if (!user) throw new DomainError(ErrorCode.UserNotFound);
    return user;
  }

  async setRole(login: string, role: Role): Promise<PublicAccount> {
    const user = await this.users.findByLogin(login);
    if (!user) throw new DomainError(ErrorCode.UserNotFound);
    return toAccount(await this.users.setRole(user.id, role));
  }

  private async assertAvailable(username: string, email: string): Promise<void> {
    const taken = await this.users.taken(username, email);
    if (taken.username) throw new DomainError(ErrorCode.UsernameTaken);
    if (taken.email) throw new DomainError(ErrorCode.EmailTaken);
  }
}
