import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { IncomingMessage } from 'node:http';
import { ApiError } from '../http/api-error';
import { IS_PUBLIC_KEY, ROLES_KEY, type AuthenticatedRequest } from './auth.decorators';
import type { Role } from './principal';
import { TokenError } from './token';
import { VerifiedTokens } from './verified-tokens';

export const AUTH_OPTIONS = Symbol('AUTH_OPTIONS');

export interface AuthOptions {
  secret: string;
}

/**
 * Global: every route needs a valid bearer token unless marked @Public(), so a new controller that
 * forgets its decorators is closed, not open.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly tokens: VerifiedTokens;

  constructor(
    private readonly reflector: Reflector,
    @Inject(AUTH_OPTIONS) options: AuthOptions,
  ) {
    this.tokens = new VerifiedTokens(options.secret);
  }

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, targets)) return true;

    const req = context.switchToHttp().getRequest<IncomingMessage & AuthenticatedRequest>();
    const token = bearerToken(req.headers.authorization);
    try {
      const verified = this.tokens.verify(token);
      req.principal = verified.principal;
      req.credentialsValidUntilMs = verified.validUntilMs;
    } catch (e) {
      if (e instanceof TokenError) throw ApiError.unauthorized(e.message);
      throw e;
    }

    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (roles && !roles.includes(req.principal.role)) {
      throw ApiError.forbidden('role-not-allowed', `role ${req.principal.role} may not do this; allowed: ${roles.join(', ')}`, {
        role: req.principal.role,
        allowed: roles,
      });
    }
    return true;
  }
}

function bearerToken(header: string | undefined): string {
  if (!header) throw ApiError.unauthorized('missing bearer token (Authorization: Bearer <token>)');
  const m = /^Bearer +([A-Za-z0-9._~+/=-]+)$/i.exec(header.trim());
  if (!m) throw ApiError.unauthorized('malformed Authorization header: expected "Bearer <token>"');
  return m[1];
}
