import { meta, scenario } from '../testing/given-when-then';
import { warehouseDecider } from './warehouse.decider';
import type { WarehouseEvent } from './warehouse.events';

const t = '2024-03-04T08:00:00Z';
const registered: WarehouseEvent = {
  type: 'WarehouseRegistered',
  data: { warehouseId: 'gd-muara-bulian', name: 'Gudang BPBD Batanghari', ownerMemberId: 'bpbd-batanghari', district: 'Batanghari', lat: -1.7, lon: 103.26, registeredAt: t },
};
const deactivated: WarehouseEvent = { type: 'WarehouseDeactivated', data: { warehouseId: 'gd-muara-bulian', reason: 'flooded', deactivatedAt: t } };
const wh = scenario(warehouseDecider);
const base = { warehouseId: 'gd-muara-bulian', name: 'Gudang BPBD Batanghari', ownerMemberId: 'bpbd-batanghari', district: 'Batanghari', lat: -1.7, lon: 103.26 };

describe('warehouse decider', () => {
  it('RegisterWarehouse registers a warehouse with its owner and coordinates', () => {
    wh.given().when({ type: 'RegisterWarehouse', data: base, metadata: meta({ role: 'admin' }) }).then([registered]);
  });
  it('RegisterWarehouse refuses a second registration', () => {
    wh.given([registered]).when({ type: 'RegisterWarehouse', data: base, metadata: meta() }).thenRefused('warehouse-already-registered');
  });
  it('RegisterWarehouse refuses coordinates off the globe', () => {
    wh.given().when({ type: 'RegisterWarehouse', data: { ...base, lat: -91 }, metadata: meta() }).thenRefused('invalid-input', { details: { field: 'lat' } });
    wh.given().when({ type: 'RegisterWarehouse', data: { ...base, lon: 181 }, metadata: meta() }).thenRefused('invalid-input', { details: { field: 'lon' } });
  });
  it('RegisterWarehouse refuses a missing owner', () => {
    wh.given().when({ type: 'RegisterWarehouse', data: { ...base, ownerMemberId: '' }, metadata: meta() }).thenRefused('invalid-input', { details: { field: 'ownerMemberId' } });
  });
  it('UpdateWarehouse records a move', () => {
    wh.given([registered])
      .when({ type: 'UpdateWarehouse', data: { warehouseId: 'gd-muara-bulian', lat: -1.71, lon: 103.26 }, metadata: meta() })
      .then([{ type: 'WarehouseUpdated', data: { warehouseId: 'gd-muara-bulian', lat: -1.71, updatedAt: t } }]);
  });
  it('UpdateWarehouse appends nothing when nothing changes', () => {
    wh.given([registered]).when({ type: 'UpdateWarehouse', data: { warehouseId: 'gd-muara-bulian', district: 'Batanghari' }, metadata: meta() }).thenNothing();
  });
  it('UpdateWarehouse refuses unknown and deactivated warehouses', () => {
    wh.given().when({ type: 'UpdateWarehouse', data: { warehouseId: 'x', name: 'X' }, metadata: meta() }).thenRefused('unknown-warehouse', { kind: 'not-found' });
    wh.given([registered, deactivated]).when({ type: 'UpdateWarehouse', data: { warehouseId: 'gd-muara-bulian', name: 'X' }, metadata: meta() }).thenRefused('warehouse-deactivated');
  });
  it('DeactivateWarehouse deactivates with a reason', () => {
    wh.given([registered]).when({ type: 'DeactivateWarehouse', data: { warehouseId: 'gd-muara-bulian', reason: 'flooded' }, metadata: meta() }).then([deactivated]);
  });
  it('DeactivateWarehouse refuses without a reason, an unknown or a deactivated warehouse', () => {
    wh.given([registered]).when({ type: 'DeactivateWarehouse', data: { warehouseId: 'gd-muara-bulian', reason: '' }, metadata: meta() }).thenRefused('reason-required');
    wh.given().when({ type: 'DeactivateWarehouse', data: { warehouseId: 'x', reason: 'r' }, metadata: meta() }).thenRefused('unknown-warehouse');
    wh.given([registered, deactivated]).when({ type: 'DeactivateWarehouse', data: { warehouseId: 'gd-muara-bulian', reason: 'r' }, metadata: meta() }).thenRefused('warehouse-deactivated');
  });
});
