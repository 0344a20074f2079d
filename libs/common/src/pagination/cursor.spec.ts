import { z } from 'zod';
import { DomainError } from '../errors/domain-error.js';
import { ErrorCode } from '../errors/error-codes.js';
import { cursorPart, Keyset, TIME_ID_KEY } from './cursor.js';

function codeOf(work: () => unknown): ErrorCode | null {
  try {
    work();
    return null;
  } catch (error) {
    return error instanceof DomainError ? error.code : null;
  }
}

const ID = '0b7c7c1e-6a0e-4c3e-9d55-2f1e1c9a7b01';
const TIME = '2026-11-30T07:00:00.000Z';

describe('keyset cursors', () => {
  it('round-trip the key of the last row', () => {
    const newest = new Keyset('newest:article-1', TIME_ID_KEY);
    const cursor = newest.encode([TIME, ID]);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(newest.decode(cursor)).toEqual([TIME, ID]);
    const top = new Keyset('top', z.tuple([cursorPart.int, cursorPart.id]));
    expect(top.decode(top.encode([12, ID]))).toEqual([12, ID]);
    expect(top.decode(undefined)).toBeUndefined();
  });

  it('refuse a cursor made for another list', () => {
    const cursor = new Keyset('newest:article-1', TIME_ID_KEY).encode([TIME, ID]);
    expect(codeOf(() => new Keyset('newest:article-2', TIME_ID_KEY).decode(cursor))).toBe(ErrorCode.InvalidCursor);
    expect(codeOf(() => new Keyset('oldest:article-1', TIME_ID_KEY).decode(cursor))).toBe(ErrorCode.InvalidCursor);
  });

  it('refuse a key of the wrong shape or out of its column range', () => {
    const top = new Keyset('top', z.tuple([cursorPart.int, cursorPart.id]));
    const forge = (...key: unknown[]) => Buffer.from(JSON.stringify(['top', ...key])).toString('base64url');
    expect(codeOf(() => top.decode(forge('12', ID)))).toBe(ErrorCode.InvalidCursor);
    expect(codeOf(() => top.decode(forge(12)))).toBe(ErrorCode.InvalidCursor);
    expect(codeOf(() => top.decode(forge(2 ** 31, ID)))).toBe(ErrorCode.InvalidCursor);
    expect(codeOf(() => top.decode(forge(12, 'not-a-uuid')))).toBe(ErrorCode.InvalidCursor);
  });

  it.each([
    '',
    'not base64 at all!',
    Buffer.from('{"a":1}').toString('base64url'),
    Buffer.from('[').toString('base64url'),
  ])('refuse garbage %j', (cursor) => {
    expect(codeOf(() => new Keyset('top', TIME_ID_KEY).decode(cursor))).toBe(ErrorCode.InvalidCursor);
  });

  it('give a next cursor only when the extra row shows there is more', () => {
    const keyset = new Keyset('newest', TIME_ID_KEY);
    const rows = [
      { at: TIME, id: ID },
      { at: '2026-11-30T06:00:00.000Z', id: '1b7c7c1e-6a0e-4c3e-9d55-2f1e1c9a7b01' },
    ];
    const key = (row: { at: string; id: string }) => [row.at, row.id] as [string, string];
    const more = keyset.page(rows, 1, key);
    expect(more.items).toEqual([rows[0]]);
    expect(keyset.decode(more.nextCursor!)).toEqual([TIME, ID]);
    expect(keyset.page(rows, 2, key).nextCursor).toBeNull();
  });
});
