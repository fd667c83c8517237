import { itemDecider } from '../reference/item.decider';
import type { ItemEvent } from '../reference/item.events';
import { domainEventTypes, eventSchemaVersions } from './event-catalogue';
import { createUpcaster, upcastEvent, UpcastError, type Upcaster } from './upcasters';

describe('event schema versions and upcasting', () => {
  it('every event type has a version, 1 today, and type strings are unique', () => {
    expect(new Set(domainEventTypes).size).toBe(domainEventTypes.length);
    for (const t of domainEventTypes) expect(eventSchemaVersions[t]).toBe(1);
  });

  it('current events pass through unchanged', () => {
    const stored = { type: 'ItemDeactivated', schemaVersion: 1, data: { itemId: 'x', reason: 'r', deactivatedAt: '2024-03-04T08:00:00Z' } };
    expect(upcastEvent(stored)).toEqual(stored);
  });

  /**
   * The worked example: an early writer stored ItemRegistered at version 0 with `uom` (unit of
   * measure) and `kind` where version 1 has `unit` and `category`, and no `consumable`. An upcaster
   * renames on read; the stored event stays as it was.
   */
  const renameV0: Upcaster = {
    type: 'ItemRegistered',
    fromVersion: 0,
    upcast: ({ uom, kind, ...rest }) => ({ data: { ...rest, unit: uom ?? 'pcs', category: kind ?? 'non-food', consumable: kind !== 'equipment' } }),
  };
  const upcast = createUpcaster([renameV0]);
  const v0 = {
    type: 'ItemRegistered',
    schemaVersion: 0,
    data: { itemId: 'tarp', code: 'SH-01', name: 'Tarpaulin 4x6', uom: 'sheet', kind: 'shelter', registeredAt: '2023-12-01T00:00:00Z' },
  };

  it('an old version is upcast on read to the current shape', () => {
    expect(upcast(v0)).toEqual({
      type: 'ItemRegistered',
      schemaVersion: 1,
      data: { itemId: 'tarp', code: 'SH-01', name: 'Tarpaulin 4x6', unit: 'sheet', category: 'shelter', consumable: true, registeredAt: '2023-12-01T00:00:00Z' },
    });
    // the stored event itself is not rewritten
    expect(v0.data).toHaveProperty('uom', 'sheet');
  });

  it('the decider folds upcast history exactly like current history', () => {
    const state = [upcast<ItemEvent>(v0)].reduce(itemDecider.evolve, itemDecider.initialState);
    expect(state).toMatchObject({ status: 'active', itemId: 'tarp', unit: 'sheet', category: 'shelter', consumable: true });
  });

  it('chains upcasters across several versions, renaming the type on the way', () => {
    const chain = createUpcaster(
      [
        { type: 'StockMoved', fromVersion: 1, upcast: (d) => ({ data: { ...d, note: 'moved' } }) },
        { type: 'StockMoved', fromVersion: 2, upcast: (d) => ({ type: 'StockTransferredOut', data: d }) },
      ],
      { ...eventSchemaVersions, StockMoved: 3, StockTransferredOut: 3 },
    );
    expect(chain({ type: 'StockMoved', schemaVersion: 1, data: { a: 1 } })).toEqual({ type: 'StockTransferredOut', schemaVersion: 3, data: { a: 1, note: 'moved' } });
  });

  it('refuses a version newer than the code, and a gap with no upcaster', () => {
    expect(() => upcastEvent({ type: 'ItemRegistered', schemaVersion: 2, data: {} })).toThrow(UpcastError);
    expect(() => upcastEvent({ type: 'ItemRegistered', schemaVersion: 0, data: {} })).toThrow(/no upcaster for ItemRegistered from version 0/);
    expect(() => createUpcaster([renameV0, renameV0])).toThrow(/two upcasters/);
  });

  it('unknown event types pass through (evolve ignores them)', () => {
    const e = { type: 'SomethingNew', schemaVersion: 4, data: { x: 1 } };
    expect(upcastEvent(e)).toEqual(e);
    expect(itemDecider.evolve(itemDecider.initialState, upcastEvent(e) as never)).toBe(itemDecider.initialState);
  });
});
