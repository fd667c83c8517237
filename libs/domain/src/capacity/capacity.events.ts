import type { DomainEvent } from '../shared/message';

export const vehicleTypes = ['truck', 'pickup', 'van', '4wd', 'motorcycle', 'boat', 'ambulance', 'water-tanker', 'other'] as const;
export type VehicleType = (typeof vehicleTypes)[number];
export const equipmentKinds = ['boat', 'generator', 'water-pump', 'tent', 'water-purifier', 'chainsaw', 'light-tower', 'field-kitchen', 'other'] as const;
export type EquipmentKind = (typeof equipmentKinds)[number];
export const equipmentConditions = ['good', 'fair', 'needs-repair'] as const;
export type EquipmentCondition = (typeof equipmentConditions)[number];

/** A declaration replaces the member's previous one for the same warehouse / vehicle type / equipment kind and condition. */
export type WarehouseCapacityDeclaredData = { memberId: string; warehouseId: string; capacityM3?: number; capacityTonnes?: number; declaredAt: string };
export type VehiclesDeclaredData = { memberId: string; vehicleType: VehicleType; payloadKg: number; count: number; declaredAt: string };
export type EquipmentDeclaredData = { memberId: string; kind: EquipmentKind; condition: EquipmentCondition; count: number; note?: string; declaredAt: string };
export type PeopleDeclaredData = { memberId: string; count: number; skills: string[]; declaredAt: string };

export const capacityEventTypes = ['WarehouseCapacityDeclared', 'VehiclesDeclared', 'EquipmentDeclared', 'PeopleDeclared'] as const;

export type CapacityEvent =
  | DomainEvent<'WarehouseCapacityDeclared', WarehouseCapacityDeclaredData>
  | DomainEvent<'VehiclesDeclared', VehiclesDeclaredData>
  | DomainEvent<'EquipmentDeclared', EquipmentDeclaredData>
  | DomainEvent<'PeopleDeclared', PeopleDeclaredData>;
