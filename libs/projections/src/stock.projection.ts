import type {
  DispatchLine, DispatchPlannedData, EquipmentDeployedData, EquipmentReturnedData, EquipmentWrittenOffData, OutgoingLine, StockAdjustedData,
  StockCountedData, StockIssuedData, StockReceivedData, StockReleasedData, StockReservedData, StockTransferredOutData,
} from '@lumbung/domain';
import { int, iso, n, text, table, upsert, type Projection, type ProjectionEvent, type Row, type RowChange } from './projection';

/**
 * Stock per warehouse and item (and per batch where known). on_hand, reserved, deployed and the last
 * movement come from the warehouse's stock stream alone. in_transit_out is an additive counter fed by
 * two streams: the stock stream adds what it issues (or deploys) for a dispatch, the dispatch stream
 * subtracts it when the dispatch is delivered or lost; either may arrive first.
 * District totals join rm_warehouses at query time.
 */
export const stockTable = table('rm_stock', ['warehouse_id', 'item_id'], [
  text('warehouse_id'), text('item_id'), int('on_hand'), int('reserved'), int('available'), int('deployed'), int('in_transit_out'),
  int('consumable'), text('last_movement_at'), text('last_movement'), text('last_counted_at'),
], [['item_id']]);
export const stockBatchesTable = table('rm_stock_batches', ['warehouse_id', 'item_id', 'batch'], [
  text('warehouse_id'), text('item_id'), text('batch'), int('quantity'), text('expiry'),
], [
  ['expiry'],
  // the stock list's expiring quantity and next expiry per row: index-only look-ups
  ['warehouse_id', 'item_id', 'expiry', 'quantity'],
]);

/** A dispatch stream's memory: which warehouse it left from and with what. */
type Ctx = { warehouseId?: string; lines?: DispatchLine[] };

/**
 * Sets the derived column on a row the change has just built (a fresh object, never the previous
 * row itself, so setting it in place keeps the projection pure and saves a copy per change).
 */
const withAvailable = (fresh: Row): Row => {
  fresh.available = n(fresh.on_hand) - n(fresh.reserved);
  return fresh;
};

/** `f` returns a new row (a spread of the one it is given), which is then completed in place. */
function item(warehouseId: string, itemId: string, at: string | null, movement: string, f: (r: Row) => Row): RowChange {
  return upsert(stockTable, { warehouse_id: warehouseId, item_id: itemId }, (r) => {
    const x = f(r);
    x.last_movement_at = at;
    x.last_movement = movement;
    return withAvailable(x);
  });
}

function batch(warehouseId: string, itemId: string, name: string, delta: number, expiry?: string): RowChange {
  return upsert(stockBatchesTable, { warehouse_id: warehouseId, item_id: itemId, batch: name }, (r) => {
    const quantity = n(r.quantity) + delta;
    // Like the decider: an emptied batch is gone; a new receipt of the same name starts it again.
    if (quantity <= 0) return undefined;
    return { ...r, quantity, expiry: r.expiry ?? expiry ?? null };
  });
}

const takes = (warehouseId: string, lines: OutgoingLine[]): RowChange[] =>
  lines.flatMap((l) => (l.batches ?? []).map((b) => batch(warehouseId, l.itemId, b.batch, -b.quantity)));

function transit(warehouseId: string, lines: ReadonlyArray<{ itemId: string; quantity: number }>, sign: 1 | -1): RowChange[] {
  return lines.map((l) => upsert(stockTable, { warehouse_id: warehouseId, item_id: l.itemId }, (r) => ({ ...r, in_transit_out: n(r.in_transit_out) + sign * l.quantity })));
}

function changes(e: ProjectionEvent, ctx: Ctx): RowChange[] {
  switch (e.type) {
    case 'StockReceived': {
      const d = e.data as unknown as StockReceivedData;
      const at = iso(d.receivedAt);
      return d.lines.flatMap((l) => [
        item(d.warehouseId, l.itemId, at, e.type, (r) => ({ ...r, on_hand: n(r.on_hand) + l.quantity, consumable: l.consumable === false ? 0 : 1 })),
        ...(l.batch !== undefined ? [batch(d.warehouseId, l.itemId, l.batch, l.quantity, l.expiry)] : []),
      ]);
    }
    case 'StockReserved': {
      const d = e.data as unknown as StockReservedData;
      const at = iso(d.reservedAt);
      return d.lines.map((l) => item(d.warehouseId, l.itemId, at, e.type, (r) => ({ ...r, reserved: n(r.reserved) + l.quantity })));
    }
    case 'StockReleased': {
      const d = e.data as unknown as StockReleasedData;
      const at = iso(d.releasedAt);
      return d.lines.map((l) => item(d.warehouseId, l.itemId, at, e.type, (r) => ({ ...r, reserved: n(r.reserved) - l.quantity })));
    }
    case 'StockIssued':
    case 'EquipmentDeployed': {
      const d = e.data as unknown as StockIssuedData & EquipmentDeployedData;
      const deployed = e.type === 'EquipmentDeployed';
      const at = iso(deployed ? d.deployedAt : d.issuedAt);
      return [
        ...d.lines.map((l) =>
          item(d.warehouseId, l.itemId, at, e.type, (r) => ({
            ...r,
            on_hand: n(r.on_hand) - l.quantity,
            reserved: n(r.reserved) - l.quantity,
            deployed: n(r.deployed) + (deployed ? l.quantity : 0),
            in_transit_out: n(r.in_transit_out) + l.quantity,
          })),
        ),
        ...takes(d.warehouseId, d.lines),
      ];
    }
    case 'StockAdjusted': {
      const d = e.data as unknown as StockAdjustedData;
      const at = iso(d.adjustedAt);
      const row = item(d.warehouseId, d.itemId, at, e.type, (r) => ({ ...r, on_hand: n(r.on_hand) + d.delta }));
      if (d.delta < 0) return [row, ...takes(d.warehouseId, [{ itemId: d.itemId, quantity: -d.delta, batches: d.batches }])];
      const b = d.batches?.[0];
      return b ? [row, batch(d.warehouseId, d.itemId, b.batch, d.delta, d.expiry)] : [row];
    }
    case 'StockCounted': {
      const d = e.data as unknown as StockCountedData;
      const at = iso(d.countedAt);
      // The differences follow as StockAdjusted events; the count itself only dates the figures.
      return d.lines.map((l) => upsert(stockTable, { warehouse_id: d.warehouseId, item_id: l.itemId }, (r) => withAvailable({ ...r, last_counted_at: at })));
    }
    case 'StockTransferredOut': {
      const d = e.data as unknown as StockTransferredOutData;
      const at = iso(d.transferredAt);
      return [...d.lines.map((l) => item(d.warehouseId, l.itemId, at, e.type, (r) => ({ ...r, on_hand: n(r.on_hand) - l.quantity }))), ...takes(d.warehouseId, d.lines)];
    }
    case 'EquipmentReturned': {
      const d = e.data as unknown as EquipmentReturnedData;
      const at = iso(d.returnedAt);
      return d.lines.map((l) => item(d.warehouseId, l.itemId, at, e.type, (r) => ({ ...r, on_hand: n(r.on_hand) + l.quantity, deployed: n(r.deployed) - l.quantity })));
    }
    case 'EquipmentWrittenOff': {
      const d = e.data as unknown as EquipmentWrittenOffData;
      const at = iso(d.writtenOffAt);
      return d.lines.map((l) => item(d.warehouseId, l.itemId, at, e.type, (r) => ({ ...r, deployed: n(r.deployed) - l.quantity })));
    }
    case 'DispatchDelivered':
    case 'DispatchLost':
      // What left the warehouse with this dispatch is no longer on the road.
      return ctx.warehouseId && ctx.lines ? transit(ctx.warehouseId, ctx.lines, -1) : [];
    default:
      return [];
  }
}

export const stockProjection: Projection<Ctx> = {
  name: 'stock',
  tables: [stockTable, stockBatchesTable],
  eventTypes: new Set([
    'StockReceived', 'StockReserved', 'StockReleased', 'StockIssued', 'StockAdjusted', 'StockCounted', 'StockTransferredOut',
    'EquipmentDeployed', 'EquipmentReturned', 'EquipmentWrittenOff', 'DispatchPlanned', 'DispatchDelivered', 'DispatchLost',
  ]),
  context: {
    initial: {},
    evolve: (ctx, e) => {
      if (e.type !== 'DispatchPlanned') return ctx;
      const d = e.data as unknown as DispatchPlannedData;
      return d.warehouseId ? { warehouseId: d.warehouseId, lines: d.lines } : ctx;
    },
  },
  changes: (e, ctx) => changes(e, ctx ?? {}),
};
