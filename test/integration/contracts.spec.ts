import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { ARTICLE_EVENT_NAMES, SESSION_EVENT_NAMES } from '@rejoinder/common';
import { buildAsyncApiDocument } from '../../apps/api/src/asyncapi-document.js';
import { isLinkOpenedPage } from '../../apps/api/src/http/openapi.js';
import { CLIENT_EVENTS } from '../../apps/api/src/realtime/client-messages.js';
import { checkHttpExchange, checkSocketEvent, checkSocketRequest, ContractViolation } from '../support/contracts.js';

// The committed contracts, read as an integrator's tools read them. (The
// e2e suite checks they are what the code serves: operations.e2e.spec.ts.)
const openapi = () => JSON.parse(readFileSync('docs/openapi.json', 'utf8'));
const asyncapi = () => JSON.parse(readFileSync('docs/asyncapi.json', 'utf8'));
const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

// The tools run as npm run contracts:check runs them, in their own process
// (swagger-parser's ESM dependencies do not load in Jest's module system).
let report: Promise<any> | null = null;
function toolsReport(): Promise<any> {
  report ??= promisify(execFile)(process.execPath, ['scripts/check-contracts.mjs'], { maxBuffer: 64 << 20 })
    .catch((error: { stdout: string }) => error)
    .then(({ stdout }) => JSON.parse(stdout));
  return report;
}

describe('docs/openapi.json', () => {
  it('is a valid OpenAPI 3.1 document for @apidevtools/swagger-parser and passes redocly lint (recommended)', async () => {
    expect(openapi().openapi).toBe('3.1.0');
    const report = await toolsReport();
    expect(report.openapi.swaggerParser).toEqual([]);
    expect(report.openapi.redocly.problems.filter((p: string) => p.startsWith('error'))).toEqual([]);
    expect(report.openapi.redocly.errors).toBe(0);
  });

  it('gives every operation a unique operationId and a tag, and every error the problem document', () => {
    const document = openapi();
    const ids: string[] = [];
    const tags = new Set((document.tags as { name: string }[]).map((t) => t.name));
    for (const [path, item] of Object.entries(document.paths as Record<string, Record<string, any>>)) {
      for (const method of METHODS.filter((m) => item[m])) {
        const op = item[method];
        ids.push(op.operationId);
        expect({ path, method, tags: op.tags.length > 0 && op.tags.every((tag: string) => tags.has(tag)) }).toEqual({
          path,
          method,
          tags: true,
        });
        for (const [status, response] of Object.entries(op.responses as Record<string, any>)) {
          if (Number(status) < 400) continue;
          const resolved = response.$ref ? document.components.responses[response.$ref.split('/').pop()] : response;
          // A page a person opens from a link (an email's unsubscribe link)
          // answers a mistake with a page, not a problem document.
          const page = isLinkOpenedPage(method, path);
          expect({ path, method, status, content: Object.keys(resolved.content) }).toEqual({
            path,
            method,
            status,
            content: page
              ? expect.arrayContaining([expect.stringMatching(/^(application\/problem\+json|text\/html)$/)])
              : ['application/problem+json'],
          });
          if (!page)
            expect(resolved.content['application/problem+json'].schema).toEqual({
              $ref: '#/components/schemas/Problem',
            });
        }
      }
    }
    expect(ids.every((id) => typeof id === 'string' && id.length > 0)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe("the web app's API types", () => {
  it('are what openapi-typescript makes of docs/openapi.json (npm run api-types)', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['node_modules/openapi-typescript/bin/cli.js', 'docs/openapi.json'],
      { maxBuffer: 64 << 20 },
    );
    expect(readFileSync('apps/web/src/api-schema.d.ts', 'utf8')).toBe(stdout);
  });
});

describe('docs/asyncapi.json', () => {
  it('is parsed by @asyncapi/parser without an error or a warning', async () => {
    expect(asyncapi().asyncapi).toBe('3.0.0');
    const report = await toolsReport();
    expect(report.asyncapi.errors).toEqual([]);
    expect(report.asyncapi.warnings).toEqual([]);
  });

  it('is what the event catalogue and the client messages make (run npm run openapi after changing them)', () => {
    expect(asyncapi()).toEqual(buildAsyncApiDocument());
  });

  it('has every client message with its acknowledgement, and every event with its payload and audience', () => {
    const document = asyncapi();
    for (const name of CLIENT_EVENTS) {
      const op = document.operations[name];
      expect(op.action).toBe('receive');
      expect(op.reply.messages.map((m: { $ref: string }) => m.$ref.split('/').pop())).toEqual([
        `${name}.ack`,
        'error.ack',
      ]);
    }
    for (const name of [...ARTICLE_EVENT_NAMES, ...SESSION_EVENT_NAMES]) {
      expect(document.operations[name].action).toBe('send');
      const message = document.components.messages[name];
      expect(message.name).toBe(name);
      expect(message.description).toMatch(/^Sent to: /);
      expect(message.payload.type ?? message.payload.$ref).toBeDefined();
    }
  });
});

// The checks the e2e helpers run on every exchange, shown failing.
describe('the traffic checks', () => {
  const json = new Headers({ 'content-type': 'application/json' });
  const exchange = (over: Partial<Parameters<typeof checkHttpExchange>[0]>) => () =>
    checkHttpExchange({
      method: 'GET',
      url: 'http://127.0.0.1:1/api/articles',
      requestHeaders: {},
      requestBody: undefined,
      status: 200,
      responseHeaders: json,
      responseText: '{"items":[],"nextCursor":null}',
      ...over,
    });

  it('pass a response the document describes', () => {
    expect(exchange({})).not.toThrow();
    expect(exchange({ url: 'http://127.0.0.1:1/api/articles?limit=5' })).not.toThrow();
  });

  it('fail a route, a status, a body or an accepted request the document does not have', () => {
    expect(exchange({ url: 'http://127.0.0.1:1/api/undocumented' })).toThrow(/not in docs\/openapi.json/);
    expect(exchange({ method: 'PUT' })).toThrow(ContractViolation);
    expect(exchange({ status: 418 })).toThrow(/status 418 is not documented/);
    expect(exchange({ responseText: '{"items":[{"id":1}],"nextCursor":null}' })).toThrow(/response body/);
    expect(exchange({ responseText: '{"items":[],"nextCursor":null,"extra":1}' })).toThrow(/response body/);
    expect(exchange({ url: 'http://127.0.0.1:1/api/articles?size=5' })).toThrow(/query parameter size/);
    expect(exchange({ status: 400, responseText: '{"code":"VALIDATION_FAILED"}' })).toThrow(/body is not documented/);
  });

  it('let an unknown route through only when the server answered that it has none', () => {
    const notFound = new Headers({ 'content-type': 'application/problem+json' });
    const body = '{"type":"x","title":"Not Found","status":404,"code":"ROUTE_NOT_FOUND"}';
    expect(
      exchange({ url: 'http://127.0.0.1:1/api/nothing', status: 404, responseHeaders: notFound, responseText: body }),
    ).not.toThrow();
  });

  it('fail a socket message, an acknowledgement or an accepted payload the AsyncAPI document does not have', () => {
    const presence = { articleId: '6f1c1a52-7a53-4a7f-9d6b-0b1b8c1f3f55', viewers: 2, approximate: false };
    expect(() => checkSocketEvent('presence', presence)).not.toThrow();
    expect(() => checkSocketEvent('presence', { ...presence, viewers: 'two' })).toThrow(/presence: payload/);
    expect(() => checkSocketEvent('comment.exploded', {})).toThrow(/not in docs\/asyncapi.json/);
    expect(() => checkSocketRequest('unsubscribe', { article: 'a' }, { ok: true })).not.toThrow();
    expect(() => checkSocketRequest('unsubscribe', { article: 'a' }, { ok: 'yes' })).toThrow(/unsubscribe ack/);
    expect(() => checkSocketRequest('unsubscribe', { article: 'a', extra: 1 }, { ok: true })).toThrow(/accepted/);
    expect(() =>
      checkSocketRequest('nope', {}, { error: { code: 'UNKNOWN_EVENT', status: 400, title: 'Unknown event' } }),
    ).not.toThrow();
    expect(() => checkSocketRequest('nope', {}, { error: { code: 'NOT_A_CODE', status: 400, title: 'x' } })).toThrow(
      /refusal/,
    );
  });
});
