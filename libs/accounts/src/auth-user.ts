import { Role } from '@rejoinder/db';

// Who is making a request, as every service sees it (REST and socket alike).
export interface AuthUser {
  id: string;
  username: string;
  role: Role;
  // When the account was made (new accounts get stricter limits).
  createdAt?: Date;
}

export function isModerator(user: AuthUser | null | undefined): boolean {
  return user?.role === Role.moderator || user?.role === Role.admin;
}
