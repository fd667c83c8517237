import type { DomainEvent } from '../shared/message';

export const itemCategories = ['food', 'non-food', 'shelter', 'wash', 'health', 'equipment'] as const;
export type ItemCategory = (typeof itemCategories)[number];

export type ItemRegisteredData = {
  itemId: string;
  code: string;
  name: string;
  /** the unit quantities are counted in (pcs, sack, box, set, litre...) */
  unit: string;
  category: ItemCategory;
  /** units per pack, where the item is handled in packs */
  packSize?: number;
  /** false for equipment: it is deployed on loan and returned, not consumed */
  consumable: boolean;
  registeredAt: string;
};
export type ItemUpdatedData = {
  itemId: string;
  name?: string;
  unit?: string;
  category?: ItemCategory;
  packSize?: number;
  consumable?: boolean;
  updatedAt: string;
};
export type ItemDeactivatedData = { itemId: string; reason: string; deactivatedAt: string };

export const itemEventTypes = ['ItemRegistered', 'ItemUpdated', 'ItemDeactivated'] as const;

export type ItemEvent =
  | DomainEvent<'ItemRegistered', ItemRegisteredData>
  | DomainEvent<'ItemUpdated', ItemUpdatedData>
  | DomainEvent<'ItemDeactivated', ItemDeactivatedData>;
