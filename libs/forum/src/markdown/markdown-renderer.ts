import MarkdownIt, { type MarkdownIt as MarkdownParser } from 'markdown-it';
import sanitizeHtml from 'sanitize-html';

// Two layers: markdown-it with raw HTML off and a scheme allowlist, then
// sanitize-html with an explicit tag/attribute allowlist per profile. Either
// layer alone should be enough; both are built once at module load.

const LINK_SCHEMES: readonly string[] = ['http', 'https', 'mailto'];
const IMAGE_SCHEMES: readonly string[] = ['http', 'https'];
const LINK_REL = 'nofollow ugc noopener';

const SCHEME = /^([a-z][a-z0-9+.-]*):/i;

// Allowlist on the exact string, no trimming: leading whitespace, control
// characters or entities left in the scheme mean no match, so refusal.
// Relative, fragment and protocol-relative URLs are refused too: the HTML is
// shown on pages we do not control, so they would resolve unpredictably.
function hasAllowedScheme(url: string, schemes: readonly string[]): boolean {
  const match = SCHEME.exec(url);
  return match !== null && schemes.includes(match[1].toLowerCase());
}

function createMarkdown(rules: string[], options: { linkify: boolean; breaks: boolean }): MarkdownParser {
  // The 'zero' preset has every syntax rule off; enabling by name makes the
  // rule list the allowlist (anything not listed renders as plain text).
  const md = new MarkdownIt('zero', { html: false, typographer: false, ...options });
  md.enable(rules);
  // Replaces the default denylist (javascript:, vbscript:, file:, data:),
  // which also lets data:image through. Runs after entity decoding and
  // percent-encoding; a refused destination leaves the source as text.
  md.validateLink = (url: string) => hasAllowedScheme(url, LINK_SCHEMES);
  return md;
}

// markdown-it never emits a bad URL after validateLink, but the sanitiser is
// the last word: every <a> is rebuilt as href (if allowed) + title + our rel,
// so target, on* and anything else cannot get through; <img> likewise.
function transformLink(tagName: string, attribs: sanitizeHtml.Attributes): sanitizeHtml.Tag {
  const kept: sanitizeHtml.Attributes = {};
  if (attribs.href !== undefined && hasAllowedScheme(attribs.href, LINK_SCHEMES)) kept.href = attribs.href;
  if (attribs.title) kept.title = attribs.title;
  kept.rel = LINK_REL;
  return { tagName, attribs: kept };
}

function transformImage(tagName: string, attribs: sanitizeHtml.Attributes): sanitizeHtml.Tag {
  const kept: sanitizeHtml.Attributes = {};
  if (attribs.src !== undefined && hasAllowedScheme(attribs.src, IMAGE_SCHEMES)) kept.src = attribs.src;
  kept.alt = attribs.alt ?? '';
  if (attribs.title) kept.title = attribs.title;
  return { tagName, attribs: kept };
}

// Runs on the final attributes: a link whose URL was refused is unwrapped
// (its text stays), an image without a source is removed. Done here rather
// than by renaming the tag in transformTags, because sanitize-html 2.17 keeps
// a stale rename after a discarded tag and mislabels the next closing tag.
function dropUnusable(frame: sanitizeHtml.IFrame): boolean | 'excludeTag' {
  if (frame.tag === 'a' && frame.attribs.href === undefined) return 'excludeTag';
  return frame.tag === 'img' && frame.attribs.src === undefined;
}

function sanitizerOptions(allowedTags: string[], allowedAttributes: Record<string, string[]>): sanitizeHtml.IOptions {
  return {
    allowedTags,
    allowedAttributes,
    allowedClasses: {},
    allowedStyles: {},
    allowedSchemes: [...LINK_SCHEMES],
    allowedSchemesByTag: { img: [...IMAGE_SCHEMES] },
    allowedSchemesAppliedToAttributes: ['href', 'src'],
    allowProtocolRelative: false,
    disallowedTagsMode: 'discard',
    allowVulnerableTags: false,
    enforceHtmlBoundary: false,
    transformTags: { a: transformLink, img: transformImage },
    exclusiveFilter: dropUnusable,
  };
}

// Comments: single newlines become <br> (commenters type prose, not
// Markdown). Headings stay disabled rather than being stripped later: "# text"
// renders as the literal paragraph the author typed, nothing disappears, and
// comments cannot put headings into the article page's outline. Images,
// tables, horizontal rules and raw HTML are off too. Linkify covers URLs with
// a scheme and e-mail addresses (linkify-it 6 leaves bare "www." hosts alone).
const commentMarkdown = createMarkdown(
  [
    'blockquote',
    'code',
    'fence',
    'list',
    'reference',
    'newline',
    'escape',
    'entity',
    'backticks',
    'emphasis',
    'strikethrough',
    'link',
    'autolink',
    'linkify',
  ],
  { linkify: true, breaks: true },
);

const COMMENT_SANITIZER = sanitizerOptions(
  ['p', 'br', 'em', 'strong', 's', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'a'],
  { a: ['href', 'title', 'rel'], ol: ['start'] },
);

// Articles: standard line handling, no linkify (editors write explicit
// links, and fuzzy matching would link stray domain-like words). Only the
// constructs in the brief; code, tables and rules are off.
const articleMarkdown = createMarkdown(
  [
    'heading',
    'lheading',
    'blockquote',
    'list',
    'reference',
    'newline',
    'escape',
    'entity',
    'emphasis',
    'link',
    'autolink',
    'image',
  ],
  { linkify: false, breaks: false },
);

const ARTICLE_SANITIZER = sanitizerOptions(
  ['p', 'br', 'em', 'strong', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'ul', 'ol', 'li', 'a', 'img'],
  { a: ['href', 'title', 'rel'], img: ['src', 'alt', 'title'], ol: ['start'] },
);

// One line of plain prose: a letter first (no list, quote or code marker can
// start it), then letters, digits, spaces and , ; ? ' ( ) - only, and full
// stops followed by a space or the end (no "host.name" for linkify to take).
// No character here is Markdown syntax or needs escaping in HTML, so both
// layers would return it unchanged in one paragraph (the spec compares the
// two on a corpus and on random strings of this alphabet). Most comments are
// such prose; they skip markdown-it's and sanitize-html's parsers (ADR 43).
const PLAIN_PROSE = /^[A-Za-z](?:[A-Za-z0-9 ,;?'()-]|\.(?= |$))*$/;

export function renderCommentMarkdown(source: string): string {
  if (PLAIN_PROSE.test(source) && !source.endsWith(' ')) return `<p>${source}</p>\n`;
  return renderCommentMarkdownFully(source);
}

// Both layers, whatever the text (exported for the spec's comparison).
export function renderCommentMarkdownFully(source: string): string {
  return sanitizeHtml(commentMarkdown.render(source), COMMENT_SANITIZER);
}

// The article's tokens as the renderer sees them (its passages come from them).
export function parseArticleMarkdown(source: string) {
  return articleMarkdown.parse(source, {});
}

export function renderArticleMarkdown(source: string): string {
  return sanitizeHtml(articleMarkdown.render(source), ARTICLE_SANITIZER);
}
