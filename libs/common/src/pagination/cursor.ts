import { DomainError } from '../errors/domain-error.js';
import { ErrorCode } from '../errors/error-codes.js';

// Opaque keyset cursors: base64url JSON of the sort name and the key of the
// last row seen. A cursor made for one list is refused by another.
export type CursorKey = (string | number)[];

export function encodeCursor(kind: string, key: CursorKey): string {
  return Buffer.from(JSON.stringify([kind, ...key])).toString('base64url');
}

export function decodeCursor(kind: string, cursor: string, shape: ('string' | 'number')[]): CursorKey {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new DomainError(ErrorCode.InvalidCursor);
  }
  if (
    !Array.isArray(parsed) ||
    parsed[0] !== kind ||
    parsed.length !== shape.length + 1 ||
    !shape.every((type, i) => typeof parsed[i + 1] === type)
  ) {
    throw new DomainError(ErrorCode.InvalidCursor);
  }
  return parsed.slice(1) as CursorKey;
}
