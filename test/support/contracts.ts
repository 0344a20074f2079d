import { appendFileSync, readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { PAGE_ROUTES } from '../../apps/api/src/web/web-pages.js';

// Bodies other than JSON (an HTML page, a form) are checked for their media type only.
const isJson = (media: string): boolean => media === 'application/json' || media.endsWith('+json');

// Every exchange the tests make is checked against the committed contracts
// (docs/openapi.json, docs/asyncapi.json; other tests keep them current):
// a response or message the documents do not describe fails the test that
// caused it, and so does a route the OpenAPI document does not have.
// Each schema is compiled once, on first use: a test file pays only for the
// routes and messages it meets, and never holds up the server beside it long.

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
const BASE = 'https://rejoinder.invalid/';

type Json = Record<string, any>;

function compiler(): Ajv2020 {
  // Not strict: the documents carry annotations (`example`) ajv does not know.
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  return ajv;
}

function lazy(make: () => ValidateFunction): ValidateFunction {
  let compiled: ValidateFunction | null = null;
  const validate = ((data: unknown) => {
    compiled ??= make();
    const valid = compiled(data);
    validate.errors = compiled.errors;
    return valid;
  }) as ValidateFunction;
  return validate;
}

function describeErrors(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .slice(0, 8)
    .map((e) => `${e.instancePath || '(root)'} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`)
    .join('; ');
}

export class ContractViolation extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ContractViolation';
  }
}

// --- HTTP: the OpenAPI document ---------------------------------------------

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  validate: ValidateFunction;
  type: string | undefined;
}

interface Operation {
  id: string;
  method: string;
  template: string;
  pattern: RegExp;
  names: string[];
  parameters: Parameter[];
  body: Map<string, ValidateFunction | null>;
  responses: Map<string, Map<string, ValidateFunction | null>>;
}

// Not part of the API document: the pages, their assets, the documents
// themselves, the metrics and the socket.io transport.
const OUTSIDE_THE_API = [
  ...PAGE_ROUTES.map((route) => new RegExp(`^${route.replace(/:[^/]+/g, '[^/]+')}$`)),
  /^\/assets\//,
  /^\/embed\.js$/,
  /^\/docs(\/|$)/,
  /^\/metrics$/,
  /^\/socket\.io\//,
];

let operations: Operation[] | null = null;
let document: Json | null = null;
export const contractStats = { http: 0, messages: 0 };
// CONTRACT_STATS=<file>: each test file appends how many exchanges it checked.
const statsFile = process.env.CONTRACT_STATS;
if (statsFile && typeof afterAll === 'function')
  afterAll(() =>
    appendFileSync(statsFile, `${JSON.stringify({ file: expect.getState().testPath, ...contractStats })}\n`),
  );

export function openApiDocument(): Json {
  document ??= JSON.parse(readFileSync('docs/openapi.json', 'utf8')) as Json;
  return document;
}

function compileOperations(): Operation[] {
  const doc = openApiDocument();
  const ajv = compiler();
  const id = `${BASE}openapi.json`;
  // The components as one schema; every $ref of the document points into it.
  const rewrite = (node: unknown): any =>
    JSON.parse(JSON.stringify(node).replaceAll('"#/components/schemas/', `"${id}#/$defs/`));
  ajv.addSchema({ $id: id, $defs: rewrite(doc.components?.schemas ?? {}) });
  const compile = (schema: unknown) => lazy(() => ajv.compile(rewrite(schema ?? {})));
  const resolve = (node: Json): Json =>
    typeof node.$ref === 'string'
      ? resolve(
          node.$ref
            .slice(2)
            .split('/')
            .reduce((at: Json, key: string) => at[key], doc),
        )
      : node;
  const list: Operation[] = [];
  for (const [template, item] of Object.entries(doc.paths as Json)) {
    for (const [method, op] of Object.entries(item as Json)) {
      if (!['get', 'put', 'post', 'delete', 'patch', 'head', 'options'].includes(method)) continue;
      const names: string[] = [];
      const pattern = new RegExp(
        `^${template.replace(/\{([^}]+)\}/g, (_m, name: string) => {
          names.push(name);
          return '([^/]+)';
        })}$`,
      );
      const responses = new Map<string, Map<string, ValidateFunction | null>>();
      for (const [status, response] of Object.entries(op.responses as Json)) {
        const content = new Map<string, ValidateFunction | null>();
        for (const [media, body] of Object.entries((resolve(response as Json).content ?? {}) as Json))
          // Bodies other than JSON (an HTML page) are checked for their media type only.
          content.set(media, (body as Json).schema && isJson(media) ? compile((body as Json).schema) : null);
        responses.set(status, content);
      }
      const body = new Map<string, ValidateFunction | null>();
      for (const [media, content] of Object.entries((op.requestBody?.content ?? {}) as Json))
        body.set(media, isJson(media) ? compile((content as Json).schema) : null);
      list.push({
        id: op.operationId,
        method: method.toUpperCase(),
        template,
        pattern,
        names,
        parameters: ((op.parameters ?? []) as Json[]).map((p) => ({
          name: p.name,
          in: p.in,
          required: p.required,
          validate: compile(p.schema),
          type: p.schema?.type,
        })),
        body,
        responses,
      });
    }
  }
  // A literal segment wins over a parameter (`/api/me` before `/api/{x}`).
  return list.sort((a, b) => a.names.length - b.names.length);
}

function findOperation(method: string, path: string): { op: Operation; params: Record<string, string> } | null {
  operations ??= compileOperations();
  for (const op of operations) {
    if (op.method !== method) continue;
    const match = op.pattern.exec(path);
    if (match)
      return { op, params: Object.fromEntries(op.names.map((name, i) => [name, decodeURIComponent(match[i + 1])])) };
  }
  return null;
}

// A query value as the document's parameter type reads it.
function typed(value: string, type: string | undefined): unknown {
  if ((type === 'integer' || type === 'number') && value.trim() !== '' && Number.isFinite(Number(value)))
    return Number(value);
  if (type === 'boolean' && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}

export interface Exchange {
  method: string;
  url: string;
  requestHeaders: Record<string, string>;
  requestBody: string | undefined;
  status: number;
  responseHeaders: Headers;
  responseText: string;
}

// Checks one request and its response against the OpenAPI document.
export function checkHttpExchange(exchange: Exchange): void {
  const url = new URL(exchange.url);
  const method = exchange.method.toUpperCase();
  const where = `${method} ${url.pathname}${url.search} → ${exchange.status}`;
  const found = findOperation(method, url.pathname);
  if (!found) {
    if (OUTSIDE_THE_API.some((pattern) => pattern.test(url.pathname))) return;
    // The server agrees there is no such route.
    if (exchange.status === 404 && /"code"\s*:\s*"ROUTE_NOT_FOUND"/.test(exchange.responseText)) return;
    throw new ContractViolation(`${where}: the route is not in docs/openapi.json (document it, then npm run openapi)`);
  }
  contractStats.http++;
  const { op, params } = found;
  const accepted = exchange.status < 400;
  // A request the server accepted must be one the document allows: its
  // parameters, its query and its body. (Requests it refused are the tests
  // of bad input, and the refusal is checked as a response.)
  if (accepted) {
    for (const p of op.parameters.filter((p) => p.in === 'path')) {
      if (!p.validate(typed(params[p.name], p.type)))
        throw new ContractViolation(
          `${where} [${op.id}]: path parameter ${p.name}: ${describeErrors(p.validate.errors)}`,
        );
    }
    const query = op.parameters.filter((p) => p.in === 'query');
    for (const [name, value] of url.searchParams) {
      const p = query.find((q) => q.name === name);
      if (!p) throw new ContractViolation(`${where} [${op.id}]: query parameter ${name} is not documented`);
      if (!p.validate(typed(value, p.type)))
        throw new ContractViolation(
          `${where} [${op.id}]: query parameter ${name}: ${describeErrors(p.validate.errors)}`,
        );
    }
    for (const p of query)
      if (p.required && !url.searchParams.has(p.name))
        throw new ContractViolation(`${where} [${op.id}]: required query parameter ${p.name} is missing`);
    if (exchange.requestBody !== undefined && exchange.requestBody !== '') {
      const contentType = Object.entries(exchange.requestHeaders).find(([k]) => k.toLowerCase() === 'content-type');
      const media = (contentType?.[1] ?? '').split(';')[0].trim().toLowerCase();
      if (!op.body.has(media))
        throw new ContractViolation(`${where} [${op.id}]: a ${media || 'body'} request body is not documented`);
      const validate = op.body.get(media);
      if (validate) {
        let body: unknown;
        try {
          body = JSON.parse(exchange.requestBody);
        } catch {
          throw new ContractViolation(`${where} [${op.id}]: accepted a request body that is not JSON`);
        }
        if (!validate(body))
          throw new ContractViolation(`${where} [${op.id}]: request body: ${describeErrors(validate.errors)}`);
      }
    }
  }
  const response = op.responses.get(String(exchange.status)) ?? op.responses.get('default');
  if (!response)
    throw new ContractViolation(
      `${where} [${op.id}]: status ${exchange.status} is not documented (${exchange.responseText.slice(0, 200)})`,
    );
  if (exchange.responseText === '') return;
  const media = (exchange.responseHeaders.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
  if (!response.has(media))
    throw new ContractViolation(
      `${where} [${op.id}]: a ${media} body is not documented (documented: ${[...response.keys()].join(', ') || 'no body'})`,
    );
  const validate = response.get(media);
  if (!validate) return;
  const body = JSON.parse(exchange.responseText) as unknown;
  if (!validate(body))
    throw new ContractViolation(`${where} [${op.id}]: response body: ${describeErrors(validate.errors)}`);
}

// --- socket.io: the AsyncAPI document ---------------------------------------

interface SocketMessages {
  // What the server sends, by event name.
  events: Map<string, ValidateFunction>;
  // What clients send, by event name, with its acknowledgement.
  requests: Map<string, { payload: ValidateFunction; ack: ValidateFunction }>;
  refusal: ValidateFunction;
}

let socketMessages: SocketMessages | null = null;

function compileSocketMessages(): SocketMessages {
  const doc = JSON.parse(readFileSync('docs/asyncapi.json', 'utf8')) as Json;
  const ajv = compiler();
  const id = `${BASE}asyncapi.json`;
  const rewrite = (node: unknown): any =>
    JSON.parse(JSON.stringify(node).replaceAll('"#/components/schemas/', `"${id}#/$defs/`));
  ajv.addSchema({ $id: id, $defs: rewrite(doc.components?.schemas ?? {}) });
  const message = (ref: string): Json => {
    const key = ref.split('/').pop()!;
    return doc.components.messages[key] as Json;
  };
  const compile = (ref: string) => lazy(() => ajv.compile(rewrite(message(ref).payload)));
  const result: SocketMessages = { events: new Map(), requests: new Map(), refusal: compile('#/x/error.ack') };
  for (const op of Object.values(doc.operations as Json) as Json[]) {
    const [ref] = op.messages as { $ref: string }[];
    const name = message(ref.$ref).name as string;
    if (op.action === 'send') result.events.set(name, compile(ref.$ref));
    else result.requests.set(name, { payload: compile(ref.$ref), ack: compile(op.reply.messages[0].$ref) });
  }
  return result;
}

const messages = () => (socketMessages ??= compileSocketMessages());

// A message the server sent to a client.
export function checkSocketEvent(name: string, payload: unknown): void {
  const validate = messages().events.get(name);
  if (!validate) throw new ContractViolation(`socket event ${name}: not in docs/asyncapi.json`);
  contractStats.messages++;
  if (!validate(payload))
    throw new ContractViolation(`socket event ${name}: payload: ${describeErrors(validate.errors)}`);
}

// A message a client sent, and its acknowledgement: a refusal, or the
// success the document gives (and then the message was one it allows).
export function checkSocketRequest(name: string, payload: unknown, reply: unknown): void {
  contractStats.messages++;
  const { refusal } = messages();
  if (reply && typeof reply === 'object' && 'error' in reply) {
    if (!refusal(reply)) throw new ContractViolation(`${name} ack (refusal): ${describeErrors(refusal.errors)}`);
    return;
  }
  const request = messages().requests.get(name);
  if (!request)
    throw new ContractViolation(`socket message ${name}: not in docs/asyncapi.json, yet it was acknowledged`);
  if (!request.ack(reply)) throw new ContractViolation(`${name} ack: ${describeErrors(request.ack.errors)}`);
  if (!request.payload(payload))
    throw new ContractViolation(
      `${name}: accepted a payload the document does not allow: ${describeErrors(request.payload.errors)}`,
    );
}
