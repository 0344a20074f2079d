import {
  ARTICLE_EVENT_NAMES,
  ARTICLE_EVENTS,
  commentViewSchema,
  digestSchema,
  openApiSchema,
  SESSION_EVENT_NAMES,
  SESSION_EVENTS,
  slowModeSchema,
  threadHealthSchema,
} from '@rejoinder/common';
import { z } from 'zod';
import { schemaComponents } from './openapi-document.js';
import { CLIENT_EVENTS, CLIENT_MESSAGES, errorAckSchema } from './realtime/client-messages.js';

// The AsyncAPI 3.0 document of the socket.io protocol, generated from the
// event catalogue (server → client) and the client messages (client →
// server, with their acknowledgements). It describes the server: it
// receives the clients' messages and replies through their ack, and it sends
// events. JSON Schema 2020-12, as in the OpenAPI document.

const CHANNEL = 'live';
const ref = (key: string) => ({ $ref: `#/channels/${CHANNEL}/messages/${key}` });

// What every numbered event is wrapped in; the event name is its type.
const envelope = (data: z.ZodType) =>
  z.strictObject({
    seq: z.number().int().describe("The event's number in its stream (the article's, or the moderators' feed)"),
    articleId: z.uuid(),
    stream: z.literal('moderation').optional().describe("Set on events of the moderators' feed; `seq` counts there"),
    at: z.iso.datetime(),
    data,
  });

// The socket.io server the document describes: PUBLIC_URL's host, else the
// one the document was read from (a variable in the committed file).
export function asyncApiServers(publicUrl: string | undefined, request?: { protocol: string; host: string }) {
  const base = {
    pathname: '/socket.io/',
    description:
      'socket.io 4 (engine.io 4) over WebSocket, or HTTP long-polling; messages are socket.io events in the default namespace',
  };
  const url = publicUrl ? new URL(publicUrl) : null;
  if (url) return { api: { host: url.host, protocol: url.protocol === 'https:' ? 'wss' : 'ws', ...base } };
  if (request) return { api: { host: request.host, protocol: request.protocol === 'https' ? 'wss' : 'ws', ...base } };
  return {
    api: {
      host: '{host}',
      protocol: 'wss',
      ...base,
      variables: { host: { default: 'localhost:3000', description: "The API's host and port (PUBLIC_URL)" } },
    },
  };
}

export function buildAsyncApiDocument(publicUrl?: string): Record<string, unknown> {
  const named = schemaComponents([
    ['CommentView', commentViewSchema],
    ['SlowMode', slowModeSchema],
    ['ThreadHealth', threadHealthSchema],
    ['Digest', digestSchema],
  ]);
  const schema = (zod: z.ZodType, io: 'input' | 'output') => named.reduce(openApiSchema(zod, io));
  const messages: Record<string, Record<string, unknown>> = {};
  const operations: Record<string, Record<string, unknown>> = {};

  messages['error.ack'] = {
    name: 'error',
    title: 'Refusal',
    summary: 'The acknowledgement of a refused message: the same codes and statuses as the HTTP problem documents',
    payload: schema(errorAckSchema, 'output'),
  };
  for (const name of CLIENT_EVENTS) {
    const { summary, payload, ack } = CLIENT_MESSAGES[name];
    messages[name] = { name, title: name, summary, payload: schema(payload, 'input') };
    messages[`${name}.ack`] = {
      name: `${name} ack`,
      title: `${name} acknowledgement`,
      summary: `What the acknowledgement of \`${name}\` carries when it succeeds`,
      payload: schema(ack, 'output'),
    };
    operations[name] = {
      action: 'receive',
      channel: { $ref: `#/channels/${CHANNEL}` },
      title: name,
      summary,
      description:
        'Emitted with an acknowledgement callback; the reply is its single argument: success or `{ error }`.',
      messages: [ref(name)],
      reply: { channel: { $ref: `#/channels/${CHANNEL}` }, messages: [ref(`${name}.ack`), ref('error.ack')] },
    };
  }
  for (const name of ARTICLE_EVENT_NAMES) {
    const event = ARTICLE_EVENTS[name];
    messages[name] = {
      name,
      title: name,
      summary: `Numbered event \`${name}\`${'feed' in event ? " (also in the moderators' feed)" : ''}`,
      description: `Sent to: ${event.audience}. Numbered in the article's log: replayed on \`subscribe\` with \`after\`.`,
      tags: [{ name: 'numbered' }],
      payload: schema(envelope(event.data), 'output'),
    };
  }
  for (const name of SESSION_EVENT_NAMES) {
    const event = SESSION_EVENTS[name];
    messages[name] = {
      name,
      title: name,
      summary: `Message \`${name}\` (not numbered, never replayed)`,
      description: `Sent to: ${event.audience}.`,
      tags: [{ name: 'session' }],
      payload: schema(event.data, 'output'),
    };
  }
  for (const name of [...ARTICLE_EVENT_NAMES, ...SESSION_EVENT_NAMES]) {
    operations[name] = {
      action: 'send',
      channel: { $ref: `#/channels/${CHANNEL}` },
      title: name,
      summary: messages[name].summary,
      description: messages[name].description,
      messages: [ref(name)],
    };
  }
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Rejoinder realtime protocol',
      version: '1',
      description:
        'The live side of the Rejoinder API over socket.io: follow articles (with catch-up after a reconnection), ' +
        'post comments, and receive every change. A client emits the `receive` operations with an acknowledgement ' +
        'callback and listens for the `send` ones. Authenticate in the handshake (`auth: { token }`) or with `auth`. ' +
        'The prose, with ordering and delivery guarantees, is docs/realtime.md; the HTTP API is /docs/openapi.json.',
      license: { name: 'MIT', url: 'https://opensource.org/licenses/MIT' },
    },
    defaultContentType: 'application/json',
    servers: asyncApiServers(publicUrl),
    channels: {
      [CHANNEL]: {
        address: '/',
        title: 'The default socket.io namespace',
        description: 'Every message of the protocol; which reach a socket depends on what it follows and its account.',
        messages: Object.fromEntries(
          Object.keys(messages).map((key) => [key, { $ref: `#/components/messages/${key}` }]),
        ),
      },
    },
    operations,
    components: { schemas: named.components, messages },
  };
}
