import { z } from 'zod';
import { bool } from './config-fields.js';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);
// An https URL; plain http only on this machine (development and tests).
const secureUrl = z
  .url({ protocol: /^https?$/ })
  .refine(
    (value) => value.startsWith('https:') || LOOPBACK.has(new URL(value).hostname),
    'must be https (http only on localhost)',
  );

// Who a caller is: the service's own tokens, the publisher's login (SSO),
// OIDC, and local sign-up.
export const identityConfig = {
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  JWT_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(60 * 60 * 24 * 30)
    .default(60 * 60 * 24),
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
};
