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

const ISSUER = 'rejoinder';
const SUBJECT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const AUDIENCE = 'rejoinder';

// HS256 bearer tokens. Verification pins the algorithm, so `alg: none` and any
// other algorithm are refused, as are a wrong signature and an expired token.
@Injectable()
export class TokenService {
  private readonly key: Uint8Array;

  constructor(@Inject(TOKEN_OPTIONS) private readonly options: TokenOptions) {
    this.key = new TextEncoder().encode(options.secret);
  }

  async issue(userId: string): Promise<IssuedToken> {
    const accessToken = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(userId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(`${this.options.ttlSeconds}s`)
      .sign(this.key);
    return { accessToken, tokenType: 'Bearer', expiresIn: this.options.ttlSeconds };
  }

  // The user the token was issued to, and when it stops being valid.
  async verify(token: string): Promise<{ userId: string; expiresAt: Date }> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: ['HS256'],
        issuer: ISSUER,
        audience: AUDIENCE,
        requiredClaims: ['sub', 'exp', 'iat'],
      });
      // A token signed with our key but naming no possible user is still not valid.
      if (!SUBJECT.test(payload.sub ?? '')) throw new DomainError(ErrorCode.InvalidToken);
      return { userId: payload.sub!, expiresAt: new Date((payload.exp as number) * 1000) };
    } catch (error) {
      if (error instanceof DomainError) throw error;
      if (error instanceof errors.JWTExpired) throw new DomainError(ErrorCode.TokenExpired);
      throw new DomainError(ErrorCode.InvalidToken);
    }
  }
}
