import { computeTrustLevel } from './trust-level.js';
import type { TrustHistory } from './trust-level.js';

const t = { memberDays: 1, memberComments: 3, regularDays: 30, regularComments: 20, regularUpvotes: 10 };
const clean: TrustHistory = {
  ageDays: 0,
  published: 0,
  upvotesReceived: 0,
  recentRejections: 0,
  recentUpheldReports: 0,
};

describe('computeTrustLevel', () => {
  it('starts every account at 0 (new)', () => {
    expect(computeTrustLevel(clean, t)).toBe(0);
  });

  it('needs both the age and the published comments for member', () => {
    expect(computeTrustLevel({ ...clean, ageDays: 5, published: 2 }, t)).toBe(0);
    expect(computeTrustLevel({ ...clean, ageDays: 0.5, published: 10 }, t)).toBe(0);
    expect(computeTrustLevel({ ...clean, ageDays: 1, published: 3 }, t)).toBe(1);
  });

  it('needs more of both and upvotes received for regular', () => {
    const old = { ...clean, ageDays: 60, published: 25 };
    expect(computeTrustLevel({ ...old, upvotesReceived: 9 }, t)).toBe(1);
    expect(computeTrustLevel({ ...old, upvotesReceived: 10 }, t)).toBe(2);
    expect(computeTrustLevel({ ...old, upvotesReceived: 10, ageDays: 29 }, t)).toBe(1);
    expect(computeTrustLevel({ ...old, upvotesReceived: 10, published: 19 }, t)).toBe(1);
  });

  it('falls to 0 after a recent rejection, and a regular with an upheld report is a member', () => {
    const regular = { ...clean, ageDays: 60, published: 25, upvotesReceived: 50 };
    expect(computeTrustLevel({ ...regular, recentRejections: 1 }, t)).toBe(0);
    expect(computeTrustLevel({ ...regular, recentUpheldReports: 1 }, t)).toBe(1);
  });

  it('treats zero thresholds as met', () => {
    const open = { memberDays: 0, memberComments: 0, regularDays: 0, regularComments: 0, regularUpvotes: 0 };
    expect(computeTrustLevel(clean, open)).toBe(2);
  });
});
