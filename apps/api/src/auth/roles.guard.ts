import { applyDecorators, CanActivate, ExecutionContext, Injectable, SetMetadata, UseGuards } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { ApiKeyScope, AuthUser } from '@rejoinder/accounts';
import { DomainError, ErrorCode } from '@rejoinder/common';
import { Role } from '@rejoinder/db';
import { AuthGuard, KeyScope } from './auth.guard.js';

const ROLE = 'rejoinder:role';
const RANK: Record<Role, number> = { commenter: 0, moderator: 1, admin: 2 };

// Signed in (401 otherwise) and at least this role (403 otherwise); or a
// service key with this scope, when the route names one (AuthGuard checks it).
export const RequireRole = (role: Role, scope?: ApiKeyScope) =>
  applyDecorators(SetMetadata(ROLE, role), ...(scope ? [KeyScope(scope)] : []), UseGuards(AuthGuard, RolesGuard));

@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const needed = this.reflector.getAllAndOverride<Role | undefined>(ROLE, [context.getHandler(), context.getClass()]);
    if (!needed) return true;
    const user = context.switchToHttp().getRequest<{ user?: AuthUser | null }>().user;
    if (!user) throw new DomainError(ErrorCode.Unauthenticated);
    // A key got here only through a scope this route accepts.
    if (user.apiKey) return true;
    if (RANK[user.role] < RANK[needed]) throw new DomainError(ErrorCode.Forbidden, `Needs the ${needed} role`);
    return true;
  }
}
