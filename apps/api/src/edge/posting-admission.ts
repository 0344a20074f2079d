import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, DomainError, ErrorCode, localeOfRequest, Metrics, PROBLEM_CONTENT_TYPE } from '@rejoinder/common';
import type { AppConfig } from '@rejoinder/common';
import type { FastifyInstance } from 'fastify';
import { toProblem } from './problem.js';

// Posting a comment to an article over HTTP (the socket's `comment.create` is
// the other door; the gateway takes its place through the same admission).
const POSTING = /\/articles\/:slug\/comments$/;

// Seconds a refused poster is asked to wait.
export const POSTING_BUSY_RETRY_AFTER_SECONDS = 1;

// Admission control for posting (ADR 26): a node works on at most
// POSTS_IN_PROGRESS_MAX posts at once, over HTTP and over sockets together.
// One more is refused at once, before it is authenticated or reads anything,
// with POSTING_BUSY and a time to retry after: nothing was written, and the
// same post (with the same client id) may be sent again. Without it, a crowd
// of posters queues for the database pool until requests time out and answer
// 503, and every admitted post waits behind that queue.
@Injectable()
export class PostingAdmission {
  private inProgress = 0;
  readonly max: number;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly metrics: Metrics,
  ) {
    this.max = config.POSTS_IN_PROGRESS_MAX;
  }

  // Takes a place and returns what gives it back (once), or null when the
  // node is full (the refusal is counted).
  enter(): (() => void) | null {
    if (this.inProgress >= this.max) {
      this.metrics.rateLimitRefusals.inc({ limit: 'posting-busy' });
      return null;
    }
    this.inProgress += 1;
    let left = false;
    return () => {
      if (left) return;
      left = true;
      this.inProgress -= 1;
    };
  }

  refusal(): DomainError {
    return new DomainError(ErrorCode.PostingBusy, `This node is already storing ${this.max} comments`, {
      retryAfterSeconds: POSTING_BUSY_RETRY_AFTER_SECONDS,
    });
  }
}

// The HTTP door: a hook before authentication.
export function admitPosts(fastify: FastifyInstance, admission: PostingAdmission): void {
  fastify.addHook('onRequest', async (request, reply) => {
    if (request.method !== 'POST' || !POSTING.test(request.routeOptions.url ?? '')) return;
    const leave = admission.enter();
    if (!leave) {
      const { problem } = toProblem(admission.refusal(), request.url, localeOfRequest(request));
      // Fastify's request id (generateRequestId in http/request-id.ts).
      const requestId = request.id;
      return reply
        .status(problem.status)
        .header('retry-after', String(POSTING_BUSY_RETRY_AFTER_SECONDS))
        .header('content-type', PROBLEM_CONTENT_TYPE)
        .send({ ...problem, ...(requestId ? { requestId } : {}) });
    }
    // The response's 'close' comes once, when it was sent or when the client
    // went away first (its post then runs to its end without holding a place:
    // the database's own limits bound what is left).
    reply.raw.once('close', leave);
  });
}
