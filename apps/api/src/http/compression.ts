import { negotiate } from '@fastify/accept-negotiator';
import fastifyCompress from '@fastify/compress';
import type { AppConfig } from '@rejoinder/common';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

export type Encoding = 'br' | 'gzip';

// Brotli first: a smaller body at a cost close to gzip's at this quality.
const ENCODINGS: Encoding[] = ['br', 'gzip'];

// Quality 4 (of 11) keeps Brotli about as fast as gzip's default while still
// smaller; the hashed assets are compressed once at build time at the highest.
export const BROTLI_QUALITY = 4;

// JSON and HTML: what the API renders per request. Problem documents too.
const COMPRESSIBLE = /^(?:application\/(?:[\w.+-]*\+)?json|text\/html)(?:;|$)/;

declare module 'fastify' {
  interface FastifyRequest {
    // The encoding this request's answer may use when it is at least
    // `minBytes` long (null: the client accepts none); null when compression
    // is off.
    answerEncoding: { encoding: Encoding | null; minBytes: number } | null;
  }
}

// Registers compression of rendered answers (before the routes exist, so
// every route gets the hook). An answer that already says its encoding (a
// cached page sending its stored compressed bytes, a precompressed asset) is
// passed through untouched.
export async function registerCompression(
  fastify: FastifyInstance,
  config: Pick<AppConfig, 'HTTP_COMPRESSION' | 'HTTP_COMPRESSION_MIN_BYTES'>,
): Promise<void> {
  fastify.decorateRequest('answerEncoding', null);
  if (config.HTTP_COMPRESSION === 'off') return;
  const threshold = config.HTTP_COMPRESSION_MIN_BYTES;
  fastify.addHook('onRequest', (request, _reply, done) => {
    const accepted = request.headers['accept-encoding'];
    const encoding = accepted ? (negotiate(accepted, ENCODINGS) as Encoding | null | undefined) : null;
    request.answerEncoding = { encoding: encoding ?? null, minBytes: threshold };
    done();
  });
  await fastify.register(fastifyCompress, {
    global: true,
    encodings: ENCODINGS,
    threshold,
    brotliOptions: { params: { [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY } },
    customTypes: COMPRESSIBLE,
    // Request bodies stay plain JSON: a compressed upload is refused, not inflated.
    globalDecompression: false,
  });
}

// The bytes of a body in an encoding, compressed once: `store` keeps them
// with the body (a cached page keeps one copy per encoding for its lifetime).
export function encodedBody(
  request: FastifyRequest,
  body: Buffer,
  store: Partial<Record<Encoding, Buffer>>,
): { encoding: Encoding; bytes: Buffer } | null {
  const wanted = request.answerEncoding;
  const encoding = wanted?.encoding;
  if (!wanted || !encoding || body.length < wanted.minBytes) return null;
  let bytes = store[encoding];
  if (!bytes) {
    bytes = compress(body, encoding);
    store[encoding] = bytes;
  }
  return { encoding, bytes };
}

export function compress(body: Buffer, encoding: Encoding): Buffer {
  return encoding === 'br'
    ? brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY } })
    : gzipSync(body);
}
