import { cursorPart, Keyset, TIME_ID_KEY } from '@rejoinder/common';
import { z } from 'zod';
import { CommentRow, RankedSort, SiblingKey, ThreadSort } from './comment.types.js';
import { CommentNode, CommentView } from './comment.view.js';
import { publicView } from './visibility.js';
import { BALANCED_GROUPS, RANK_COLUMN } from './thread-query.js';

// The opaque cursors of thread pages and reply pages (each made for one
// list: an article's sort, or one comment's replies), and the nesting of a
// tree query's rows into the nodes a page shows.

const EPOCH = new Date(0).toISOString();
const NIL_UUID = '00000000-0000-0000-0000-000000000000';

// The list a thread page's cursor is made for.
export function threadKind(sort: ThreadSort, articleId: string, paragraph?: number): string {
  return `t:${sort}:${articleId}${paragraph === undefined ? '' : `:p${paragraph}`}`;
}

export function repliesKind(parentId: string): string {
  return `r:${parentId}`;
}

// sort=balanced: whose turn is next, then where each stance group stopped
// (a group not started yet holds a key above every comment).
const GROUP_KEY = [cursorPart.float, cursorPart.time, cursorPart.id] as const;
const BALANCED_KEY = z.tuple([
  z
    .number()
    .int()
    .min(0)
    .max(BALANCED_GROUPS.length - 1),
  ...GROUP_KEY,
  ...GROUP_KEY,
  ...GROUP_KEY,
  ...GROUP_KEY,
  ...GROUP_KEY,
]);
const BALANCED_START = { rank: 2, createdAt: '9999-12-31T00:00:00.000Z', id: 'ffffffff-ffff-ffff-ffff-ffffffffffff' };

export function encodeBalancedKey(kind: string, previous: SiblingKey | undefined, roots: CommentView[]): string {
  const keys = previous?.sort === 'balanced' ? [...previous.keys] : BALANCED_GROUPS.map(() => null);
  let next = previous?.sort === 'balanced' ? previous.next : 0;
  for (const root of roots) {
    const group = BALANCED_GROUPS.indexOf(root.stance);
    keys[group] = { rank: root.bestScore, createdAt: root.createdAt, id: root.id };
    next = (group + 1) % BALANCED_GROUPS.length;
  }
  const flat = keys.flatMap((k) => {
    const key = k ?? BALANCED_START;
    return [key.rank, key.createdAt, key.id];
  });
  return new Keyset(kind, BALANCED_KEY).encode([next, ...flat] as z.output<typeof BALANCED_KEY>);
}

function decodeBalancedKey(kind: string, cursor: string): SiblingKey {
  const [next, ...flat] = new Keyset(kind, BALANCED_KEY).decode(cursor)!;
  const keys = BALANCED_GROUPS.map((_, group) => {
    const [rank, createdAt, id] = flat.slice(group * 3, group * 3 + 3) as [number, string, string];
    return id === BALANCED_START.id ? null : { rank, createdAt, id };
  });
  return { sort: 'balanced', next, keys };
}

function rankOf(sort: RankedSort, row: CommentView): number {
  switch (sort) {
    case 'top':
      return row.score;
    case 'best':
      return row.bestScore;
    case 'controversial':
      return row.controversy;
    case 'replies':
      return row.replyCount;
  }
}

// A ranked sort's key: the rank, within its column's type, then time and id.
const RANK_KEYS = {
  int: z.tuple([cursorPart.int, cursorPart.time, cursorPart.id]),
  float8: z.tuple([cursorPart.float, cursorPart.time, cursorPart.id]),
};

export function encodeSiblingKey(kind: string, sort: Exclude<ThreadSort, 'balanced'>, row: CommentView): string {
  return sort === 'newest' || sort === 'oldest'
    ? new Keyset(kind, TIME_ID_KEY).encode([row.createdAt, row.id])
    : new Keyset(kind, RANK_KEYS[RANK_COLUMN[sort].type]).encode([rankOf(sort, row), row.createdAt, row.id]);
}

export function decodeSiblingKey(kind: string, sort: ThreadSort, cursor: string): SiblingKey {
  if (sort === 'balanced') return decodeBalancedKey(kind, cursor);
  if (sort === 'newest' || sort === 'oldest') {
    const [createdAt, id] = new Keyset(kind, TIME_ID_KEY).decode(cursor)!;
    return { sort, createdAt, id };
  }
  const [rank, createdAt, id] = new Keyset(kind, RANK_KEYS[RANK_COLUMN[sort].type]).decode(cursor)!;
  return { sort, rank, createdAt, id };
}

// Cursor for the replies of `parent` that `shown` leaves out, or null.
export function moreRepliesCursor(parent: CommentRow | CommentView, shown: CommentView[]): string | null {
  if (parent.replyCount <= shown.length) return null;
  const last = shown.at(-1);
  return new Keyset(repliesKind(parent.id), TIME_ID_KEY).encode(last ? [last.createdAt, last.id] : [EPOCH, NIL_UUID]);
}

// Rows of a tree query (ordered by level, page order, then age) -> nested
// nodes in one pass: roots in page order, replies oldest first.
export function assemble(rows: CommentRow[]): CommentNode[] {
  const nodes = new Map<string, CommentNode>();
  const roots: CommentNode[] = [];
  for (const row of rows) {
    const node: CommentNode = { ...publicView(row), replies: [], repliesCursor: null };
    nodes.set(row.id, node);
    if (row.level === 0) roots.push(node);
    else nodes.get(row.parentId!)?.replies.push(node);
  }
  for (const node of nodes.values()) node.repliesCursor = moreRepliesCursor(node, node.replies);
  return roots;
}

// Every comment of nested nodes, depth first.
export function nodeIds(nodes: CommentNode[]): string[] {
  return nodes.flatMap((node) => [node.id, ...nodeIds(node.replies)]);
}
