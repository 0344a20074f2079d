import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import { localeOfRequest, PROBLEM_CONTENT_TYPE } from '@rejoinder/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { requestIdOf } from './request-id.js';
import { toProblem } from '../edge/problem.js';

@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('Http');

  catch(error: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw error;
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    sendProblem(request, reply, error, this.logger);
  }
}

export function sendProblem(request: FastifyRequest, reply: FastifyReply, error: unknown, logger: Logger): void {
  const requestId = requestIdOf(request);
  const { problem, unexpected } = toProblem(error, request.url, localeOfRequest(request));
  if (unexpected) logger.error({ err: error, requestId, msg: 'Unhandled error' });
  else if (problem.dependency) logger.warn({ err: error, requestId, msg: `Answered 503: ${problem.detail}` });
  if (typeof problem.retryAfterSeconds === 'number')
    void reply.header('retry-after', String(problem.retryAfterSeconds));
  void reply
    .status(problem.status)
    .header('content-type', PROBLEM_CONTENT_TYPE)
    .send({ ...problem, ...(requestId ? { requestId } : {}) });
}
