import { Injectable } from '@nestjs/common';
import { Prisma, PrismaService, Role } from '@rejoinder/db';

export interface UserRecord {
  id: string;
  username: string;
  email: string | null;
  passwordHash: string | null;
  role: Role;
  createdAt: Date;
  externalIssuer: string | null;
  externalSubject: string | null;
  // The trust level in force as last computed (read on every request);
  // null until it is first computed.
  trustLevel?: number | null;
  emailVerifiedAt: Date | null;
  sessionsValidAfter: Date | null;
  // The chosen language (a catalogue's tag); null: the browser's, else DEFAULT_LOCALE.
  locale?: string | null;
}

export interface ExternalIdentity {
  issuer: string;
  subject: string;
}

// What an open socket follows of its account: role and sanctions.
export interface AccountState {
  id: string;
  username: string;
  role: Role;
  createdAt: Date;
  bannedAt: Date | null;
  suspendedUntil: Date | null;
  premoderated: boolean;
  // Tokens issued before it are refused (sign-out everywhere).
  sessionsValidAfter: Date | null;
}

const userColumns = {
  id: true,
  username: true,
  email: true,
  passwordHash: true,
  role: true,
  createdAt: true,
  externalIssuer: true,
  externalSubject: true,
  emailVerifiedAt: true,
  sessionsValidAfter: true,
  locale: true,
} satisfies Prisma.UserSelect;

export const USER_BY_ID = `SELECT id, username, email, password_hash AS "passwordHash", role::text AS role,
  created_at AS "createdAt", external_issuer AS "externalIssuer", external_subject AS "externalSubject",
  -- Null until first computed (an account from before trust levels is not
  -- taken for a new one).
  CASE WHEN trust_level_pinned IS NULL AND trust_computed_at IS NULL THEN NULL
       ELSE COALESCE(trust_level_pinned, trust_level)::int END AS "trustLevel",
  email_verified_at AS "emailVerifiedAt", sessions_valid_after AS "sessionsValidAfter", locale
  FROM users WHERE id = $1::uuid`;

// USER_BY_ID and, in the same row, the author's standing as the posting rules
// read it (the columns of the moderation's AUTHOR_STATE but the count of
// published comments): read by the authentication of a post, so that the
// account is read once a post.
export const USER_WITH_STANDING_BY_ID = `SELECT id, username, email, password_hash AS "passwordHash", role::text AS role,
  created_at AS "createdAt", external_issuer AS "externalIssuer", external_subject AS "externalSubject",
  CASE WHEN trust_level_pinned IS NULL AND trust_computed_at IS NULL THEN NULL
       ELSE COALESCE(trust_level_pinned, trust_level)::int END AS "trustLevel",
  email_verified_at AS "emailVerifiedAt", sessions_valid_after AS "sessionsValidAfter", locale,
  banned_at AS "bannedAt", suspended_until AS "suspendedUntil", premoderated, ghost_banned_at AS "ghostBannedAt",
  trust_level AS "storedTrustLevel", trust_level_pinned AS "trustLevelPinned", trust_computed_at AS "trustComputedAt"
  FROM users WHERE id = $1::uuid`;

export interface UserWithStanding extends UserRecord {
  bannedAt: Date | null;
  suspendedUntil: Date | null;
  premoderated: boolean;
  ghostBannedAt: Date | null;
  storedTrustLevel: number;
  trustLevelPinned: number | null;
  trustComputedAt: Date | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@Injectable()
export class UsersRepository {
  constructor(private readonly prisma: PrismaService) {}

  // Read on every authenticated request: one statement on the driver (ADR 26).
  async setLocale(id: string, locale: string | null): Promise<void> {
    await this.prisma.user.update({ where: { id }, data: { locale }, select: { id: true } });
  }

  async findById(id: string): Promise<UserRecord | null> {
    if (!UUID.test(id)) return null;
    const { rows } = await this.prisma.read<UserRecord>({ text: USER_BY_ID, values: [id] });
    return rows[0] ?? null;
  }

  async findByIdWithStanding(id: string): Promise<UserWithStanding | null> {
    if (!UUID.test(id)) return null;
    const { rows } = await this.prisma.read<UserWithStanding>({ text: USER_WITH_STANDING_BY_ID, values: [id] });
    return rows[0] ?? null;
  }

  findByLogin(login: string): Promise<UserRecord | null> {
    const key = login.toLowerCase();
    return key.includes('@')
      ? this.prisma.user.findUnique({ where: { email: key }, select: userColumns })
      : this.prisma.user.findUnique({ where: { usernameKey: key }, select: userColumns });
  }

  async taken(username: string, email: string): Promise<{ username: boolean; email: boolean }> {
    const rows = await this.prisma.user.findMany({
      where: { OR: [{ usernameKey: username.toLowerCase() }, { email: email.toLowerCase() }] },
      select: { usernameKey: true, email: true },
    });
    return {
      username: rows.some((r) => r.usernameKey === username.toLowerCase()),
      email: rows.some((r) => r.email === email.toLowerCase()),
    };
  }

  // Returns null when the username or email was taken in the meantime.
  async create(data: {
    username: string;
    email: string;
    passwordHash: string;
    role?: Role;
  }): Promise<UserRecord | null> {
    try {
      return await this.prisma.user.create({
        data: {
          username: data.username,
          usernameKey: data.username.toLowerCase(),
          email: data.email.toLowerCase(),
          passwordHash: data.passwordHash,
          role: data.role ?? Role.commenter,
        },
        select: userColumns,
      });
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') return null;
      throw error;
    }
  }

  accountStates(ids: string[], since?: Date): Promise<AccountState[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.prisma.user.findMany({
      where: { id: { in: ids }, ...(since ? { updatedAt: { gt: since } } : {}) },
      select: {
        id: true,
        username: true,
        role: true,
        createdAt: true,
        bannedAt: true,
        suspendedUntil: true,
        premoderated: true,
        sessionsValidAfter: true,
      },
    });
  }

  findByIdentity(identity: ExternalIdentity): Promise<UserRecord | null> {
    return this.prisma.user.findUnique({
      where: { externalIssuer_externalSubject: { externalIssuer: identity.issuer, externalSubject: identity.subject } },
      select: userColumns,
    });
  }

  // An account for an external identity, with no password. Returns the
  // conflicting column when the username, the email or the identity is taken.
  async createExternal(data: {
    identity: ExternalIdentity;
    username: string;
    email: string | null;
    emailVerified: boolean;
    role: Role;
  }): Promise<UserRecord | 'taken'> {
    try {
      return await this.prisma.user.create({
        data: {
          username: data.username,
          usernameKey: data.username.toLowerCase(),
          email: data.email,
          emailVerifiedAt: data.emailVerified ? new Date() : null,
          passwordHash: null,
          role: data.role,
          externalIssuer: data.identity.issuer,
          externalSubject: data.identity.subject,
        },
        select: userColumns,
      });
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') return 'taken';
      throw error;
    }
  }

  // Returns null when the new username or email was taken in the meantime.
  async updateProfile(
    id: string,
    data: { username?: string; email?: string | null; emailVerified?: boolean; role?: Role },
  ): Promise<UserRecord | null> {
    const { emailVerified, ...rest } = data;
    try {
      return await this.prisma.user.update({
        where: { id },
        data: {
          ...rest,
          ...(data.username ? { usernameKey: data.username.toLowerCase() } : {}),
          ...(emailVerified === undefined
            ? {}
            : { emailVerifiedAt: emailVerified ? new Date() : null, emailUndeliverableAt: null }),
        },
        select: userColumns,
      });
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') return null;
      throw error;
    }
  }

  setRole(id: string, role: Role): Promise<UserRecord> {
    return this.prisma.user.update({ where: { id }, data: { role }, select: userColumns });
  }
}
