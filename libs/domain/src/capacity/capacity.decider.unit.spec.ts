import { meta, scenario } from '../testing/given-when-then';
import { capacityDecider } from './capacity.decider';
import type { CapacityEvent } from './capacity.events';

const t = '2024-03-04T08:00:00Z';
const m = meta({ role: 'member', member: 'pmi-jambi' });
const capacity = scenario(capacityDecider);
const trucks: CapacityEvent = { type: 'VehiclesDeclared', data: { memberId: 'pmi-jambi', vehicleType: 'truck', payloadKg: 5000, count: 3, declaredAt: t } };

describe('capacity register decider', () => {
  describe('DeclareWarehouseCapacity', () => {
    it('declares, then updates, a warehouse capacity', () => {
      const first: CapacityEvent = { type: 'WarehouseCapacityDeclared', data: { memberId: 'pmi-jambi', warehouseId: 'gd-pmi', capacityM3: 800, declaredAt: t } };
      capacity.given().when({ type: 'DeclareWarehouseCapacity', data: { memberId: 'pmi-jambi', warehouseId: 'gd-pmi', capacityM3: 800 }, metadata: m }).then([first]);
      const s = capacity
        .given([first])
        .when({ type: 'DeclareWarehouseCapacity', data: { memberId: 'pmi-jambi', warehouseId: 'gd-pmi', capacityM3: 800, capacityTonnes: 120 }, metadata: m })
        .then([{ type: 'WarehouseCapacityDeclared', data: { memberId: 'pmi-jambi', warehouseId: 'gd-pmi', capacityM3: 800, capacityTonnes: 120, declaredAt: t } }]);
      expect(s.warehouses).toEqual({ 'gd-pmi': { capacityM3: 800, capacityTonnes: 120 } });
      capacity.given([first]).when({ type: 'DeclareWarehouseCapacity', data: { memberId: 'pmi-jambi', warehouseId: 'gd-pmi', capacityM3: 800 }, metadata: m }).thenNothing();
    });
    it('refuses no capacity figure, a negative one, and another member on this register', () => {
      capacity.given().when({ type: 'DeclareWarehouseCapacity', data: { memberId: 'pmi-jambi', warehouseId: 'gd-pmi' }, metadata: m }).thenRefused('invalid-input', { details: { field: 'capacityM3' } });
      capacity.given().when({ type: 'DeclareWarehouseCapacity', data: { memberId: 'pmi-jambi', warehouseId: 'gd-pmi', capacityTonnes: -1 }, metadata: m }).thenRefused('invalid-input', { details: { field: 'capacityTonnes' } });
      capacity.given([trucks]).when({ type: 'DeclareWarehouseCapacity', data: { memberId: 'other', warehouseId: 'gd-x', capacityM3: 1 }, metadata: m }).thenRefused('member-mismatch', { kind: 'invalid' });
    });
  });

  describe('DeclareVehicles', () => {
    it('declares vehicles by type, payload and count; a change replaces the declaration', () => {
      capacity.given().when({ type: 'DeclareVehicles', data: { memberId: 'pmi-jambi', vehicleType: 'truck', payloadKg: 5000, count: 3 }, metadata: m }).then([trucks]);
      const s = capacity
        .given([trucks])
        .when({ type: 'DeclareVehicles', data: { memberId: 'pmi-jambi', vehicleType: 'truck', payloadKg: 5000, count: 2 }, metadata: m })
        .then([{ type: 'VehiclesDeclared', data: { memberId: 'pmi-jambi', vehicleType: 'truck', payloadKg: 5000, count: 2, declaredAt: t } }]);
      expect(s.vehicles.truck).toEqual({ payloadKg: 5000, count: 2 });
      capacity.given([trucks]).when({ type: 'DeclareVehicles', data: { memberId: 'pmi-jambi', vehicleType: 'truck', payloadKg: 5000, count: 3 }, metadata: m }).thenNothing();
    });
    it('refuses an unknown type, a zero payload, a fractional count', () => {
      capacity.given().when({ type: 'DeclareVehicles', data: { memberId: 'pmi-jambi', vehicleType: 'helicopter' as never, payloadKg: 1, count: 1 }, metadata: m }).thenRefused('invalid-input', { details: { field: 'vehicleType' } });
      capacity.given().when({ type: 'DeclareVehicles', data: { memberId: 'pmi-jambi', vehicleType: 'boat', payloadKg: 0, count: 1 }, metadata: m }).thenRefused('invalid-input', { details: { field: 'payloadKg' } });
      capacity.given().when({ type: 'DeclareVehicles', data: { memberId: 'pmi-jambi', vehicleType: 'boat', payloadKg: 300, count: 1.5 }, metadata: m }).thenRefused('invalid-input', { details: { field: 'count' } });
    });
  });

  describe('DeclareEquipment', () => {
    it('declares equipment by kind and condition', () => {
      const s = capacity
        .given()
        .when({ type: 'DeclareEquipment', data: { memberId: 'pmi-jambi', kind: 'boat', condition: 'good', count: 4, note: 'rubber boats, 8 persons' }, metadata: m })
        .then([{ type: 'EquipmentDeclared', data: { memberId: 'pmi-jambi', kind: 'boat', condition: 'good', count: 4, note: 'rubber boats, 8 persons', declaredAt: t } }]);
      expect(s.equipment['boat/good']).toEqual({ kind: 'boat', condition: 'good', count: 4, note: 'rubber boats, 8 persons' });
    });
    it('appends nothing for the same figures; refuses an unknown kind or condition', () => {
      const e: CapacityEvent = { type: 'EquipmentDeclared', data: { memberId: 'pmi-jambi', kind: 'generator', condition: 'fair', count: 2, declaredAt: t } };
      capacity.given([e]).when({ type: 'DeclareEquipment', data: { memberId: 'pmi-jambi', kind: 'generator', condition: 'fair', count: 2 }, metadata: m }).thenNothing();
      capacity.given().when({ type: 'DeclareEquipment', data: { memberId: 'pmi-jambi', kind: 'crane' as never, condition: 'good', count: 1 }, metadata: m }).thenRefused('invalid-input', { details: { field: 'kind' } });
      capacity.given().when({ type: 'DeclareEquipment', data: { memberId: 'pmi-jambi', kind: 'tent', condition: 'broken' as never, count: 1 }, metadata: m }).thenRefused('invalid-input', { details: { field: 'condition' } });
    });
  });

  describe('DeclarePeople', () => {
    it('declares the people a member can field, with skills', () => {
      capacity
        .given()
        .when({ type: 'DeclarePeople', data: { memberId: 'pmi-jambi', count: 45, skills: ['first aid', 'water rescue'] }, metadata: m })
        .then([{ type: 'PeopleDeclared', data: { memberId: 'pmi-jambi', count: 45, skills: ['first aid', 'water rescue'], declaredAt: t } }]);
    });
    it('appends nothing for the same figures; refuses a negative count and an empty skill', () => {
      capacity
        .given([{ type: 'PeopleDeclared', data: { memberId: 'pmi-jambi', count: 45, skills: [], declaredAt: t } }])
        .when({ type: 'DeclarePeople', data: { memberId: 'pmi-jambi', count: 45 }, metadata: m })
        .thenNothing();
      capacity.given().when({ type: 'DeclarePeople', data: { memberId: 'pmi-jambi', count: -1 }, metadata: m }).thenRefused('invalid-input', { details: { field: 'count' } });
      capacity.given().when({ type: 'DeclarePeople', data: { memberId: 'pmi-jambi', count: 1, skills: [''] }, metadata: m }).thenRefused('invalid-input', { details: { field: 'skills[0]' } });
    });
  });
});
