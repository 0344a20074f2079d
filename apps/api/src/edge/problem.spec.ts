import { BadRequestException, NotFoundException, PayloadTooLargeException } from '@nestjs/common';
import { DomainError, ErrorCode } from '@rejoinder/common';
import { ackError } from '../realtime/socket-ack.js';
import { toProblem } from './problem.js';

describe('error mapping', () => {
  it('turns a domain error into its problem document, extras included', () => {
    const { problem, unexpected } = toProblem(
      new DomainError(ErrorCode.RateLimited, 'Retry in 5 s', { retryAfterSeconds: 5, status: 999 }),
      '/api/x',
    );
    expect(unexpected).toBe(false);
    expect(problem).toEqual({
      type: 'urn:rejoinder:problem:rate_limited',
      title: expect.any(String),
      status: 429,
      code: 'RATE_LIMITED',
      detail: 'Retry in 5 s',
      instance: '/api/x',
      retryAfterSeconds: 5,
    });
  });

  it.each([
    [new NotFoundException(), 404, ErrorCode.RouteNotFound],
    [new PayloadTooLargeException(), 413, ErrorCode.PayloadTooLarge],
    [new BadRequestException('bad'), 400, ErrorCode.ValidationFailed],
    [
      Object.assign(new Error('x'), { code: 'FST_ERR_CTP_INVALID_JSON_BODY', statusCode: 400 }),
      400,
      ErrorCode.MalformedJson,
    ],
    [
      Object.assign(new Error('x'), { code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 }),
      413,
      ErrorCode.PayloadTooLarge,
    ],
    [Object.assign(new SyntaxError('Unexpected token'), { statusCode: 400 }), 400, ErrorCode.MalformedJson],
  ])('maps framework error %p to %i %s', (error, status, code) => {
    const { problem, unexpected } = toProblem(error);
    expect(unexpected).toBe(false);
    expect(problem).toMatchObject({ status, code });
  });

  it('hides anything unexpected behind a bare 500 and marks it for the log', () => {
    const { problem, unexpected } = toProblem(new Error('connection string with a password'));
    expect(unexpected).toBe(true);
    expect(problem).toMatchObject({ status: 500, code: ErrorCode.Internal });
    expect(JSON.stringify(problem)).not.toContain('password');
  });

  it('gives every code a 4xx or 5xx status and a title', () => {
    for (const code of Object.values(ErrorCode)) {
      const { problem } = toProblem(new DomainError(code));
      expect(problem.status).toBeGreaterThanOrEqual(400);
      expect(problem.status).toBeLessThan(600);
      expect(problem.title.length).toBeGreaterThan(0);
    }
  });

  it('acks a socket with the same code and status, without the HTTP-only members', () => {
    expect(ackError(new DomainError(ErrorCode.InvalidCursor))).toEqual({
      error: { title: expect.any(String), status: 400, code: 'INVALID_CURSOR' },
    });
  });
});
