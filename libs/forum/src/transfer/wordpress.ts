import { htmlToMarkdown } from './html-to-markdown.js';
import { validDate } from './import-source.js';
import type { SourceExport, SourcePost, SourceState } from './import-source.js';
import { childrenNamed, field, xmlRecords } from './xml-records.js';
import type { XmlNode } from './xml-records.js';

// A WordPress export (Tools > Export, WXR): an RSS file whose <item>s are the
// posts and pages, each with its <wp:comment>s. Read as it streams; see
// docs/imports.md for the mapping.

// WordPress writes dates as "2015-08-24 10:00:00"; the _gmt fields are UTC,
// and "0000-00-00 00:00:00" means none.
function wpDate(value: string | null): string | null {
  if (!value || value.startsWith('0000')) return null;
  return validDate(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(value) ? `${value.replace(' ', 'T')}Z` : value);
}

// comment_content is what the commenter typed: HTML where they used tags,
// paragraphs and line breaks as plain newlines (WordPress adds <p> and <br>
// when it shows them).
function wpContentHtml(content: string): string {
  return content
    .replace(/\r\n?/g, '\n')
    .trim()
    .split(/\n\s*\n/)
    .map((paragraph) => `<p>${paragraph.replace(/\n/g, '<br>')}</p>`)
    .join('');
}

const STATES: Record<string, SourceState> = {
  '1': 'published',
  approve: 'published',
  '0': 'pending',
  hold: 'pending',
  spam: 'spam',
  trash: 'deleted',
  'post-trashed': 'deleted',
};

export async function readWordpress(chunks: AsyncIterable<string>): Promise<SourceExport> {
  const out: SourceExport = { format: 'wordpress', threads: [], posts: [], problems: [] };
  const records = xmlRecords(chunks, {
    root: 'rss',
    format: 'WordPress (WXR)',
    isRecord: (path) => path.length === 3 && path[1] === 'channel' && path[2] === 'item',
  });
  let itemNumber = 0;
  for await (const item of records) {
    itemNumber += 1;
    const comments = childrenNamed(item, 'wp:comment');
    // Attachments and menu entries carry no comments; only what has some is a page.
    if (comments.length === 0) continue;
    const key = field(item, 'wp:post_id') ?? `#${itemNumber}`;
    out.threads.push({
      key,
      identifier: field(item, 'wp:post_id'),
      link: field(item, 'link'),
      slug: field(item, 'wp:post_name'),
      title: field(item, 'title') ?? `Post ${key}`,
      createdAt: wpDate(field(item, 'wp:post_date_gmt')) ?? wpDate(field(item, 'wp:post_date')),
      isClosed: field(item, 'wp:comment_status') === 'closed',
    });
    for (const comment of comments) {
      const post = wordpressComment(comment, key, out);
      if (post) out.posts.push(post);
    }
  }
  return out;
}

function wordpressComment(node: XmlNode, threadKey: string, out: SourceExport): SourcePost | null {
  const id = field(node, 'wp:comment_id');
  if (!id) {
    out.problems.push({ reason: 'no-id', item: `a comment on post ${threadKey}`, detail: '', outcome: 'skipped' });
    return null;
  }
  const key = `${id}`;
  const type = field(node, 'wp:comment_type');
  if (type === 'pingback' || type === 'trackback') {
    out.problems.push({ reason: 'not-a-comment', item: key, detail: type, outcome: 'skipped' });
    return null;
  }
  const createdAt = wpDate(field(node, 'wp:comment_date_gmt')) ?? wpDate(field(node, 'wp:comment_date'));
  if (!createdAt) {
    out.problems.push({
      reason: 'no-date',
      item: key,
      detail: field(node, 'wp:comment_date') ?? '',
      outcome: 'skipped',
    });
    return null;
  }
  const parent = field(node, 'wp:comment_parent');
  const name = field(node, 'wp:comment_author');
  const email = field(node, 'wp:comment_author_email')?.toLowerCase() ?? null;
  const userId = field(node, 'wp:comment_user_id');
  const authorKey =
    userId && userId !== '0' ? `user:${userId}` : email ? `email:${email}` : name ? `guest:${name}` : null;
  return {
    key,
    threadKey,
    parentKey: parent && parent !== '0' ? parent : null,
    bodySource: htmlToMarkdown(wpContentHtml(field(node, 'wp:comment_content') ?? '')),
    createdAt,
    editedAt: null,
    state: STATES[field(node, 'wp:comment_approved') ?? '1'] ?? 'pending',
    author: authorKey
      ? { key: authorKey, displayName: name ?? email!.split('@')[0], email: email?.includes('@') ? email : null }
      : null,
    upvotes: 0,
    downvotes: 0,
    pinned: false,
  };
}
