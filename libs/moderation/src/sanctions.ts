import { DomainError, ErrorCode } from '@rejoinder/common';
import type { SanctionState } from './moderation.repository.js';

// Refuses a banned or suspended user; used before posting, reporting and voting.
export function assertMayParticipate(user: SanctionState | null, now = new Date()): void {
  if (!user) throw new DomainError(ErrorCode.InvalidToken, 'The account no longer exists');
  if (user.bannedAt) throw new DomainError(ErrorCode.UserBanned);
  if (user.suspendedUntil && user.suspendedUntil > now) {
    throw new DomainError(ErrorCode.UserSuspended, `Suspended until ${user.suspendedUntil.toISOString()}`, {
      suspendedUntil: user.suspendedUntil.toISOString(),
    });
  }
}
