import type { Command } from '../shared/message';
import type { EquipmentCondition, EquipmentKind, VehicleType } from './capacity.events';

/** Declares or updates; the command API checks that the member owns the warehouse. */
export type DeclareWarehouseCapacity = Command<'DeclareWarehouseCapacity', { memberId: string; warehouseId: string; capacityM3?: number; capacityTonnes?: number }>;
/** count 0 says the member no longer has vehicles of that type */
export type DeclareVehicles = Command<'DeclareVehicles', { memberId: string; vehicleType: VehicleType; payloadKg: number; count: number }>;
export type DeclareEquipment = Command<'DeclareEquipment', { memberId: string; kind: EquipmentKind; condition: EquipmentCondition; count: number; note?: string }>;
export type DeclarePeople = Command<'DeclarePeople', { memberId: string; count: number; skills?: string[] }>;

export const capacityCommandTypes = ['DeclareWarehouseCapacity', 'DeclareVehicles', 'DeclareEquipment', 'DeclarePeople'] as const;
export type CapacityCommand = DeclareWarehouseCapacity | DeclareVehicles | DeclareEquipment | DeclarePeople;
