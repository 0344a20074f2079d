import { applyDecorators, CanActivate, ExecutionContext, Injectable, SetMetadata, UseGuards } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { AuthUser } from '@rejoinder/accounts';
import { DomainError, ErrorCode } from '@rejoinder/common';
import { Role } from '@rejoinder/db';
import { AuthGuard } from './auth.guard.js';

const ROLE = 'rejoinder:role';
const RANK: Record<Role, number> = { commenter: 0, moderator: 1, admin: 2 };

// Signed in (401 otherwise) and at least this role (403 otherwise).
export const RequireRole = (role: Role) => applyDecorators(SetMetadata(ROLE, role), UseGuards(AuthGuard, RolesGuard));

@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const needed = this.reflector.getAllAndOverride<Role | undefined>(ROLE, [context.getHandler(), context.getClass()]);
    if (!needed) return true;
    const user = context.switchToHttp().getRequest<{ user?: AuthUser | null }>().user;
    if (!user) throw new DomainError(ErrorCode.Unauthenticated);
    if (RANK[user.role] < RANK[needed]) throw new DomainError(ErrorCode.Forbidden, `Needs the ${needed} role`);
    return true;
  }
}
