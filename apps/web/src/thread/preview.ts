import MarkdownIt from 'markdown-it';

// The same Markdown subset the server renders comments with (raw HTML off,
// links only to http, https and mailto), for a faithful preview.
const md = new MarkdownIt('zero', { html: false, typographer: false, linkify: true, breaks: true });
md.enable([
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
]);
md.validateLink = (url: string) => /^(https?|mailto):/i.test(url);

export const renderComment = (source: string): string => md.render(source);
