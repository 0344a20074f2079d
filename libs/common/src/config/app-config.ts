import { httpConfig } from './http.config.js';
import { storageConfig } from './storage.config.js';
import { identityConfig } from './identity.config.js';
import { limitsConfig } from './limits.config.js';
import { commentsConfig } from './comments.config.js';
import { moderationConfig } from './moderation.config.js';
import { realtimeConfig } from './realtime.config.js';
import { mailConfig } from './mail.config.js';
import { webhooksConfig } from './webhooks.config.js';
import { z } from 'zod';

// Every variable the service reads, validated once at boot: one group per
// part of the service, each in its own file.
export const configSchema = z.object({
  ...httpConfig,
  ...storageConfig,
  ...identityConfig,
  ...limitsConfig,
  ...commentsConfig,
  ...moderationConfig,
  ...realtimeConfig,
  ...mailConfig,
  ...webhooksConfig,
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
