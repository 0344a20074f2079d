import { htmlToMarkdown } from './html-to-markdown.js';
import { validDate } from './import-source.js';
import type { SourceExport, SourceThread } from './import-source.js';
import { TransferError } from './transfer.format.js';

// A Remark42 backup (the daily backup-<site>-<date>.gz, or `remark42 backup`):
// one JSON object per line, first the site's metadata ({"version": 1, "users",
// "posts"}), then every comment. Read line by line; see docs/imports.md.

interface RemarkComment {
  id?: unknown;
  pid?: unknown;
  text?: unknown;
  user?: { id?: unknown; name?: unknown; email?: unknown };
  locator?: { url?: unknown };
  time?: unknown;
  edit?: { time?: unknown } | null;
  pin?: unknown;
  delete?: unknown;
  votes?: unknown;
  title?: unknown;
}

interface RemarkMeta {
  version?: unknown;
  users?: { id?: unknown; blocked?: { status?: unknown } }[];
  posts?: { url?: unknown; read_only?: unknown }[];
}

const str = (value: unknown): string | null => (typeof value === 'string' && value.length > 0 ? value : null);

export async function readRemark42(lines: AsyncIterable<string>): Promise<SourceExport> {
  const out: SourceExport = { format: 'remark42', threads: [], posts: [], problems: [] };
  const threads = new Map<string, SourceThread>();
  const blocked = new Set<string>();
  const readOnly = new Set<string>();
  let lineNumber = 0;
  let meta: RemarkMeta | null = null;
  for await (const line of lines) {
    lineNumber += 1;
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new TransferError(`Not a Remark42 backup: line ${lineNumber} is not JSON (${(error as Error).message})`);
    }
    if (meta === null) {
      if (!value || typeof value !== 'object' || !('version' in value) || Array.isArray(value)) {
        throw new TransferError('Not a Remark42 backup: the first line must be its {"version": ...} record');
      }
      meta = value;
      if (meta.version !== 1 && meta.version !== 0) {
        throw new TransferError(`Remark42 backup version ${String(meta.version)} is not supported (this reads 1)`);
      }
      for (const user of meta.users ?? [])
        if (user.blocked?.status === true && str(user.id)) blocked.add(user.id as string);
      for (const post of meta.posts ?? [])
        if (post.read_only === true && str(post.url)) readOnly.add(post.url as string);
      continue;
    }
    const comment = value as RemarkComment;
    const key = str(comment?.id);
    if (!key) {
      out.problems.push({ reason: 'no-id', item: `line ${lineNumber}`, detail: '', outcome: 'skipped' });
      continue;
    }
    const url = str(comment.locator?.url);
    const createdAt = validDate(str(comment.time));
    if (!createdAt) {
      out.problems.push({
        reason: 'no-date',
        item: key,
        detail: JSON.stringify(comment.time ?? null),
        outcome: 'skipped',
      });
      continue;
    }
    if (url && !threads.has(url)) {
      threads.set(url, {
        key: url,
        identifier: null,
        link: url,
        slug: null,
        title: str(comment.title) ?? url,
        createdAt,
        isClosed: readOnly.has(url),
      });
    }
    const votes = comment.votes && typeof comment.votes === 'object' ? Object.values(comment.votes) : [];
    const userId = str(comment.user?.id);
    const name = str(comment.user?.name);
    const email = str(comment.user?.email)?.toLowerCase() ?? null;
    out.posts.push({
      key,
      threadKey: url,
      parentKey: str(comment.pid),
      bodySource: htmlToMarkdown(str(comment.text) ?? ''),
      createdAt,
      editedAt: validDate(str(comment.edit?.time)),
      state: comment.delete === true ? 'deleted' : userId && blocked.has(userId) ? 'removed' : 'published',
      author: userId || name ? { key: userId ?? `guest:${name}`, displayName: name ?? userId!, email } : null,
      upvotes: votes.filter((v) => v === true).length,
      downvotes: votes.filter((v) => v === false).length,
      pinned: comment.pin === true,
    });
  }
  if (meta === null) throw new TransferError('Not a Remark42 backup: the file is empty');
  out.threads = [...threads.values()];
  return out;
}
