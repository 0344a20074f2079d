import { DomainError, ErrorCode } from '@rejoinder/common';
import { Role } from '@rejoinder/db';

// Who is making a request, as every service sees it (REST and socket alike).
export interface AuthUser {
  id: string;
  username: string;
  role: Role;
  // When the account was made (new accounts get stricter limits).
  createdAt?: Date;
  // Trust level in force (0 new, 1 member, 2 regular) as last computed
  // (null: not computed yet): level 0 gets the stricter posting limits.
  trustLevel?: number | null;
  // Set when the caller is a service key, not a person (its id is the key's).
  apiKey?: { id: string; name: string; scopes: string[] };
  // The account's sanctions, trust and address, read with it in the same
  // statement, on the routes that ask for them (posting): the posting rules
  // then read the account no second time in the request.
  standing?: AuthorStanding;
}

// What the posting rules read of the author, but the count of its published
// comments (the same columns as the moderation's author read).
export interface AuthorStanding {
  id: string;
  username: string;
  role: string;
  bannedAt: Date | null;
  suspendedUntil: Date | null;
  premoderated: boolean;
  ghostBannedAt: Date | null;
  createdAt: Date;
  email: string | null;
  emailVerified: boolean;
  trustLevel: number;
  trustLevelPinned: number | null;
  trustComputedAt: Date | null;
}

export function isModerator(user: AuthUser | null | undefined): boolean {
  return user?.role === Role.moderator || user?.role === Role.admin;
}

// The author of every erased account's comments (a row made by a migration,
// with no personal data, no password and no identity): never signed in as.
export const ERASED_AUTHOR_ID = 'e4a5ed00-0000-4000-8000-000000000000';

// Taking part (posting, voting, reporting, editing) is for people: a service
// key is refused here too, whatever route it came through.
export function assertPerson(actor: AuthUser): void {
  if (actor.apiKey) throw new DomainError(ErrorCode.ApiKeyNotAllowed);
}
