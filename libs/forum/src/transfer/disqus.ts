import { htmlToMarkdown } from './html-to-markdown.js';
import { validDate } from './import-source.js';
import type { SourceExport, SourcePost, SourceThread } from './import-source.js';
import { child, field, xmlRecords } from './xml-records.js';
import type { XmlNode } from './xml-records.js';

export { htmlToMarkdown } from './html-to-markdown.js';

// A Disqus XML export (Admin > Moderate > Export): <thread> elements for the
// pages, then <post> elements for the comments, each naming its thread and
// parent by dsq:id. Read as it streams; see docs/imports.md for the mapping.

const dsqId = (node: XmlNode | undefined): string | null => {
  const id = node?.attributes['dsq:id'];
  return id ? id : null;
};
const flag = (node: XmlNode, name: string) => field(node, name) === 'true';

export async function readDisqus(chunks: AsyncIterable<string>): Promise<SourceExport> {
  const out: SourceExport = { format: 'disqus', threads: [], posts: [], problems: [] };
  const records = xmlRecords(chunks, {
    root: 'disqus',
    format: 'Disqus',
    isRecord: (path) => path.length === 2 && (path[1] === 'thread' || path[1] === 'post'),
  });
  let threadNumber = 0;
  let postNumber = 0;
  for await (const node of records) {
    if (node.name === 'thread') {
      threadNumber += 1;
      const thread = disqusThread(node, threadNumber);
      if (thread) out.threads.push(thread);
      continue;
    }
    postNumber += 1;
    const key = dsqId(node);
    if (!key) {
      out.problems.push({ reason: 'no-id', item: `post #${postNumber}`, detail: '', outcome: 'skipped' });
      continue;
    }
    const createdAt = validDate(field(node, 'createdAt'));
    if (!createdAt) {
      out.problems.push({ reason: 'no-date', item: key, detail: field(node, 'createdAt') ?? '', outcome: 'skipped' });
      continue;
    }
    out.posts.push(disqusPost(node, key, createdAt));
  }
  return out;
}

function disqusThread(node: XmlNode, n: number): SourceThread | null {
  const key = dsqId(node) ?? `#${n}`;
  return {
    key,
    identifier: field(node, 'id'),
    link: field(node, 'link'),
    slug: null,
    title: field(node, 'title') ?? `Thread ${key}`,
    createdAt: validDate(field(node, 'createdAt')),
    isClosed: flag(node, 'isClosed'),
  };
}

function disqusPost(node: XmlNode, key: string, createdAt: string): SourcePost {
  const author = child(node, 'author');
  const name = field(author, 'name');
  const username = field(author, 'username');
  const email = field(author, 'email');
  return {
    key,
    threadKey: dsqId(child(node, 'thread')),
    parentKey: dsqId(child(node, 'parent')),
    bodySource: htmlToMarkdown(child(node, 'message')?.text ?? ''),
    createdAt,
    editedAt: null,
    state: flag(node, 'isSpam') ? 'spam' : flag(node, 'isDeleted') ? 'deleted' : 'published',
    // A registered Disqus user is one account by username; a guest by the
    // name they typed (and address, where the export has it).
    author:
      name || username
        ? {
            key: username ? `user:${username}` : `guest:${name}`,
            displayName: name ?? username!,
            email: email?.includes('@') ? email.toLowerCase() : null,
          }
        : null,
    upvotes: 0,
    downvotes: 0,
    pinned: false,
  };
}
