// The sort keys a comment's votes give it, kept in its row by every writer
// (votes, imports) so a ranked page is an index range scan.

// Lower bound of the Wilson score interval at 95% confidence: "best" ranks a
// comment by how sure we are that readers like it, not by its raw score.
export function wilsonLowerBound(up: number, down: number): number {
  const n = up + down;
  if (n === 0) return 0;
  const z = 1.959963984540054;
  const p = up / n;
  return (p + (z * z) / (2 * n) - z * Math.sqrt((p * (1 - p) + (z * z) / (4 * n)) / n)) / (1 + (z * z) / n);
}

// Many votes, evenly split, rank highest (Reddit's formula).
export function controversy(up: number, down: number): number {
  if (up <= 0 || down <= 0) return 0;
  const balance = up > down ? down / up : up / down;
  return (up + down) ** balance;
}
