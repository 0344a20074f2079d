import { Inject, Injectable, Optional } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { APP_CONFIG } from '@rejoinder/common';
import type { AppConfig } from '@rejoinder/common';
import { Role } from '@rejoinder/db';
import { ExternalIdentity, UserRecord, UsersRepository } from '../users.repository.js';
import { SIGNUP_POLICY } from '../signup-policy.js';
import type { SignupPolicy } from '../signup-policy.js';

// What the publisher's login says about a reader (a signed token's claims or
// an OIDC provider's ID token and user info).
export interface ExternalProfile {
  identity: ExternalIdentity;
  name: string | null;
  email: string | null;
  // The provider vouches for the address (`email_verified: true`).
  emailVerified: boolean;
  // Values of the configured role claim; undefined when the claim is absent.
  roles: string[] | undefined;
}

const RANK: Record<Role, number> = { commenter: 0, moderator: 1, admin: 2 };
const NAME_ATTEMPTS = 6;

// Profile claims -> a profile: the display name, a usable email address and
// the role claim's values.
export function profileFromClaims(
  identity: ExternalIdentity,
  claims: Record<string, unknown>,
  roleClaim: string | undefined,
): ExternalProfile {
  const name = [claims.name, claims.preferred_username, claims.nickname].find(
    (v): v is string => typeof v === 'string' && v.trim() !== '',
  );
  const email =
    typeof claims.email === 'string' &&
    /^[^\s@]+@[^\s@]+$/.test(claims.email) &&
    claims.email.length <= 254 &&
    claims.email_verified !== false
      ? claims.email.toLowerCase()
      : null;
  const raw = roleClaim ? claims[roleClaim] : undefined;
  const roles =
    typeof raw === 'string'
      ? [raw]
      : Array.isArray(raw)
        ? raw.filter((v): v is string => typeof v === 'string')
        : undefined;
  return {
    identity,
    name: name?.trim() ?? null,
    email,
    emailVerified: email !== null && claims.email_verified === true,
    roles,
  };
}

// A display name -> a username in the local alphabet (letters, digits, "_", "-").
export function usernameBase(name: string | null): string {
  const base = (name ?? '')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9_-]+/g, '_')
    .replace(/^[_-]+|[_-]+$/g, '')
    .slice(0, 24);
  return base.length >= 3 ? base : 'reader';
}

// Accounts that come from the publisher's login. They are found by issuer and
// subject only, never by name or address, so a reader of the host site can
// never sign into a local account that happens to share their name; their
// username is made unique with a suffix when the name is taken.
@Injectable()
export class ExternalAccountsService {
  constructor(
    private readonly users: UsersRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() @Inject(SIGNUP_POLICY) private readonly signupPolicy?: SignupPolicy,
  ) {}

  async upsert(profile: ExternalProfile): Promise<UserRecord> {
    const role = this.mappedRole(profile.roles);
    const existing = await this.users.findByIdentity(profile.identity);
    if (existing) return this.refresh(existing, profile, role);
    // A new account from the publisher's login passes the same domain rules
    // as one made here; staff the publisher names are not refused.
    if ((role ?? Role.commenter) === Role.commenter) await this.signupPolicy?.admit(profile.email);
    for (let attempt = 0; attempt < NAME_ATTEMPTS; attempt++) {
      const username = candidate(profile.name, attempt);
      const email = profile.email && (await this.emailFree(profile.email)) ? profile.email : null;
      const created = await this.users.createExternal({
        identity: profile.identity,
        username,
        email,
        emailVerified: email !== null && profile.emailVerified,
        role: role ?? Role.commenter,
      });
      if (created !== 'taken') return created;
      // A sign-in racing this one may have made the account.
      const raced = await this.users.findByIdentity(profile.identity);
      if (raced) return this.refresh(raced, profile, role);
    }
    throw new Error('No free username for an external account');
  }

  // The publisher is the source of truth for the name, the address and,
  // when a role claim is configured, the role: each sign-in brings them up to date.
  private async refresh(user: UserRecord, profile: ExternalProfile, role: Role | null): Promise<UserRecord> {
    const changes: { username?: string; email?: string | null; emailVerified?: boolean; role?: Role } = {};
    const base = usernameBase(profile.name);
    if (profile.name && user.username !== base && !user.username.startsWith(`${base}-`)) changes.username = base;
    if (profile.email !== user.email && (profile.email === null || (await this.emailFree(profile.email))))
      changes.email = profile.email;
    // The provider vouches for the address now (or for a new one): it counts as confirmed.
    if (profile.email !== null && profile.emailVerified && (changes.email !== undefined || !user.emailVerifiedAt))
      changes.emailVerified = true;
    else if (changes.email !== undefined) changes.emailVerified = false;
    if (role !== null && role !== user.role) changes.role = role;
    if (Object.keys(changes).length === 0) return user;
    for (let attempt = 0; attempt < NAME_ATTEMPTS; attempt++) {
      const updated = await this.users.updateProfile(user.id, changes);
      if (updated) return updated;
      if (!changes.username) break;
      changes.username = candidate(profile.name, attempt + 1);
    }
    // Keep the old name rather than fail the sign-in.
    const { username: _keep, ...rest } = changes;
    return (await this.users.updateProfile(user.id, { ...rest, email: user.email })) ?? user;
  }

  // The highest role the claim's values map to; null when no role claim is
  // configured (roles are then managed here, not by the publisher).
  private mappedRole(values: string[] | undefined): Role | null {
    if (!this.config.SSO_ROLE_CLAIM) return null;
    const map = new Map(this.config.SSO_ROLE_MAP.map((pair) => pair.split('=') as [string, Role]));
    let role: Role = Role.commenter;
    for (const value of values ?? []) {
      const mapped = map.get(value);
      if (mapped && RANK[mapped] > RANK[role]) role = mapped;
    }
    return role;
  }

  private async emailFree(email: string): Promise<boolean> {
    return !(await this.users.findByLogin(email));
  }
}

function candidate(name: string | null, attempt: number): string {
  const base = usernameBase(name);
  return attempt === 0 ? base : `${base}-${randomBytes(2).toString('hex')}`;
}
