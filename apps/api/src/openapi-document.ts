import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { describeError, ErrorCode } from '@rejoinder/common';
import { PROBLEM_SCHEMA } from './http/openapi.js';

// Any route may meet a database that is down or too slow, or a node that is
// shutting down: documented once here rather than on every route.
const UNAVAILABLE = {
  description:
    `\`${ErrorCode.ServiceUnavailable}\`: ${describeError(ErrorCode.ServiceUnavailable).title} (a dependency is down or too slow, ` +
    'or this node is shutting down). Nothing was done: send the same request again after `Retry-After` seconds.',
  headers: { 'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer' } } },
  content: { 'application/problem+json': { schema: PROBLEM_SCHEMA } },
};

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Rejoinder API')
    .setDescription(
      'Articles and their threaded comments. Errors are RFC 9457 problem documents ' +
        '(`application/problem+json`) with a stable `code`. Lists use opaque keyset cursors.',
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    .build();
  const document = SwaggerModule.createDocument(app, config);
  document.components = {
    ...document.components,
    responses: { ...document.components?.responses, ServiceUnavailable: UNAVAILABLE },
  };
  for (const path of Object.values(document.paths)) {
    for (const method of ['get', 'put', 'post', 'delete', 'patch'] as const) {
      const operation = path[method];
      if (operation) operation.responses['503'] = { $ref: '#/components/responses/ServiceUnavailable' };
    }
  }
  return document;
}
