import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { parseDocument } from 'htmlparser2';
import { isTag, isText } from 'domhandler';
import type { ChildNode } from 'domhandler';
import { TransferError } from './transfer.format.js';
import { describeXmlError } from './text-position.js';

// A Disqus XML export (Admin > Moderate > Export), as far as an import needs it.
export interface DisqusThread {
  dsqId: string;
  // The page identifier the site gave Disqus (often the slug), if any.
  identifier: string | null;
  link: string | null;
  title: string;
  createdAt: string | null;
  isClosed: boolean;
}

export interface DisqusPost {
  dsqId: string;
  threadId: string;
  parentId: string | null;
  // Disqus keeps messages as HTML; this is the Markdown equivalent.
  bodySource: string;
  createdAt: string;
  isDeleted: boolean;
  isSpam: boolean;
  author: { name: string; username: string | null };
}

export interface DisqusExport {
  threads: DisqusThread[];
  posts: DisqusPost[];
}

type Node = Record<string, unknown>;

const text = (value: unknown): string | null => {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'object' && '#text' in value) return String((value as Node)['#text']).trim();
  return null;
};
const flag = (value: unknown): boolean => text(value) === 'true';
const dsqId = (value: unknown): string | null => {
  const id = value && typeof value === 'object' ? (value as Node)['@dsq:id'] : undefined;
  return typeof id === 'string' && id.length > 0 ? id : null;
};

// Parses and checks the file; the first problem is reported with where it is.
export function parseDisqus(xml: string): DisqusExport {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    throw new TransferError(describeXmlError(xml, valid.err));
  }
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@',
    parseTagValue: false,
    isArray: (_name, jpath) => jpath === 'disqus.thread' || jpath === 'disqus.post',
  });
  const root = (parser.parse(xml) as { disqus?: Node }).disqus;
  if (!root || typeof root !== 'object')
    throw new TransferError('Not a Disqus export: the root element must be <disqus>');

  const threads = ((root.thread as Node[] | undefined) ?? []).map((node, i): DisqusThread => {
    const id = dsqId(node);
    if (!id) throw new TransferError(`Disqus thread #${i + 1} has no dsq:id`);
    return {
      dsqId: id,
      identifier: text(node.id) || null,
      link: text(node.link) || null,
      title: text(node.title) || `Thread ${id}`,
      createdAt: text(node.createdAt),
      isClosed: flag(node.isClosed),
    };
  });
  const threadIds = new Set(threads.map((t) => t.dsqId));

  const posts = ((root.post as Node[] | undefined) ?? []).map((node, i): DisqusPost => {
    const where = `Disqus post #${i + 1}`;
    const id = dsqId(node);
    if (!id) throw new TransferError(`${where} has no dsq:id`);
    const threadId = dsqId(node.thread);
    if (!threadId || !threadIds.has(threadId)) throw new TransferError(`${where} (${id}) names no known thread`);
    const createdAt = text(node.createdAt);
    if (!createdAt || Number.isNaN(Date.parse(createdAt))) {
      throw new TransferError(`${where} (${id}) has no valid createdAt`);
    }
    const author = (node.author ?? {}) as Node;
    return {
      dsqId: id,
      threadId,
      parentId: dsqId(node.parent),
      bodySource: htmlToMarkdown(text(node.message) ?? ''),
      createdAt: new Date(createdAt).toISOString(),
      isDeleted: flag(node.isDeleted),
      isSpam: flag(node.isSpam),
      author: { name: text(author.name) || 'Anonymous', username: text(author.username) || null },
    };
  });

  const byId = new Map(posts.map((p) => [p.dsqId, p]));
  if (byId.size !== posts.length) throw new TransferError('Two Disqus posts share one dsq:id');
  for (const post of posts) {
    if (post.parentId === null) continue;
    const parent = byId.get(post.parentId);
    if (!parent)
      throw new TransferError(`Disqus post ${post.dsqId} replies to ${post.parentId}, which is not in the file`);
    if (parent.threadId !== post.threadId) {
      throw new TransferError(`Disqus post ${post.dsqId} replies to ${post.parentId}, which is in another thread`);
    }
  }
  return { threads, posts };
}

// Disqus messages are a small HTML subset (paragraphs, line breaks, links,
// emphasis, quotes, code); anything else keeps only its text.
export function htmlToMarkdown(html: string): string {
  const doc = parseDocument(html);
  return render(doc.children)
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

const escapeMarkdown = (s: string) => s.replace(/([\\`*_[\]<>])/g, '\\$1').replace(/^([#>+-])/gm, '\\$1');

function render(nodes: ChildNode[]): string {
  return nodes.map(renderNode).join('');
}

function renderNode(node: ChildNode): string {
  if (isText(node)) return escapeMarkdown(node.data.replace(/\s+/g, ' '));
  if (!isTag(node)) return '';
  const inner = () => render(node.children);
  switch (node.name) {
    case 'p':
    case 'div':
      return `\n\n${inner()}\n\n`;
    case 'br':
      // Comments render single line breaks (markdown-it `breaks`).
      return '\n';
    case 'b':
    case 'strong':
      return `**${inner()}**`;
    case 'i':
    case 'em':
      return `*${inner()}*`;
    case 'code':
      return `\`${node.children.map((c) => (isText(c) ? c.data : '')).join('')}\``;
    case 'blockquote':
      return `\n\n${inner().trim().replace(/^/gm, '> ')}\n\n`;
    case 'a': {
      const href = node.attribs.href;
      const label = inner();
      return href && /^https?:\/\//.test(href) ? `[${label}](${href.replace(/\)/g, '%29')})` : label;
    }
    default:
      return inner();
  }
}
