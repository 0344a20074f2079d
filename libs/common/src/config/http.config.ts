import { availableLocales } from '../i18n/locales.js';
import { isIP } from 'node:net';
import { z } from 'zod';
import { bool, port } from './config-fields.js';

// Which proxies in front may say who the client is (X-Forwarded-For): none,
// a number of hops (the proxies this deployment runs), or the proxies'
// addresses and CIDR ranges. Trusting every hop would let any client pick
// its own address, and with it escape every per-address limit.
const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);
function trustedProxy(entry: string): boolean {
  if (NAMED_RANGES.has(entry)) return true;
  const [address, bits, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  const n = Number(bits);
  return /^\d+$/.test(bits) && n >= 0 && n <= (family === 4 ? 32 : 128);
}
// A comma-separated list of http(s) origins, or "*" for any.
const originList = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value) =>
      value
        .split(',')
        .map((o) => o.trim())
        .filter((o) => o.length > 0),
    )
    .pipe(z.array(z.union([z.literal('*'), z.url({ protocol: /^https?$/ })])));

const trustProxy = z.string().transform((value, ctx): false | number | string[] => {
  const text = value.trim();
  if (text === 'false' || text === '0') return false;
  if (text === 'true') {
    ctx.addIssue({
      code: 'custom',
      message:
        '"true" would trust every hop, so any client could choose its own address; give the number of proxies in front (e.g. 1) or their addresses/CIDRs (e.g. 10.0.0.0/8)',
    });
    return z.NEVER;
  }
  if (/^\d+$/.test(text)) {
    const hops = Number(text);
    if (hops <= 10) return hops;
  }
  const entries = text
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e.length > 0);
  const bad = entries.filter((e) => !trustedProxy(e));
  if (entries.length === 0 || bad.length > 0) {
    ctx.addIssue({
      code: 'custom',
      message: `give false, a hop count (1 to 10), or proxy addresses/CIDRs; not ${bad.join(', ') || 'empty'}`,
    });
    return z.NEVER;
  }
  return entries;
});
// The HTTP server: where it listens, who may call it and from where, how it
// answers (compression, caches, the CDN), its logs and metrics, its languages.
export const httpConfig = {
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: port.default(3000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(120_000).default(10_000),
  SEED: bool.default(true),
  TRUST_PROXY: trustProxy.default(false),
  // Browser origins allowed to open a socket (comma-separated; "*" for any).
  // Requests without an Origin header (non-browser clients) are always allowed.
  ALLOWED_ORIGINS: originList('http://localhost:3000'),
  // Sites that may show the embedded thread (/embed/:slug) in a frame
  // (comma-separated origins, or "*": any site, as an embed script is for).
  EMBED_ORIGINS: originList('*'),
  // Compression of JSON and HTML answers above HTTP_COMPRESSION_MIN_BYTES
  // (Brotli or gzip, as the client accepts). `off` where a proxy or a CDN
  // compresses; the built scripts and styles are sent precompressed either way.
  HTTP_COMPRESSION: z.enum(['on', 'off']).default('on'),
  HTTP_COMPRESSION_MIN_BYTES: z.coerce.number().int().min(0).max(1_048_576).default(1024),
  // An anonymous GET of a thread page that is in the read cache is answered
  // from an early hook, before Nest's router, guards and pipes, with the same
  // answer (docs/adr/0041-cached-thread-pages-before-the-framework.md). `off`
  // sends every request through the framework.
  HTTP_CACHED_FAST_PATH: z.enum(['on', 'off']).default('on'),
  // Memory for rendered thread pages and articles (0 turns the cache off).
  READ_CACHE_MB: z.coerce.number().int().min(0).max(16_384).default(64),
  // A CDN's purge endpoint (Cloudflare-style `{ "tags": [...] }`), called
  // when a comment is taken down, edited or deleted.
  CDN_PURGE_URL: z.url({ protocol: /^https?$/ }).optional(),
  CDN_PURGE_TOKEN: z.string().min(1).optional(),
  // GET /metrics (Prometheus) asks for `Authorization: Bearer <token>` when set.
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  // Serves /metrics on this port only (an admin port), not on PORT.
  METRICS_PORT: port.optional(),
  // The address readers and clients reach the service at (behind a proxy or
  // CDN): the base of links that leave the system, and the API documents' servers.
  PUBLIC_URL: z
    .url({ protocol: /^https?$/ })
    .transform((value) => value.replace(/\/+$/, ''))
    .optional(),
  // The language of readers who choose none and whose browser asks for none
  // that has a catalogue (locales/server/<tag>.po).
  DEFAULT_LOCALE: z
    .string()
    .refine((value) => availableLocales().includes(value), {
      error: () => `must be one of the catalogues: ${availableLocales().join(', ')}`,
    })
    .default('en'),
};
