import { z } from 'zod';
import { DomainError } from '../errors/domain-error.js';
import { ErrorCode } from '../errors/error-codes.js';

// Opaque keyset cursors: base64url JSON of the list's kind and the key of the
// last row seen. Every list pages through one Keyset, so every cursor is
// checked the same way: made for this list, and each part of the key of the
// right type and range, before any of it reaches the database. A cursor that
// fails is INVALID_CURSOR, never a database error.
export type CursorKey = readonly (string | number)[];

const YEAR_ONE = Date.parse('0001-01-01T00:00:00Z');

// The parts of a key.
export const cursorPart = {
  // A strict ISO 8601 time with its offset, within what timestamptz stores.
  time: z.iso.datetime({ offset: true }).refine((value) => Date.parse(value) >= YEAR_ONE, 'before year 1'),
  // Any UUID PostgreSQL accepts (ids may be chosen by clients).
  id: z.guid(),
  // A rank kept in an int column.
  int: z.number().int().min(-2_147_483_648).max(2_147_483_647),
  // A rank kept in a float8 column: finite and of a sane size.
  float: z.number().min(-1e15).max(1e15),
};

// The key most lists page by: newest or oldest first, ties broken by id.
export const TIME_ID_KEY = z.tuple([cursorPart.time, cursorPart.id]);
export type TimeIdKey = z.output<typeof TIME_ID_KEY>;

export interface KeysetPage<T> {
  items: T[];
  nextCursor: string | null;
}

export class Keyset<K extends CursorKey> {
  constructor(
    readonly kind: string,
    private readonly key: z.ZodType<K>,
  ) {}

  encode(key: K): string {
    return Buffer.from(JSON.stringify([this.kind, ...key])).toString('base64url');
  }

  // The key a client's cursor carries, or undefined for the first page.
  decode(cursor: string | undefined): K | undefined {
    if (cursor === undefined) return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    } catch {
      throw new DomainError(ErrorCode.InvalidCursor);
    }
    if (!Array.isArray(parsed) || parsed[0] !== this.kind) throw new DomainError(ErrorCode.InvalidCursor);
    const key = this.key.safeParse(parsed.slice(1));
    if (!key.success) throw new DomainError(ErrorCode.InvalidCursor);
    return key.data;
  }

  // Rows read with `limit + 1`: the page, and a cursor after its last row when
  // the extra row shows there is more.
  page<R, T = R>(rows: R[], limit: number, keyOf: (row: R) => K, view?: (row: R) => T): KeysetPage<T> {
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      items: view ? page.map(view) : (page as unknown as T[]),
      nextCursor: rows.length > limit && last !== undefined ? this.encode(keyOf(last)) : null,
    };
  }
}

// An event number (seq columns are int4).
export const seqSchema = z.number().int().min(0).max(2_147_483_647);

// The query parameters of every paged list.
export const pageQuery = (maxLimit: number, defaultLimit: number) => ({
  limit: z.coerce.number().int().min(1).max(maxLimit).default(defaultLimit),
  cursor: z.string().min(1).max(500).optional(),
});
