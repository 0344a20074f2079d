import { DomainError, ErrorCode } from '@rejoinder/common';
import type { DigestClamp } from '@rejoinder/common';
import { z } from 'zod';

// Where a digest starts, as the reader gave it: after an event number of the
// article's log, or after a moment.
export type Since = { kind: 'seq'; seq: number; raw: string } | { kind: 'time'; at: Date; raw: string };

const MAX_SEQ = 2_147_483_647;
const isoTime = z.iso.datetime({ offset: true });

// A time a little ahead of the server's clock is taken as now: readers' and
// servers' clocks differ.
export const CLOCK_SLACK_MS = 60_000;

// `since` is a whole number (an event number, 0 for the start of the
// article) or an ISO 8601 time with its offset; anything else is refused.
export function parseSince(raw: string): Since {
  const text = raw.trim();
  if (/^\d+$/.test(text)) {
    const seq = Number(text);
    if (seq <= MAX_SEQ) return { kind: 'seq', seq, raw: text };
    throw new DomainError(ErrorCode.SinceAhead, `since ${text} is beyond any event number`);
  }
  if (isoTime.safeParse(text).success) {
    const at = new Date(text);
    if (!Number.isNaN(at.getTime())) return { kind: 'time', at, raw: text };
  }
  throw new DomainError(
    ErrorCode.InvalidSince,
    `since must be an event number (0 or more) or an ISO 8601 time such as 2026-11-30T09:00:00Z, not "${text.slice(0, 40)}"`,
  );
}

// What bounds a window, read from the article's log.
export interface WindowFloors {
  // The article's last event number.
  head: number;
  // The seq `since` stands for: itself, or for a time the last event at or
  // before it (0 when none).
  requested: number;
  // The last event older than the oldest moment a digest looks back to (0 when none).
  ageFloor: number;
  // The oldest event the log keeps (null when it keeps none).
  oldest: number | null;
  // At most this many events are read.
  maxEvents: number;
}

export interface DigestWindow {
  // The digest covers the events after `after`, up to `head`.
  after: number;
  head: number;
  clamped: DigestClamp | null;
}

// The window a digest covers: from `since`, unless that is older than the
// age limit, earlier than the log goes back, or more events ago than a
// digest reads; then from the latest of those bounds, and the reason is
// given. The first bound named wins a tie.
export function digestWindow(f: WindowFloors): DigestWindow {
  if (f.requested > f.head) throw new DomainError(ErrorCode.SinceAhead, `The article's last event is ${f.head}`);
  const bounds: [DigestClamp, number][] = [
    ['max-age', f.ageFloor],
    ['log-start', f.oldest === null ? f.head : f.oldest - 1],
    ['max-events', f.head - f.maxEvents],
  ];
  let after = f.requested;
  let clamped: DigestClamp | null = null;
  for (const [reason, floor] of bounds) {
    if (floor > after) {
      after = floor;
      clamped = reason;
    }
  }
  return { after, head: f.head, clamped };
}

// The oldest moment a digest looks back to.
export function ageCutoff(now: Date, maxAgeDays: number): Date {
  return new Date(now.getTime() - maxAgeDays * 86_400_000);
}

// A time `since` that lies ahead of now (beyond the clock slack) is refused.
export function assertNotAhead(since: Since, now: Date): void {
  if (since.kind === 'time' && since.at.getTime() > now.getTime() + CLOCK_SLACK_MS)
    throw new DomainError(ErrorCode.SinceAhead, 'since is a time to come');
}
