import { Controller, Get, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiError } from '../http/api-error';
import { assertScope, Public, Roles } from './auth.decorators';
import { AuthGuard } from './auth.guard';
import type { Principal } from './principal';
import { CLOCK_TOLERANCE_SECONDS, issueToken } from './token';

const SECRET = 'k'.repeat(40);

@Controller()
@Roles('eoc', 'admin')
class Routes {
  @Get() guarded(): void {}
  @Public() @Get() open(): void {}
  @Roles('site') @Get() siteOnly(): void {}
}

type Req = { headers: Record<string, string>; principal?: Principal; credentialsValidUntilMs?: number };
function context(handler: keyof Routes, authorization?: string): { ctx: ExecutionContext; req: Req } {
  const req: Req = { headers: authorization === undefined ? {} : { authorization } };
  const ctx = {
    getType: () => 'http',
    getHandler: () => Routes.prototype[handler],
    getClass: () => Routes,
    switchToHttp: () => ({ getRequest: () => req }),
  } as unknown as ExecutionContext;
  return { ctx, req };
}

const guard = new AuthGuard(new Reflector(), { secret: SECRET });
const refusal = (fn: () => unknown): ApiError => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    return e as ApiError;
  }
  throw new Error('expected a refusal');
};

describe('AuthGuard', () => {
  it('lets @Public() routes through without a token', () => {
    expect(guard.canActivate(context('open').ctx)).toBe(true);
  });

  it('refuses a missing, malformed or bad token with 401', () => {
    expect(refusal(() => guard.canActivate(context('guarded').ctx))).toMatchObject({ status: 401, message: expect.stringContaining('missing bearer token') });
    expect(refusal(() => guard.canActivate(context('guarded', 'Basic dTpw').ctx))).toMatchObject({ status: 401, message: expect.stringContaining('malformed') });
    expect(refusal(() => guard.canActivate(context('guarded', 'Bearer abc.def.ghi').ctx))).toMatchObject({ status: 401, message: expect.stringMatching(/^invalid token/) });
  });

  it('sets the principal for an allowed role', () => {
    const { ctx, req } = context('guarded', `Bearer ${issueToken(SECRET, { sub: 'u1', role: 'eoc', member: 'bpbd' })}`);
    expect(guard.canActivate(ctx)).toBe(true);
    expect(req.principal).toEqual({ sub: 'u1', role: 'eoc', member: 'bpbd', warehouses: [] });
  });

  it('notes until when the token holds (its expiry and the clock tolerance): an event stream ends then', () => {
    const before = Math.floor(Date.now() / 1000);
    const { ctx, req } = context('guarded', `Bearer ${issueToken(SECRET, { sub: 'u1', role: 'eoc' }, '10m')}`);
    expect(guard.canActivate(ctx)).toBe(true);
    const exp = req.credentialsValidUntilMs! / 1000 - CLOCK_TOLERANCE_SECONDS;
    expect(exp).toBeGreaterThanOrEqual(before + 600);
    expect(exp).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 600);
    // the same token again (remembered): the same answer
    const again = context('guarded', ctx.switchToHttp().getRequest<Req>().headers.authorization);
    guard.canActivate(again.ctx);
    expect(again.req.credentialsValidUntilMs).toBe(req.credentialsValidUntilMs);
  });

  it('refuses a role the route does not list with 403, saying who may', () => {
    const e = refusal(() => guard.canActivate(context('guarded', `Bearer ${issueToken(SECRET, { sub: 'u', role: 'auditor' })}`).ctx));
    expect(e).toMatchObject({ status: 403, code: 'role-not-allowed', message: 'role auditor may not do this; allowed: eoc, admin' });
  });

  it('lets a route override the class roles', () => {
    expect(guard.canActivate(context('siteOnly', `Bearer ${issueToken(SECRET, { sub: 'u', role: 'site', site: 's1' })}`).ctx)).toBe(true);
    expect(refusal(() => guard.canActivate(context('siteOnly', `Bearer ${issueToken(SECRET, { sub: 'u', role: 'eoc' })}`).ctx)).status).toBe(403);
  });
});

describe('assertScope', () => {
  const p = (x: Partial<Principal>): Principal => ({ sub: 'u', role: 'eoc', warehouses: [], ...x });
  it('keeps scoped roles to their own member, site and warehouses', () => {
    expect(() => assertScope(p({ role: 'member', member: 'm1' }), 'member', 'm1')).not.toThrow();
    expect(refusal(() => assertScope(p({ role: 'member', member: 'm1' }), 'member', 'm2'))).toMatchObject({ status: 403, code: 'out-of-scope' });
    expect(refusal(() => assertScope(p({ role: 'site', site: 's1' }), 'site', 's2')).status).toBe(403);
    expect(() => assertScope(p({ role: 'warehouse', warehouses: ['w1', 'w2'] }), 'warehouse', 'w2')).not.toThrow();
    expect(refusal(() => assertScope(p({ role: 'warehouse', warehouses: ['w1'] }), 'warehouse', 'w3')).status).toBe(403);
  });
  it('does not limit unscoped roles', () => {
    expect(() => assertScope(p({ role: 'eoc' }), 'warehouse', 'w9')).not.toThrow();
  });
});
