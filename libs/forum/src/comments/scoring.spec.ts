import { controversy, wilsonLowerBound } from './scoring.js';

describe('the Wilson lower bound ("best")', () => {
  it('is 0 without votes and stays within [0, 1]', () => {
    expect(wilsonLowerBound(0, 0)).toBe(0);
    for (const [up, down] of [
      [1, 0],
      [0, 1],
      [5, 5],
      [1000, 0],
      [0, 1000],
    ]) {
      const bound = wilsonLowerBound(up, down);
      expect(bound).toBeGreaterThanOrEqual(0);
      expect(bound).toBeLessThanOrEqual(1);
    }
  });

  it('ranks the surer comment higher at the same share of upvotes', () => {
    expect(wilsonLowerBound(100, 10)).toBeGreaterThan(wilsonLowerBound(10, 1));
    expect(wilsonLowerBound(10, 1)).toBeGreaterThan(wilsonLowerBound(1, 0));
  });

  it('matches the published value for 1 up, 0 down at 95%', () => {
    // n = 1, p = 1: z² / (1 + z²).
    expect(wilsonLowerBound(1, 0)).toBeCloseTo(0.2065, 4);
  });
});

describe('controversy', () => {
  it('is 0 unless both sides voted', () => {
    expect(controversy(0, 0)).toBe(0);
    expect(controversy(10, 0)).toBe(0);
    expect(controversy(0, 10)).toBe(0);
  });

  it('is symmetric, highest for many evenly split votes', () => {
    expect(controversy(3, 7)).toBe(controversy(7, 3));
    expect(controversy(50, 50)).toBe(100);
    expect(controversy(50, 50)).toBeGreaterThan(controversy(90, 10));
    expect(controversy(50, 50)).toBeGreaterThan(controversy(5, 5));
  });
});
