import { articleTag } from '@rejoinder/forum';
import type { CachedBody } from '@rejoinder/forum';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { encodedBody } from './compression.js';

// How long a shared cache (a CDN) may keep an anonymous page, and serve it
// stale while it fetches a new one. Content taken down reaches readers behind
// a CDN within the sum, or as soon as the CDN is purged by the article's tag
// (CDN_PURGE_URL; docs/architecture.md, "Reads from memory").
export const SHARED_MAX_AGE = 1;
export const STALE_WHILE_REVALIDATE = 2;

// Sends a body from the read cache with its validators: a strong ETag (304
// when the reader already has these bytes), the seq it is at, and who may
// keep it: anyone for anonymous readers, only the reader's own browser (after
// asking again) for signed-in ones. Compressed, it sends the bytes kept with
// the page for that encoding (compressed on first use); each encoding is its
// own representation with its own ETag.
export function sendCached(
  request: FastifyRequest,
  reply: FastifyReply,
  cached: CachedBody,
  signedIn: boolean,
): Buffer | '' {
  const vary = reply.getHeader('vary');
  const encoded = encodedBody(request, cached.body, cached.encoded);
  const etag = encoded ? `${cached.etag.slice(0, -1)}-${encoded.encoding}"` : cached.etag;
  void reply
    .header('etag', etag)
    .header(
      'vary',
      `${vary ? `${String(vary)}, ` : ''}Authorization${request.answerEncoding ? ', Accept-Encoding' : ''}`,
    )
    .header(
      'cache-control',
      signedIn
        ? 'private, no-cache'
        : `public, max-age=${SHARED_MAX_AGE}, stale-while-revalidate=${STALE_WHILE_REVALIDATE}`,
    )
    .header('surrogate-key', articleTag(cached.articleId))
    .header('cache-tag', articleTag(cached.articleId))
    .header('x-event-seq', String(cached.seq));
  if (matches(request.headers['if-none-match'], etag)) {
    void reply.status(304);
    return '';
  }
  void reply.header('content-type', 'application/json; charset=utf-8');
  if (!encoded) return cached.body;
  void reply.header('content-encoding', encoded.encoding);
  return encoded.bytes;
}

// If-None-Match holds one or more entity tags, or `*`.
function matches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}
