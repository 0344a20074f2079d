import normalizeUrl from 'normalize-url';

// One article is one page, however a link to it is written: the newsroom's API,
// the embed and every importer match articles through these two functions.

// Query parameters that mark where a reader came from, never which page it is.
const TRACKING_PARAMETERS: RegExp[] = [
  /^utm_\w+$/i,
  /^(fbclid|gclid|dclid|gbraid|wbraid|msclkid|yclid|igshid|twclid|ttclid|li_fat_id)$/i,
  /^(mc_cid|mc_eid|_ga|_gl|_hsenc|_hsmi|mkt_tok|oly_anon_id|oly_enc_id|vero_id|rb_clickid)$/i,
  /^(ref|ref_src|ref_url|cmpid|ocid|ito|smid|sr_share|share)$/i,
];

export class InvalidArticleUrlError extends Error {
  constructor(readonly url: string) {
    super(`Not an http(s) URL: ${url}`);
  }
}

function parseHttpUrl(input: string): URL {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    throw new InvalidArticleUrlError(input);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidArticleUrlError(input);
  return url;
}

// The article's URL as it is stored and shown: scheme and host in lower case, no
// default port, credentials, fragment, trailing slash or tracking parameters, and
// the remaining query parameters in a stable order.
export function canonicalArticleUrl(input: string): string {
  const url = parseHttpUrl(input);
  return normalizeUrl(url.href, {
    stripHash: true,
    stripAuthentication: true,
    stripWWW: false,
    removeQueryParameters: TRACKING_PARAMETERS,
    removeTrailingSlash: true,
    removeSingleSlash: true,
    // WHATWG URL parsing already drops a default port; another one names another site.
    removeExplicitPort: false,
    sortQueryParameters: true,
    removeDirectoryIndex: false,
  });
}

// The identity of a page: its canonical URL without the scheme and a leading
// "www.", so the same page under http and https, or with and without www, is one
// article (exports commonly hold both). Stored unique as articles.url_key.
export function articleUrlKey(input: string): string {
  const canonical = new URL(canonicalArticleUrl(input));
  const host = canonical.host.replace(/^www\./, '');
  const path = canonical.pathname === '/' ? '' : canonical.pathname;
  return `${host}${path}${canonical.search}`;
}
