import { Injectable, Optional } from '@nestjs/common';
import { DomainError, ErrorCode, RateLimits } from '@rejoinder/common';
import { Role } from '@rejoinder/db';
import { AuthUser } from './auth-user.js';
import { LoginInput, RegisterInput } from './dto/account.dto.js';
import { PasswordHasher } from './password-hasher.js';
import { IssuedToken, TokenService } from './token.service.js';
import { UserRecord, UsersRepository } from './users.repository.js';
import type { AccountState } from './users.repository.js';

export interface PublicAccount {
  id: string;
  username: string;
  email: string;
  role: Role;
  createdAt: string;
}

export interface Session extends IssuedToken {
  user: PublicAccount;
}

function toAccount(user: UserRecord): PublicAccount {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    role: user.role,
    createdAt: user.createdAt.toISOString(),
  };
}

@Injectable()
export class AccountsService {
  constructor(
    private readonly users: UsersRepository,
    private readonly hasher: PasswordHasher,
    private readonly tokens: TokenService,
    @Optional() private readonly limits?: RateLimits,
  ) {}

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
    if (!user || !ok) {
      await this.limits?.penalise('login-failures', key);
      throw new DomainError(ErrorCode.InvalidCredentials);
    }
    await this.limits?.reset('login-failures', key);
    return { user: toAccount(user), ...(await this.tokens.issue(user.id)) };
  }

  // The user behind a bearer token; the role comes from the database, so a
  // promotion or demotion takes effect on the next request.
  async authenticate(token: string): Promise<AuthUser> {
    return (await this.session(token)).user;
  }

  // The same, with the time the token expires (an open socket signs out then).
  async session(token: string): Promise<{ user: AuthUser; expiresAt: Date }> {
    const { userId, expiresAt } = await this.tokens.verify(token);
    return { user: await this.current(userId), expiresAt };
  }

  // The account as it is now, for a caller that holds an older copy (a socket).
  async current(userId: string): Promise<AuthUser> {
    const user = await this.users.findById(userId);
    if (!user) throw new DomainError(ErrorCode.InvalidToken, 'The account no longer exists');
    return { id: user.id, username: user.username, role: user.role, createdAt: user.createdAt };
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
