import fc from 'fast-check';
import { cmEntries, emptyChunkedMap } from '../shared/chunked-map';
import { DomainError } from '../shared/domain-error';
import { meta, nonJsonPaths } from '../testing/given-when-then';
import type { StockCommand } from './stock.commands';
import { stockDecider } from './stock.decider';
import type { StockEvent } from './stock.events';
import { availableOf, type StockState } from './stock.state';

/**
 * Whatever sequence of stock commands arrives, in whatever order, the decider never lets on-hand,
 * reserved, available or deployed go below zero, and evolve is a pure, deterministic function.
 */
const wh = 'wh-1';
const items = ['rice', 'milk', 'genset'] as const;
const item = fc.constantFrom(...items);
const dispatch = fc.constantFrom('d1', 'd2', 'd3', 'd4');
const qty = fc.integer({ min: 1, max: 60 });
const batch = fc.option(fc.constantFrom('A', 'B'), { nil: undefined });

const command = fc.oneof(
  // Receipts weigh more so that stock is there to reserve, issue and deploy, not only to refuse.
  { weight: 3, arbitrary: fc.record({ itemId: item, quantity: fc.integer({ min: 1, max: 100 }), batch, receiptId: fc.integer({ min: 1, max: 30 }).map((n) => `r${n}`) }).map(({ receiptId, ...l }) => ({
    type: 'ReceiveStock' as const,
    data: {
      warehouseId: wh,
      receiptId,
      source: { kind: 'procurement' as const, reference: 'PO' },
      lines: [{ ...l, consumable: l.itemId !== 'genset', expiry: l.batch === 'A' ? '2024-05-01' : undefined }],
    },
  })) },
  { weight: 2, arbitrary: fc.record({ dispatchId: dispatch, lines: fc.uniqueArray(fc.record({ itemId: item, quantity: fc.integer({ min: 1, max: 25 }) }), { minLength: 1, maxLength: 3, selector: (l) => l.itemId }) }).map((d) => ({
    type: 'ReserveStock' as const,
    data: { warehouseId: wh, ...d },
  })) },
  dispatch.map((dispatchId) => ({ type: 'ReleaseStock' as const, data: { warehouseId: wh, dispatchId, reason: 'cancelled' } })),
  { weight: 2, arbitrary: dispatch.map((dispatchId) => ({ type: 'IssueStock' as const, data: { warehouseId: wh, dispatchId } })) },
  fc
    .record({ adjustmentId: fc.constantFrom('a1', 'a2', 'a3', 'a4', 'a5'), itemId: item, quantity: qty, reason: fc.constantFrom('damaged', 'lost', 'expired', 'found' as const), batch })
    .map((d) => ({ type: 'AdjustStock' as const, data: { warehouseId: wh, ...d, note: 'because' } })),
  fc
    .record({ countId: fc.constantFrom('c1', 'c2', 'c3'), lines: fc.uniqueArray(fc.record({ itemId: item, counted: fc.integer({ min: 0, max: 150 }) }), { minLength: 1, maxLength: 3, selector: (l) => l.itemId }) })
    .map((d) => ({ type: 'CountStock' as const, data: { warehouseId: wh, ...d } })),
  fc.record({ transferId: fc.constantFrom('t1', 't2'), itemId: item, quantity: qty }).map(({ transferId, itemId, quantity }) => ({
    type: 'TransferStockOut' as const,
    data: { warehouseId: wh, transferId, toWarehouseId: 'wh-2', lines: [{ itemId, quantity }], reason: 'rebalance' },
  })),
  fc.record({ dispatchId: dispatch, quantity: fc.integer({ min: 1, max: 5 }) }).map(({ dispatchId, quantity }) => ({
    type: 'ReturnEquipment' as const,
    data: { warehouseId: wh, dispatchId, lines: [{ itemId: 'genset', quantity }] },
  })),
  fc.record({ dispatchId: dispatch, quantity: fc.integer({ min: 1, max: 5 }) }).map(({ dispatchId, quantity }) => ({
    type: 'WriteOffDeployedEquipment' as const,
    data: { warehouseId: wh, dispatchId, lines: [{ itemId: 'genset', quantity }], reason: 'lost' as const, note: 'gone' },
  })),
);

/** Every broken invariant of a state, as text (empty when all hold). Plain checks: this runs thousands of times. */
function brokenInvariants(s: StockState): string[] {
  const problems: string[] = [];
  for (const [itemId, i] of Object.entries(s.items)) {
    const at = `${itemId} ${JSON.stringify(i)}`;
    if (i.onHand < 0) problems.push(`onHand < 0: ${at}`);
    if (i.reserved < 0) problems.push(`reserved < 0: ${at}`);
    if (availableOf(i) < 0) problems.push(`available < 0: ${at}`);
    if (i.deployed < 0) problems.push(`deployed < 0: ${at}`);
    const inBatches = Object.values(i.batches).reduce((n, b) => n + b.quantity, 0);
    if (inBatches > i.onHand) problems.push(`batches hold more than on hand: ${at}`);
    if (Object.values(i.batches).some((b) => b.quantity <= 0)) problems.push(`empty batch kept: ${at}`);
    // reserved is exactly what the open reservations hold, deployed what the dispatches took on loan
    const open = cmEntries(s.reservations).map(([, r]) => r)
      .filter((r) => r.status === 'reserved')
      .flatMap((r) => r.lines)
      .filter((l) => l.itemId === itemId)
      .reduce((n, l) => n + l.quantity, 0);
    if (i.reserved !== open) problems.push(`reserved ${i.reserved} but open reservations hold ${open}: ${at}`);
    const onLoan = Object.values(s.deployments).reduce((n, d) => n + (d[itemId] ?? 0), 0);
    if (i.deployed !== onLoan) problems.push(`deployed ${i.deployed} but deployments hold ${onLoan}: ${at}`);
  }
  return problems;
}

describe('stock decider properties', () => {
  it('no sequence of commands takes on-hand, reserved, available or deployed below zero; evolve is deterministic', () => {
    const seen = new Map<string, number>();
    fc.assert(
      fc.property(fc.array(command, { minLength: 1, maxLength: 80, size: 'max' }), (commands) => {
        let state = stockDecider.initialState;
        const history: StockEvent[] = [];
        for (const c of commands) {
          let events: StockEvent[];
          try {
            events = stockDecider.decide({ ...c, metadata: meta({ role: 'warehouse' }) } as StockCommand, state);
          } catch (err) {
            // A refusal is fine; anything but a DomainError is a bug.
            if (!(err instanceof DomainError)) throw err;
            if (c.type === 'ReserveStock' && (err as DomainError).code === 'insufficient-stock') {
              // ... and it is refused only when some line really asks for more than is available.
              expect(c.data.lines.some((l) => l.quantity > availableOf(state.items[l.itemId]))).toBe(true);
            }
            continue;
          }
          const before = JSON.stringify(state);
          const next = events.reduce((s, e) => stockDecider.evolve(s, e), state);
          // evolve never changes the state it was given
          if (JSON.stringify(state) !== before) expect(JSON.parse(JSON.stringify(state))).toEqual(JSON.parse(before));
          state = next;
          const notJson = events.flatMap((e) => nonJsonPaths(e.data, e.type));
          if (notJson.length) expect(notJson).toEqual([]);
          history.push(...events);
          for (const e of events) seen.set(e.type, (seen.get(e.type) ?? 0) + 1);
          const broken = brokenInvariants(state);
          if (broken.length) expect({ after: c, broken }).toEqual({ after: c, broken: [] });
        }
        // Replaying the history (as read back from a store: JSON in, JSON out) gives the same state, twice.
        const stored = JSON.parse(JSON.stringify(history)) as StockEvent[];
        const replay1 = stored.reduce((s, e) => stockDecider.evolve(s, e), stockDecider.initialState);
        const replay2 = stored.reduce((s, e) => stockDecider.evolve(s, e), stockDecider.initialState);
        expect(replay1).toEqual(state);
        expect(replay2).toEqual(replay1);
        expect(stockDecider.initialState).toEqual({ items: {}, reservations: emptyChunkedMap(), deployments: {}, recorded: emptyChunkedMap() });
      }),
      { numRuns: 200 },
    );
    // The generated sequences really exercise every kind of stock movement, not only refusals.
    for (const type of ['StockReceived', 'StockReserved', 'StockReleased', 'StockIssued', 'StockAdjusted', 'StockCounted', 'StockTransferredOut', 'EquipmentDeployed', 'EquipmentReturned', 'EquipmentWrittenOff']) {
      expect({ type, seen: (seen.get(type) ?? 0) > 0 }).toEqual({ type, seen: true });
    }
  });
});
