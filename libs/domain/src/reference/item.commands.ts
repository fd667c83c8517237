import type { Command } from '../shared/message';
import type { ItemCategory } from './item.events';

export type RegisterItem = Command<
  'RegisterItem',
  { itemId: string; code: string; name: string; unit: string; category: ItemCategory; packSize?: number }
>;
export type UpdateItem = Command<
  'UpdateItem',
  { itemId: string; name?: string; unit?: string; category?: ItemCategory; packSize?: number }
>;
export type DeactivateItem = Command<'DeactivateItem', { itemId: string; reason: string }>;

export const itemCommandTypes = ['RegisterItem', 'UpdateItem', 'DeactivateItem'] as const;
export type ItemCommand = RegisterItem | UpdateItem | DeactivateItem;
