import { ConfigError, loadConfig } from './app-config.js';

describe('loadConfig', () => {
  it('fills in defaults for a bare environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ PORT: 3000, NODE_ENV: 'development', DATA_DIR: '.data', JWT_TTL_SECONDS: 86400 });
    expect(config.DATABASE_URL).toBeUndefined();
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://localhost/x' }, 'DATABASE_URL'],
    [{ JWT_SECRET: 'short' }, 'JWT_SECRET'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ NODE_ENV: 'production' }, 'JWT_SECRET'],
    [{ SEED: 'maybe' }, 'SEED'],
    [{ REDIS_COMMAND_TIMEOUT_MS: '0' }, 'REDIS_COMMAND_TIMEOUT_MS'],
    [{ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40) }, 'DATABASE_URL'],
    [{ TRUST_PROXY: 'true' }, 'TRUST_PROXY'],
    [{ TRUST_PROXY: 'yes' }, 'TRUST_PROXY'],
    [{ TRUST_PROXY: '10.0.0.0/33' }, 'TRUST_PROXY'],
    [{ TRUST_PROXY: '10.0.0.1, not-an-address' }, 'TRUST_PROXY'],
    [{ TRUST_PROXY: '11' }, 'TRUST_PROXY'],
    [{ SSO_JWT_SECRET: 'x'.repeat(32) }, 'SSO_ISSUER'],
    [{ SSO_JWT_SECRET: 'x'.repeat(32), SSO_ISSUER: 'i' }, 'SSO_AUDIENCE'],
    [
      { SSO_JWT_SECRET: 'x'.repeat(32), SSO_JWKS_URL: 'https://a.test/jwks', SSO_ISSUER: 'i', SSO_AUDIENCE: 'a' },
      'SSO_JWKS_URL',
    ],
    [{ SSO_JWKS_URL: 'http://news.example.test/jwks' }, 'SSO_JWKS_URL'],
    [{ SSO_ROLE_MAP: 'editor=owner' }, 'SSO_ROLE_MAP'],
    [{ OIDC_ISSUER: 'https://login.example.test' }, 'OIDC_CLIENT_ID'],
    [{ OIDC_ISSUER: 'https://login.example.test', OIDC_CLIENT_ID: 'c' }, 'OIDC_REDIRECT_URI'],
    [{ LOCAL_SIGNUP: 'no' }, 'LOCAL_SIGNUP'],
    [{ RETENTION_REMOVED_DAYS: '-1' }, 'RETENTION_REMOVED_DAYS'],
    [{ PUBLIC_URL: 'comments.example.com' }, 'PUBLIC_URL'],
    [{ PUBLIC_URL: 'ftp://comments.example.com' }, 'PUBLIC_URL'],
    [{ HTTP_CACHED_FAST_PATH: 'maybe' }, 'HTTP_CACHED_FAST_PATH'],
    [{ WEBHOOK_BATCH_MS: '-1' }, 'WEBHOOK_BATCH_MS'],
  ])('stops on %j, naming %s', (env, variable) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    try {
      loadConfig(env);
    } catch (error) {
      expect((error as ConfigError).problems.some((p) => p.startsWith(`${variable}:`))).toBe(true);
    }
  });

  it('explains why a bare TRUST_PROXY=true is refused', () => {
    expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(/would trust every hop/);
  });

  it.each([
    ['false', false],
    ['0', false],
    ['1', 1],
    ['2', 2],
    ['10.0.0.1', ['10.0.0.1']],
    ['10.0.0.0/8, 172.16.0.0/12,loopback', ['10.0.0.0/8', '172.16.0.0/12', 'loopback']],
    ['::1,fd00::/8', ['::1', 'fd00::/8']],
  ])('reads TRUST_PROXY=%s as %j', (value, expected) => {
    expect(loadConfig({ TRUST_PROXY: value }).TRUST_PROXY).toEqual(expected);
  });

  it('runs the embedded PostgreSQL in production only when asked to', () => {
    const env = { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40) };
    expect(loadConfig({ ...env, EMBEDDED_PG_IN_PRODUCTION: 'true' }).DATABASE_URL).toBeUndefined();
    expect(loadConfig({ ...env, DATABASE_URL: 'postgresql://db/x' }).NODE_ENV).toBe('production');
  });

  it.each([
    [{ ALLOWED_ORIGINS: 'https://news.example.com,ftp://files.example.com' }, 'ALLOWED_ORIGINS.1: '],
    [{ EMBED_ORIGINS: 'news.example.com' }, 'EMBED_ORIGINS.0: '],
  ])('stops on %j, naming the origin at %s', (env, prefix) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    try {
      loadConfig(env);
    } catch (error) {
      expect((error as ConfigError).problems.some((p) => p.startsWith(prefix))).toBe(true);
    }
  });

  it('reads ALLOWED_ORIGINS and EMBED_ORIGINS as lists of origins', () => {
    const config = loadConfig({
      ALLOWED_ORIGINS: ' https://a.example.com, http://b.example.com:8080 ,',
      EMBED_ORIGINS: '*',
    });
    expect(config.ALLOWED_ORIGINS).toEqual(['https://a.example.com', 'http://b.example.com:8080']);
    expect(config.EMBED_ORIGINS).toEqual(['*']);
    expect(loadConfig({}).ALLOWED_ORIGINS).toEqual(['http://localhost:3000']);
  });

  it('treats empty strings as unset', () => {
    const config = loadConfig({ PORT: '', DATABASE_URL: '' });
    expect(config.PORT).toBe(3000);
    expect(config.DATABASE_URL).toBeUndefined();
  });
});
