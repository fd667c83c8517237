import { assertAuthorized, commandRoles, type Actor, type DomainCommandType, type Target } from '@lumbung/domain';
import { isRole, type Principal, type Role } from '@lumbung/platform';

/** The token's principal as the domain's authorization rules see it. */
export function actorOf(p: Principal): Actor {
  return {
    userId: p.sub,
    role: p.role,
    ...(p.member !== undefined ? { member: p.member } : {}),
    ...(p.site !== undefined ? { site: p.site } : {}),
    // A warehouse officer's token names its warehouses; other roles act through their member.
    ...(p.warehouses.length > 0 ? { warehouses: [...p.warehouses] } : {}),
  };
}

/** 403 unless the role may issue the command and acts for the target (domain `authorize`). */
export function authorizeCommand(principal: Principal, type: DomainCommandType, target: Target): void {
  assertAuthorized(actorOf(principal), type, target);
}

/** The HTTP roles that may call a route issuing this command (the guard refuses the others first). */
export function rolesFor(type: DomainCommandType): Role[] {
  return commandRoles[type].filter((r): r is Role => isRole(r));
}

export const clusterTarget: Target = { kind: 'cluster' };

export const warehouseTarget = (warehouseId: string, state: { ownerMemberId?: string }): Target => ({
  kind: 'warehouse',
  warehouseId,
  ...(state.ownerMemberId !== undefined ? { ownerMemberId: state.ownerMemberId } : {}),
});
