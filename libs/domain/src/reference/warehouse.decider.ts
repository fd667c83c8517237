import { assertNever } from '../shared/domain-error';
import { optionalText, requireId, requireLatitude, requireLongitude, requireMetadata, requireReason, requireText } from '../shared/guards';
import { emitter, omit, type Decider } from '../shared/message';
import { changedFields, hasChanges, requireActive, requireUnregistered, type ReferenceStatus } from './reference-support';
import type { WarehouseCommand } from './warehouse.commands';
import type { WarehouseEvent } from './warehouse.events';

export type WarehouseState = {
  status: ReferenceStatus;
  warehouseId?: string;
  name?: string;
  ownerMemberId?: string;
  district?: string;
  lat?: number;
  lon?: number;
  address?: string;
};

export const initialWarehouseState: WarehouseState = { status: 'none' };
const emit = emitter<WarehouseEvent>();

export function evolveWarehouse(state: WarehouseState, event: WarehouseEvent): WarehouseState {
  switch (event.type) {
    case 'WarehouseRegistered':
      return { status: 'active', ...omit(event.data, 'registeredAt') };
    case 'WarehouseUpdated':
      return { ...state, ...omit(event.data, 'updatedAt', 'warehouseId') };
    case 'WarehouseDeactivated':
      return { ...state, status: 'deactivated' };
    default:
      return state;
  }
}

/** The owner member's existence is checked by the command API before it sends the command. */
export function decideWarehouse(command: WarehouseCommand, state: WarehouseState): WarehouseEvent[] {
  requireMetadata(command.metadata);
  const now = command.metadata.now;
  switch (command.type) {
    case 'RegisterWarehouse': {
      const d = command.data;
      const warehouseId = requireId(d.warehouseId, 'warehouseId');
      requireUnregistered('warehouse', state, warehouseId);
      return [
        emit('WarehouseRegistered', {
          warehouseId,
          name: requireText(d.name, 'name', 200),
          ownerMemberId: requireId(d.ownerMemberId, 'ownerMemberId'),
          district: requireText(d.district, 'district', 100),
          lat: requireLatitude(d.lat),
          lon: requireLongitude(d.lon),
          address: optionalText(d.address, 'address', 500),
          registeredAt: now,
        }),
      ];
    }
    case 'UpdateWarehouse': {
      const d = command.data;
      requireActive('warehouse', state, d.warehouseId);
      const changes = changedFields(state, {
        name: optionalText(d.name, 'name', 200),
        ownerMemberId: d.ownerMemberId === undefined ? undefined : requireId(d.ownerMemberId, 'ownerMemberId'),
        district: optionalText(d.district, 'district', 100),
        lat: d.lat === undefined ? undefined : requireLatitude(d.lat),
        lon: d.lon === undefined ? undefined : requireLongitude(d.lon),
        address: optionalText(d.address, 'address', 500),
      });
      if (!hasChanges(changes)) return [];
      return [emit('WarehouseUpdated', { warehouseId: d.warehouseId, ...changes, updatedAt: now })];
    }
    case 'DeactivateWarehouse':
      requireActive('warehouse', state, command.data.warehouseId);
      return [
        emit('WarehouseDeactivated', { warehouseId: command.data.warehouseId, reason: requireReason(command.data.reason), deactivatedAt: now }),
      ];
    default:
      return assertNever(command);
  }
}

export const warehouseDecider: Decider<WarehouseCommand, WarehouseState, WarehouseEvent> = {
  initialState: initialWarehouseState,
  evolve: evolveWarehouse,
  decide: decideWarehouse,
};
