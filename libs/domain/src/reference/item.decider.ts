import { assertNever } from '../shared/domain-error';
import { optionalText, requireId, requireMetadata, requireOneOf, requirePositiveInt, requireReason, requireText } from '../shared/guards';
import { emitter, omit, type Decider } from '../shared/message';
import type { ItemCommand } from './item.commands';
import { itemCategories, type ItemCategory, type ItemEvent } from './item.events';
import { changedFields, hasChanges, requireActive, requireUnregistered, type ReferenceStatus } from './reference-support';

export type ItemState = {
  status: ReferenceStatus;
  itemId?: string;
  code?: string;
  name?: string;
  unit?: string;
  category?: ItemCategory;
  packSize?: number;
  consumable?: boolean;
};

export const initialItemState: ItemState = { status: 'none' };
const emit = emitter<ItemEvent>();

export function evolveItem(state: ItemState, event: ItemEvent): ItemState {
  switch (event.type) {
    case 'ItemRegistered':
      return { status: 'active', ...omit(event.data, 'registeredAt') };
    case 'ItemUpdated':
      return { ...state, ...omit(event.data, 'updatedAt', 'itemId') };
    case 'ItemDeactivated':
      return { ...state, status: 'deactivated' };
    default:
      return state;
  }
}

export function decideItem(command: ItemCommand, state: ItemState): ItemEvent[] {
  requireMetadata(command.metadata);
  const now = command.metadata.now;
  switch (command.type) {
    case 'RegisterItem': {
      const d = command.data;
      const itemId = requireId(d.itemId, 'itemId');
      requireUnregistered('item', state, itemId);
      const category = requireOneOf(d.category, itemCategories, 'category');
      return [
        emit('ItemRegistered', {
          itemId,
          code: requireText(d.code, 'code', 50),
          name: requireText(d.name, 'name', 200),
          unit: requireText(d.unit, 'unit', 30),
          category,
          packSize: d.packSize === undefined ? undefined : requirePositiveInt(d.packSize, 'packSize'),
          consumable: category !== 'equipment',
          registeredAt: now,
        }),
      ];
    }
    case 'UpdateItem': {
      const d = command.data;
      requireActive('item', state, d.itemId);
      const category = d.category === undefined ? undefined : requireOneOf(d.category, itemCategories, 'category');
      const changes = changedFields(state, {
        name: optionalText(d.name, 'name', 200),
        unit: optionalText(d.unit, 'unit', 30),
        category,
        packSize: d.packSize === undefined ? undefined : requirePositiveInt(d.packSize, 'packSize'),
        consumable: category === undefined ? undefined : category !== 'equipment',
      });
      if (!hasChanges(changes)) return [];
      return [emit('ItemUpdated', { itemId: d.itemId, ...changes, updatedAt: now })];
    }
    case 'DeactivateItem': {
      requireActive('item', state, command.data.itemId);
      return [emit('ItemDeactivated', { itemId: command.data.itemId, reason: requireReason(command.data.reason), deactivatedAt: now })];
    }
    default:
      return assertNever(command);
  }
}

export const itemDecider: Decider<ItemCommand, ItemState, ItemEvent> = {
  initialState: initialItemState,
  evolve: evolveItem,
  decide: decideItem,
};
