import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiExtraModels, ApiQuery, ApiResponse } from '@nestjs/swagger';
import { describeError, ErrorCode, openApiSchema } from '@rejoinder/common';
import { z } from 'zod';

export const PROBLEM_SCHEMA = {
  type: 'object',
  description: 'RFC 9457 problem document; `code` is stable and safe to branch on.',
  required: ['type', 'title', 'status', 'code'],
  properties: {
    type: { type: 'string', example: 'urn:rejoinder:problem:comment_body_empty' },
    title: { type: 'string' },
    status: { type: 'integer' },
    code: { type: 'string', enum: Object.values(ErrorCode) },
    detail: { type: 'string' },
    instance: { type: 'string' },
    requestId: { type: 'string' },
    retryAfterSeconds: {
      type: 'integer',
      description: 'On 429 and 503: seconds to wait, as in the Retry-After header',
    },
    retryable: { type: 'boolean', description: 'On 503: nothing was done; the same request may be sent again' },
    dependency: { type: 'string', description: 'On 503: what is unavailable (`database`, …)' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        properties: { path: { type: 'string' }, code: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
};

// Problems every route of a kind can give, documented the same way everywhere.
// A JSON body: its shape, its syntax, its media type, its size.
export const BODY_PROBLEMS = [
  ErrorCode.ValidationFailed,
  ErrorCode.UnknownFields,
  ErrorCode.MalformedJson,
  ErrorCode.UnsupportedMediaType,
  ErrorCode.PayloadTooLarge,
];
// A bearer token that is required.
// A service key is refused where the route accepts none.
export const TOKEN_PROBLEMS = [
  ErrorCode.Unauthenticated,
  ErrorCode.InvalidToken,
  ErrorCode.TokenExpired,
  ErrorCode.ApiKeyNotAllowed,
];
// A role that is required, on top of the token (or a service key's scope).
export const ROLE_PROBLEMS = [...TOKEN_PROBLEMS, ErrorCode.Forbidden, ErrorCode.ApiKeyScopeMissing];
// A token signed by the publisher's site.
export const SSO_TOKEN_PROBLEMS = [
  ErrorCode.SsoTokenMalformed,
  ErrorCode.SsoTokenAlgorithm,
  ErrorCode.SsoTokenSignature,
  ErrorCode.SsoTokenIssuer,
  ErrorCode.SsoTokenAudience,
  ErrorCode.SsoTokenExpired,
  ErrorCode.SsoTokenAge,
  ErrorCode.SsoTokenClaims,
  ErrorCode.SsoKeyUnknown,
  ErrorCode.SsoKeysUnavailable,
];
// Taking part (posting, reporting, voting, editing) when sanctioned.
export const SANCTION_PROBLEMS = [ErrorCode.UserBanned, ErrorCode.UserSuspended];

// Documents the problem responses a route can give, grouped by status, with their codes.
export function ApiProblems(...codes: ErrorCode[]): MethodDecorator & ClassDecorator {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) {
    const { status } = describeError(code);
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return applyDecorators(
    ...[...byStatus].map(([status, list]) =>
      ApiResponse({
        status,
        description: list.map((code) => `\`${code}\`: ${describeError(code).title}`).join('<br>'),
        content: { 'application/problem+json': { schema: PROBLEM_SCHEMA } },
      }),
    ),
  );
}

export function ApiJsonBody(schema: z.ZodType): MethodDecorator {
  return applyDecorators(ApiBody({ schema: openApiSchema(schema) as never }));
}

export function ApiJsonResponse(
  status: number,
  description: string,
  schema?: z.ZodType | Record<string, unknown>,
): MethodDecorator {
  const json = schema instanceof z.ZodType ? openApiSchema(schema, 'output') : schema;
  return applyDecorators(ApiResponse({ status, description, ...(json ? { schema: json } : {}) }));
}

// Documents a query's parameters from the zod schema that parses it.
export function ApiJsonQuery(schema: z.ZodObject): MethodDecorator {
  const json = openApiSchema(schema) as { properties?: Record<string, Record<string, unknown>>; required?: string[] };
  return applyDecorators(
    ...Object.entries(json.properties ?? {}).map(([name, property]) => {
      const { description, ...rest } = property;
      return ApiQuery({
        name,
        required: json.required?.includes(name) ?? false,
        schema: rest as never,
        ...(typeof description === 'string' ? { description } : {}),
      });
    }),
  );
}

export const ApiAuth = () => applyDecorators(ApiBearerAuth());

// Pages a person opens from a link in an email (the unsubscribe link). They
// answer a mistake with a page that says so (text/html), not a problem
// document: the contract's checks and the input walk exempt these, and only
// these, from "every refusal is a problem document".
export const LINK_OPENED_PAGES: readonly { method: 'get'; path: string }[] = [
  { method: 'get', path: '/api/mail/unsubscribe' },
];

export const isLinkOpenedPage = (method: string, path: string): boolean =>
  LINK_OPENED_PAGES.some((page) => page.method === method.toLowerCase() && page.path === path.split('?')[0]);
export { ApiExtraModels };

// A read served from the cache with an ETag: a reader who has that copy gets
// 304 and no body.
export const ApiNotModified = () =>
  applyDecorators(
    ApiResponse({
      status: 304,
      description: 'Not modified: the copy whose ETag was sent in `If-None-Match` is current',
    }),
  );
