import { Prisma } from './generated/prisma/client.js';

// Keyset pages: the rows after the last one a client saw, in an order that
// runs one way (newest first: 'desc') over all its columns, the last of them
// unique (an id). One definition of the row comparison, for SQL and for
// Prisma's query API, instead of one written out by hand in each repository.
export type KeysetOrder = 'asc' | 'desc';

// Typed parts of a key, as SQL values.
export const keyPart = {
  time: (value: string | Date) => Prisma.sql`${value}::timestamptz`,
  id: (value: string) => Prisma.sql`${value}::uuid`,
  int: (value: number) => Prisma.sql`${value}::int`,
  float: (value: number) => Prisma.sql`${value}::float8`,
};

// `(a, b, id) < (x, y, z)` for 'desc', `>` for 'asc': PostgreSQL compares the
// rows column by column, and an index on (a, b, id) serves it as a range.
export function keysetAfter(order: KeysetOrder, columns: readonly string[], key: readonly Prisma.Sql[]): Prisma.Sql {
  if (columns.length !== key.length || columns.length === 0) throw new Error('A keyset needs one value per column');
  const op = order === 'desc' ? '<' : '>';
  return Prisma.sql`(${Prisma.raw(columns.join(', '))}) ${Prisma.raw(op)} (${Prisma.join(key, ', ')})`;
}

type Bound<T> = { lt: T } | { gt: T };

// The same comparison as a Prisma `where` for an order by (field, id).
export function keysetWhere<F extends string>(
  order: KeysetOrder,
  field: F,
  value: Date,
  id: string,
): { OR: [Record<F, Bound<Date>>, Record<F, Date> & { id: Bound<string> }] } {
  const bound = <T>(v: T): Bound<T> => (order === 'desc' ? { lt: v } : { gt: v });
  return {
    OR: [
      { [field]: bound(value) } as Record<F, Bound<Date>>,
      { [field]: value, id: bound(id) } as Record<F, Date> & { id: Bound<string> },
    ],
  };
}
