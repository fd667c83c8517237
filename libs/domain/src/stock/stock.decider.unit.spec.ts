import { meta, scenario } from '../testing/given-when-then';
import { stockDecider } from './stock.decider';
import type { StockEvent } from './stock.events';
import { stockLevel } from './stock.state';

const t = '2024-03-04T08:00:00Z';
const wh = 'gd-muara-bulian';
const m = meta({ role: 'warehouse', warehouses: [wh] });
const stock = scenario(stockDecider);

const received = (lines: Array<{ itemId: string; quantity: number; batch?: string; expiry?: string; consumable?: boolean }>, receiptId = 'rcv-1'): StockEvent => ({
  type: 'StockReceived',
  data: {
    warehouseId: wh,
    receiptId,
    source: { kind: 'procurement', reference: 'PO-17' },
    lines: lines.map((l) => ({ consumable: true, ...l })),
    receivedAt: t,
  },
});
const rice100 = received([{ itemId: 'rice', quantity: 100 }]);
const reserved = (dispatchId: string, itemId: string, quantity: number): StockEvent => ({
  type: 'StockReserved',
  data: { warehouseId: wh, dispatchId, lines: [{ itemId, quantity }], reservedAt: t },
});
const generators = received([{ itemId: 'genset', quantity: 4, consumable: false }], 'rcv-gen');

describe('stock decider', () => {
  describe('ReceiveStock', () => {
    it('receives lines from a procurement, with batch and expiry where known', () => {
      const s = stock
        .given()
        .when({
          type: 'ReceiveStock',
          data: {
            warehouseId: wh,
            receiptId: 'rcv-1',
            source: { kind: 'procurement', reference: 'PO-17' },
            lines: [
              { itemId: 'rice', quantity: 100 },
              { itemId: 'biscuit', quantity: 50, batch: 'B-7', expiry: '2025-01-31' },
              { itemId: 'milk', quantity: 20, expiry: '2024-06-30' },
            ],
          },
          metadata: m,
        })
        .then([
          received([
            { itemId: 'rice', quantity: 100 },
            { itemId: 'biscuit', quantity: 50, batch: 'B-7', expiry: '2025-01-31' },
            { itemId: 'milk', quantity: 20, batch: 'exp:2024-06-30', expiry: '2024-06-30' },
          ]),
        ]);
      expect(stockLevel(s, 'rice')).toMatchObject({ onHand: 100, reserved: 0, available: 100 });
      expect(stockLevel(s, 'biscuit').batches).toEqual({ 'B-7': { quantity: 50, expiry: '2025-01-31' } });
    });
    it('records a pledge delivery and a transfer in, with their source', () => {
      stock
        .given()
        .when({
          type: 'ReceiveStock',
          data: { warehouseId: wh, receiptId: 'rcv-2', source: { kind: 'pledge', pledgeId: 'pl-1', memberId: 'alfamart' }, lines: [{ itemId: 'water', quantity: 240 }] },
          metadata: m,
        })
        .then([
          {
            type: 'StockReceived',
            data: { warehouseId: wh, receiptId: 'rcv-2', source: { kind: 'pledge', pledgeId: 'pl-1', memberId: 'alfamart' }, lines: [{ itemId: 'water', quantity: 240, consumable: true }], receivedAt: t },
          },
        ]);
      stock
        .given()
        .when({
          type: 'ReceiveStock',
          data: { warehouseId: wh, receiptId: 'rcv-3', source: { kind: 'transfer', transferId: 'd-9', fromWarehouseId: 'gd-jambi' }, lines: [{ itemId: 'tent', quantity: 5, consumable: false }] },
          metadata: m,
        })
        .then([
          {
            type: 'StockReceived',
            data: { warehouseId: wh, receiptId: 'rcv-3', source: { kind: 'transfer', transferId: 'd-9', fromWarehouseId: 'gd-jambi' }, lines: [{ itemId: 'tent', quantity: 5, consumable: false }], receivedAt: t },
          },
        ]);
    });
    it('a repeated receipt with the same content is a no-op (a retried step)', () => {
      stock
        .given([rice100])
        .when({ type: 'ReceiveStock', data: { warehouseId: wh, receiptId: 'rcv-1', source: { kind: 'procurement', reference: 'PO-17' }, lines: [{ itemId: 'rice', quantity: 100 }] }, metadata: m })
        .thenNothing();
    });
    it('refuses the same receipt id with other content', () => {
      stock
        .given([rice100])
        .when({ type: 'ReceiveStock', data: { warehouseId: wh, receiptId: 'rcv-1', source: { kind: 'procurement', reference: 'PO-17' }, lines: [{ itemId: 'rice', quantity: 99 }] }, metadata: m })
        .thenRefused('receipt-already-recorded', { kind: 'rule' });
    });
    it('refuses quantities that are not positive integers', () => {
      for (const quantity of [0, -3, 1.5]) {
        stock
          .given()
          .when({ type: 'ReceiveStock', data: { warehouseId: wh, receiptId: 'r', source: { kind: 'procurement', reference: 'PO' }, lines: [{ itemId: 'rice', quantity }] }, metadata: m })
          .thenRefused('invalid-input', { kind: 'invalid', details: { field: 'lines[0].quantity' } });
      }
    });
    it('refuses no lines, an item twice in one batch, a bad expiry date, a transfer from itself, an unknown source', () => {
      const base = { warehouseId: wh, receiptId: 'r', source: { kind: 'procurement' as const, reference: 'PO' } };
      stock.given().when({ type: 'ReceiveStock', data: { ...base, lines: [] }, metadata: m }).thenRefused('invalid-input', { details: { field: 'lines' } });
      stock
        .given()
        .when({ type: 'ReceiveStock', data: { ...base, lines: [{ itemId: 'rice', quantity: 1 }, { itemId: 'rice', quantity: 2 }] }, metadata: m })
        .thenRefused('duplicate-line');
      stock
        .given()
        .when({ type: 'ReceiveStock', data: { ...base, lines: [{ itemId: 'milk', quantity: 1, batch: 'X', expiry: '31/12/2024' }] }, metadata: m })
        .thenRefused('invalid-input', { details: { field: 'lines[0].expiry' } });
      stock
        .given()
        .when({ type: 'ReceiveStock', data: { ...base, source: { kind: 'transfer', transferId: 't', fromWarehouseId: wh }, lines: [{ itemId: 'rice', quantity: 1 }] }, metadata: m })
        .thenRefused('same-warehouse', { kind: 'invalid' });
      stock
        .given()
        .when({ type: 'ReceiveStock', data: { ...base, source: { kind: 'gift' } as never, lines: [{ itemId: 'rice', quantity: 1 }] }, metadata: m })
        .thenRefused('invalid-input', { details: { field: 'source.kind' } });
    });
    it('refuses a batch received again with another expiry date', () => {
      stock
        .given([received([{ itemId: 'milk', quantity: 5, batch: 'M1', expiry: '2024-06-30' }])])
        .when({ type: 'ReceiveStock', data: { warehouseId: wh, receiptId: 'r2', source: { kind: 'procurement', reference: 'PO' }, lines: [{ itemId: 'milk', quantity: 5, batch: 'M1', expiry: '2024-07-31' }] }, metadata: m })
        .thenRefused('batch-expiry-mismatch');
    });
    it('refuses a command for another warehouse on this stream', () => {
      stock
        .given([rice100])
        .when({ type: 'ReceiveStock', data: { warehouseId: 'gd-other', receiptId: 'r', source: { kind: 'procurement', reference: 'PO' }, lines: [{ itemId: 'rice', quantity: 1 }] }, metadata: m })
        .thenRefused('warehouse-mismatch', { kind: 'invalid' });
    });
  });

  describe('ReserveStock', () => {
    it('reserves for a dispatch: available drops, on hand stays', () => {
      const s = stock
        .given([rice100])
        .when({ type: 'ReserveStock', data: { warehouseId: wh, dispatchId: 'd-1', lines: [{ itemId: 'rice', quantity: 60 }] }, metadata: m })
        .then([reserved('d-1', 'rice', 60)]);
      expect(stockLevel(s, 'rice')).toMatchObject({ onHand: 100, reserved: 60, available: 40 });
    });
    it('refuses more than available, saying requested and available', () => {
      const err = stock
        .given([rice100, reserved('d-1', 'rice', 60)])
        .when({ type: 'ReserveStock', data: { warehouseId: wh, dispatchId: 'd-2', lines: [{ itemId: 'rice', quantity: 120 }] }, metadata: m })
        .thenRefused('insufficient-stock', { kind: 'rule', details: { itemId: 'rice', requested: 120, available: 40, warehouseId: wh } });
      expect(err.message).toContain('requested 120, available 40');
    });
    it('refuses an item the warehouse never held (available 0), listing every short line', () => {
      stock
        .given([rice100])
        .when({ type: 'ReserveStock', data: { warehouseId: wh, dispatchId: 'd-2', lines: [{ itemId: 'tarp', quantity: 3 }, { itemId: 'rice', quantity: 101 }] }, metadata: m })
        .thenRefused('insufficient-stock', {
          details: { itemId: 'tarp', requested: 3, available: 0, shortages: [{ itemId: 'tarp', requested: 3, available: 0 }, { itemId: 'rice', requested: 101, available: 100 }] },
          message: /and 1 more line short/,
        });
    });
    it('the same reservation again for the same dispatch is a no-op', () => {
      stock
        .given([rice100, reserved('d-1', 'rice', 60)])
        .when({ type: 'ReserveStock', data: { warehouseId: wh, dispatchId: 'd-1', lines: [{ itemId: 'rice', quantity: 60 }] }, metadata: m })
        .thenNothing();
    });
    it('refuses another reservation for the same dispatch, and one after release', () => {
      stock
        .given([rice100, reserved('d-1', 'rice', 60)])
        .when({ type: 'ReserveStock', data: { warehouseId: wh, dispatchId: 'd-1', lines: [{ itemId: 'rice', quantity: 10 }] }, metadata: m })
        .thenRefused('reservation-exists', { details: { status: 'reserved' } });
      stock
        .given([rice100, reserved('d-1', 'rice', 60), { type: 'StockReleased', data: { warehouseId: wh, dispatchId: 'd-1', lines: [{ itemId: 'rice', quantity: 60 }], reason: 'cancelled', releasedAt: t } }])
        .when({ type: 'ReserveStock', data: { warehouseId: wh, dispatchId: 'd-1', lines: [{ itemId: 'rice', quantity: 60 }] }, metadata: m })
        .thenRefused('reservation-exists', { details: { status: 'released' } });
    });
    it('refuses a line with a zero quantity', () => {
      stock
        .given([rice100])
        .when({ type: 'ReserveStock', data: { warehouseId: wh, dispatchId: 'd-1', lines: [{ itemId: 'rice', quantity: 0 }] }, metadata: m })
        .thenRefused('invalid-input', { details: { field: 'lines[0].quantity' } });
    });
  });

  describe('ReleaseStock', () => {
    it('releases exactly what the dispatch reserved', () => {
      const s = stock
        .given([rice100, reserved('d-1', 'rice', 60), reserved('d-2', 'rice', 30)])
        .when({ type: 'ReleaseStock', data: { warehouseId: wh, dispatchId: 'd-1', reason: 'dispatch cancelled' }, metadata: m })
        .then([{ type: 'StockReleased', data: { warehouseId: wh, dispatchId: 'd-1', lines: [{ itemId: 'rice', quantity: 60 }], reason: 'dispatch cancelled', releasedAt: t } }]);
      expect(stockLevel(s, 'rice')).toMatchObject({ onHand: 100, reserved: 30, available: 70 });
    });
    it('is a no-op for a dispatch that reserved nothing, or was released already', () => {
      stock.given([rice100]).when({ type: 'ReleaseStock', data: { warehouseId: wh, dispatchId: 'd-x', reason: 'cancelled' }, metadata: m }).thenNothing();
      stock
        .given([rice100, reserved('d-1', 'rice', 60), { type: 'StockReleased', data: { warehouseId: wh, dispatchId: 'd-1', lines: [{ itemId: 'rice', quantity: 60 }], reason: 'x', releasedAt: t } }])
        .when({ type: 'ReleaseStock', data: { warehouseId: wh, dispatchId: 'd-1', reason: 'again' }, metadata: m })
        .thenNothing();
    });
    it('refuses once the dispatch has left (issued), and without a reason', () => {
      stock
        .given([rice100, reserved('d-1', 'rice', 60), { type: 'StockIssued', data: { warehouseId: wh, dispatchId: 'd-1', lines: [{ itemId: 'rice', quantity: 60 }], issuedAt: t } }])
        .when({ type: 'ReleaseStock', data: { warehouseId: wh, dispatchId: 'd-1', reason: 'cancelled' }, metadata: m })
        .thenRefused('reservation-already-issued');
      stock.given([rice100, reserved('d-1', 'rice', 60)]).when({ type: 'ReleaseStock', data: { warehouseId: wh, dispatchId: 'd-1', reason: '' }, metadata: m }).thenRefused('reason-required');
    });
  });

  describe('IssueStock', () => {
    it('issues the reservation first-expired-first-out: consumables leave on hand and reserved', () => {
      const s = stock
        .given([
          received([
            { itemId: 'milk', quantity: 10, batch: 'late', expiry: '2024-09-30' },
            { itemId: 'milk', quantity: 10, batch: 'early', expiry: '2024-05-31' },
            { itemId: 'milk', quantity: 10 },
          ]),
          reserved('d-1', 'milk', 15),
        ])
        .when({ type: 'IssueStock', data: { warehouseId: wh, dispatchId: 'd-1' }, metadata: m })
        .then([
          {
            type: 'StockIssued',
            data: { warehouseId: wh, dispatchId: 'd-1', lines: [{ itemId: 'milk', quantity: 15, batches: [{ batch: 'early', quantity: 10 }, { batch: 'late', quantity: 5 }] }], issuedAt: t },
          },
        ]);
      expect(stockLevel(s, 'milk')).toMatchObject({ onHand: 15, reserved: 0, available: 15, batches: { late: { quantity: 5, expiry: '2024-09-30' } } });
    });
    it('equipment is deployed, not issued: it leaves on hand and shows as deployed', () => {
      const s = stock
        .given([rice100, generators, { type: 'StockReserved', data: { warehouseId: wh, dispatchId: 'd-1', lines: [{ itemId: 'rice', quantity: 10 }, { itemId: 'genset', quantity: 2 }], reservedAt: t } }])
        .when({ type: 'IssueStock', data: { warehouseId: wh, dispatchId: 'd-1' }, metadata: m })
        .then([
          { type: 'StockIssued', data: { warehouseId: wh, dispatchId: 'd-1', lines: [{ itemId: 'rice', quantity: 10 }], issuedAt: t } },
          { type: 'EquipmentDeployed', data: { warehouseId: wh, dispatchId: 'd-1', lines: [{ itemId: 'genset', quantity: 2 }], deployedAt: t } },
        ]);
      expect(stockLevel(s, 'genset')).toMatchObject({ onHand: 2, reserved: 0, available: 2, deployed: 2 });
      expect(s.deployments).toEqual({ 'd-1': { genset: 2 } });
    });
    it('issuing again is a no-op', () => {
      stock
        .given([rice100, reserved('d-1', 'rice', 60), { type: 'StockIssued', data: { warehouseId: wh, dispatchId: 'd-1', lines: [{ itemId: 'rice', quantity: 60 }], issuedAt: t } }])
        .when({ type: 'IssueStock', data: { warehouseId: wh, dispatchId: 'd-1' }, metadata: m })
        .thenNothing();
    });
    it('refuses without a reservation, and after release', () => {
      stock.given([rice100]).when({ type: 'IssueStock', data: { warehouseId: wh, dispatchId: 'd-1' }, metadata: m }).thenRefused('reservation-not-found');
      stock
        .given([rice100, reserved('d-1', 'rice', 60), { type: 'StockReleased', data: { warehouseId: wh, dispatchId: 'd-1', lines: [{ itemId: 'rice', quantity: 60 }], reason: 'x', releasedAt: t } }])
        .when({ type: 'IssueStock', data: { warehouseId: wh, dispatchId: 'd-1' }, metadata: m })
        .thenRefused('reservation-released');
    });
  });

  describe('AdjustStock', () => {
    it('writes off damaged stock with a reason, from the batch named', () => {
      const s = stock
        .given([received([{ itemId: 'milk', quantity: 10, batch: 'M1' }, { itemId: 'milk', quantity: 10, batch: 'M2' }])])
        .when({ type: 'AdjustStock', data: { warehouseId: wh, adjustmentId: 'adj-1', itemId: 'milk', quantity: 4, reason: 'damaged', note: 'cartons soaked', batch: 'M2' }, metadata: m })
        .then([
          {
            type: 'StockAdjusted',
            data: { warehouseId: wh, adjustmentId: 'adj-1', itemId: 'milk', delta: -4, reason: 'damaged', note: 'cartons soaked', batches: [{ batch: 'M2', quantity: 4 }], adjustedAt: t },
          },
        ]);
      expect(stockLevel(s, 'milk')).toMatchObject({ onHand: 16, batches: { M1: { quantity: 10 }, M2: { quantity: 6 } } });
    });
    it('records found stock as a positive adjustment', () => {
      const s = stock
        .given([rice100])
        .when({ type: 'AdjustStock', data: { warehouseId: wh, adjustmentId: 'adj-2', itemId: 'rice', quantity: 3, reason: 'found', note: 'behind the pallets' }, metadata: m })
        .then([{ type: 'StockAdjusted', data: { warehouseId: wh, adjustmentId: 'adj-2', itemId: 'rice', delta: 3, reason: 'found', note: 'behind the pallets', adjustedAt: t } }]);
      expect(stockLevel(s, 'rice').onHand).toBe(103);
    });
    it('the same adjustment id again is a no-op; with other content a refusal', () => {
      const adj: StockEvent = { type: 'StockAdjusted', data: { warehouseId: wh, adjustmentId: 'adj-1', itemId: 'rice', delta: -5, reason: 'lost', note: 'x', adjustedAt: t } };
      stock.given([rice100, adj]).when({ type: 'AdjustStock', data: { warehouseId: wh, adjustmentId: 'adj-1', itemId: 'rice', quantity: 5, reason: 'lost', note: 'x' }, metadata: m }).thenNothing();
      stock
        .given([rice100, adj])
        .when({ type: 'AdjustStock', data: { warehouseId: wh, adjustmentId: 'adj-1', itemId: 'rice', quantity: 6, reason: 'lost', note: 'x' }, metadata: m })
        .thenRefused('adjustment-already-recorded');
    });
    it('refuses to go below zero available (reserved stock is not written off)', () => {
      stock
        .given([rice100, reserved('d-1', 'rice', 90)])
        .when({ type: 'AdjustStock', data: { warehouseId: wh, adjustmentId: 'adj-1', itemId: 'rice', quantity: 20, reason: 'expired', note: 'past date' }, metadata: m })
        .thenRefused('adjustment-exceeds-available', { details: { requested: 20, available: 10, onHand: 100, reserved: 90 } });
    });
    it('refuses more than the named batch holds', () => {
      stock
        .given([received([{ itemId: 'milk', quantity: 10, batch: 'M1' }, { itemId: 'milk', quantity: 10 }])])
        .when({ type: 'AdjustStock', data: { warehouseId: wh, adjustmentId: 'adj-1', itemId: 'milk', quantity: 12, reason: 'expired', note: 'x', batch: 'M1' }, metadata: m })
        .thenRefused('batch-insufficient', { details: { requested: 12, inBatch: 10 } });
    });
    it('refuses without a note, or with an unknown reason', () => {
      stock
        .given([rice100])
        .when({ type: 'AdjustStock', data: { warehouseId: wh, adjustmentId: 'a', itemId: 'rice', quantity: 1, reason: 'lost', note: '' }, metadata: m })
        .thenRefused('reason-required', { details: { field: 'note' } });
      stock
        .given([rice100])
        .when({ type: 'AdjustStock', data: { warehouseId: wh, adjustmentId: 'a', itemId: 'rice', quantity: 1, reason: 'stolen' as never, note: 'x' }, metadata: m })
        .thenRefused('invalid-input', { details: { field: 'reason' } });
    });
  });

  describe('CountStock', () => {
    it('records the count and turns each difference into an adjustment', () => {
      const s = stock
        .given([rice100, received([{ itemId: 'tarp', quantity: 20 }], 'rcv-2'), reserved('d-1', 'rice', 30)])
        .when({ type: 'CountStock', data: { warehouseId: wh, countId: 'opname-1', lines: [{ itemId: 'rice', counted: 97 }, { itemId: 'tarp', counted: 20 }, { itemId: 'soap', counted: 6 }] }, metadata: m })
        .then([
          {
            type: 'StockCounted',
            data: {
              warehouseId: wh,
              countId: 'opname-1',
              lines: [
                { itemId: 'rice', counted: 97, onHandBefore: 100, difference: -3 },
                { itemId: 'tarp', counted: 20, onHandBefore: 20, difference: 0 },
                { itemId: 'soap', counted: 6, onHandBefore: 0, difference: 6 },
              ],
              countedAt: t,
            },
          },
          { type: 'StockAdjusted', data: { warehouseId: wh, adjustmentId: 'opname-1:rice', itemId: 'rice', delta: -3, reason: 'count', note: 'stock count opname-1', countId: 'opname-1', adjustedAt: t } },
          { type: 'StockAdjusted', data: { warehouseId: wh, adjustmentId: 'opname-1:soap', itemId: 'soap', delta: 6, reason: 'count', note: 'stock count opname-1', countId: 'opname-1', adjustedAt: t } },
        ]);
      expect(stockLevel(s, 'rice')).toMatchObject({ onHand: 97, reserved: 30, available: 67 });
      expect(stockLevel(s, 'soap').onHand).toBe(6);
    });
    it('the same count again is a no-op', () => {
      stock
        .given([rice100, { type: 'StockCounted', data: { warehouseId: wh, countId: 'c1', lines: [{ itemId: 'rice', counted: 100, onHandBefore: 100, difference: 0 }], countedAt: t } }])
        .when({ type: 'CountStock', data: { warehouseId: wh, countId: 'c1', lines: [{ itemId: 'rice', counted: 100 }] }, metadata: m })
        .thenNothing();
    });
    it('refuses a count below what is reserved for planned dispatches', () => {
      stock
        .given([rice100, reserved('d-1', 'rice', 60)])
        .when({ type: 'CountStock', data: { warehouseId: wh, countId: 'c1', lines: [{ itemId: 'rice', counted: 50 }] }, metadata: m })
        .thenRefused('count-below-reserved', { details: { counted: 50, reserved: 60 } });
    });
    it('refuses a negative count, and the same count id with other figures', () => {
      stock.given([rice100]).when({ type: 'CountStock', data: { warehouseId: wh, countId: 'c1', lines: [{ itemId: 'rice', counted: -1 }] }, metadata: m }).thenRefused('invalid-input');
      stock
        .given([rice100, { type: 'StockCounted', data: { warehouseId: wh, countId: 'c1', lines: [{ itemId: 'rice', counted: 100, onHandBefore: 100, difference: 0 }], countedAt: t } }])
        .when({ type: 'CountStock', data: { warehouseId: wh, countId: 'c1', lines: [{ itemId: 'rice', counted: 90 }] }, metadata: m })
        .thenRefused('count-already-recorded');
    });
  });

  describe('TransferStockOut', () => {
    it('moves available stock out to another warehouse', () => {
      const s = stock
        .given([rice100])
        .when({ type: 'TransferStockOut', data: { warehouseId: wh, transferId: 'tr-1', toWarehouseId: 'gd-tebo', lines: [{ itemId: 'rice', quantity: 40 }], reason: 'pre-positioning for Tebo' }, metadata: m })
        .then([
          { type: 'StockTransferredOut', data: { warehouseId: wh, transferId: 'tr-1', toWarehouseId: 'gd-tebo', lines: [{ itemId: 'rice', quantity: 40 }], reason: 'pre-positioning for Tebo', transferredAt: t } },
        ]);
      expect(stockLevel(s, 'rice').onHand).toBe(60);
    });
    it('refuses more than available, to itself, without a reason; repeats are no-ops', () => {
      const base = { warehouseId: wh, transferId: 'tr-1', toWarehouseId: 'gd-tebo', lines: [{ itemId: 'rice', quantity: 40 }], reason: 'r' };
      stock.given([rice100, reserved('d-1', 'rice', 70)]).when({ type: 'TransferStockOut', data: base, metadata: m }).thenRefused('insufficient-stock', { details: { requested: 40, available: 30 } });
      stock.given([rice100]).when({ type: 'TransferStockOut', data: { ...base, toWarehouseId: wh }, metadata: m }).thenRefused('same-warehouse');
      stock.given([rice100]).when({ type: 'TransferStockOut', data: { ...base, reason: '' }, metadata: m }).thenRefused('reason-required');
      const out: StockEvent = { type: 'StockTransferredOut', data: { ...base, transferredAt: t } };
      stock.given([rice100, out]).when({ type: 'TransferStockOut', data: base, metadata: m }).thenNothing();
      stock.given([rice100, out]).when({ type: 'TransferStockOut', data: { ...base, toWarehouseId: 'gd-x' }, metadata: m }).thenRefused('transfer-already-recorded');
    });
  });

  describe('equipment on loan', () => {
    const deployed: StockEvent[] = [
      generators,
      reserved('d-1', 'genset', 3),
      { type: 'EquipmentDeployed', data: { warehouseId: wh, dispatchId: 'd-1', lines: [{ itemId: 'genset', quantity: 3 }], deployedAt: t } },
    ];
    it('ReturnEquipment brings deployed equipment back on hand', () => {
      const s = stock
        .given(deployed)
        .when({ type: 'ReturnEquipment', data: { warehouseId: wh, dispatchId: 'd-1', lines: [{ itemId: 'genset', quantity: 2 }] }, metadata: m })
        .then([{ type: 'EquipmentReturned', data: { warehouseId: wh, dispatchId: 'd-1', lines: [{ itemId: 'genset', quantity: 2 }], returnedAt: t } }]);
      expect(stockLevel(s, 'genset')).toMatchObject({ onHand: 3, available: 3, deployed: 1 });
    });
    it('ReturnEquipment refuses more than the dispatch deployed', () => {
      stock
        .given(deployed)
        .when({ type: 'ReturnEquipment', data: { warehouseId: wh, dispatchId: 'd-1', lines: [{ itemId: 'genset', quantity: 4 }] }, metadata: m })
        .thenRefused('return-exceeds-deployed', { details: { requested: 4, deployed: 3 } });
      stock
        .given(deployed)
        .when({ type: 'ReturnEquipment', data: { warehouseId: wh, dispatchId: 'd-2', lines: [{ itemId: 'genset', quantity: 1 }] }, metadata: m })
        .thenRefused('return-exceeds-deployed', { details: { deployed: 0 } });
    });
    it('WriteOffDeployedEquipment records lost equipment with a reason', () => {
      const s = stock
        .given(deployed)
        .when({ type: 'WriteOffDeployedEquipment', data: { warehouseId: wh, dispatchId: 'd-1', lines: [{ itemId: 'genset', quantity: 1 }], reason: 'lost', note: 'swept away at Pemayung' }, metadata: m })
        .then([
          { type: 'EquipmentWrittenOff', data: { warehouseId: wh, dispatchId: 'd-1', lines: [{ itemId: 'genset', quantity: 1 }], reason: 'lost', note: 'swept away at Pemayung', writtenOffAt: t } },
        ]);
      expect(stockLevel(s, 'genset')).toMatchObject({ onHand: 1, deployed: 2 });
    });
    it('WriteOffDeployedEquipment refuses more than deployed, and without a note', () => {
      stock
        .given(deployed)
        .when({ type: 'WriteOffDeployedEquipment', data: { warehouseId: wh, dispatchId: 'd-1', lines: [{ itemId: 'genset', quantity: 5 }], reason: 'damaged', note: 'x' }, metadata: m })
        .thenRefused('write-off-exceeds-deployed');
      stock
        .given(deployed)
        .when({ type: 'WriteOffDeployedEquipment', data: { warehouseId: wh, dispatchId: 'd-1', lines: [{ itemId: 'genset', quantity: 1 }], reason: 'lost', note: '' }, metadata: m })
        .thenRefused('reason-required');
    });
  });
});
