import type { CapacityCommand } from '../capacity/capacity.commands';
import type { DispatchCommand } from '../dispatch/dispatch.commands';
import type { OperationsPlanCommand } from '../operations-plan/operations-plan.commands';
import type { PledgeCommand } from '../pledge/pledge.commands';
import type { IncidentCommand } from '../reference/incident.commands';
import type { ItemCommand } from '../reference/item.commands';
import type { MemberCommand } from '../reference/member.commands';
import type { SiteCommand } from '../reference/site.commands';
import type { WarehouseCommand } from '../reference/warehouse.commands';
import type { RequestCommand } from '../request/request.commands';
import { DomainError } from '../shared/domain-error';
import type { StockCommand } from '../stock/stock.commands';

/**
 * Who may act for whom (DESIGN.md invariant 3), as pure rules over facts the command API has
 * already established (the token's claims, the target's owner). No I/O here.
 */
export const roles = ['eoc', 'warehouse', 'member', 'site', 'commander', 'auditor', 'admin', 'system'] as const;
export type Role = (typeof roles)[number];

export type Actor = {
  userId: string;
  role: Role;
  /** the member organisation the user belongs to */
  member?: string;
  /** a site officer's site */
  site?: string;
  /** a warehouse officer's warehouses; when absent, the warehouses its member owns */
  warehouses?: string[];
};

/** What a command acts for: the cluster as a whole, one member, one warehouse (with its owner), one site. */
export type Target =
  | { kind: 'cluster' }
  | { kind: 'member'; memberId: string }
  | { kind: 'warehouse'; warehouseId: string; ownerMemberId?: string }
  | { kind: 'site'; siteId: string };

export type AuthorizationDecision = { allowed: true } | { allowed: false; code: string; reason: string };

const allow: AuthorizationDecision = { allowed: true };
const deny = (code: string, reason: string): AuthorizationDecision => ({ allowed: false, code, reason });

const describe = (t: Target) =>
  t.kind === 'cluster' ? 'the cluster' : t.kind === 'member' ? `member ${t.memberId}` : t.kind === 'warehouse' ? `warehouse ${t.warehouseId}` : `site ${t.siteId}`;

/**
 * A member acts only for itself (its pledges, its capacity, its own warehouses); a warehouse officer
 * only for its warehouses; a site officer only for its site; commanders and auditors never write;
 * the EOC, admins and the system act for the whole cluster.
 */
export function canActFor(actor: Actor, target: Target): AuthorizationDecision {
  switch (actor.role) {
    case 'commander':
    case 'auditor':
      return deny('read-only-role', `${actor.role}s only read`);
    case 'eoc':
    case 'admin':
    case 'system':
      return allow;
    case 'member':
      if (!actor.member) return deny('no-member', 'the token names no member');
      if (target.kind === 'member' && target.memberId === actor.member) return allow;
      if (target.kind === 'warehouse' && target.ownerMemberId === actor.member) return allow;
      return deny('not-your-member', `member ${actor.member} acts only for itself, not for ${describe(target)}`);
    case 'warehouse': {
      if (target.kind !== 'warehouse') return deny('not-your-warehouse', `a warehouse officer acts only for its warehouses, not for ${describe(target)}`);
      const mine = actor.warehouses ? actor.warehouses.includes(target.warehouseId) : actor.member !== undefined && target.ownerMemberId === actor.member;
      return mine ? allow : deny('not-your-warehouse', `warehouse ${target.warehouseId} is not one of this officer's warehouses`);
    }
    case 'site':
      if (target.kind === 'site' && actor.site !== undefined && target.siteId === actor.site) return allow;
      return deny('not-your-site', `a site officer acts only for site ${actor.site ?? '(none)'}, not for ${describe(target)}`);
    default:
      return deny('unknown-role', `unknown role ${String((actor as { role: unknown }).role)}`);
  }
}

export type DomainCommandType =
  | ItemCommand['type']
  | MemberCommand['type']
  | WarehouseCommand['type']
  | SiteCommand['type']
  | IncidentCommand['type']
  | CapacityCommand['type']
  | OperationsPlanCommand['type']
  | RequestCommand['type']
  | PledgeCommand['type']
  | StockCommand['type']
  | DispatchCommand['type'];

const reference: Role[] = ['admin', 'eoc'];
const eoc: Role[] = ['eoc', 'admin'];
/**
 * Steps of a cross-stream flow (see ../README.md): they run under the authority of the command that
 * started the flow, which was authorised itself; listed so that a direct call is still limited.
 */
const flowStep: Role[] = ['eoc', 'admin', 'system', 'warehouse', 'site', 'member'];

/** Which roles may issue each command; the target check (canActFor) applies on top for scoped roles. */
export const commandRoles: Readonly<Record<DomainCommandType, readonly Role[]>> = {
  RegisterItem: reference,
  UpdateItem: reference,
  DeactivateItem: reference,
  RegisterMember: reference,
  UpdateMember: reference,
  DeactivateMember: reference,
  RegisterWarehouse: reference,
  UpdateWarehouse: [...reference, 'member'],
  DeactivateWarehouse: reference,
  RegisterSite: reference,
  UpdateSite: reference,
  DeactivateSite: reference,
  RegisterIncident: reference,
  UpdateIncident: reference,
  ChangeIncidentPhase: reference,
  DeactivateIncident: reference,
  DeclareWarehouseCapacity: [...eoc, 'member'],
  DeclareVehicles: [...eoc, 'member'],
  DeclareEquipment: [...eoc, 'member'],
  DeclarePeople: [...eoc, 'member'],
  DraftOperationsPlan: eoc,
  ReviseOperationsPlan: eoc,
  ActivateOperationsPlan: eoc,
  SubmitRequest: [...eoc, 'site'],
  ApproveRequest: eoc,
  RejectRequest: eoc,
  CancelRequest: [...eoc, 'site'],
  CloseRequest: eoc,
  RecordDispatchAgainstRequest: flowStep,
  ReleaseDispatchFromRequest: flowStep,
  OfferPledge: [...eoc, 'member'],
  AcceptPledge: eoc,
  DeclinePledge: eoc,
  WithdrawPledge: [...eoc, 'member'],
  RecordPledgeDelivery: flowStep,
  LapsePledge: [...eoc, 'system'],
  ReceiveStock: [...eoc, 'warehouse'],
  ReserveStock: flowStep,
  ReleaseStock: flowStep,
  IssueStock: flowStep,
  AdjustStock: [...eoc, 'warehouse'],
  CountStock: [...eoc, 'warehouse'],
  TransferStockOut: [...eoc, 'warehouse'],
  ReturnEquipment: [...eoc, 'warehouse'],
  WriteOffDeployedEquipment: [...eoc, 'warehouse'],
  PlanDispatch: [...eoc, 'member'],
  DepartDispatch: [...eoc, 'warehouse', 'member'],
  CancelDispatch: eoc,
  MarkDispatchLost: [...eoc, 'warehouse'],
  RecordReceipt: [...eoc, 'site', 'warehouse'],
};

/** The role may issue the command, and acts for its target. */
export function authorize(actor: Actor, commandType: DomainCommandType, target: Target): AuthorizationDecision {
  const allowed = commandRoles[commandType];
  if (!allowed) return deny('unknown-command', `unknown command ${commandType}`);
  if (actor.role === 'commander' || actor.role === 'auditor') return deny('read-only-role', `${actor.role}s only read`);
  if (!allowed.includes(actor.role)) return deny('role-not-allowed', `role ${actor.role} may not ${commandType}`);
  return canActFor(actor, target);
}

/** authorize, as a refusal the command API maps to 403 */
export function assertAuthorized(actor: Actor, commandType: DomainCommandType, target: Target): void {
  const d = authorize(actor, commandType, target);
  if (!d.allowed) {
    throw DomainError.forbidden(d.code, d.reason, { role: actor.role, command: commandType, target: { ...target } });
  }
}
