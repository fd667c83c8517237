import { DomainError } from '../shared/domain-error';
import { assertAuthorized, authorize, canActFor, commandRoles, type Actor } from './authorization';

const member: Actor = { userId: 'u1', role: 'member', member: 'alfamart' };
const wOfficer: Actor = { userId: 'u2', role: 'warehouse', member: 'bpbd', warehouses: ['gd-1'] };
const site: Actor = { userId: 'u3', role: 'site', site: 'posko-1' };

describe('authorization rules', () => {
  it('a member acts only for itself and its own warehouses', () => {
    expect(canActFor(member, { kind: 'member', memberId: 'alfamart' })).toEqual({ allowed: true });
    expect(canActFor(member, { kind: 'warehouse', warehouseId: 'gd-a', ownerMemberId: 'alfamart' })).toEqual({ allowed: true });
    expect(canActFor(member, { kind: 'member', memberId: 'indomaret' })).toMatchObject({ allowed: false, code: 'not-your-member' });
    expect(canActFor(member, { kind: 'warehouse', warehouseId: 'gd-1', ownerMemberId: 'bpbd' })).toMatchObject({ allowed: false });
    expect(canActFor({ userId: 'u', role: 'member' }, { kind: 'member', memberId: 'alfamart' })).toMatchObject({ allowed: false, code: 'no-member' });
  });
  it('a warehouse officer acts only for its warehouses (listed, or owned by its member)', () => {
    expect(canActFor(wOfficer, { kind: 'warehouse', warehouseId: 'gd-1' })).toEqual({ allowed: true });
    expect(canActFor(wOfficer, { kind: 'warehouse', warehouseId: 'gd-2', ownerMemberId: 'bpbd' })).toMatchObject({ allowed: false, code: 'not-your-warehouse' });
    expect(canActFor({ ...wOfficer, warehouses: undefined }, { kind: 'warehouse', warehouseId: 'gd-2', ownerMemberId: 'bpbd' })).toEqual({ allowed: true });
    expect(canActFor(wOfficer, { kind: 'site', siteId: 'posko-1' })).toMatchObject({ allowed: false });
  });
  it('a site officer acts only for its site', () => {
    expect(canActFor(site, { kind: 'site', siteId: 'posko-1' })).toEqual({ allowed: true });
    expect(canActFor(site, { kind: 'site', siteId: 'posko-2' })).toMatchObject({ allowed: false, code: 'not-your-site' });
    expect(canActFor({ ...site, site: undefined }, { kind: 'site', siteId: 'posko-1' })).toMatchObject({ allowed: false });
  });
  it('commanders and auditors never write; the EOC acts for the cluster', () => {
    for (const role of ['commander', 'auditor'] as const) {
      expect(canActFor({ userId: 'x', role }, { kind: 'cluster' })).toMatchObject({ allowed: false, code: 'read-only-role' });
      expect(authorize({ userId: 'x', role }, 'ApproveRequest', { kind: 'cluster' })).toMatchObject({ allowed: false, code: 'read-only-role' });
    }
    expect(canActFor({ userId: 'x', role: 'eoc' }, { kind: 'site', siteId: 'any' })).toEqual({ allowed: true });
  });
  it('authorize combines the command’s roles with the target', () => {
    expect(authorize(site, 'SubmitRequest', { kind: 'site', siteId: 'posko-1' })).toEqual({ allowed: true });
    expect(authorize(site, 'SubmitRequest', { kind: 'site', siteId: 'posko-2' })).toMatchObject({ allowed: false, code: 'not-your-site' });
    expect(authorize(site, 'ApproveRequest', { kind: 'cluster' })).toMatchObject({ allowed: false, code: 'role-not-allowed' });
    expect(authorize(member, 'OfferPledge', { kind: 'member', memberId: 'alfamart' })).toEqual({ allowed: true });
    expect(authorize(member, 'ReceiveStock', { kind: 'warehouse', warehouseId: 'gd-a', ownerMemberId: 'alfamart' })).toMatchObject({ allowed: false, code: 'role-not-allowed' });
    expect(authorize(wOfficer, 'ReceiveStock', { kind: 'warehouse', warehouseId: 'gd-1' })).toEqual({ allowed: true });
    expect(authorize(wOfficer, 'AdjustStock', { kind: 'warehouse', warehouseId: 'gd-9' })).toMatchObject({ allowed: false });
  });
  it('assertAuthorized refuses with a forbidden DomainError', () => {
    let err: unknown;
    try {
      assertAuthorized(member, 'OfferPledge', { kind: 'member', memberId: 'indomaret' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DomainError);
    expect(err).toMatchObject({ kind: 'forbidden', code: 'not-your-member', details: { role: 'member', command: 'OfferPledge' } });
  });
  it('every command has at least one role, and none lets commanders or auditors write', () => {
    for (const [type, rs] of Object.entries(commandRoles)) {
      expect({ type, some: rs.length > 0 }).toEqual({ type, some: true });
      expect(rs).not.toContain('commander');
      expect(rs).not.toContain('auditor');
    }
  });
});
