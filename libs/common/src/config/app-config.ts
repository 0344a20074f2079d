import { availableLocales } from '../i18n/locales.js';
import { isIP } from 'node:net';
import { z } from 'zod';

const bool = z.enum(['true', 'false', '1', '0']).transform((value) => value === 'true' || value === '1');

const port = z.coerce.number().int().min(0).max(65535);

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
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);
// An https URL; plain http only on this machine (development and tests).
const secureUrl = z
  .url({ protocol: /^https?$/ })
  .refine(
    (value) => value.startsWith('https:') || LOOPBACK.has(new URL(value).hostname),
    'must be https (http only on localhost)',
  );

// Every variable the service reads, validated once at boot.
export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: port.default(3000),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// URL')
    .optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  // Every wait on the database is bounded (milliseconds): one statement, one
  // row lock, a free connection from the pool, one whole transaction.
  DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  DATABASE_LOCK_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(5000),
  DATABASE_ACQUIRE_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(5000),
  DATABASE_TRANSACTION_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(15_000),
  // Comments one node stores at once over HTTP; more are refused with 429 POSTING_BUSY.
  POSTS_IN_PROGRESS_MAX: z.coerce.number().int().min(1).max(100_000).default(64),
  DATA_DIR: z.string().min(1).default('.data'),
  EMBEDDED_PG_PORT: port.default(54329),
  // The embedded PostgreSQL is for development; production runs it only when asked.
  EMBEDDED_PG_IN_PRODUCTION: bool.default(false),
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  JWT_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(60 * 60 * 24 * 30)
    .default(60 * 60 * 24),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(120_000).default(10_000),
  SEED: bool.default(true),
  TRUST_PROXY: trustProxy.default(false),
  COMMENT_MAX_LENGTH: z.coerce.number().int().min(1).max(100_000).default(10_000),
  COMMENT_MAX_DEPTH: z.coerce.number().int().min(1).max(200).default(50),
  EDIT_WINDOW_SECONDS: z.coerce
    .number()
    .int()
    .min(0)
    .max(86_400 * 30)
    .default(300),
  // Rate limits: N events per window (seconds). Shared across nodes through
  // Redis when REDIS_URL is set.
  RATE_COMMENTS_PER_USER: z.coerce.number().int().min(1).default(1),
  RATE_COMMENTS_PER_USER_WINDOW: z.coerce.number().int().min(1).default(5),
  // Accounts younger than a day.
  RATE_COMMENTS_PER_NEW_USER: z.coerce.number().int().min(1).default(1),
  RATE_COMMENTS_PER_NEW_USER_WINDOW: z.coerce.number().int().min(1).default(30),
  RATE_COMMENTS_PER_IP: z.coerce.number().int().min(1).default(30),
  RATE_COMMENTS_PER_IP_WINDOW: z.coerce.number().int().min(1).default(60),
  RATE_AUTH_PER_IP: z.coerce.number().int().min(1).default(10),
  RATE_AUTH_PER_IP_WINDOW: z.coerce.number().int().min(1).default(60),
  // Digests ("catch me up"), over HTTP and with a socket subscription,
  // per client address: each reads up to DIGEST_MAX_EVENTS events.
  RATE_DIGESTS_PER_IP: z.coerce.number().int().min(1).default(120),
  RATE_DIGESTS_PER_IP_WINDOW: z.coerce.number().int().min(1).default(60),
  // Failed sign-ins per account (from any address) before it is locked for
  // the rest of the window: what stops a guesser spread over many addresses.
  RATE_LOGIN_FAILURES_PER_ACCOUNT: z.coerce.number().int().min(1).default(10),
  RATE_LOGIN_FAILURES_PER_ACCOUNT_WINDOW: z.coerce.number().int().min(1).default(900),
  DUPLICATE_COMMENT_WINDOW: z.coerce.number().int().min(1).default(300),
  // Browser origins allowed to open a socket (comma-separated; "*" for any).
  // Requests without an Origin header (non-browser clients) are always allowed.
  ALLOWED_ORIGINS: z
    .string()
    .default('http://localhost:3000')
    .transform((value) =>
      value
        .split(',')
        .map((o) => o.trim())
        .filter((o) => o.length > 0),
    )
    .pipe(z.array(z.union([z.literal('*'), z.url({ protocol: /^https?$/ })]))),
  // Sites that may show the embedded thread (/embed/:slug) in a frame
  // (comma-separated origins, or "*": any site, as an embed script is for).
  EMBED_ORIGINS: z
    .string()
    .default('*')
    .transform((value) =>
      value
        .split(',')
        .map((o) => o.trim())
        .filter((o) => o.length > 0),
    )
    .pipe(z.array(z.union([z.literal('*'), z.url({ protocol: /^https?$/ })]))),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .optional(),
  // Longest wait for one Redis command before the node falls back (rate limits
  // in memory, live events through the event log).
  REDIS_COMMAND_TIMEOUT_MS: z.coerce.number().int().min(50).max(10_000).default(500),
  // How API nodes share socket.io rooms: one node in memory, Redis, or PostgreSQL.
  REALTIME_ADAPTER: z.enum(['memory', 'redis', 'postgres']).optional(),
  REALTIME_BACKLOG_LIMIT: z.coerce.number().int().min(1).max(100_000).default(1000),
  // Recent events each followed article keeps in memory for catch-ups.
  REALTIME_TAIL_EVENTS: z.coerce.number().int().min(0).max(10_000).default(256),
  // "Catch me up" (GET /api/articles/:slug/digest) looks back at most this
  // far, and over at most this many of the article's latest events, so one
  // digest costs the same however long the reader was away.
  DIGEST_MAX_AGE_DAYS: z.coerce.number().int().min(1).max(365).default(14),
  DIGEST_MAX_EVENTS: z.coerce.number().int().min(10).max(100_000).default(5000),
  // Compression of JSON and HTML answers above HTTP_COMPRESSION_MIN_BYTES
  // (Brotli or gzip, as the client accepts). `off` where a proxy or a CDN
  // compresses; the built scripts and styles are sent precompressed either way.
  HTTP_COMPRESSION: z.enum(['on', 'off']).default('on'),
  HTTP_COMPRESSION_MIN_BYTES: z.coerce.number().int().min(0).max(1_048_576).default(1024),
  // Memory for rendered thread pages and articles (0 turns the cache off).
  READ_CACHE_MB: z.coerce.number().int().min(0).max(16_384).default(64),
  // A CDN's purge endpoint (Cloudflare-style `{ "tags": [...] }`), called
  // when a comment is taken down, edited or deleted.
  CDN_PURGE_URL: z.url({ protocol: /^https?$/ }).optional(),
  CDN_PURGE_TOKEN: z.string().min(1).optional(),
  SOCKET_EVENTS_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(100),
  // Open socket.io connections one client address may hold (readers behind
  // one office or carrier address share it).
  SOCKET_CONNECTIONS_PER_IP: z.coerce.number().int().min(1).max(1_000_000).default(50),
  PRESENCE_INTERVAL_MS: z.coerce.number().int().min(100).max(60_000).default(1000),
  // Open reports that hold a published comment back until a moderator decides.
  REPORT_HOLD_THRESHOLD: z.coerce.number().int().min(1).max(1000).default(3),
  // Automatic slow mode: an article whose comments (or reports) per minute,
  // measured over a sliding window, reach a threshold (0: never by that rate)
  // goes into slow mode with SLOW_MODE_AUTO_SECONDS between one reader's
  // comments; it lifts once no window in the last SLOW_MODE_AUTO_QUIET_SECONDS
  // reached a threshold. Rates are checked after writes (debounced) and by a
  // sweep every SLOW_MODE_AUTO_CHECK_MS.
  SLOW_MODE_AUTO_COMMENTS_PER_MINUTE: z.coerce.number().min(0).max(100_000).default(30),
  SLOW_MODE_AUTO_REPORTS_PER_MINUTE: z.coerce.number().min(0).max(100_000).default(10),
  SLOW_MODE_AUTO_WINDOW_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  SLOW_MODE_AUTO_SECONDS: z.coerce.number().int().min(1).max(86_400).default(30),
  SLOW_MODE_AUTO_QUIET_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
  SLOW_MODE_AUTO_DEBOUNCE_MS: z.coerce.number().int().min(0).max(60_000).default(1000),
  SLOW_MODE_AUTO_CHECK_MS: z.coerce.number().int().min(50).max(600_000).default(5000),
  // Thread health: how often moderators following an article are sent its
  // health (only when it changed), and how young an account counts as new.
  THREAD_HEALTH_INTERVAL_MS: z.coerce.number().int().min(50).max(600_000).default(5000),
  NEW_ACCOUNT_HOURS: z.coerce.number().min(0).max(8760).default(24),
  // New commenters: an account's first N comments wait for review until
  // approved (0: off); an article may set its own N.
  NEW_COMMENTER_REVIEW: z.coerce.number().int().min(0).max(1000).default(0),
  // Links: a comment with more links than this is held for review; accounts
  // below TRUST_LINKS_LEVEL may post LINKS_MAX_UNTRUSTED (0: any link holds).
  LINKS_MAX: z.coerce.number().int().min(0).max(1000).default(5),
  LINKS_MAX_UNTRUSTED: z.coerce.number().int().min(0).max(1000).default(0),
  TRUST_LINKS_LEVEL: z.coerce.number().int().min(0).max(2).default(1),
  // Trust levels from history: member (1) and regular (2) need an account
  // this old, this many published comments (and, for regular, upvotes
  // received), and nothing rejected or removed (and, for regular, no report
  // upheld) in the last TRUST_RECENT_DAYS. A stored level older than
  // TRUST_RECOMPUTE_SECONDS is computed again at the account's next post.
  TRUST_MEMBER_DAYS: z.coerce.number().min(0).max(3650).default(1),
  TRUST_MEMBER_COMMENTS: z.coerce.number().int().min(0).max(100_000).default(3),
  TRUST_REGULAR_DAYS: z.coerce.number().min(0).max(3650).default(30),
  TRUST_REGULAR_COMMENTS: z.coerce.number().int().min(0).max(100_000).default(20),
  TRUST_REGULAR_UPVOTES: z.coerce.number().int().min(0).max(1_000_000).default(10),
  TRUST_RECENT_DAYS: z.coerce.number().min(0).max(3650).default(30),
  TRUST_RECOMPUTE_SECONDS: z.coerce.number().int().min(0).max(604_800).default(3600),
  // Reports of regulars (trust level 2) count this many times toward
  // REPORT_HOLD_THRESHOLD.
  TRUST_REGULAR_REPORT_WEIGHT: z.coerce.number().int().min(1).max(10).default(2),
  // The bundled list of disposable-mail domains (the disposable-email-domains
  // package): off, refused at sign-up, or every comment premoderated.
  DISPOSABLE_EMAIL_DOMAINS: z.enum(['off', 'refuse', 'premoderate']).default('off'),
  // The spam check (Akismet's comment-check protocol): on when AKISMET_KEY is
  // set. AKISMET_URL points at another server that speaks it; AKISMET_SITE is
  // the site Akismet knows the key for. A check gets AKISMET_TIMEOUT_MS, then
  // the comment goes on without a verdict.
  AKISMET_KEY: z.string().min(1).optional(),
  AKISMET_URL: z.url({ protocol: /^https?$/ }).default('https://rest.akismet.com'),
  AKISMET_SITE: z.url({ protocol: /^https?$/ }).optional(),
  AKISMET_TIMEOUT_MS: z.coerce.number().int().min(50).max(1000).default(1000),
  // How often moderators' decisions on checked comments are sent back as
  // ham or spam (0: never).
  AKISMET_FEEDBACK_INTERVAL_MS: z.coerce.number().int().min(0).max(3_600_000).default(5000),
  // GET /metrics (Prometheus) asks for `Authorization: Bearer <token>` when set.
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  // Serves /metrics on this port only (an admin port), not on PORT.
  METRICS_PORT: port.optional(),
  // Sign-in with the publisher's login: a short-lived JWT signed by the host
  // site (HS256 with SSO_JWT_SECRET, or RS256/ES256 with keys from SSO_JWKS_URL).
  SSO_JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  SSO_JWKS_URL: secureUrl.optional(),
  SSO_ISSUER: z.string().min(1).optional(),
  SSO_AUDIENCE: z.string().min(1).optional(),
  // How far apart the host's clock and ours may be, and how old (by `iat`) a
  // token may be when it is presented.
  SSO_CLOCK_SKEW_SECONDS: z.coerce.number().int().min(0).max(300).default(30),
  SSO_MAX_TOKEN_AGE_SECONDS: z.coerce.number().int().min(10).max(3600).default(300),
  // Least time between two fetches of the key set for an unknown key id.
  SSO_JWKS_COOLDOWN_SECONDS: z.coerce.number().int().min(0).max(3600).default(30),
  // The claim that carries the reader's role at the publisher, and which of
  // its values make a moderator or an admin here ("editor=moderator,chief=admin").
  SSO_ROLE_CLAIM: z.string().min(1).optional(),
  SSO_ROLE_MAP: z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((pair) => pair.trim())
        .filter((pair) => pair.length > 0),
    )
    .refine(
      (pairs) => pairs.every((pair) => /^[^=]+=(commenter|moderator|admin)$/.test(pair)),
      'must be claimValue=commenter|moderator|admin, comma-separated',
    ),
  // Off: readers can only come through the publisher's login (staff accounts
  // are still made with the CLI and still sign in with a password).
  LOCAL_SIGNUP: bool.default(true),
  // OIDC sign-in (authorization code with PKCE) with one provider.
  OIDC_ISSUER: secureUrl.optional(),
  OIDC_CLIENT_ID: z.string().min(1).optional(),
  // Unset for a public client (PKCE alone).
  OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  OIDC_REDIRECT_URI: z.url({ protocol: /^https?$/ }).optional(),
  OIDC_SCOPES: z.string().min(1).default('openid profile email'),
  // Retention: days after which the bodies and revisions of rejected, of
  // removed and of author-deleted comments are purged (0 keeps them), and how
  // often the job runs (minutes; 0 turns the schedule off).
  RETENTION_REJECTED_DAYS: z.coerce.number().int().min(0).max(36_500).default(30),
  RETENTION_REMOVED_DAYS: z.coerce.number().int().min(0).max(36_500).default(180),
  RETENTION_DELETED_DAYS: z.coerce.number().int().min(0).max(36_500).default(30),
  RETENTION_INTERVAL_MINUTES: z.coerce.number().int().min(0).max(10_080).default(60),
  // Mail (libs/mail): SMTP_URL is smtp:// or smtps:// (credentials in the
  // URL, or SMTP_USER/SMTP_PASSWORD). Unset: .eml files under DATA_DIR/mail in
  // development and tests, no mail in production. PUBLIC_URL is the base of
  // every link in a message.
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\/[^\s]+$/, 'must be an smtp:// or smtps:// URL')
    .refine((value) => URL.canParse(value), 'must be an smtp:// or smtps:// URL')
    .optional(),
  SMTP_USER: z.string().min(1).optional(),
  SMTP_PASSWORD: z.string().min(1).optional(),
  MAIL_FROM: z
    .string()
    .min(3)
    .max(320)
    .refine((value) => !/[\r\n]/.test(value), 'must be one line')
    .refine((value) => /@/.test(value), 'must hold an address, e.g. "Comments <comments@example.com>"')
    .default('Rejoinder <no-reply@localhost>'),
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
  // Notifications to one reader within this window go out as one message.
  MAIL_COALESCE_SECONDS: z.coerce.number().int().min(0).max(3600).default(60),
  // How often a node looks for mail owed, and at most how many it takes at once.
  MAIL_POLL_MS: z.coerce.number().int().min(20).max(600_000).default(1000),
  MAIL_BATCH_SIZE: z.coerce.number().int().min(1).max(1000).default(100),
  // How long a node holds the mail it claimed: after it, a node that died
  // mid-send has its messages sent by another.
  MAIL_LEASE_MS: z.coerce.number().int().min(1000).max(3_600_000).default(60_000),
  // First retry after a failed send; each next waits twice as long (at most
  // an hour); after MAIL_GIVE_UP_HOURS the message is given up and recorded.
  MAIL_RETRY_BASE_MS: z.coerce.number().int().min(10).max(3_600_000).default(30_000),
  MAIL_GIVE_UP_HOURS: z.coerce.number().min(0.001).max(720).default(24),
  // Off: this node sends nothing (another node's worker does).
  MAIL_WORKER: bool.default(true),
  // Readers must confirm their address before they post.
  REQUIRE_VERIFIED_EMAIL_TO_POST: bool.default(false),
  RATE_EMAIL_VERIFICATION_PER_USER: z.coerce.number().int().min(1).default(3),
  RATE_EMAIL_VERIFICATION_PER_USER_WINDOW: z.coerce.number().int().min(1).default(3600),
  RATE_PASSWORD_RESET_PER_ADDRESS: z.coerce.number().int().min(1).default(3),
  RATE_PASSWORD_RESET_PER_ADDRESS_WINDOW: z.coerce.number().int().min(1).default(3600),
  // Commenting closes this many days after an article's publication (unset:
  // never), unless the article sets its own time; checked every
  // ARTICLE_AUTO_CLOSE_INTERVAL_SECONDS.
  ARTICLE_AUTO_CLOSE_DAYS: z.coerce.number().int().min(1).max(36_500).optional(),
  ARTICLE_AUTO_CLOSE_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  // The newsroom's own sites (comma-separated origins): an embed on one of
  // their pages creates its article on first load. Unset: only the API does.
  ARTICLE_ORIGINS: z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((o) => o.trim())
        .filter((o) => o.length > 0),
    )
    .pipe(z.array(z.url({ protocol: /^https?$/ }))),
  // Articles the embed may create per client address per hour, and in all
  // per hour (the bound on a flood of made-up ids; ADR "articles from the embed").
  ARTICLE_EMBED_CREATES_PER_IP: z.coerce.number().int().min(1).max(100_000).default(20),
  ARTICLE_EMBED_CREATES_PER_HOUR: z.coerce.number().int().min(1).max(1_000_000).default(500),
  // Webhook endpoints may be on loopback and private addresses (tests, receivers
  // inside the newsroom's network). Off, they are refused at registration and
  // at every connection.
  WEBHOOK_ALLOW_PRIVATE: bool.default(false),
  // The first retry of a failed webhook delivery waits this long; each next
  // one twice as long (at most an hour), for up to 24 hours.
  WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().min(10).max(3_600_000).default(5000),
  // Whether this node sends webhook deliveries (nodes that must not reach out
  // can leave it to others: deliveries are shared through the database).
  WEBHOOK_SENDER: bool.default(true),
  // Deliveries one node sends at once (a batch: claimed, sent and recorded together).
  WEBHOOK_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(64),
});

export type AppConfig = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

// Empty strings count as unset, as most deployment tools write them for blanks.
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const input = Object.fromEntries(
    Object.keys(configSchema.shape)
      .map((key) => [key, env[key]] as const)
      .filter(([, value]) => value !== undefined && value !== ''),
  );
  const result = configSchema.safeParse(input);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`));
  }
  const config = result.data;
  const problems: string[] = [];
  if (config.NODE_ENV === 'production' && !config.JWT_SECRET)
    problems.push('JWT_SECRET: required when NODE_ENV=production');
  if (config.NODE_ENV === 'production' && !config.DATABASE_URL && !config.EMBEDDED_PG_IN_PRODUCTION) {
    problems.push(
      'DATABASE_URL: required when NODE_ENV=production (the embedded PostgreSQL under DATA_DIR is for development; ' +
        'set EMBEDDED_PG_IN_PRODUCTION=true to run it anyway)',
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);
  if (config.AKISMET_KEY && !config.AKISMET_SITE) {
    throw new ConfigError(['AKISMET_SITE: required with AKISMET_KEY (the site Akismet knows the key for)']);
  }
  if (config.REALTIME_ADAPTER === 'redis' && !config.REDIS_URL) {
    throw new ConfigError(['REDIS_URL: required when REALTIME_ADAPTER=redis']);
  }
  if (mailMode(config) === 'smtp' && !config.PUBLIC_URL)
    throw new ConfigError(['PUBLIC_URL: required with SMTP_URL (the base of every link in a message)']);
  if ((config.SMTP_USER === undefined) !== (config.SMTP_PASSWORD === undefined))
    throw new ConfigError(['SMTP_PASSWORD: SMTP_USER and SMTP_PASSWORD go together']);
  const identity = identityProblems(config);
  if (identity.length > 0) throw new ConfigError(identity);
  return config;
}

function identityProblems(config: AppConfig): string[] {
  const problems: string[] = [];
  if (config.SSO_JWT_SECRET && config.SSO_JWKS_URL)
    problems.push('SSO_JWKS_URL: set SSO_JWT_SECRET or SSO_JWKS_URL, not both');
  if (config.SSO_JWT_SECRET || config.SSO_JWKS_URL) {
    if (!config.SSO_ISSUER) problems.push('SSO_ISSUER: required with SSO_JWT_SECRET or SSO_JWKS_URL');
    if (!config.SSO_AUDIENCE) problems.push('SSO_AUDIENCE: required with SSO_JWT_SECRET or SSO_JWKS_URL');
  }
  const oidc = {
    OIDC_ISSUER: config.OIDC_ISSUER,
    OIDC_CLIENT_ID: config.OIDC_CLIENT_ID,
    OIDC_REDIRECT_URI: config.OIDC_REDIRECT_URI,
  };
  if (Object.values(oidc).some((v) => v) && !Object.values(oidc).every((v) => v)) {
    for (const [name, value] of Object.entries(oidc))
      if (!value) problems.push(`${name}: required to sign in with OIDC`);
  }
  return problems;
}

// The adapter in force: the configured one, else Redis when REDIS_URL is set.
export function realtimeAdapter(config: AppConfig): 'memory' | 'redis' | 'postgres' {
  return config.REALTIME_ADAPTER ?? (config.REDIS_URL ? 'redis' : 'memory');
}

// How mail leaves: an SMTP server, .eml files under DATA_DIR/mail (development
// without SMTP_URL), or not at all (production and tests without SMTP_URL).
export function mailMode(config: AppConfig): 'smtp' | 'files' | 'off' {
  if (config.SMTP_URL) return 'smtp';
  return config.NODE_ENV === 'development' ? 'files' : 'off';
}

// The base of links in messages: PUBLIC_URL, else this server on localhost.
export function publicUrl(config: AppConfig): string {
  return config.PUBLIC_URL ?? `http://localhost:${config.PORT}`;
}

export const APP_CONFIG = Symbol('APP_CONFIG');
