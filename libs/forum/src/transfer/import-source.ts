// What every importer (Disqus, WordPress WXR, Remark42) reads a file into:
// pages with their comments, in the words of the system they come from. The
// plan (import-plan.ts) decides what becomes of them here.

export type ImportFormat = 'disqus' | 'wordpress' | 'remark42';

export interface SourceThread {
  // The thread's id in the file (Disqus dsq:id, WordPress post id, Remark42 URL).
  key: string;
  // The page identifier the site gave the comment system (often its slug or CMS id).
  identifier: string | null;
  link: string | null;
  // The page's slug where the file has one (WordPress post_name).
  slug: string | null;
  title: string;
  createdAt: string | null;
  isClosed: boolean;
}

export interface SourceAuthor {
  // One person in the file: the same key is the same account, in every import.
  key: string;
  // What readers saw (Disqus <name>, WordPress comment_author, Remark42 user.name).
  displayName: string;
  // An address the export holds; an account can later be claimed with it.
  email: string | null;
}

// removed: hidden by a moderator there for another reason (a blocked user).
export type SourceState = 'published' | 'pending' | 'deleted' | 'spam' | 'removed';

export interface SourcePost {
  key: string;
  threadKey: string | null;
  parentKey: string | null;
  // Markdown, already converted and escaped (html-to-markdown.ts).
  bodySource: string;
  createdAt: string;
  editedAt: string | null;
  state: SourceState;
  author: SourceAuthor | null;
  upvotes: number;
  downvotes: number;
  pinned: boolean;
}

// Something in the file that was left out or mended, with why.
export type SkipReason =
  | 'no-thread'
  | 'no-article'
  | 'no-date'
  | 'no-id'
  | 'duplicate-id'
  | 'not-a-comment'
  | 'parent-missing'
  | 'parent-elsewhere'
  | 'reply-loop'
  | 'no-author';

export interface SourceProblem {
  reason: SkipReason;
  // What a person can find in the file: the post's or thread's id there.
  item: string;
  detail: string;
  // Skipped entirely, or kept with a repair (attached at top level, a guest author).
  outcome: 'skipped' | 'attached';
  // Comments concerned (a thread without an article skips all of its own).
  comments?: number;
}

export interface SourceExport {
  format: ImportFormat;
  threads: SourceThread[];
  posts: SourcePost[];
  problems: SourceProblem[];
}

// Explains each reason in the summary and the report.
export const SKIP_REASONS: Record<SkipReason, string> = {
  'no-thread': 'the post names no thread in the file',
  'no-article': 'no article here for the thread (pass --create-articles to create one)',
  'no-date': 'the post has no valid date',
  'no-id': 'the post has no id',
  'duplicate-id': 'another post in the file has the same id',
  'not-a-comment': 'a pingback or trackback, not a comment',
  'parent-missing': 'the post it replies to is not in the file: kept as a top-level comment',
  'parent-elsewhere': 'the post it replies to is on another page: kept as a top-level comment',
  'reply-loop': 'the replies form a loop: kept as a top-level comment',
  'no-author': 'the post names no author: kept under a guest account',
};

// Lines of a file read in pieces, without holding the file.
export async function* linesOf(chunks: AsyncIterable<string>): AsyncGenerator<string> {
  let rest = '';
  for await (const chunk of chunks) {
    rest += chunk;
    let at = rest.indexOf('\n');
    while (at !== -1) {
      yield rest.slice(0, at);
      rest = rest.slice(at + 1);
      at = rest.indexOf('\n');
    }
  }
  if (rest.length > 0) yield rest;
}

export const validDate = (value: string | null | undefined): string | null => {
  if (!value) return null;
  const time = Date.parse(value);
  return Number.isNaN(time) ? null : new Date(time).toISOString();
};
