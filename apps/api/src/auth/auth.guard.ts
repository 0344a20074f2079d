import { CanActivate, createParamDecorator, ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AccountsService, AuthUser } from '@rejoinder/accounts';
import { DomainError, ErrorCode } from '@rejoinder/common';
import type { FastifyRequest } from 'fastify';

type AuthedRequest = FastifyRequest & { user?: AuthUser | null };

const OPTIONAL_AUTH = 'rejoinder:optional-auth';
// The route serves anonymous readers too, but knows a signed-in one.
export const OptionalAuth = () => SetMetadata(OPTIONAL_AUTH, true);

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
    request.user = await this.accounts.authenticate(token);
    return true;
  }
}

export const CurrentUser = createParamDecorator((_: unknown, context: ExecutionContext): AuthUser | null => {
  return context.switchToHttp().getRequest<AuthedRequest>().user ?? null;
});
