import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import { ApiError } from '../http/api-error';
import type { Principal, Role } from './principal';

export const IS_PUBLIC_KEY = 'lumbung:public';
export const ROLES_KEY = 'lumbung:roles';

/** No token needed (health, metrics, docs). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC_KEY, true);

/**
 * Only these roles may call the route (403 otherwise). Nothing is implied: admin is not a superuser
 * here, a route that admin may call lists it. On a class, applies to every route unless a route says
 * otherwise.
 */
export const Roles = (...roles: Role[]): MethodDecorator & ClassDecorator => SetMetadata(ROLES_KEY, roles);

/** The request's verified principal (set by the AuthGuard). */
export const CurrentPrincipal = createParamDecorator((_data: unknown, ctx: ExecutionContext): Principal => {
  const principal = principalOf(ctx.switchToHttp().getRequest());
  // Only reachable on a @Public() route: a programming error, not the caller's.
  if (!principal) throw new Error('@CurrentPrincipal() used on a route without authentication');
  return principal;
});

export interface AuthenticatedRequest {
  principal?: Principal;
  /** until when the request's credentials are valid (epoch ms): a stream open longer ends then */
  credentialsValidUntilMs?: number;
}

/** Until when the request's bearer token is valid (epoch ms), as the AuthGuard found it. */
export const CredentialsValidUntil = createParamDecorator((_data: unknown, ctx: ExecutionContext): number | undefined =>
  (ctx.switchToHttp().getRequest() as AuthenticatedRequest).credentialsValidUntilMs,
);

export function principalOf(req: unknown): Principal | undefined {
  return (req as AuthenticatedRequest).principal;
}

/**
 * Checks a scoped role against the target: a member acts only for itself, a site officer for its
 * site, a warehouse officer for its warehouses (DESIGN.md invariant 3). Roles without a scope are
 * not limited here; @Roles decides whether they may act at all.
 */
export function assertScope(principal: Principal, scope: 'member' | 'site' | 'warehouse', id: string): void {
  const limited =
    (scope === 'member' && principal.role === 'member' && principal.member !== id) ||
    (scope === 'site' && principal.role === 'site' && principal.site !== id) ||
    (scope === 'warehouse' && principal.role === 'warehouse' && !principal.warehouses.includes(id));
  if (limited) {
    throw ApiError.forbidden('out-of-scope', `a ${principal.role} user may act only for its own ${scope}; not for ${scope} ${id}`, {
      scope,
      target: id,
      role: principal.role,
    });
  }
}
