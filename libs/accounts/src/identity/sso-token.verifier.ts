import { Inject, Injectable } from '@nestjs/common';
import { createRemoteJWKSet, errors, jwtVerify } from 'jose';
import type { JWTPayload, JWTVerifyGetKey } from 'jose';
import { APP_CONFIG, DomainError, ErrorCode } from '@rejoinder/common';
import type { AppConfig } from '@rejoinder/common';

// The publisher's keys: one shared secret, or a JWKS fetched over HTTPS.
type SigningKeys = { kind: 'secret'; key: Uint8Array } | { kind: 'jwks'; keys: JWTVerifyGetKey };

const SECRET_ALGORITHMS = ['HS256'];
const JWKS_ALGORITHMS = ['RS256', 'ES256'];

// Verifies the short-lived JWT the host site signs for its signed-in reader.
// Everything is pinned: the algorithm (so `alg: none` and HS/RS confusion are
// refused), the issuer, the audience, `exp`, and the age by `iat`, with a
// bounded clock skew. Each fault has its own error code.
@Injectable()
export class SsoTokenVerifier {
  private readonly keys: SigningKeys | null;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    if (config.SSO_JWT_SECRET) {
      this.keys = { kind: 'secret', key: new TextEncoder().encode(config.SSO_JWT_SECRET) };
    } else if (config.SSO_JWKS_URL) {
      // jose caches the key set and fetches it again when a token names a key
      // id it does not hold (the publisher rotated its keys), at most once per
      // cooldown, so unknown key ids cannot make us hammer the publisher.
      this.keys = {
        kind: 'jwks',
        keys: createRemoteJWKSet(new URL(config.SSO_JWKS_URL), {
          timeoutDuration: 5_000,
          cooldownDuration: config.SSO_JWKS_COOLDOWN_SECONDS * 1000,
          cacheMaxAge: 10 * 60_000,
        }),
      };
    } else {
      this.keys = null;
    }
  }

  get configured(): boolean {
    return this.keys !== null;
  }

  get issuer(): string {
    return this.config.SSO_ISSUER ?? '';
  }

  get roleClaim(): string | undefined {
    return this.config.SSO_ROLE_CLAIM;
  }

  async verify(token: string): Promise<JWTPayload & { sub: string }> {
    const keys = this.keys;
    if (!keys) throw new DomainError(ErrorCode.SsoNotConfigured);
    const options = {
      algorithms: keys.kind === 'secret' ? SECRET_ALGORITHMS : JWKS_ALGORITHMS,
      issuer: this.config.SSO_ISSUER,
      audience: this.config.SSO_AUDIENCE,
      clockTolerance: this.config.SSO_CLOCK_SKEW_SECONDS,
      maxTokenAge: this.config.SSO_MAX_TOKEN_AGE_SECONDS,
      requiredClaims: ['sub', 'exp', 'iat'],
    };
    try {
      const { payload } =
        keys.kind === 'secret' ? await jwtVerify(token, keys.key, options) : await jwtVerify(token, keys.keys, options);
      if (typeof payload.sub !== 'string' || payload.sub.length === 0 || payload.sub.length > 255) {
        throw new DomainError(ErrorCode.SsoTokenClaims, '"sub" must be a string of 1 to 255 characters');
      }
      return payload as JWTPayload & { sub: string };
    } catch (error) {
      throw toDomainError(error, keys.kind);
    }
  }
}

function toDomainError(error: unknown, keys: SigningKeys['kind']): DomainError {
  if (error instanceof DomainError) return error;
  if (error instanceof errors.JOSEAlgNotAllowed) return new DomainError(ErrorCode.SsoTokenAlgorithm);
  if (error instanceof errors.JWSSignatureVerificationFailed) return new DomainError(ErrorCode.SsoTokenSignature);
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) {
    return new DomainError(ErrorCode.SsoKeyUnknown);
  }
  // maxTokenAge fails as JWTExpired on the "iat" claim: too old, not expired.
  if (error instanceof errors.JWTExpired) {
    return new DomainError(error.claim === 'iat' ? ErrorCode.SsoTokenAge : ErrorCode.SsoTokenExpired);
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.reason === 'missing')
      return new DomainError(ErrorCode.SsoTokenClaims, `The token has no "${error.claim}" claim`);
    switch (error.claim) {
      case 'iss':
        return new DomainError(ErrorCode.SsoTokenIssuer);
      case 'aud':
        return new DomainError(ErrorCode.SsoTokenAudience);
      case 'iat':
      case 'nbf':
        return new DomainError(ErrorCode.SsoTokenAge);
      default:
        return new DomainError(ErrorCode.SsoTokenClaims, `The "${error.claim}" claim is not valid`);
    }
  }
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid)
    return new DomainError(ErrorCode.SsoKeysUnavailable);
  if (
    error instanceof errors.JWSInvalid ||
    error instanceof errors.JWTInvalid ||
    error instanceof errors.JOSENotSupported
  ) {
    return new DomainError(ErrorCode.SsoTokenMalformed);
  }
  // With a remote key set, anything else happened while fetching it (refused
  // connection, a status other than 200, a body that is not JSON).
  return new DomainError(keys === 'jwks' ? ErrorCode.SsoKeysUnavailable : ErrorCode.SsoTokenMalformed);
}
