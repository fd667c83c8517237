import { meta, scenario } from '../testing/given-when-then';
import { itemDecider } from './item.decider';
import type { ItemEvent } from './item.events';

const t = '2024-03-04T08:00:00Z';
const registered: ItemEvent = {
  type: 'ItemRegistered',
  data: { itemId: 'rice-5kg', code: 'FD-001', name: 'Rice 5 kg sack', unit: 'sack', category: 'food', consumable: true, registeredAt: t },
};
const deactivated: ItemEvent = { type: 'ItemDeactivated', data: { itemId: 'rice-5kg', reason: 'duplicate entry', deactivatedAt: t } };
const item = scenario(itemDecider);

describe('item decider', () => {
  describe('RegisterItem', () => {
    it('registers an item; equipment is not consumable', () => {
      item
        .given()
        .when({ type: 'RegisterItem', data: { itemId: 'gen-5kva', code: 'EQ-001', name: 'Generator 5 kVA', unit: 'unit', category: 'equipment' }, metadata: meta() })
        .then([
          {
            type: 'ItemRegistered',
            data: { itemId: 'gen-5kva', code: 'EQ-001', name: 'Generator 5 kVA', unit: 'unit', category: 'equipment', consumable: false, registeredAt: t },
          },
        ]);
    });
    it('keeps an optional pack size', () => {
      const s = item
        .given()
        .when({ type: 'RegisterItem', data: { itemId: 'water', code: 'WS-1', name: 'Water 600 ml', unit: 'bottle', category: 'wash', packSize: 24 }, metadata: meta() })
        .then([
          {
            type: 'ItemRegistered',
            data: { itemId: 'water', code: 'WS-1', name: 'Water 600 ml', unit: 'bottle', category: 'wash', packSize: 24, consumable: true, registeredAt: t },
          },
        ]);
      expect(s).toMatchObject({ status: 'active', packSize: 24, consumable: true });
    });
    it('refuses a second registration', () => {
      item
        .given([registered])
        .when({ type: 'RegisterItem', data: { itemId: 'rice-5kg', code: 'FD-001', name: 'Rice', unit: 'sack', category: 'food' }, metadata: meta() })
        .thenRefused('item-already-registered', { kind: 'rule' });
    });
    it('refuses an unknown category', () => {
      item
        .given()
        .when({ type: 'RegisterItem', data: { itemId: 'x', code: 'X', name: 'X', unit: 'pcs', category: 'toys' as never }, metadata: meta() })
        .thenRefused('invalid-input', { kind: 'invalid', details: { field: 'category' } });
    });
    it('refuses a pack size that is not a positive integer', () => {
      item
        .given()
        .when({ type: 'RegisterItem', data: { itemId: 'x', code: 'X', name: 'X', unit: 'pcs', category: 'food', packSize: 0 }, metadata: meta() })
        .thenRefused('invalid-input', { details: { field: 'packSize' } });
    });
    it('refuses an empty name', () => {
      item
        .given()
        .when({ type: 'RegisterItem', data: { itemId: 'x', code: 'X', name: ' ', unit: 'pcs', category: 'food' }, metadata: meta() })
        .thenRefused('invalid-input', { details: { field: 'name' } });
    });
    it('refuses a command without a clock time in its metadata', () => {
      item
        .given()
        .when({ type: 'RegisterItem', data: { itemId: 'x', code: 'X', name: 'X', unit: 'pcs', category: 'food' }, metadata: meta({ now: 'yesterday' }) })
        .thenRefused('invalid-input', { details: { field: 'metadata.now' } });
    });
  });

  describe('UpdateItem', () => {
    it('records only the fields that change; a category change to equipment makes it non-consumable', () => {
      item
        .given([registered])
        .when({ type: 'UpdateItem', data: { itemId: 'rice-5kg', name: 'Rice 5 kg sack', category: 'equipment' }, metadata: meta() })
        .then([{ type: 'ItemUpdated', data: { itemId: 'rice-5kg', category: 'equipment', consumable: false, updatedAt: t } }]);
    });
    it('appends nothing when nothing changes', () => {
      item.given([registered]).when({ type: 'UpdateItem', data: { itemId: 'rice-5kg', unit: 'sack' }, metadata: meta() }).thenNothing();
    });
    it('refuses an unknown item', () => {
      item.given().when({ type: 'UpdateItem', data: { itemId: 'nope', name: 'N' }, metadata: meta() }).thenRefused('unknown-item', { kind: 'not-found' });
    });
    it('refuses a deactivated item', () => {
      item
        .given([registered, deactivated])
        .when({ type: 'UpdateItem', data: { itemId: 'rice-5kg', name: 'N' }, metadata: meta() })
        .thenRefused('item-deactivated', { kind: 'rule' });
    });
  });

  describe('DeactivateItem', () => {
    it('deactivates with a reason', () => {
      const s = item.given([registered]).when({ type: 'DeactivateItem', data: { itemId: 'rice-5kg', reason: 'duplicate entry' }, metadata: meta() }).then([deactivated]);
      expect(s.status).toBe('deactivated');
    });
    it('refuses without a reason', () => {
      item
        .given([registered])
        .when({ type: 'DeactivateItem', data: { itemId: 'rice-5kg', reason: '' }, metadata: meta() })
        .thenRefused('reason-required', { kind: 'invalid', details: { field: 'reason' } });
    });
    it('refuses an unknown item', () => {
      item.given().when({ type: 'DeactivateItem', data: { itemId: 'nope', reason: 'x' }, metadata: meta() }).thenRefused('unknown-item');
    });
    it('refuses an item already deactivated', () => {
      item
        .given([registered, deactivated])
        .when({ type: 'DeactivateItem', data: { itemId: 'rice-5kg', reason: 'again' }, metadata: meta() })
        .thenRefused('item-deactivated');
    });
  });
});
