import { assertNever, DomainError } from '../shared/domain-error';
import {
  optionalText,
  requireId,
  requireIsoDate,
  requireLines,
  requireMetadata,
  requireNonNegativeInt,
  requireOneOf,
  requirePositiveInt,
  requireReason,
  requireText,
} from '../shared/guards';
import { emitter, type Decider } from '../shared/message';
import type { StockCommand } from './stock.commands';
import {
  adjustmentReasons,
  stockSourceKinds,
  type BatchTake,
  type OutgoingLine,
  type QuantityLine,
  type ReceivedLine,
  type StockEvent,
  type StockSource,
} from './stock.events';
import { cmGet, cmSet } from '../shared/chunked-map';
import {
  availableOf,
  emptyItemStock,
  fefo,
  initialStockState,
  putIn,
  takeOut,
  type ItemStock,
  type Reservation,
  type StockState,
} from './stock.state';

const emit = emitter<StockEvent>();

// ---------------------------------------------------------------------------------------------
// fingerprints: built from values present both in a command and in the event it produced, as
// arrays (PostgreSQL jsonb does not keep object key order), so a retried step compares equal.
// ---------------------------------------------------------------------------------------------
const sourceKey = (s: StockSource) =>
  s.kind === 'pledge' ? [s.kind, s.pledgeId, s.memberId ?? null] : s.kind === 'procurement' ? [s.kind, s.reference] : [s.kind, s.transferId, s.fromWarehouseId];
const fingerprints = {
  receipt: (source: StockSource, lines: ReceivedLine[]) =>
    JSON.stringify([sourceKey(source), lines.map((l) => [l.itemId, l.quantity, l.batch ?? null, l.expiry ?? null])]),
  adjustment: (itemId: string, delta: number, reason: string) => JSON.stringify([itemId, delta, reason]),
  count: (lines: Array<{ itemId: string; counted: number }>) => JSON.stringify(lines.map((l) => [l.itemId, l.counted])),
  transfer: (to: string, lines: QuantityLine[]) => JSON.stringify([to, lines.map((l) => [l.itemId, l.quantity])]),
};
const sameLines = (a: QuantityLine[], b: QuantityLine[]) =>
  JSON.stringify(a.map((l) => [l.itemId, l.quantity]).sort()) === JSON.stringify(b.map((l) => [l.itemId, l.quantity]).sort());

// ---------------------------------------------------------------------------------------------
// evolve
// ---------------------------------------------------------------------------------------------
function withItem(state: StockState, itemId: string, f: (i: ItemStock) => ItemStock): StockState {
  return { ...state, items: { ...state.items, [itemId]: f(state.items[itemId] ?? emptyItemStock()) } };
}

function withDeployment(state: StockState, dispatchId: string, itemId: string, delta: number): StockState {
  const d = { ...(state.deployments[dispatchId] ?? {}) };
  const q = (d[itemId] ?? 0) + delta;
  if (q > 0) d[itemId] = q;
  else delete d[itemId];
  const deployments = { ...state.deployments, [dispatchId]: d };
  if (Object.keys(d).length === 0) delete deployments[dispatchId];
  return { ...state, deployments };
}

const withReservation = (state: StockState, dispatchId: string, r: Reservation): StockState => ({
  ...state,
  reservations: cmSet(state.reservations, dispatchId, r),
});

const record = (state: StockState, key: string, fp: string): StockState => ({ ...state, recorded: cmSet(state.recorded, key, fp) });

/** Pure: the same state and event always give the same new state; the old state is never changed. */
export function evolveStock(state: StockState, event: StockEvent): StockState {
  let s: StockState = state.warehouseId ? state : { ...state, warehouseId: event.data.warehouseId };
  switch (event.type) {
    case 'StockReceived': {
      const d = event.data;
      for (const l of d.lines) s = withItem(s, l.itemId, (i) => putIn({ ...i, consumable: l.consumable }, l.quantity, l.batch, l.expiry));
      return record(s, `receipt:${d.receiptId}`, fingerprints.receipt(d.source, d.lines));
    }
    case 'StockReserved': {
      const d = event.data;
      for (const l of d.lines) s = withItem(s, l.itemId, (i) => ({ ...i, reserved: i.reserved + l.quantity }));
      return withReservation(s, d.dispatchId, { status: 'reserved', lines: d.lines });
    }
    case 'StockReleased': {
      const d = event.data;
      for (const l of d.lines) s = withItem(s, l.itemId, (i) => ({ ...i, reserved: i.reserved - l.quantity }));
      return withReservation(s, d.dispatchId, { status: 'released', lines: cmGet(s.reservations, d.dispatchId)?.lines ?? d.lines });
    }
    case 'StockIssued':
    case 'EquipmentDeployed': {
      const d = event.data;
      for (const l of d.lines) {
        s = withItem(s, l.itemId, (i) => {
          const out = takeOut(i, l.quantity, l.batches);
          return event.type === 'EquipmentDeployed' ? { ...out, reserved: i.reserved - l.quantity, deployed: i.deployed + l.quantity } : { ...out, reserved: i.reserved - l.quantity };
        });
        if (event.type === 'EquipmentDeployed') s = withDeployment(s, d.dispatchId, l.itemId, l.quantity);
      }
      return withReservation(s, d.dispatchId, { status: 'issued', lines: cmGet(s.reservations, d.dispatchId)?.lines ?? d.lines });
    }
    case 'StockAdjusted': {
      const d = event.data;
      s = withItem(s, d.itemId, (i) =>
        d.delta < 0 ? takeOut(i, -d.delta, d.batches) : putIn(i, d.delta, d.batches?.[0]?.batch, d.expiry),
      );
      return record(s, `adjustment:${d.adjustmentId}`, fingerprints.adjustment(d.itemId, d.delta, d.reason));
    }
    case 'StockCounted':
      return record(s, `count:${event.data.countId}`, fingerprints.count(event.data.lines));
    case 'StockTransferredOut': {
      const d = event.data;
      for (const l of d.lines) s = withItem(s, l.itemId, (i) => takeOut(i, l.quantity, l.batches));
      return record(s, `transfer:${d.transferId}`, fingerprints.transfer(d.toWarehouseId, d.lines));
    }
    case 'EquipmentReturned': {
      const d = event.data;
      for (const l of d.lines) {
        s = withItem(s, l.itemId, (i) => ({ ...i, onHand: i.onHand + l.quantity, deployed: i.deployed - l.quantity }));
        s = withDeployment(s, d.dispatchId, l.itemId, -l.quantity);
      }
      return s;
    }
    case 'EquipmentWrittenOff': {
      const d = event.data;
      for (const l of d.lines) {
        s = withItem(s, l.itemId, (i) => ({ ...i, deployed: i.deployed - l.quantity }));
        s = withDeployment(s, d.dispatchId, l.itemId, -l.quantity);
      }
      return s;
    }
    default:
      return state;
  }
}

// ---------------------------------------------------------------------------------------------
// decide
// ---------------------------------------------------------------------------------------------
function quantityLines(value: unknown, field = 'lines'): QuantityLine[] {
  return requireLines<{ itemId: unknown; quantity: unknown }>(value, field, (l) => String(l.itemId)).map((l, i) => ({
    itemId: requireId(l.itemId, `${field}[${i}].itemId`),
    quantity: requirePositiveInt(l.quantity, `${field}[${i}].quantity`),
  }));
}

function requireWarehouse(state: StockState, warehouseId: unknown): string {
  const id = requireId(warehouseId, 'warehouseId');
  if (state.warehouseId !== undefined && state.warehouseId !== id) {
    throw DomainError.invalid('warehouseId', `this stream holds the stock of warehouse ${state.warehouseId}, not ${id}`, {}, 'warehouse-mismatch');
  }
  return id;
}

/** Refuses a line that asks for more than is available, saying how much is there. */
function requireAvailable(state: StockState, warehouseId: string, lines: QuantityLine[]): void {
  const shortages = lines
    .map((l) => ({ itemId: l.itemId, requested: l.quantity, available: availableOf(state.items[l.itemId]) }))
    .filter((x) => x.requested > x.available);
  if (shortages.length === 0) return;
  const [first] = shortages;
  const more = shortages.length > 1 ? ` (and ${shortages.length - 1} more line${shortages.length > 2 ? 's' : ''} short)` : '';
  throw DomainError.rule(
    'insufficient-stock',
    `insufficient stock of ${first.itemId} in warehouse ${warehouseId}: requested ${first.requested}, available ${first.available}${more}`,
    { warehouseId, itemId: first.itemId, requested: first.requested, available: first.available, shortages },
  );
}

/** The same id with the same content is a retry (nothing to do); with other content a refusal. */
function alreadyRecorded(state: StockState, kind: 'receipt' | 'adjustment' | 'count' | 'transfer', id: string, fp: string): boolean {
  const seen = cmGet(state.recorded, `${kind}:${id}`);
  if (seen === undefined) return false;
  if (seen === fp) return true;
  throw DomainError.rule(`${kind}-already-recorded`, `${kind} ${id} is already recorded in this warehouse with other content`, { [`${kind}Id`]: id });
}

function stockSource(value: unknown, warehouseId: string): StockSource {
  if (!value || typeof value !== 'object') throw DomainError.invalid('source', 'is required (pledge, procurement or transfer)');
  const s = value as Record<string, unknown>;
  const kind = requireOneOf(s.kind, stockSourceKinds, 'source.kind');
  if (kind === 'pledge') {
    return s.memberId === undefined
      ? { kind, pledgeId: requireId(s.pledgeId, 'source.pledgeId') }
      : { kind, pledgeId: requireId(s.pledgeId, 'source.pledgeId'), memberId: requireId(s.memberId, 'source.memberId') };
  }
  if (kind === 'procurement') return { kind, reference: requireText(s.reference, 'source.reference', 200) };
  const fromWarehouseId = requireId(s.fromWarehouseId, 'source.fromWarehouseId');
  if (fromWarehouseId === warehouseId) throw DomainError.invalid('source.fromWarehouseId', 'a transfer comes from another warehouse', {}, 'same-warehouse');
  return { kind, transferId: requireId(s.transferId, 'source.transferId'), fromWarehouseId };
}

function receivedLines(value: unknown, state: StockState): ReceivedLine[] {
  const raw = requireLines<{ itemId: unknown; quantity: unknown; batch?: unknown; expiry?: unknown; consumable?: unknown }>(
    value,
    'lines',
    (l) => `${String(l.itemId)}|${String(l.batch ?? (l.expiry !== undefined ? `exp:${String(l.expiry)}` : ''))}`,
  );
  return raw.map((l, i) => {
    const itemId = requireId(l.itemId, `lines[${i}].itemId`);
    const expiry = l.expiry === undefined ? undefined : requireIsoDate(l.expiry, `lines[${i}].expiry`);
    // Stock with only an expiry date is still tracked by it: its batch is named after the date.
    const batch = l.batch === undefined ? (expiry ? `exp:${expiry}` : undefined) : requireText(l.batch, `lines[${i}].batch`, 100);
    if (l.consumable !== undefined && typeof l.consumable !== 'boolean') throw DomainError.invalid(`lines[${i}].consumable`, 'must be true or false');
    const consumable = (l.consumable as boolean | undefined) ?? state.items[itemId]?.consumable ?? true;
    const existing = batch === undefined ? undefined : state.items[itemId]?.batches[batch];
    if (existing?.expiry !== undefined && expiry !== undefined && existing.expiry !== expiry) {
      throw DomainError.rule('batch-expiry-mismatch', `batch ${batch} of ${itemId} expires ${existing.expiry}, not ${expiry}`, { itemId, batch: batch ?? null, expiry: existing.expiry });
    }
    return { itemId, quantity: requirePositiveInt(l.quantity, `lines[${i}].quantity`), batch, expiry, consumable };
  });
}

function outgoing(state: StockState, lines: QuantityLine[]): OutgoingLine[] {
  return lines.map((l) => {
    const batches = fefo(state.items[l.itemId] ?? emptyItemStock(), l.quantity);
    return batches.length > 0 ? { ...l, batches } : { ...l };
  });
}

function requireDeployed(state: StockState, dispatchId: string, lines: QuantityLine[], code: string, verb: string): void {
  for (const l of lines) {
    const deployed = state.deployments[dispatchId]?.[l.itemId] ?? 0;
    if (l.quantity > deployed) {
      throw DomainError.rule(code, `${verb} ${l.quantity} of ${l.itemId} for dispatch ${dispatchId}, but ${deployed} are deployed with it`, {
        dispatchId,
        itemId: l.itemId,
        requested: l.quantity,
        deployed,
      });
    }
  }
}

export function decideStock(command: StockCommand, state: StockState): StockEvent[] {
  requireMetadata(command.metadata);
  const now = command.metadata.now;
  const warehouseId = requireWarehouse(state, command.data.warehouseId);
  switch (command.type) {
    case 'ReceiveStock': {
      const d = command.data;
      const receiptId = requireId(d.receiptId, 'receiptId');
      const source = stockSource(d.source, warehouseId);
      const lines = receivedLines(d.lines, state);
      if (alreadyRecorded(state, 'receipt', receiptId, fingerprints.receipt(source, lines))) return [];
      return [emit('StockReceived', { warehouseId, receiptId, source, lines, receivedAt: now, note: optionalText(d.note, 'note', 1000) })];
    }
    case 'ReserveStock': {
      const dispatchId = requireId(command.data.dispatchId, 'dispatchId');
      const lines = quantityLines(command.data.lines);
      const existing = cmGet(state.reservations, dispatchId);
      if (existing) {
        if (existing.status === 'reserved' && sameLines(existing.lines, lines)) return [];
        throw DomainError.rule('reservation-exists', `dispatch ${dispatchId} already has a reservation in warehouse ${warehouseId} (${existing.status})`, {
          warehouseId,
          dispatchId,
          status: existing.status,
        });
      }
      requireAvailable(state, warehouseId, lines);
      return [emit('StockReserved', { warehouseId, dispatchId, lines, reservedAt: now })];
    }
    case 'ReleaseStock': {
      const dispatchId = requireId(command.data.dispatchId, 'dispatchId');
      const reason = requireReason(command.data.reason);
      const r = cmGet(state.reservations, dispatchId);
      // A compensation: safe to repeat, and safe when the reservation step never happened.
      if (!r || r.status === 'released') return [];
      if (r.status === 'issued') {
        throw DomainError.rule('reservation-already-issued', `dispatch ${dispatchId} has left warehouse ${warehouseId}; its stock cannot be released`, { warehouseId, dispatchId });
      }
      return [emit('StockReleased', { warehouseId, dispatchId, lines: r.lines, reason, releasedAt: now })];
    }
    case 'IssueStock': {
      const dispatchId = requireId(command.data.dispatchId, 'dispatchId');
      const r = cmGet(state.reservations, dispatchId);
      if (!r) throw DomainError.rule('reservation-not-found', `dispatch ${dispatchId} has no reservation in warehouse ${warehouseId}`, { warehouseId, dispatchId });
      if (r.status === 'issued') return [];
      if (r.status === 'released') throw DomainError.rule('reservation-released', `the reservation of dispatch ${dispatchId} was released`, { warehouseId, dispatchId });
      const consumables = r.lines.filter((l) => state.items[l.itemId]?.consumable !== false);
      const equipment = r.lines.filter((l) => state.items[l.itemId]?.consumable === false);
      const events: StockEvent[] = [];
      if (consumables.length > 0) events.push(emit('StockIssued', { warehouseId, dispatchId, lines: outgoing(state, consumables), issuedAt: now }));
      if (equipment.length > 0) events.push(emit('EquipmentDeployed', { warehouseId, dispatchId, lines: outgoing(state, equipment), deployedAt: now }));
      return events;
    }
    case 'AdjustStock': {
      const d = command.data;
      const adjustmentId = requireId(d.adjustmentId, 'adjustmentId');
      const itemId = requireId(d.itemId, 'itemId');
      const quantity = requirePositiveInt(d.quantity, 'quantity');
      const reason = requireOneOf(d.reason, adjustmentReasons, 'reason');
      const note = requireReason(d.note, 'note');
      const batch = optionalText(d.batch, 'batch', 100);
      const expiry = d.expiry === undefined ? undefined : requireIsoDate(d.expiry, 'expiry');
      const delta = reason === 'found' ? quantity : -quantity;
      if (alreadyRecorded(state, 'adjustment', adjustmentId, fingerprints.adjustment(itemId, delta, reason))) return [];
      const item = state.items[itemId];
      if (delta > 0) {
        const b = batch ?? (expiry ? `exp:${expiry}` : undefined);
        return [emit('StockAdjusted', { warehouseId, adjustmentId, itemId, delta, reason, note, batches: b ? [{ batch: b, quantity }] : undefined, expiry, adjustedAt: now })];
      }
      const available = availableOf(item);
      if (quantity > available) {
        throw DomainError.rule(
          'adjustment-exceeds-available',
          `cannot write off ${quantity} of ${itemId} as ${reason}: available ${available} (on hand ${item?.onHand ?? 0}, reserved ${item?.reserved ?? 0}); release reserved stock first`,
          { warehouseId, itemId, requested: quantity, available, onHand: item?.onHand ?? 0, reserved: item?.reserved ?? 0 },
        );
      }
      let batches: BatchTake[];
      if (batch !== undefined) {
        const inBatch = item?.batches[batch]?.quantity ?? 0;
        if (quantity > inBatch) {
          throw DomainError.rule('batch-insufficient', `batch ${batch} of ${itemId} holds ${inBatch}, not ${quantity}`, { warehouseId, itemId, batch, requested: quantity, inBatch });
        }
        batches = [{ batch, quantity }];
      } else {
        batches = fefo(item as ItemStock, quantity);
      }
      return [emit('StockAdjusted', { warehouseId, adjustmentId, itemId, delta, reason, note, batches: batches.length ? batches : undefined, adjustedAt: now })];
    }
    case 'CountStock': {
      const d = command.data;
      const countId = requireId(d.countId, 'countId');
      const counts = requireLines<{ itemId: unknown; counted: unknown }>(d.lines, 'lines', (l) => String(l.itemId)).map((l, i) => ({
        itemId: requireId(l.itemId, `lines[${i}].itemId`),
        counted: requireNonNegativeInt(l.counted, `lines[${i}].counted`),
      }));
      const note = optionalText(d.note, 'note', 1000);
      if (alreadyRecorded(state, 'count', countId, fingerprints.count(counts))) return [];
      const lines = counts.map((c) => {
        const item = state.items[c.itemId] ?? emptyItemStock();
        if (c.counted < item.reserved) {
          throw DomainError.rule(
            'count-below-reserved',
            `counted ${c.counted} of ${c.itemId} but ${item.reserved} are reserved for planned dispatches; cancel or re-plan them first`,
            { warehouseId, itemId: c.itemId, counted: c.counted, reserved: item.reserved },
          );
        }
        return { itemId: c.itemId, counted: c.counted, onHandBefore: item.onHand, difference: c.counted - item.onHand };
      });
      const adjustments = lines
        .filter((l) => l.difference !== 0)
        .map((l) => {
          const batches = l.difference < 0 ? fefo(state.items[l.itemId], -l.difference) : [];
          return emit('StockAdjusted', {
            warehouseId,
            adjustmentId: `${countId}:${l.itemId}`,
            itemId: l.itemId,
            delta: l.difference,
            reason: 'count',
            note: note ?? `stock count ${countId}`,
            batches: batches.length ? batches : undefined,
            countId,
            adjustedAt: now,
          });
        });
      return [emit('StockCounted', { warehouseId, countId, lines, note, countedAt: now }), ...adjustments];
    }
    case 'TransferStockOut': {
      const d = command.data;
      const transferId = requireId(d.transferId, 'transferId');
      const toWarehouseId = requireId(d.toWarehouseId, 'toWarehouseId');
      if (toWarehouseId === warehouseId) throw DomainError.invalid('toWarehouseId', 'a transfer goes to another warehouse', {}, 'same-warehouse');
      const lines = quantityLines(d.lines);
      const reason = requireReason(d.reason);
      if (alreadyRecorded(state, 'transfer', transferId, fingerprints.transfer(toWarehouseId, lines))) return [];
      requireAvailable(state, warehouseId, lines);
      return [emit('StockTransferredOut', { warehouseId, transferId, toWarehouseId, lines: outgoing(state, lines), reason, transferredAt: now })];
    }
    case 'ReturnEquipment': {
      const d = command.data;
      const dispatchId = requireId(d.dispatchId, 'dispatchId');
      const lines = quantityLines(d.lines);
      requireDeployed(state, dispatchId, lines, 'return-exceeds-deployed', 'returning');
      return [emit('EquipmentReturned', { warehouseId, dispatchId, lines, note: optionalText(d.note, 'note', 1000), returnedAt: now })];
    }
    case 'WriteOffDeployedEquipment': {
      const d = command.data;
      const dispatchId = requireId(d.dispatchId, 'dispatchId');
      const lines = quantityLines(d.lines);
      const reason = requireOneOf(d.reason, ['lost', 'damaged'] as const, 'reason');
      const note = requireReason(d.note, 'note');
      requireDeployed(state, dispatchId, lines, 'write-off-exceeds-deployed', 'writing off');
      return [emit('EquipmentWrittenOff', { warehouseId, dispatchId, lines, reason, note, writtenOffAt: now })];
    }
    default:
      return assertNever(command);
  }
}

export const stockDecider: Decider<StockCommand, StockState, StockEvent> = {
  initialState: initialStockState,
  evolve: evolveStock,
  decide: decideStock,
};
