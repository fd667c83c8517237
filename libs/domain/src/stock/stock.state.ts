import { emptyChunkedMap, type ChunkedMap } from '../shared/chunked-map';
import type { BatchTake, QuantityLine } from './stock.events';

export type BatchState = { quantity: number; expiry?: string };

/**
 * One item in one warehouse. onHand counts what is physically there (reserved units included);
 * available = onHand − reserved is what a new dispatch may take and never goes below zero.
 * Deployed equipment is out on loan: not on hand, not consumed.
 */
export type ItemStock = {
  onHand: number;
  reserved: number;
  deployed: number;
  consumable: boolean;
  /** the part of onHand whose batch is known; the rest (onHand − their sum) has none */
  batches: Record<string, BatchState>;
};

export type Reservation = { status: 'reserved' | 'released' | 'issued'; lines: QuantityLine[] };

export type StockState = {
  warehouseId?: string;
  items: Record<string, ItemStock>;
  /**
   * by dispatch id: a dispatch reserves once, and releases or issues only what it reserved. Kept for
   * the warehouse's whole history (retries are recognised by it), so a ChunkedMap: an event copies
   * one bucket, not every reservation (read with cmGet / cmEntries).
   */
  reservations: ChunkedMap<Reservation>;
  /** equipment out on loan, by dispatch id then item id */
  deployments: Record<string, Record<string, number>>;
  /**
   * Receipts, adjustments, counts and transfers already recorded (key `kind:id`), with a fingerprint
   * of what they recorded: the same id again with the same content is a no-op (a retried step of a
   * flow), with other content a refusal.
   */
  recorded: ChunkedMap<string>;
};

export const initialStockState: StockState = { items: {}, reservations: emptyChunkedMap(), deployments: {}, recorded: emptyChunkedMap() };

export const emptyItemStock = (consumable = true): ItemStock => ({ onHand: 0, reserved: 0, deployed: 0, consumable, batches: {} });

export const availableOf = (item: ItemStock | undefined): number => (item ? item.onHand - item.reserved : 0);

/** The figures a reader wants for one item (a projection shows the same). */
export function stockLevel(state: StockState, itemId: string) {
  const i = state.items[itemId] ?? emptyItemStock();
  return { itemId, onHand: i.onHand, reserved: i.reserved, available: i.onHand - i.reserved, deployed: i.deployed, consumable: i.consumable, batches: i.batches };
}

/** First-expired-first-out: dated batches by expiry, then undated batches by name; the remainder comes from stock without a batch. */
export function fefo(item: ItemStock, quantity: number): BatchTake[] {
  const order = Object.entries(item.batches).sort(([a, x], [b, y]) => {
    if (x.expiry !== y.expiry) {
      if (x.expiry === undefined) return 1;
      if (y.expiry === undefined) return -1;
      return x.expiry < y.expiry ? -1 : 1;
    }
    return a < b ? -1 : a > b ? 1 : 0;
  });
  const takes: BatchTake[] = [];
  let left = quantity;
  for (const [batch, b] of order) {
    if (left === 0) break;
    const q = Math.min(left, b.quantity);
    if (q > 0) takes.push({ batch, quantity: q });
    left -= q;
  }
  return takes;
}

/** Removes `quantity` from on-hand, and the named batch quantities from their batches. */
export function takeOut(item: ItemStock, quantity: number, batches: BatchTake[] | undefined): ItemStock {
  const next: Record<string, BatchState> = { ...item.batches };
  for (const t of batches ?? []) {
    const b = next[t.batch];
    if (!b) continue;
    const q = b.quantity - t.quantity;
    if (q > 0) next[t.batch] = { ...b, quantity: q };
    else delete next[t.batch];
  }
  return { ...item, onHand: item.onHand - quantity, batches: next };
}

export function putIn(item: ItemStock, quantity: number, batch?: string, expiry?: string): ItemStock {
  if (batch === undefined) return { ...item, onHand: item.onHand + quantity };
  const b = item.batches[batch];
  return {
    ...item,
    onHand: item.onHand + quantity,
    batches: { ...item.batches, [batch]: { ...(b?.expiry ?? expiry ? { expiry: b?.expiry ?? expiry } : {}), quantity: (b?.quantity ?? 0) + quantity } },
  };
}
