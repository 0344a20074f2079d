import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { describeError, ErrorCode } from '@rejoinder/common';
import { PROBLEM_SCHEMA } from './http/openapi.js';
import { z } from 'zod';
import { NAMED_SCHEMAS, responseSchema } from './http/schemas.js';

// Any route may meet a database that is down or too slow, or a node that is
// shutting down: documented once here rather than on every route.
const UNAVAILABLE = {
  description:
    `\`${ErrorCode.ServiceUnavailable}\`: ${describeError(ErrorCode.ServiceUnavailable).title} (a dependency is down or too slow, ` +
    'or this node is shutting down). Nothing was done: send the same request again after `Retry-After` seconds.',
  headers: { 'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer' } } },
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
};

// The controllers' tags, described; a tag not listed here is still declared.
// A path the router cannot read (bad percent-encoding, a parameter over 100
// characters) is refused before any route runs.
const BAD_URL = {
  description: `\`${ErrorCode.ValidationFailed}\`: the URL is not valid, or a part of the path is too long`,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
};

const TAGS = [
  { name: 'operations', description: 'Liveness, readiness and a report for operators' },
  {
    name: 'accounts',
    description: 'Registration, sign-in (password, the publisher’s login, OpenID Connect), notifications',
  },
  { name: 'articles', description: 'Articles, their threads, events and digests' },
  { name: 'comments', description: 'A comment: its permalink, replies, edits, votes and reports' },
  {
    name: 'moderation',
    description: 'Queues, actions, sanctions, word lists and article settings (moderators, admins)',
  },
  { name: 'privacy', description: 'Your data: export and erasure; retention (admins)' },
  {
    name: 'admin',
    description:
      'The newsroom’s systems: articles by its own id, service keys, webhooks, mail deliveries (admins, keys)',
  },
  { name: 'feeds', description: 'Atom feeds of comments: an article’s, the site’s, and a reader’s private replies' },
];

// The document's servers: PUBLIC_URL when set, else where the document was
// read from (a relative URL in the committed file: the server it is served by).
export function openApiServers(publicUrl: string | undefined, requestOrigin?: string) {
  const url = publicUrl ?? requestOrigin;
  return [url ? { url: url.replace(/\/+$/, '') } : { url: '/', description: 'The server this document is served by' }];
}

// The OpenAPI 3.1 document of the HTTP API, from the controllers' decorators
// and the zod schemas (JSON Schema 2020-12, the dialect of OpenAPI 3.1).
export function buildOpenApiDocument(app: INestApplication, publicUrl?: string): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Rejoinder API')
    .setDescription(
      'Articles and their threaded comments. Errors are RFC 9457 problem documents ' +
        '(`application/problem+json`) with a stable `code`. Lists use opaque keyset cursors. ' +
        'The live side (socket.io) is described by the AsyncAPI document at `/docs/asyncapi.json`.',
    )
    .setVersion('1')
    .setOpenAPIVersion('3.1.0')
    .setLicense('MIT', 'https://opensource.org/licenses/MIT')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    operationIdFactory: (controller, method) => `${controller.replace(/Controller$/, '')}_${method}`,
  });
  document.servers = openApiServers(publicUrl);
  const used = Object.values(document.paths).flatMap((path) =>
    (['get', 'put', 'post', 'delete', 'patch'] as const).flatMap((method) => path[method]?.tags ?? []),
  );
  document.tags = [
    ...TAGS,
    ...[...new Set(used)].filter((tag) => !TAGS.some((t) => t.name === tag)).map((name) => ({ name })),
  ];
  // Reading is open to anyone; a token, when sent, makes it the reader's own
  // (their votes, their pending comments). Routes that need one say so.
  document.security = [{}, { bearer: [] }];
  const named = namedSchemas();
  document.components = {
    ...document.components,
    schemas: { ...document.components?.schemas, ...named.components },
    responses: { ...document.components?.responses, BadUrl: BAD_URL, ServiceUnavailable: UNAVAILABLE },
  };
  for (const path of Object.values(document.paths)) {
    for (const method of ['get', 'put', 'post', 'delete', 'patch'] as const) {
      const operation = path[method];
      if (!operation) continue;
      operation.responses['503'] = { $ref: '#/components/responses/ServiceUnavailable' };
      const inPath = (operation.parameters ?? []).some((p) => 'in' in p && p.in === 'path');
      if (inPath && !operation.responses['400']) operation.responses['400'] = { $ref: '#/components/responses/BadUrl' };
      for (const response of Object.values(operation.responses)) {
        for (const media of Object.values(
          (response as { content?: Record<string, { schema?: object }> }).content ?? {},
        ))
          if (media.schema) media.schema = named.reduce(media.schema);
      }
      const body = operation.requestBody as { content?: Record<string, { schema?: object }> } | undefined;
      for (const media of Object.values(body?.content ?? {}))
        if (media.schema) media.schema = named.reduce(media.schema);
    }
  }
  return document;
}

// The response components, with the problem document, and the comment node
// whose replies are comment nodes.
function namedSchemas() {
  const named = schemaComponents([
    ...NAMED_SCHEMAS.map(([name, schema]) => [name, responseSchema(schema)] as const),
    ['Problem', PROBLEM_SCHEMA],
  ]);
  const node = named.components.CommentNode as { properties: { replies: { items: unknown } } };
  node.properties.replies.items = { $ref: '#/components/schemas/CommentNode' };
  return named;
}

// Components named once: every schema equal to one of them becomes a $ref
// to it, innermost first, so a component refers to the ones it contains.
// Listed so that a component comes after those it contains.
export function schemaComponents(list: readonly (readonly [string, z.ZodType | Record<string, unknown>])[]) {
  const byText = new Map<string, string>();
  const reduce = (node: unknown, root = false): unknown => {
    if (Array.isArray(node)) return node.map((item) => reduce(item));
    if (typeof node !== 'object' || node === null) return node;
    const reduced = Object.fromEntries(Object.entries(node).map(([key, value]) => [key, reduce(value)]));
    const name = root ? undefined : byText.get(JSON.stringify(reduced));
    return name ? { $ref: `#/components/schemas/${name}` } : reduced;
  };
  const components: Record<string, Record<string, unknown>> = {};
  for (const [name, schema] of list) {
    const json = schema instanceof z.ZodType ? responseSchema(schema) : schema;
    const component = reduce(json, true) as Record<string, unknown>;
    byText.set(JSON.stringify(component), name);
    components[name] = component;
  }
  return { components, reduce: (schema: unknown) => reduce(schema) as Record<string, unknown> };
}
