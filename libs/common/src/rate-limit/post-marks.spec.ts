import { jest } from '@jest/globals';
import { DomainError } from '../errors/domain-error.js';
import { PostMarks } from './post-marks.js';

// Without Redis, marks live in this node's memory.
describe('PostMarks in memory', () => {
  afterEach(() => jest.useRealTimers());

  it('lets the owner pass its own mark and refuses anyone else until it expires', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const marks = new PostMarks(null);
    await marks.claim('dup:a', 'first', 60_000);
    await expect(marks.claim('dup:a', 'first', 60_000)).resolves.toBeUndefined();
    const refused = await marks.claim('dup:a', 'second', 60_000).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DomainError);
    expect((refused as DomainError).code).toBe('DUPLICATE_COMMENT');
    jest.setSystemTime(1_000_000 + 60_001);
    await expect(marks.claim('dup:a', 'second', 60_000)).resolves.toBeUndefined();
  });

  it('sweeps expired marks once the map has doubled, keeping the live ones', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const marks = new PostMarks(null);
    for (let i = 0; i < 10_000; i++) await marks.set(`old:${i}`, 'o', 1_000);
    for (let i = 0; i < 5_000; i++) await marks.set(`live:${i}`, 'o', 3_600_000);
    expect(marks.inMemory).toBe(15_000); // the first sweep found nothing expired yet
    jest.setSystemTime(1_000_000 + 2_000);
    // Not on every post: the next sweep is due at twice the size after the
    // last one (20,000), however many marks have expired meanwhile.
    await marks.set('new:0', 'o', 3_600_000);
    expect(marks.inMemory).toBe(15_001);
    for (let i = 1; i < 5_001; i++) await marks.set(`new:${i}`, 'o', 3_600_000);
    expect(marks.inMemory).toBe(10_001);
    await expect(marks.holds('live:0', 'o')).resolves.toBe(true);
    await expect(marks.holds('old:0', 'o')).resolves.toBe(false);
  });
});
