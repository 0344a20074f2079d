import { DomainError, ErrorCode } from '@rejoinder/common';
import { ageCutoff, assertNotAhead, CLOCK_SLACK_MS, digestWindow, parseSince } from './digest.window.js';

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (error) {
    return error instanceof DomainError ? error.code : 'not a domain error';
  }
  return undefined;
};

describe('parseSince', () => {
  it('reads an event number', () => {
    expect(parseSince('0')).toEqual({ kind: 'seq', seq: 0, raw: '0' });
    expect(parseSince(' 42 ')).toEqual({ kind: 'seq', seq: 42, raw: '42' });
  });

  it('reads an ISO 8601 time with its offset', () => {
    const since = parseSince('2026-11-30T09:00:00+01:00');
    expect(since.kind).toBe('time');
    expect(since.kind === 'time' && since.at.toISOString()).toBe('2026-11-30T08:00:00.000Z');
    expect(parseSince('2026-11-30T09:00:00.123Z').kind).toBe('time');
  });

  it.each(['-1', '1.5', '1e3', 'yesterday', '', '0x10', '2026-11-30', '2026-13-01T00:00:00Z', '12abc'])(
    'refuses %p as INVALID_SINCE',
    (raw) => {
      expect(codeOf(() => parseSince(raw))).toBe(ErrorCode.InvalidSince);
    },
  );

  it('refuses an event number no article can reach as SINCE_AHEAD', () => {
    expect(codeOf(() => parseSince('2147483648'))).toBe(ErrorCode.SinceAhead);
    expect(codeOf(() => parseSince('99999999999999999999'))).toBe(ErrorCode.SinceAhead);
    expect(parseSince('2147483647').kind).toBe('seq');
  });
});

describe('assertNotAhead', () => {
  const now = new Date('2026-11-30T12:00:00Z');
  it('takes a time within the clock slack as now, and refuses one beyond it', () => {
    expect(codeOf(() => assertNotAhead(parseSince(new Date(now.getTime() + CLOCK_SLACK_MS).toISOString()), now))).toBe(
      undefined,
    );
    expect(
      codeOf(() => assertNotAhead(parseSince(new Date(now.getTime() + CLOCK_SLACK_MS + 1).toISOString()), now)),
    ).toBe(ErrorCode.SinceAhead);
    expect(codeOf(() => assertNotAhead(parseSince('5'), now))).toBe(undefined);
  });
});

describe('digestWindow', () => {
  const base = { head: 100, requested: 60, ageFloor: 0, oldest: 1, maxEvents: 1000 };

  it('starts at since when nothing bounds it', () => {
    expect(digestWindow(base)).toEqual({ after: 60, head: 100, clamped: null });
    expect(digestWindow({ ...base, requested: 100 })).toEqual({ after: 100, head: 100, clamped: null });
    expect(digestWindow({ ...base, requested: 0 })).toEqual({ after: 0, head: 100, clamped: null });
  });

  it('starts after the last event older than the age limit', () => {
    expect(digestWindow({ ...base, ageFloor: 70 })).toEqual({ after: 70, head: 100, clamped: 'max-age' });
    expect(digestWindow({ ...base, ageFloor: 50 }).clamped).toBeNull();
  });

  it('starts where the log starts when earlier events are gone', () => {
    expect(digestWindow({ ...base, oldest: 81 })).toEqual({ after: 80, head: 100, clamped: 'log-start' });
    expect(digestWindow({ ...base, requested: 0, oldest: null })).toEqual({
      after: 100,
      head: 100,
      clamped: 'log-start',
    });
    expect(digestWindow({ ...base, head: 0, requested: 0, oldest: null }).clamped).toBeNull();
  });

  it('reads at most maxEvents events', () => {
    expect(digestWindow({ ...base, maxEvents: 10 })).toEqual({ after: 90, head: 100, clamped: 'max-events' });
  });

  it('names the bound that decided the start', () => {
    expect(digestWindow({ ...base, ageFloor: 85, oldest: 81, maxEvents: 10 }).clamped).toBe('max-events');
    expect(digestWindow({ ...base, ageFloor: 95, oldest: 81, maxEvents: 10 })).toEqual({
      after: 95,
      head: 100,
      clamped: 'max-age',
    });
  });

  it('refuses a since beyond the head', () => {
    expect(codeOf(() => digestWindow({ ...base, requested: 101 }))).toBe(ErrorCode.SinceAhead);
  });
});

describe('ageCutoff', () => {
  it('goes back whole days', () => {
    expect(ageCutoff(new Date('2026-11-30T12:00:00Z'), 14).toISOString()).toBe('2026-11-16T12:00:00.000Z');
  });
});
