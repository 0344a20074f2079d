// Trust is earned from an account's history, never set by hand (a moderator
// may pin it, which overrides the computed level):
//   0 new;
//   1 member: old enough, enough published comments, nothing rejected or
//     removed lately;
//   2 regular: older, more published comments, upvotes received, and no
//     report upheld lately either.
export const TRUST_LEVELS = [0, 1, 2] as const;
export type TrustLevel = (typeof TRUST_LEVELS)[number];

export const TRUST_LEVEL_NAMES: Record<TrustLevel, string> = { 0: 'new', 1: 'member', 2: 'regular' };

export interface TrustHistory {
  // Account age in days.
  ageDays: number;
  published: number;
  upvotesReceived: number;
  // Comments rejected or removed by a moderator within the recent window.
  recentRejections: number;
  // Reports on the account's comments that a moderator upheld (the comment
  // was rejected or removed) within the recent window.
  recentUpheldReports: number;
}

export interface TrustThresholds {
  memberDays: number;
  memberComments: number;
  regularDays: number;
  regularComments: number;
  regularUpvotes: number;
}

export function computeTrustLevel(history: TrustHistory, t: TrustThresholds): TrustLevel {
  if (history.recentRejections > 0) return 0;
  const member = history.ageDays >= t.memberDays && history.published >= t.memberComments;
  if (!member) return 0;
  const regular =
    history.ageDays >= t.regularDays &&
    history.published >= t.regularComments &&
    history.upvotesReceived >= t.regularUpvotes &&
    history.recentUpheldReports === 0;
  return regular ? 2 : 1;
}
