// Automatic slow mode, decided from counts the database measured: pure, so
// every node that measures the same counts decides the same switch.

export interface SlowModeThresholds {
  // Per minute; 0: that rate never turns slow mode on.
  commentsPerMinute: number;
  reportsPerMinute: number;
  // The sliding window the rates are measured over (seconds).
  windowSeconds: number;
  // The interval imposed (seconds between one reader's comments).
  seconds: number;
  // How long no window may reach a threshold before slow mode lifts (seconds).
  quietSeconds: number;
}

export interface MeasuredCounts {
  // In the window that ends now.
  comments: number;
  reports: number;
  // The most in any window that ended in the last `quietSeconds`.
  peakComments: number;
  peakReports: number;
}

export interface SlowModeState {
  setting: 'auto' | 'off' | 'manual';
  source: 'manual' | 'auto' | null;
  since: Date | null;
}

export type SlowModeReason = 'comments' | 'reports';

export type SlowModeDecision =
  { action: 'keep' } | { action: 'on'; reason: SlowModeReason; rate: number; threshold: number } | { action: 'off' };

export function perMinute(count: number, windowSeconds: number): number {
  return Math.round(((count * 60) / windowSeconds) * 100) / 100;
}

// A threshold of 0 is never reached.
export function reaches(count: number, windowSeconds: number, threshold: number): boolean {
  return threshold > 0 && (count * 60) / windowSeconds >= threshold;
}

export function decideSlowMode(
  state: SlowModeState,
  counts: MeasuredCounts,
  t: SlowModeThresholds,
  now: Date,
): SlowModeDecision {
  // A moderator's choice stands: never automatic, or their own interval.
  if (state.setting !== 'auto' || state.source === 'manual') return { action: 'keep' };
  if (state.source === null) {
    if (reaches(counts.comments, t.windowSeconds, t.commentsPerMinute)) {
      return {
        action: 'on',
        reason: 'comments',
        rate: perMinute(counts.comments, t.windowSeconds),
        threshold: t.commentsPerMinute,
      };
    }
    if (reaches(counts.reports, t.windowSeconds, t.reportsPerMinute)) {
      return {
        action: 'on',
        reason: 'reports',
        rate: perMinute(counts.reports, t.windowSeconds),
        threshold: t.reportsPerMinute,
      };
    }
    return { action: 'keep' };
  }
  // On by itself: lifts once it has been on for the quiet period and no
  // window in that period reached a threshold.
  const onFor = state.since ? now.getTime() - state.since.getTime() : Infinity;
  if (onFor < t.quietSeconds * 1000) return { action: 'keep' };
  if (reaches(counts.peakComments, t.windowSeconds, t.commentsPerMinute)) return { action: 'keep' };
  if (reaches(counts.peakReports, t.windowSeconds, t.reportsPerMinute)) return { action: 'keep' };
  return { action: 'off' };
}
