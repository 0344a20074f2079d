import { CanActivate, createParamDecorator, ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AccountsService, ApiKeysService, isApiKey } from '@rejoinder/accounts';
import type { ApiKeyScope, AuthUser } from '@rejoinder/accounts';
import { DomainError, ErrorCode } from '@rejoinder/common';
import type { FastifyRequest } from 'fastify';

type AuthedRequest = FastifyRequest & { user?: AuthUser | null };

const OPTIONAL_AUTH = 'rejoinder:optional-auth';
// The route serves anonymous readers too, but knows a signed-in one.
export const OptionalAuth = () => SetMetadata(OPTIONAL_AUTH, true);

const KEY_SCOPE = 'rejoinder:key-scope';
// The scope a service key needs on this route. A route without one refuses
// every key: a key never passes for a person (it cannot post, vote or sign in).
export const KeyScope = (scope: ApiKeyScope) => SetMetadata(KEY_SCOPE, scope);

const WITH_STANDING = 'rejoinder:with-standing';
// The route posts: the account is read with its standing (sanctions, trust,
// address) in the same statement, and the posting rules use that read.
export const WithStanding = () => SetMetadata(WITH_STANDING, true);

export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw new DomainError(ErrorCode.InvalidToken, 'Use "Authorization: Bearer <token>"');
  return match[1];
}

// Authenticates the bearer token. A present but bad token is always refused,
// even on routes where signing in is optional.
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly accounts: AccountsService,
    private readonly keys: ApiKeysService,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthedRequest>();
    const optional = this.reflector.getAllAndOverride<boolean>(OPTIONAL_AUTH, [
      context.getHandler(),
      context.getClass(),
    ]);
    const token = bearerToken(request.headers.authorization);
    if (!token) {
      if (optional) {
        request.user = null;
        return true;
      }
      throw new DomainError(ErrorCode.Unauthenticated);
    }
    if (isApiKey(token)) {
      const key = await this.keys.authenticate(token);
      // The one place a key's scopes are checked: every authenticated route passes here.
      const scope = this.reflector.getAllAndOverride<ApiKeyScope | undefined>(KEY_SCOPE, [
        context.getHandler(),
        context.getClass(),
      ]);
      if (!scope) throw new DomainError(ErrorCode.ApiKeyNotAllowed);
      if (!key.apiKey!.scopes.includes(scope))
        throw new DomainError(ErrorCode.ApiKeyScopeMissing, `The key needs the ${scope} scope`);
      request.user = key;
      return true;
    }
    const withStanding = this.reflector.get<boolean | undefined>(WITH_STANDING, context.getHandler()) === true;
    request.user = await this.accounts.authenticate(token, withStanding);
    return true;
  }
}

export const CurrentUser = createParamDecorator((_: unknown, context: ExecutionContext): AuthUser | null => {
  return context.switchToHttp().getRequest<AuthedRequest>().user ?? null;
});
