import { parseDocument } from 'htmlparser2';
import { isTag, isText } from 'domhandler';
import type { ChildNode, Element } from 'domhandler';

// Imported comments are HTML (Disqus, WordPress, Remark42); comments here are
// Markdown. What a person wrote must be what readers see: every character the
// comment renderer (markdown-renderer.ts) would read as syntax is escaped, and
// only the markup the HTML really had becomes Markdown. A property test
// (html-to-markdown.spec.ts) round-trips random text through both.

// Inline syntax anywhere in a line: escapes, code spans, emphasis, strikethrough,
// links and references, autolinks, raw HTML, table pipes; and "@", so that an
// address is not linked (the renderer would show its %-escapes decoded).
const INLINE_SYNTAX = /[\\`*_~[\]<>|@]/g;
// An entity ("&amp;", "&#169;") would be decoded by the renderer.
const ENTITY_START = /&(?=[#A-Za-z])/g;

export function escapeMarkdownText(text: string): string {
  return text.replace(INLINE_SYNTAX, '\\$&').replace(ENTITY_START, '\\&');
}

// Block syntax is only read at the start of a line: headings, quotes, list
// items ("-", "+", "1.", "1)"), fences were escaped inline already.
function escapeLineStarts(markdown: string): string {
  return markdown.replace(/^( {0,3})([#>+-])/gm, '$1\\$2').replace(/^( {0,3})(\d{1,9})([.)])/gm, '$1$2\\$3');
}

export function htmlToMarkdown(html: string): string {
  const doc = parseDocument(html, { decodeEntities: true });
  return render(doc.children, { pre: false })
    .split('\n')
    .map((line) => line.replace(/[ \t]+$/, ''))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .replace(/^\n+|\s+$/g, '');
}

interface Context {
  pre: boolean;
  // Inside a link's label, where no other link may start.
  link?: boolean;
}

function render(nodes: ChildNode[], ctx: Context): string {
  let out = '';
  for (const node of nodes) {
    const piece = renderNode(node, ctx);
    // A line-start escape must see the whole line, so it is applied per text
    // run where a line begins: after a break, a block, or at the very start.
    out += piece;
  }
  return out;
}

const blockOf = (inner: string) => `\n\n${inner.trim()}\n\n`;

function textOf(node: ChildNode): string {
  if (isText(node)) return node.data;
  if (isTag(node)) {
    if (node.name === 'br') return '\n';
    return node.children.map(textOf).join('');
  }
  return '';
}

// A code span whose fence is longer than any run of backticks inside it.
function codeSpan(code: string): string {
  const flat = code.replace(/\s+/g, ' ');
  if (flat.trim() === '') return escapeMarkdownText(flat);
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

function codeBlock(code: string): string {
  const body = code.replace(/^\n/, '').replace(/\s+$/, '');
  const longest = Math.max(2, ...(body.match(/^`+/gm) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  return `\n\n${fence}\n${body}\n${fence}\n\n`;
}

// A link destination with nothing Markdown would end it at.
const destination = (url: string) =>
  url.replace(/[\s()<>\\]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);

function link(node: Element, ctx: Context): string {
  const href = (node.attribs.href ?? '').trim();
  const label = render(node.children, { ...ctx, link: true }).trim();
  if (!/^(https?:\/\/|mailto:)/i.test(href)) return label;
  return `[${label || labelText(href)}](${destination(href)})`;
}

function list(node: Element, ctx: Context): string {
  const items = node.children.filter((c): c is Element => isTag(c) && c.name === 'li');
  const ordered = node.name === 'ol';
  const lines = items.map((item, i) => {
    const marker = ordered ? `${i + 1}.` : '-';
    const body = render(item.children, ctx)
      .trim()
      .replace(/\n{2,}/g, '\n')
      .replace(/\n/g, `\n${' '.repeat(marker.length + 1)}`);
    return `${marker} ${body}`;
  });
  return `\n\n${lines.join('\n')}\n\n`;
}

// An address in the text. The renderer would link it by reading the source
// as it stands, backslashes included, so it becomes an explicit link whose
// label is the escaped text (the characters shown) and whose destination is
// the address.
const ADDRESS = /(?:https?:\/\/|mailto:)[^\s<>"]+/gi;

function trimAddress(url: string): string {
  let end = url.replace(/[.,;:!?'"*_~]+$/, '');
  while (end.endsWith(')') && end.split('(').length < end.split(')').length) end = end.slice(0, -1);
  return end;
}

// In a link's label the renderer would still start an address at its ":"
// and run it past the label's end: an escaped ":" is shown the same.
const labelText = (text: string) => escapeMarkdownText(text).replace(/:/g, '\\:');

function textRun(text: string, ctx: Context): string {
  if (ctx.link) return labelText(text);
  let out = '';
  let at = 0;
  for (const match of text.matchAll(ADDRESS)) {
    const url = trimAddress(match[0]);
    if (!/^(https?:\/\/[^/]|mailto:.)/i.test(url)) continue;
    out += escapeMarkdownText(text.slice(at, match.index));
    out += `[${labelText(url)}](${destination(url)})`;
    at = match.index + url.length;
  }
  return out + escapeMarkdownText(text.slice(at));
}

function renderNode(node: ChildNode, ctx: Context): string {
  if (isText(node)) {
    if (ctx.pre) return node.data;
    return escapeLineStarts(textRun(node.data.replace(/\s+/g, ' '), ctx));
  }
  if (!isTag(node)) return '';
  const inner = () => render(node.children, ctx);
  switch (node.name) {
    case 'p':
    case 'div':
    case 'section':
    case 'article':
    case 'h1':
    case 'h2':
    case 'h3':
    case 'h4':
    case 'h5':
    case 'h6':
      return blockOf(inner());
    case 'br':
      // Comments render single line breaks (markdown-it `breaks`).
      return '\n';
    case 'b':
    case 'strong': {
      const text = inner().trim();
      return text ? `**${text}**` : '';
    }
    case 'i':
    case 'em': {
      const text = inner().trim();
      return text ? `*${text}*` : '';
    }
    case 's':
    case 'del':
    case 'strike': {
      const text = inner().trim();
      return text ? `~~${text}~~` : '';
    }
    case 'code':
      return ctx.pre ? textOf(node) : codeSpan(textOf(node));
    case 'pre':
      return codeBlock(textOf(node));
    case 'blockquote': {
      const body = inner().trim();
      return body ? `\n\n${body.replace(/^/gm, '> ')}\n\n` : '';
    }
    case 'ul':
    case 'ol':
      return list(node, ctx);
    case 'a':
      return link(node, ctx);
    case 'img': {
      // Comments show no images: the picture becomes a link to it.
      const src = (node.attribs.src ?? '').trim();
      const alt = escapeMarkdownText(node.attribs.alt ?? '').trim() || 'image';
      return /^https?:\/\//i.test(src) ? `[${alt}](${destination(src)})` : '';
    }
    case 'script':
    case 'style':
    case 'iframe':
    case 'object':
    case 'template':
      return '';
    default:
      return inner();
  }
}
