import { assertNever, DomainError } from '../shared/domain-error';
import { optionalText, requireId, requireMetadata, requireNonNegativeInt, requireOneOf, requirePositiveNumber, requireText } from '../shared/guards';
import { emitter, type Decider } from '../shared/message';
import type { CapacityCommand } from './capacity.commands';
import {
  equipmentConditions,
  equipmentKinds,
  vehicleTypes,
  type CapacityEvent,
  type EquipmentCondition,
  type EquipmentKind,
  type VehicleType,
} from './capacity.events';

/** What one member can mobilise (sumber daya logistik dan peralatan). */
export type CapacityState = {
  memberId?: string;
  warehouses: Record<string, { capacityM3?: number; capacityTonnes?: number }>;
  vehicles: Partial<Record<VehicleType, { payloadKg: number; count: number }>>;
  /** by `${kind}/${condition}` */
  equipment: Record<string, { kind: EquipmentKind; condition: EquipmentCondition; count: number; note?: string }>;
  people?: { count: number; skills: string[] };
};

export const initialCapacityState: CapacityState = { warehouses: {}, vehicles: {}, equipment: {} };
const emit = emitter<CapacityEvent>();
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export function evolveCapacity(state: CapacityState, event: CapacityEvent): CapacityState {
  const s = state.memberId ? state : { ...state, memberId: event.data.memberId };
  switch (event.type) {
    case 'WarehouseCapacityDeclared': {
      const { warehouseId, capacityM3, capacityTonnes } = event.data;
      const entry: { capacityM3?: number; capacityTonnes?: number } = {};
      if (capacityM3 !== undefined) entry.capacityM3 = capacityM3;
      if (capacityTonnes !== undefined) entry.capacityTonnes = capacityTonnes;
      return { ...s, warehouses: { ...s.warehouses, [warehouseId]: entry } };
    }
    case 'VehiclesDeclared':
      return { ...s, vehicles: { ...s.vehicles, [event.data.vehicleType]: { payloadKg: event.data.payloadKg, count: event.data.count } } };
    case 'EquipmentDeclared': {
      const { kind, condition, count, note } = event.data;
      return { ...s, equipment: { ...s.equipment, [`${kind}/${condition}`]: note === undefined ? { kind, condition, count } : { kind, condition, count, note } } };
    }
    case 'PeopleDeclared':
      return { ...s, people: { count: event.data.count, skills: event.data.skills } };
    default:
      return state;
  }
}

function requireMember(state: CapacityState, memberId: unknown): string {
  const id = requireId(memberId, 'memberId');
  if (state.memberId !== undefined && state.memberId !== id) {
    throw DomainError.invalid('memberId', `this register belongs to member ${state.memberId}, not ${id}`, {}, 'member-mismatch');
  }
  return id;
}

/** Declaring the same figures again appends nothing: the register only records changes. */
export function decideCapacity(command: CapacityCommand, state: CapacityState): CapacityEvent[] {
  requireMetadata(command.metadata);
  const now = command.metadata.now;
  const memberId = requireMember(state, command.data.memberId);
  switch (command.type) {
    case 'DeclareWarehouseCapacity': {
      const d = command.data;
      const warehouseId = requireId(d.warehouseId, 'warehouseId');
      const capacityM3 = d.capacityM3 === undefined ? undefined : requirePositiveNumber(d.capacityM3, 'capacityM3');
      const capacityTonnes = d.capacityTonnes === undefined ? undefined : requirePositiveNumber(d.capacityTonnes, 'capacityTonnes');
      if (capacityM3 === undefined && capacityTonnes === undefined) throw DomainError.invalid('capacityM3', 'give the capacity in m³, in tonnes, or both');
      const entry = { ...(capacityM3 !== undefined ? { capacityM3 } : {}), ...(capacityTonnes !== undefined ? { capacityTonnes } : {}) };
      if (same(state.warehouses[warehouseId], entry)) return [];
      return [emit('WarehouseCapacityDeclared', { memberId, warehouseId, capacityM3, capacityTonnes, declaredAt: now })];
    }
    case 'DeclareVehicles': {
      const d = command.data;
      const vehicleType = requireOneOf(d.vehicleType, vehicleTypes, 'vehicleType');
      const entry = { payloadKg: requirePositiveNumber(d.payloadKg, 'payloadKg'), count: requireNonNegativeInt(d.count, 'count') };
      if (same(state.vehicles[vehicleType], entry)) return [];
      return [emit('VehiclesDeclared', { memberId, vehicleType, ...entry, declaredAt: now })];
    }
    case 'DeclareEquipment': {
      const d = command.data;
      const kind = requireOneOf(d.kind, equipmentKinds, 'kind');
      const condition = requireOneOf(d.condition, equipmentConditions, 'condition');
      const count = requireNonNegativeInt(d.count, 'count');
      const note = optionalText(d.note, 'note', 500);
      const current = state.equipment[`${kind}/${condition}`];
      if (current && current.count === count && current.note === note) return [];
      return [emit('EquipmentDeclared', { memberId, kind, condition, count, note, declaredAt: now })];
    }
    case 'DeclarePeople': {
      const d = command.data;
      const count = requireNonNegativeInt(d.count, 'count');
      const skills = d.skills === undefined ? [] : (Array.isArray(d.skills) ? d.skills : [d.skills]).map((x, i) => requireText(x, `skills[${i}]`, 100));
      if (same(state.people, { count, skills })) return [];
      return [emit('PeopleDeclared', { memberId, count, skills, declaredAt: now })];
    }
    default:
      return assertNever(command);
  }
}

export const capacityDecider: Decider<CapacityCommand, CapacityState, CapacityEvent> = {
  initialState: initialCapacityState,
  evolve: evolveCapacity,
  decide: decideCapacity,
};
