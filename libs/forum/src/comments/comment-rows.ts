import { Prisma } from '@rejoinder/db';
import type { Tx } from '../event-log/event-log.repository.js';
import type { CommentRow } from './comment.types.js';
import { commentColumns } from './post-statements.js';

// Columns every comment read returns, aliased to CommentRow.
export const columns = (c: string) => Prisma.raw(commentColumns(c));

// A comment as stored now, read inside the writer's transaction.
export async function readComment(tx: Tx, id: string): Promise<CommentRow> {
  const rows = await tx.$queryRaw<CommentRow[]>`
    SELECT ${columns('c')}, u.username AS "authorName", u.display_name AS "authorDisplayName"
    FROM comments c JOIN users u ON u.id = c.author_id WHERE c.id = ${id}::uuid`;
  return rows[0];
}
