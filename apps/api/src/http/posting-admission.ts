import { DomainError, ErrorCode, PROBLEM_CONTENT_TYPE } from '@rejoinder/common';
import type { FastifyInstance } from 'fastify';
import { requestIdOf } from './request-id.js';
import { toProblem } from './problem.js';

// Posting a comment to an article, the one route admission control covers.
const POSTING = /\/articles\/:slug\/comments$/;

// Seconds a refused poster is asked to wait.
export const POSTING_BUSY_RETRY_AFTER_SECONDS = 1;

// Admission control for posting (ADR 26): a node works on at most `max` posts
// at once. One more is refused at once, before it is authenticated or reads
// anything, with 429 POSTING_BUSY and Retry-After: nothing was written, and
// the same request (with the same client id) may be sent again. Without it,
// a crowd of posters queues for the database pool until requests time out
// and answer 503, and every admitted post waits behind that queue.
export function admitPosts(fastify: FastifyInstance, max: number, onRefused: () => void = () => {}): void {
  let inProgress = 0;
  fastify.addHook('onRequest', async (request, reply) => {
    if (request.method !== 'POST' || !POSTING.test(request.routeOptions.url ?? '')) return;
    if (inProgress >= max) {
      onRefused();
      const { problem } = toProblem(
        new DomainError(ErrorCode.PostingBusy, `This node is already storing ${max} comments`, {
          retryAfterSeconds: POSTING_BUSY_RETRY_AFTER_SECONDS,
        }),
        request.url,
      );
      const requestId = requestIdOf(request);
      return reply
        .status(problem.status)
        .header('retry-after', String(POSTING_BUSY_RETRY_AFTER_SECONDS))
        .header('content-type', PROBLEM_CONTENT_TYPE)
        .send({ ...problem, ...(requestId ? { requestId } : {}) });
    }
    inProgress += 1;
    // The response's 'close' comes once, when it was sent or when the client
    // went away first (its post then runs to its end without holding a place:
    // the database's own limits bound what is left).
    reply.raw.once('close', () => {
      inProgress -= 1;
    });
  });
}
