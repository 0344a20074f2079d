import { decideSlowMode, perMinute, reaches } from './slow-mode.decision.js';
import type { MeasuredCounts, SlowModeState, SlowModeThresholds } from './slow-mode.decision.js';

const t: SlowModeThresholds = {
  commentsPerMinute: 30,
  reportsPerMinute: 10,
  windowSeconds: 60,
  seconds: 20,
  quietSeconds: 300,
};
const now = new Date('2026-11-30T12:00:00Z');
const idle: SlowModeState = { setting: 'auto', source: null, since: null };
const onSince = (secondsAgo: number): SlowModeState => ({
  setting: 'auto',
  source: 'auto',
  since: new Date(now.getTime() - secondsAgo * 1000),
});
const counts = (c: Partial<MeasuredCounts>): MeasuredCounts => ({
  comments: 0,
  reports: 0,
  peakComments: 0,
  peakReports: 0,
  ...c,
});

describe('rates', () => {
  it('converts a count over a window to a rate per minute', () => {
    expect(perMinute(15, 30)).toBe(30);
    expect(perMinute(1, 7)).toBe(8.57);
  });

  it('never reaches a threshold of 0', () => {
    expect(reaches(1_000_000, 1, 0)).toBe(false);
    expect(reaches(30, 60, 30)).toBe(true);
    expect(reaches(29, 60, 30)).toBe(false);
  });
});

describe('decideSlowMode', () => {
  it('turns on when comments per minute reach the threshold', () => {
    expect(decideSlowMode(idle, counts({ comments: 30 }), t, now)).toEqual({
      action: 'on',
      reason: 'comments',
      rate: 30,
      threshold: 30,
    });
  });

  it('turns on when reports per minute reach theirs, comments first when both do', () => {
    expect(decideSlowMode(idle, counts({ reports: 10 }), t, now)).toMatchObject({ action: 'on', reason: 'reports' });
    expect(decideSlowMode(idle, counts({ comments: 40, reports: 10 }), t, now)).toMatchObject({ reason: 'comments' });
  });

  it('stays off below both thresholds', () => {
    expect(decideSlowMode(idle, counts({ comments: 29, reports: 9 }), t, now)).toEqual({ action: 'keep' });
  });

  it('leaves a moderator’s setting alone, however hot the thread', () => {
    const hot = counts({ comments: 500, reports: 500, peakComments: 500, peakReports: 500 });
    expect(decideSlowMode({ setting: 'off', source: null, since: null }, hot, t, now)).toEqual({ action: 'keep' });
    expect(decideSlowMode({ setting: 'manual', source: 'manual', since: now }, hot, t, now)).toEqual({
      action: 'keep',
    });
    expect(decideSlowMode({ setting: 'manual', source: 'manual', since: now }, counts({}), t, now)).toEqual({
      action: 'keep',
    });
  });

  it('lifts only after the quiet period, with no window in it at a threshold', () => {
    expect(decideSlowMode(onSince(301), counts({}), t, now)).toEqual({ action: 'off' });
    expect(decideSlowMode(onSince(100), counts({}), t, now)).toEqual({ action: 'keep' });
    expect(decideSlowMode(onSince(301), counts({ peakComments: 30 }), t, now)).toEqual({ action: 'keep' });
    expect(decideSlowMode(onSince(301), counts({ peakReports: 10 }), t, now)).toEqual({ action: 'keep' });
    expect(decideSlowMode(onSince(301), counts({ peakComments: 29, peakReports: 9 }), t, now)).toEqual({
      action: 'off',
    });
  });

  it('lifts an automatic slow mode when its thresholds were turned off', () => {
    const off = { ...t, commentsPerMinute: 0, reportsPerMinute: 0 };
    expect(decideSlowMode(onSince(400), counts({ peakComments: 999 }), off, now)).toEqual({ action: 'off' });
  });
});
