import { normalizeRow, n, type Row } from './projection';
import { requestLinesTable, requestsTable } from './fulfilment.projection';
import { shipmentLinesTable, shipmentsTable } from './shipments.projection';

/**
 * The shapes the live queries of libs/read-model answer (one request's fulfilment, one shipment with
 * its lines, a warehouse's stock rows), built from projection rows held in memory. An as-of replay
 * folds a stream's events up to a position through the same pure projections the projector runs, and
 * these turn the rows into what the query API showed at that position, field for field, so that an
 * auditor can set the two side by side. Each function mirrors its SQL counterpart; the comments name it.
 */

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const text = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

export interface RequestLineView {
  request_id: string;
  item_id: string;
  line_no: number;
  requested: number;
  approved: number;
  dispatched: number;
  received: number;
  damaged: number;
  short: number;
  over: number;
  outstanding: number;
  percent_filled: number;
  delivered_at: string | null;
  full_at: string | null;
}

export interface RequestFulfilmentView {
  request_id: string;
  site_id: string | null;
  incident_id: string | null;
  priority: string | null;
  status: string | null;
  needed_by: string | null;
  submitted_at: string | null;
  approved_at: string | null;
  first_dispatch_at: string | null;
  last_delivered_at: string | null;
  requested: number;
  approved: number;
  dispatched: number;
  received: number;
  damaged: number;
  short: number;
  outstanding: number;
  percent_filled: number;
  fully_delivered_at: string | null;
  seconds_to_first_dispatch: number | null;
  seconds_to_full_delivery: number | null;
  lines: RequestLineView[];
}

const pct = (part: number, whole: number): number => (whole > 0 ? Math.floor((Math.min(part, whole) * 100) / whole) : 0);
const seconds = (from: string | null, to: string | null): number | null => (from !== null && to !== null ? Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / 1000)) : null);

/** queryRequestFulfilment's item for one rm_requests row and its rm_request_lines rows (ORDER BY line_no). */
export function requestFulfilmentView(request: Row, lineRows: Iterable<Row>): RequestFulfilmentView {
  const r = normalizeRow(requestsTable, request);
  const ls = [...lineRows]
    .map((l) => normalizeRow(requestLinesTable, l) as unknown as RequestLineView)
    .sort((a, b) => a.line_no - b.line_no || byText(a.item_id, b.item_id));
  const sum = (k: keyof RequestLineView) => ls.reduce((s, l) => s + (l[k] as number), 0);
  const approvedLines = ls.filter((l) => l.approved > 0);
  const full = approvedLines.length > 0 && approvedLines.every((l) => l.full_at !== null);
  const fullyAt = full ? approvedLines.map((l) => l.full_at as string).sort().at(-1)! : null;
  const submittedAt = text(r.submitted_at);
  return {
    request_id: String(r.request_id),
    site_id: text(r.site_id),
    incident_id: text(r.incident_id),
    priority: text(r.priority),
    status: text(r.status),
    needed_by: text(r.needed_by),
    submitted_at: submittedAt,
    approved_at: text(r.approved_at),
    first_dispatch_at: text(r.first_dispatch_at),
    last_delivered_at: text(r.last_delivered_at),
    requested: sum('requested'),
    approved: sum('approved'),
    dispatched: sum('dispatched'),
    received: sum('received'),
    damaged: sum('damaged'),
    short: sum('short'),
    outstanding: sum('outstanding'),
    percent_filled: pct(ls.reduce((s, l) => s + Math.min(l.received, l.approved), 0), sum('approved')),
    fully_delivered_at: fullyAt,
    seconds_to_first_dispatch: seconds(submittedAt, text(r.first_dispatch_at)),
    seconds_to_full_delivery: seconds(submittedAt, fullyAt),
    lines: ls,
  };
}

/** An rm_shipments row (every column) with its lines. */
export type ShipmentView = { [column: string]: Row[keyof Row] | Row[]; lines: Row[] };

/** The query API's one shipment: the rm_shipments row and its rm_shipment_lines rows (ORDER BY item_id). */
export function shipmentView(shipment: Row, lineRows: Iterable<Row>): ShipmentView {
  const lines = [...lineRows].map((l) => normalizeRow(shipmentLinesTable, l)).sort((a, b) => byText(String(a.item_id), String(b.item_id)));
  return { ...normalizeRow(shipmentsTable, shipment), lines };
}

export interface StockRowView {
  warehouse_id: string;
  warehouse_name: string | null;
  district: string | null;
  owner_member_id: string | null;
  item_id: string;
  item_name: string | null;
  category: string | null;
  unit: string | null;
  on_hand: number;
  reserved: number;
  available: number;
  deployed: number;
  in_transit_out: number;
  last_movement_at: string | null;
  last_movement: string | null;
  expiring_quantity: number;
  next_expiry: string | null;
}

export interface StockViewInput {
  /** rm_stock rows of the warehouse */
  stock: Iterable<Row>;
  /** rm_stock_batches rows of the warehouse */
  batches: Iterable<Row>;
  /** the rm_warehouses row, when known */
  warehouse?: Row;
  /** rm_items rows by item id */
  items: ReadonlyMap<string, Row>;
  /** the date (YYYY-MM-DD) up to which a batch counts as expiring: the live list's asOf + expiringWithinDays */
  expiringUntil: string;
}

/**
 * The stock list's rows for one warehouse (queryStockScoped with a warehouseId: rm_stock LEFT JOIN
 * rm_warehouses and rm_items, the batches' expiring quantity and next expiry, ORDER BY item_id).
 */
export function stockView(input: StockViewInput): StockRowView[] {
  const w = input.warehouse;
  const expiring = new Map<string, number>();
  const next = new Map<string, string>();
  for (const b of input.batches) {
    const expiry = text(b.expiry);
    if (expiry === null) continue;
    const itemId = String(b.item_id);
    if (expiry <= input.expiringUntil) expiring.set(itemId, (expiring.get(itemId) ?? 0) + n(b.quantity));
    const before = next.get(itemId);
    if (before === undefined || expiry < before) next.set(itemId, expiry);
  }
  return [...input.stock]
    .map((s): StockRowView => {
      const itemId = String(s.item_id);
      const i = input.items.get(itemId);
      return {
        warehouse_id: String(s.warehouse_id),
        warehouse_name: text(w?.name),
        district: text(w?.district),
        owner_member_id: text(w?.owner_member_id),
        item_id: itemId,
        item_name: text(i?.name),
        category: text(i?.category),
        unit: text(i?.unit),
        on_hand: n(s.on_hand),
        reserved: n(s.reserved),
        available: n(s.available),
        deployed: n(s.deployed),
        in_transit_out: n(s.in_transit_out),
        last_movement_at: text(s.last_movement_at),
        last_movement: text(s.last_movement),
        expiring_quantity: expiring.get(itemId) ?? 0,
        next_expiry: next.get(itemId) ?? null,
      };
    })
    .sort((a, b) => byText(a.item_id, b.item_id));
}

/** The live list's expiry window end for a given time and window (the same arithmetic as the SQL's parameter). */
export function expiringUntil(asOf: string, withinDays = 0): string {
  return new Date(Date.parse(asOf) + withinDays * 86_400_000).toISOString().slice(0, 10);
}
