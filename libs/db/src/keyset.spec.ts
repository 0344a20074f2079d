import { keyPart, keysetAfter, keysetWhere } from './keyset.js';

describe('the keyset comparison', () => {
  it('compares the columns as one row, below the key for newest first and above it for oldest first', () => {
    const key = [keyPart.time('2026-01-01T00:00:00.000Z'), keyPart.id('c0000000-0000-4000-8000-000000000001')];
    const desc = keysetAfter('desc', ['c.created_at', 'c.id'], key);
    expect(desc.sql).toBe('(c.created_at, c.id) < (?::timestamptz, ?::uuid)');
    expect(desc.values).toEqual(['2026-01-01T00:00:00.000Z', 'c0000000-0000-4000-8000-000000000001']);
    expect(keysetAfter('asc', ['c.created_at', 'c.id'], key).sql).toBe(
      '(c.created_at, c.id) > (?::timestamptz, ?::uuid)',
    );
  });

  it('types each part of a ranked key', () => {
    const ranked = keysetAfter(
      'desc',
      ['c.score', 'c.best_score', 'c.created_at', 'c.id'],
      [keyPart.int(3), keyPart.float(0.5), keyPart.time('2026-01-01T00:00:00.000Z'), keyPart.id('x')],
    );
    expect(ranked.sql).toBe(
      '(c.score, c.best_score, c.created_at, c.id) < (?::int, ?::float8, ?::timestamptz, ?::uuid)',
    );
    expect(ranked.values).toEqual([3, 0.5, '2026-01-01T00:00:00.000Z', 'x']);
  });

  it('refuses a key that does not match its columns', () => {
    expect(() => keysetAfter('desc', ['c.created_at', 'c.id'], [keyPart.id('x')])).toThrow();
    expect(() => keysetAfter('desc', [], [])).toThrow();
  });

  it('says the same in Prisma where clauses', () => {
    const at = new Date('2026-01-01T00:00:00.000Z');
    expect(keysetWhere('desc', 'createdAt', at, 'x')).toEqual({
      OR: [{ createdAt: { lt: at } }, { createdAt: at, id: { lt: 'x' } }],
    });
    expect(keysetWhere('asc', 'publishedAt', at, 'x')).toEqual({
      OR: [{ publishedAt: { gt: at } }, { publishedAt: at, id: { gt: 'x' } }],
    });
  });
});
