import type { Command } from '../shared/message';

export type RegisterWarehouse = Command<
  'RegisterWarehouse',
  { warehouseId: string; name: string; ownerMemberId: string; district: string; lat: number; lon: number; address?: string }
>;
export type UpdateWarehouse = Command<
  'UpdateWarehouse',
  { warehouseId: string; name?: string; ownerMemberId?: string; district?: string; lat?: number; lon?: number; address?: string }
>;
export type DeactivateWarehouse = Command<'DeactivateWarehouse', { warehouseId: string; reason: string }>;

export const warehouseCommandTypes = ['RegisterWarehouse', 'UpdateWarehouse', 'DeactivateWarehouse'] as const;
export type WarehouseCommand = RegisterWarehouse | UpdateWarehouse | DeactivateWarehouse;
