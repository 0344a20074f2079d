import { Inject, Injectable } from '@nestjs/common';
import { errors, jwtVerify, SignJWT } from 'jose';
import { DomainError, ErrorCode } from '@rejoinder/common';

export const TOKEN_OPTIONS = Symbol('TOKEN_OPTIONS');

export interface TokenOptions {
  secret: string;
  ttlSeconds: number;
}

export interface IssuedToken {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

export interface VerifiedToken {
  userId: string;
  expiresAt: Date;
  // To the millisecond (the `ims` claim; `iat`, whole seconds, for an older token).
  issuedAt: Date;
}

const ISSUER = 'rejoinder';
const SUBJECT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const AUDIENCE = 'rejoinder';
// Verified tokens kept in memory (about 0.3 KB each).
const VERIFIED_KEPT = 10_000;

// HS256 bearer tokens. Verification pins the algorithm, so `alg: none` and any
// other algorithm are refused, as are a wrong signature and an expired token.
@Injectable()
export class TokenService {
  private readonly key: Uint8Array;
  private readonly verified = new Map<string, VerifiedToken>();

  constructor(@Inject(TOKEN_OPTIONS) private readonly options: TokenOptions) {
    this.key = new TextEncoder().encode(options.secret);
  }

  async issue(userId: string): Promise<IssuedToken> {
    // `iat` has whole seconds; `ims` the millisecond, so a sign-out everywhere
    // refuses every token issued before it and none issued after.
    const accessToken = await new SignJWT({ ims: Date.now() })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(userId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(`${this.options.ttlSeconds}s`)
      .sign(this.key);
    return { accessToken, tokenType: 'Bearer', expiresIn: this.options.ttlSeconds };
  }

  // The user the token was issued to, and when it stops being valid. A token
  // is a fixed string signed with a key that does not change while the
  // process runs, so one verified earlier is known good until it expires:
  // its claims are kept (most recently used first, VERIFIED_KEPT at most) and
  // only its expiry is checked again. The HMAC runs once per token, not once
  // per request (ADR 26).
  async verify(token: string): Promise<VerifiedToken> {
    const known = this.verified.get(token);
    if (known) {
      if (known.expiresAt.getTime() <= Date.now()) {
        this.verified.delete(token);
        throw new DomainError(ErrorCode.TokenExpired);
      }
      this.verified.delete(token);
      this.verified.set(token, known);
      return known;
    }
    const claims = await this.check(token);
    if (this.verified.size >= VERIFIED_KEPT) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, claims);
    return claims;
  }

  private async check(token: string): Promise<VerifiedToken> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: ['HS256'],
        issuer: ISSUER,
        audience: AUDIENCE,
        requiredClaims: ['sub', 'exp', 'iat'],
      });
      // A token signed with our key but naming no possible user is still not valid.
      if (!SUBJECT.test(payload.sub ?? '')) throw new DomainError(ErrorCode.InvalidToken);
      return {
        userId: payload.sub!,
        expiresAt: new Date((payload.exp as number) * 1000),
        issuedAt: new Date(typeof payload.ims === 'number' ? payload.ims : (payload.iat as number) * 1000),
      };
    } catch (error) {
      if (error instanceof DomainError) throw error;
      if (error instanceof errors.JWTExpired) throw new DomainError(ErrorCode.TokenExpired);
      throw new DomainError(ErrorCode.InvalidToken);
    }
  }
}
