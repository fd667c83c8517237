import type { DomainEvent } from '../shared/message';

export type WarehouseRegisteredData = {
  warehouseId: string;
  name: string;
  /** the member organisation that owns (and staffs) the warehouse */
  ownerMemberId: string;
  district: string;
  lat: number;
  lon: number;
  address?: string;
  registeredAt: string;
};
export type WarehouseUpdatedData = {
  warehouseId: string;
  name?: string;
  ownerMemberId?: string;
  district?: string;
  lat?: number;
  lon?: number;
  address?: string;
  updatedAt: string;
};
export type WarehouseDeactivatedData = { warehouseId: string; reason: string; deactivatedAt: string };

export const warehouseEventTypes = ['WarehouseRegistered', 'WarehouseUpdated', 'WarehouseDeactivated'] as const;

export type WarehouseEvent =
  | DomainEvent<'WarehouseRegistered', WarehouseRegisteredData>
  | DomainEvent<'WarehouseUpdated', WarehouseUpdatedData>
  | DomainEvent<'WarehouseDeactivated', WarehouseDeactivatedData>;
