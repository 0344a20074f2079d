import { DomainError } from '../errors/domain-error.js';
import { ErrorCode } from '../errors/error-codes.js';
import { decodeCursor, encodeCursor } from './cursor.js';

function codeOf(work: () => unknown): ErrorCode | null {
  try {
    work();
    return null;
  } catch (error) {
    return error instanceof DomainError ? error.code : null;
  }
}

describe('keyset cursors', () => {
  it('round-trip the key of the last row', () => {
    const cursor = encodeCursor('newest:article-1', ['2026-11-30T07:00:00.000Z', 'c0ffee']);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor('newest:article-1', cursor, ['string', 'string'])).toEqual([
      '2026-11-30T07:00:00.000Z',
      'c0ffee',
    ]);
    expect(decodeCursor('top', encodeCursor('top', [12, 'id']), ['number', 'string'])).toEqual([12, 'id']);
  });

  it('refuse a cursor made for another list', () => {
    const cursor = encodeCursor('newest:article-1', ['x', 'y']);
    expect(codeOf(() => decodeCursor('newest:article-2', cursor, ['string', 'string']))).toBe(ErrorCode.InvalidCursor);
    expect(codeOf(() => decodeCursor('oldest:article-1', cursor, ['string', 'string']))).toBe(ErrorCode.InvalidCursor);
  });

  it('refuse a key of the wrong shape', () => {
    const cursor = encodeCursor('top', ['12', 'id']);
    expect(codeOf(() => decodeCursor('top', cursor, ['number', 'string']))).toBe(ErrorCode.InvalidCursor);
    expect(codeOf(() => decodeCursor('top', cursor, ['string']))).toBe(ErrorCode.InvalidCursor);
  });

  it.each([
    '',
    'not base64 at all!',
    Buffer.from('{"a":1}').toString('base64url'),
    Buffer.from('[').toString('base64url'),
  ])('refuse garbage %j', (cursor) => {
    expect(codeOf(() => decodeCursor('top', cursor, ['number', 'string']))).toBe(ErrorCode.InvalidCursor);
  });
});
