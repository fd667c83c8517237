import { ApiError, type Principal, type Role } from '@lumbung/platform';

/** Roles that read everything (DESIGN.md: commanders and auditors see all; the EOC and admins too). */
export const FULL_VIEW: Role[] = ['commander', 'auditor', 'eoc', 'admin'];
export const AUDIT: Role[] = ['auditor', 'admin'];

export const seesAll = (p: Principal): boolean => FULL_VIEW.includes(p.role);

export function outOfScope(p: Principal, scope: string, target: string): ApiError {
  return ApiError.forbidden('out-of-scope', `a ${p.role} user may read only its own ${scope}; not ${scope} ${target}`, { scope, target, role: p.role });
}

export function notFound(what: string, id: string): ApiError {
  return new ApiError(404, 'not-found', `no ${what} ${id}`, { [what]: id });
}
