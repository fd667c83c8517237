import type { DataSource } from 'typeorm';
import { numbers, paging, Where, withExecutor, type Page, type SqlExecutor, type StockFilter, type StockRow } from '@lumbung/read-model';

// Scoped variants of read-model's queryStock and queryShipments: the same SQL with two more
// conditions, a set of warehouses (a warehouse officer's) and an owning member (a member's own
// warehouses and direct shipments). They belong in libs/read-model's queries once that folder is
// free to change; until then they live here so the query API can filter in SQL, page included.

const placeholders = (n: number) => Array.from({ length: n }, () => '?').join(', ');

/** `col IN (...)`, or a condition that matches nothing for an empty set (a scope of no warehouses sees nothing). */
function inSet(where: Where, col: string, ids: readonly string[] | undefined): Where {
  if (ids === undefined) return where;
  return ids.length ? where.add(`${col} IN (${placeholders(ids.length)})`, ...ids) : where.add('1 = 0');
}

export interface ScopedStockFilter extends StockFilter {
  warehouseIds?: readonly string[];
  ownerMemberId?: string;
}

const STOCK_NUMS = ['on_hand', 'reserved', 'available', 'deployed', 'in_transit_out', 'expiring_quantity'];
const STOCK_SORT = { warehouse: 's.warehouse_id', item: 's.item_id', available: 's.available', on_hand: 's.on_hand', last_movement_at: 's.last_movement_at', district: 'w.district_key', next_expiry: 'next_expiry' };
export const STOCK_SORT_FIELDS = Object.keys(STOCK_SORT);

export async function queryStockScoped(ds: DataSource, f: ScopedStockFilter = {}): Promise<Page<StockRow>> {
  return withExecutor(ds, async (sql) => {
    const until = new Date(Date.parse(f.asOf ?? new Date().toISOString()) + (f.expiringWithinDays ?? 0) * 86_400_000).toISOString().slice(0, 10);
    const batches = sql.table('rm_stock_batches');
    const expiring = `(SELECT COALESCE(SUM(b.quantity), 0) FROM ${batches} b WHERE b.warehouse_id = s.warehouse_id AND b.item_id = s.item_id AND b.expiry IS NOT NULL AND b.expiry <= ?)`;
    const nextExpiry = `(SELECT MIN(b.expiry) FROM ${batches} b WHERE b.warehouse_id = s.warehouse_id AND b.item_id = s.item_id AND b.expiry IS NOT NULL)`;
    const where = new Where()
      .when(f.warehouseId, 's.warehouse_id = ?', f.warehouseId)
      .when(f.ownerMemberId, 'w.owner_member_id = ?', f.ownerMemberId)
      .when(f.district, 'w.district_key = ?', f.district?.trim().toLowerCase())
      .when(f.itemId, 's.item_id = ?', f.itemId)
      .when(f.category, 'i.category = ?', f.category)
      .when(f.expiringWithinDays, `EXISTS (SELECT 1 FROM ${batches} b WHERE b.warehouse_id = s.warehouse_id AND b.item_id = s.item_id AND b.expiry IS NOT NULL AND b.expiry <= ?)`, until);
    inSet(where, 's.warehouse_id', f.warehouseIds);
    const from = `FROM ${sql.table('rm_stock')} s LEFT JOIN ${sql.table('rm_warehouses')} w ON w.warehouse_id = s.warehouse_id LEFT JOIN ${sql.table('rm_items')} i ON i.item_id = s.item_id ${where}`;
    const { limit, offset, orderBy } = paging(f, STOCK_SORT, 'warehouse', 's.item_id');
    const items = await sql.query<StockRow>(
      `SELECT s.warehouse_id, w.name AS warehouse_name, w.district, w.owner_member_id, s.item_id, i.name AS item_name, i.category, i.unit, s.on_hand, s.reserved, s.available,
              s.deployed, s.in_transit_out, s.last_movement_at, s.last_movement, ${expiring} AS expiring_quantity, ${nextExpiry} AS next_expiry
       ${from} ${orderBy} LIMIT ? OFFSET ?`,
      [until, ...where.params, limit, offset],
    );
    const [{ n }] = await sql.query<{ n: string }>(`SELECT COUNT(*) AS n ${from}`, where.params);
    return { items: items.map((r) => numbers(r, STOCK_NUMS)), total: Number(n), limit, offset };
  });
}

export interface ScopedShipmentFilter {
  limit?: number;
  offset?: number;
  sort?: string;
  direction?: 'asc' | 'desc';
  status?: string;
  dispatchId?: string;
  overdueAsOf?: string;
  warehouseId?: string;
  requestId?: string;
  incidentId?: string;
  destinationId?: string;
  warehouseIds?: readonly string[];
  /** shipments straight from the member, or from warehouses it owns */
  memberId?: string;
  /** shipments to this site */
  siteId?: string;
}

const SHIP_NUMS = ['line_count', 'quantity', 'received', 'damaged', 'short', 'over'];
const SHIP_SORT = { expected_at: 'expected_at', departed_at: 'departed_at', planned_at: 'planned_at', delivered_at: 'delivered_at', status: 'status' };
export const SHIPMENT_SORT_FIELDS = Object.keys(SHIP_SORT);

export async function queryShipmentsScoped(ds: DataSource, f: ScopedShipmentFilter = {}): Promise<Page<Record<string, unknown>>> {
  return withExecutor(ds, async (sql: SqlExecutor) => {
    const where = new Where()
      .when(f.status, 'status = ?', f.status)
      .when(f.dispatchId, 'dispatch_id = ?', f.dispatchId)
      .when(f.overdueAsOf, "status = 'in-transit' AND expected_at IS NOT NULL AND expected_at < ?", f.overdueAsOf ? new Date(f.overdueAsOf).toISOString() : undefined)
      .when(f.warehouseId, 'warehouse_id = ?', f.warehouseId)
      .when(f.requestId, 'request_id = ?', f.requestId)
      .when(f.incidentId, 'incident_id = ?', f.incidentId)
      .when(f.destinationId, 'destination_id = ?', f.destinationId)
      .when(f.siteId, "destination_kind = 'site' AND destination_id = ?", f.siteId)
      .when(f.memberId, `(member_id = ? OR warehouse_id IN (SELECT warehouse_id FROM ${sql.table('rm_warehouses')} WHERE owner_member_id = ?))`, f.memberId, f.memberId);
    inSet(where, 'warehouse_id', f.warehouseIds);
    const { limit, offset, orderBy } = paging(f, SHIP_SORT, f.overdueAsOf || f.status === 'in-transit' ? 'expected_at' : 'planned_at', 'dispatch_id');
    const from = `FROM ${sql.table('rm_shipments')} ${where}`;
    const rows = await sql.query<Record<string, unknown>>(`SELECT * ${from} ${orderBy} LIMIT ? OFFSET ?`, [...where.params, limit, offset]);
    const [{ n }] = await sql.query<{ n: string }>(`SELECT COUNT(*) AS n ${from}`, where.params);
    return { items: rows.map((r) => numbers(r, SHIP_NUMS)), total: Number(n), limit, offset };
  });
}

/** The warehouse's owner, or undefined when the read models do not know it. */
export async function warehouseOwner(ds: DataSource, warehouseId: string): Promise<string | null | undefined> {
  return withExecutor(ds, async (sql) => {
    const rows = await sql.query<{ owner_member_id: string | null }>(`SELECT owner_member_id FROM ${sql.table('rm_warehouses')} WHERE warehouse_id = ?`, [warehouseId]);
    return rows.length ? rows[0].owner_member_id : undefined;
  });
}

export async function incidentExists(ds: DataSource, incidentId: string): Promise<boolean> {
  return withExecutor(ds, async (sql) => (await sql.query(`SELECT 1 FROM ${sql.table('rm_incidents')} WHERE incident_id = ?`, [incidentId])).length > 0);
}

/** One pledge with its lines (queryPledges has no id filter), or undefined. */
export async function queryPledgeById(ds: DataSource, pledgeId: string): Promise<(Record<string, unknown> & { member_id: string | null }) | undefined> {
  return withExecutor(ds, async (sql) => {
    const [p] = await sql.query<Record<string, unknown>>(`SELECT * FROM ${sql.table('rm_pledges')} WHERE pledge_id = ?`, [pledgeId]);
    if (!p) return undefined;
    const lines = await sql.query<Record<string, unknown>>(`SELECT * FROM ${sql.table('rm_pledge_lines')} WHERE pledge_id = ? ORDER BY item_id`, [pledgeId]);
    return {
      ...numbers(p, ['offered_qty', 'delivered_qty']),
      member_id: (p.member_id as string | null) ?? null,
      lines: lines.map((l) => numbers(l, ['offered', 'accepted', 'delivered', 'outstanding', 'withdrawn', 'lapsed'])),
    };
  });
}
