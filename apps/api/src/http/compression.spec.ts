import type { FastifyRequest } from 'fastify';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { encodedBody } from './compression.js';

const asking = (encoding: 'br' | 'gzip' | null, minBytes = 1024) =>
  ({ answerEncoding: { encoding, minBytes } }) as FastifyRequest;

describe('encodedBody', () => {
  const body = Buffer.from(JSON.stringify({ items: Array.from({ length: 50 }, (_, i) => ({ id: i, text: 'words' })) }));

  it('compresses a body once per encoding and keeps the bytes with it', () => {
    const store = {};
    const first = encodedBody(asking('br'), body, store)!;
    expect(first.encoding).toBe('br');
    expect(brotliDecompressSync(first.bytes).equals(body)).toBe(true);
    // The next reader gets the very same bytes: nothing is compressed again.
    expect(encodedBody(asking('br'), body, store)!.bytes).toBe(first.bytes);
    const gzip = encodedBody(asking('gzip'), body, store)!;
    expect(gunzipSync(gzip.bytes).equals(body)).toBe(true);
    expect(store).toEqual({ br: first.bytes, gzip: gzip.bytes });
  });

  it('sends the body as it is below the threshold, to a client that accepts no encoding, or with compression off', () => {
    const store = {};
    expect(encodedBody(asking('br', body.length + 1), body, store)).toBeNull();
    expect(encodedBody(asking(null), body, store)).toBeNull();
    expect(encodedBody({ answerEncoding: null } as FastifyRequest, body, store)).toBeNull();
    expect(store).toEqual({});
  });
});
