import { isIP } from 'node:net';
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0'])
  .transform((value) => value === 'true' || value === '1');

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
const trustProxy = z
  .string()
  .transform((value, ctx): false | number | string[] => {
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
    const entries = text.split(',').map((e) => e.trim()).filter((e) => e.length > 0);
    const bad = entries.filter((e) => !trustedProxy(e));
    if (entries.length === 0 || bad.length > 0) {
      ctx.addIssue({ code: 'custom', message: `give false, a hop count (1 to 10), or proxy addresses/CIDRs; not ${bad.join(', ') || 'empty'}` });
      return z.NEVER;
    }
    return entries;
  });

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
  DATA_DIR: z.string().min(1).default('.data'),
  EMBEDDED_PG_PORT: port.default(54329),
  // The embedded PostgreSQL is for development; production runs it only when asked.
  EMBEDDED_PG_IN_PRODUCTION: bool.default(false),
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  JWT_TTL_SECONDS: z.coerce.number().int().min(60).max(60 * 60 * 24 * 30).default(60 * 60 * 24),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(120_000).default(10_000),
  SEED: bool.default(true),
  TRUST_PROXY: trustProxy.default(false),
  COMMENT_MAX_LENGTH: z.coerce.number().int().min(1).max(100_000).default(10_000),
  COMMENT_MAX_DEPTH: z.coerce.number().int().min(1).max(200).default(50),
  EDIT_WINDOW_SECONDS: z.coerce.number().int().min(0).max(86_400 * 30).default(300),
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
    .transform((value) => value.split(',').map((o) => o.trim()).filter((o) => o.length > 0))
    .pipe(z.array(z.union([z.literal('*'), z.url({ protocol: /^https?$/ })]))),
  // Sites that may show the embedded thread (/embed/:slug) in a frame
  // (comma-separated origins, or "*": any site, as an embed script is for).
  EMBED_ORIGINS: z
    .string()
    .default('*')
    .transform((value) => value.split(',').map((o) => o.trim()).filter((o) => o.length > 0))
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
  SOCKET_EVENTS_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(100),
  // Open socket.io connections one client address may hold (readers behind
  // one office or carrier address share it).
  SOCKET_CONNECTIONS_PER_IP: z.coerce.number().int().min(1).max(1_000_000).default(50),
  PRESENCE_INTERVAL_MS: z.coerce.number().int().min(100).max(60_000).default(1000),
  // Open reports that hold a published comment back until a moderator decides.
  REPORT_HOLD_THRESHOLD: z.coerce.number().int().min(1).max(1000).default(3),
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
    throw new ConfigError(
      result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`),
    );
  }
  const config = result.data;
  const problems: string[] = [];
  if (config.NODE_ENV === 'production' && !config.JWT_SECRET) problems.push('JWT_SECRET: required when NODE_ENV=production');
  if (config.NODE_ENV === 'production' && !config.DATABASE_URL && !config.EMBEDDED_PG_IN_PRODUCTION) {
    problems.push(
      'DATABASE_URL: required when NODE_ENV=production (the embedded PostgreSQL under DATA_DIR is for development; ' +
        'set EMBEDDED_PG_IN_PRODUCTION=true to run it anyway)',
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);
  if (config.REALTIME_ADAPTER === 'redis' && !config.REDIS_URL) {
    throw new ConfigError(['REDIS_URL: required when REALTIME_ADAPTER=redis']);
  }
  return config;
}

// The adapter in force: the configured one, else Redis when REDIS_URL is set.
export function realtimeAdapter(config: AppConfig): 'memory' | 'redis' | 'postgres' {
  return config.REALTIME_ADAPTER ?? (config.REDIS_URL ? 'redis' : 'memory');
}

export const APP_CONFIG = Symbol('APP_CONFIG');
