import { CommentsService, threadQuerySchema } from '@rejoinder/forum';
import type { FastifyInstance } from 'fastify';
import { sendCached } from './cached-response.js';
import { slugParam } from './params.js';

// The route of ArticlesController.thread, as Fastify knows it.
export const THREAD_ROUTE = '/api/articles/:slug/comments';

// A hot thread page for an anonymous reader, answered from the read cache in
// an onRequest hook: after the hooks every answer gets (security headers,
// request id, compression's choice of encoding, the trace span) and before
// Nest's router, middleware, guards, interceptors and pipes, which on a cache
// hit decide nothing. The answer is the one ArticlesController.thread sends
// (sendCached, same headers, ETag and 304, same encodings); the onSend and
// onResponse hooks (metrics, access log) run as for any answer.
//
// Anything else takes the normal path: another method or route, a request
// that says who it is (Authorization, a cookie, an API key header), a query
// the route's schema refuses, a slug it refuses, an article whose id this
// process has not looked up yet, a page not in memory. The cache holds only
// the anonymous view, so a reader who is signed in never gets it from here.
// docs/adr/0041-cached-thread-pages-before-the-framework.md.
export function registerCachedFastPath(fastify: FastifyInstance, comments: CommentsService): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    if (request.method !== 'GET' || request.routeOptions.url !== THREAD_ROUTE) return done();
    const headers = request.headers;
    if (headers.authorization !== undefined || headers.cookie !== undefined || headers['x-api-key'] !== undefined)
      return done();
    const query = threadQuerySchema.safeParse(request.query);
    if (!query.success) return done();
    const { slug } = request.params as { slug: string };
    let cached;
    try {
      cached = comments.cachedThreadNow(slugParam(slug), query.data);
    } catch {
      return done();
    }
    if (!cached) return done();
    void reply.send(sendCached(request, reply, cached, false));
  });
}
