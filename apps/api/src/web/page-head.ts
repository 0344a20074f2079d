import { translatorFor } from '@rejoinder/common';
import type { ArticleView, CommentNode, CommentView } from '@rejoinder/forum';
import type { I18n } from '@lingui/core';
import { Parser } from 'htmlparser2';

export const SITE_NAME = 'Rejoinder';
const DESCRIPTION_CHARS = 160;

// What the server writes into a page's <head>: what a search engine, a link
// preview and a screen reader's tab title read before any script runs.
export interface PageHead {
  title: string;
  description: string;
  // Absolute; the newsroom's URL of an article when it has one.
  canonical?: string;
  robots?: 'noindex';
  openGraph?: Record<string, string>;
  jsonLd?: object;
}

// The anonymous thread page's comments, as the reader page's first request
// gets them (pinned first, then the page's roots with their shown replies).
export interface ThreadForHead {
  items: CommentNode[];
  pinned: CommentView[];
}

// Open Graph names a locale language_TERRITORY (ru_RU, en_US).
export function openGraphLocale(locale: string): string {
  try {
    const full = new Intl.Locale(locale).maximize();
    return full.region ? `${full.language}_${full.region}` : full.language;
  } catch {
    return locale.replace('-', '_');
  }
}

// `Title · Rejoinder` in the reader's language (the separator and order are the catalogue's).
const titled = (t: I18n, page: string): string =>
  t._(/*i18n*/ { id: 'head.title', message: '{page} · {site}', values: { page, site: SITE_NAME } });

// The heads of the pages other than an article's, in the reader's language.
export function pageHeads(locale: string): Record<string, PageHead> {
  const t = translatorFor(locale);
  const head = (title: string, description: string): PageHead => ({ title: titled(t, title), description });
  return {
    '/': head(
      t._(/*i18n*/ { id: 'head.articles.title', message: 'Articles' }),
      t._(/*i18n*/ { id: 'head.articles.description', message: 'Articles open for discussion, newest first.' }),
    ),
    embed: head(
      t._(/*i18n*/ { id: 'head.embed.title', message: 'Comments' }),
      t._(/*i18n*/ { id: 'head.embed.description', message: 'The discussion of this article.' }),
    ),
    '/comments/:id': head(
      t._(/*i18n*/ { id: 'head.comment.title', message: 'Comment' }),
      t._(/*i18n*/ { id: 'head.comment.description', message: 'A comment in the discussion of an article.' }),
    ),
    '/moderation': head(
      t._(/*i18n*/ { id: 'head.moderation.title', message: 'Moderation console' }),
      t._(
        /*i18n*/ {
          id: 'head.moderation.description',
          message: 'Review reported and held comments, decide on them, and follow the health of each thread.',
        },
      ),
    ),
    '/settings': head(
      t._(/*i18n*/ { id: 'head.settings.title', message: 'Settings' }),
      t._(/*i18n*/ { id: 'head.settings.description', message: 'Your account, sign-in and mail settings.' }),
    ),
    '/reset-password': head(
      t._(/*i18n*/ { id: 'head.reset.title', message: 'Reset your password' }),
      t._(/*i18n*/ { id: 'head.reset.description', message: 'Choose a new password.' }),
    ),
    '/verify-email': head(
      t._(/*i18n*/ { id: 'head.verify.title', message: 'Verify your email' }),
      t._(/*i18n*/ { id: 'head.verify.description', message: 'Confirm your email address.' }),
    ),
    missing: {
      ...head(
        t._(/*i18n*/ { id: 'head.missing.title', message: 'Article not available' }),
        t._(/*i18n*/ { id: 'head.missing.description', message: 'No article here.' }),
      ),
      robots: 'noindex',
    },
  };
}

// The reader page of an article: its title, a description from its first
// words, the canonical URL, Open Graph and Twitter card tags, and JSON-LD of
// the article and of the comments on the first thread page. Only comments an
// anonymous reader sees are in it: the thread is the anonymous one (the
// visibility policy already applied), and placeholders (no author, no body)
// are left out with what hangs under them. The words the page adds are in
// the reader's language; the article's and comments' own text is as written.
export function articleHead(article: ArticleView, thread: ThreadForHead, origin: string, locale = 'en'): PageHead {
  const t = translatorFor(locale);
  const pageUrl = `${origin}/articles/${encodeURIComponent(article.slug)}`;
  const canonical = article.sourceUrl ?? pageUrl;
  const description =
    describe(article.html) ||
    t._(
      /*i18n*/ {
        id: 'head.article.description',
        message: '{title}, by {author}',
        values: { title: article.title, author: article.author },
      },
    );
  const headline = t._(
    /*i18n*/ { id: 'head.posting.headline', message: 'On “{title}”', values: { title: article.title } },
  );
  const seen = new Set<string>();
  const postings = [
    ...thread.pinned.map((c): CommentNode => ({ ...c, replies: [], repliesCursor: null })),
    ...thread.items,
  ]
    .filter((c) => !seen.has(c.id) && (seen.add(c.id), true))
    .map((c) => posting(c, article, headline, canonical, origin))
    .filter((p) => p !== null);
  return {
    title: titled(t, article.title),
    description,
    canonical,
    openGraph: {
      'og:type': 'article',
      'og:locale': openGraphLocale(t.locale),
      'og:site_name': SITE_NAME,
      'og:title': article.title,
      'og:description': description,
      'og:url': canonical,
      'article:published_time': article.publishedAt,
      'article:author': article.author,
      'twitter:card': 'summary',
      'twitter:title': article.title,
      'twitter:description': description,
    },
    jsonLd: {
      '@context': 'https://schema.org',
      '@graph': [
        {
          // The page presents every article as an op-ed.
          '@type': 'OpinionNewsArticle',
          '@id': `${pageUrl}#article`,
          headline: article.title.slice(0, 110),
          description,
          url: canonical,
          mainEntityOfPage: canonical,
          author: { '@type': 'Person', name: article.author },
          datePublished: article.publishedAt,
          commentCount: article.commentCount,
          discussionUrl: `${pageUrl}#thread-title`,
          isAccessibleForFree: true,
        },
        ...postings,
      ],
    },
  };
}

// A top-level comment as a post in the discussion of the article, its
// replies as comments on it.
function posting(
  c: CommentNode,
  article: ArticleView,
  headline: string,
  canonical: string,
  origin: string,
): object | null {
  const self = comment(c, origin);
  if (!self) return null;
  return {
    ...self,
    '@type': 'DiscussionForumPosting',
    headline: headline.slice(0, 110),
    about: { '@id': `${origin}/articles/${encodeURIComponent(article.slug)}#article` },
    isPartOf: canonical,
  };
}

function comment(c: CommentNode, origin: string): Record<string, unknown> | null {
  if (c.status !== 'published' || !c.author || c.body === null) return null;
  const replies = c.replies.map((r) => comment(r, origin)).filter((r) => r !== null);
  return {
    '@type': 'Comment',
    '@id': `${origin}/comments/${c.id}`,
    url: `${origin}/comments/${c.id}`,
    author: { '@type': 'Person', name: c.author.displayName ?? c.author.username },
    datePublished: c.createdAt,
    ...(c.editedAt ? { dateModified: c.editedAt } : {}),
    text: c.body,
    commentCount: c.descendantCount,
    interactionStatistic: [
      {
        '@type': 'InteractionCounter',
        interactionType: 'https://schema.org/LikeAction',
        userInteractionCount: c.upvotes,
      },
      {
        '@type': 'InteractionCounter',
        interactionType: 'https://schema.org/DislikeAction',
        userInteractionCount: c.downvotes,
      },
    ],
    ...(replies.length > 0 ? { comment: replies } : {}),
  };
}

// The first words of the article's text, cut at a word, for search results
// and link previews.
export function describe(html: string): string {
  let text = '';
  const parser = new Parser(
    {
      ontext: (chunk) => void (text += chunk),
      onclosetag: () => void (text += ' '),
    },
    { decodeEntities: true },
  );
  parser.write(html.slice(0, 8000));
  parser.end();
  text = text.replace(/\s+/g, ' ').trim();
  if (text.length <= DESCRIPTION_CHARS) return text;
  const cut = text.slice(0, DESCRIPTION_CHARS - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > DESCRIPTION_CHARS / 2 ? cut.slice(0, space) : cut).replace(/[\s,;:.–—-]+$/, '')}…`;
}

// The tags, safe to write into the HTML: attribute values escaped, JSON-LD
// with every `<`, `>` and `&` (and the JavaScript line separators) escaped,
// so no text in it can close the <script> element or open a comment.
export function renderHead(head: PageHead): string {
  const lines = [
    `<title>${escapeHtml(head.title)}</title>`,
    `<meta name="description" content="${escapeHtml(head.description)}" />`,
  ];
  if (head.robots) lines.push(`<meta name="robots" content="${head.robots}" />`);
  if (head.canonical) lines.push(`<link rel="canonical" href="${escapeHtml(head.canonical)}" />`);
  for (const [key, value] of Object.entries(head.openGraph ?? {})) {
    const attribute = key.startsWith('twitter:') ? 'name' : 'property';
    lines.push(`<meta ${attribute}="${key}" content="${escapeHtml(value)}" />`);
  }
  if (head.jsonLd) lines.push(`<script type="application/ld+json">${scriptJson(head.jsonLd)}</script>`);
  return lines.join('\n    ');
}

export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
