import type { DataSource } from 'typeorm';
import { withExecutor } from '../sql-executor';
import { numbers, paging, Where, type Page, type PageRequest } from './paging';

export interface StockFilter extends PageRequest {
  warehouseId?: string;
  district?: string;
  itemId?: string;
  category?: string;
  /** only rows with batches expiring on or before asOf + N days */
  expiringWithinDays?: number;
  /** ISO time the expiry window starts (default now) */
  asOf?: string;
}

export interface StockRow {
  warehouse_id: string;
  warehouse_name: string | null;
  district: string | null;
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

const NUMS = ['on_hand', 'reserved', 'available', 'deployed', 'in_transit_out', 'expiring_quantity'];
const SORT = { warehouse: 's.warehouse_id', item: 's.item_id', available: 's.available', on_hand: 's.on_hand', last_movement_at: 's.last_movement_at', district: 'w.district_key', next_expiry: 'next_expiry' };

/** Stock per warehouse and item, with the warehouse's district and the item's category, and what expires soon. */
export async function queryStock(ds: DataSource, f: StockFilter = {}): Promise<Page<StockRow>> {
  return withExecutor(ds, async (sql) => {
    const until = new Date(Date.parse(f.asOf ?? new Date().toISOString()) + (f.expiringWithinDays ?? 0) * 86_400_000).toISOString().slice(0, 10);
    const batches = sql.table('rm_stock_batches');
    const expiring = `(SELECT COALESCE(SUM(b.quantity), 0) FROM ${batches} b WHERE b.warehouse_id = s.warehouse_id AND b.item_id = s.item_id AND b.expiry IS NOT NULL AND b.expiry <= ?)`;
    const nextExpiry = `(SELECT MIN(b.expiry) FROM ${batches} b WHERE b.warehouse_id = s.warehouse_id AND b.item_id = s.item_id AND b.expiry IS NOT NULL)`;
    const where = new Where()
      .when(f.warehouseId, 's.warehouse_id = ?', f.warehouseId)
      .when(f.district, 'w.district_key = ?', f.district?.trim().toLowerCase())
      .when(f.itemId, 's.item_id = ?', f.itemId)
      .when(f.category, 'i.category = ?', f.category)
      .when(f.expiringWithinDays, `EXISTS (SELECT 1 FROM ${batches} b WHERE b.warehouse_id = s.warehouse_id AND b.item_id = s.item_id AND b.expiry IS NOT NULL AND b.expiry <= ?)`, until);
    const from = `FROM ${sql.table('rm_stock')} s LEFT JOIN ${sql.table('rm_warehouses')} w ON w.warehouse_id = s.warehouse_id LEFT JOIN ${sql.table('rm_items')} i ON i.item_id = s.item_id ${where}`;
    const { limit, offset, orderBy } = paging(f, SORT, 'warehouse', 's.item_id');
    const items = await sql.query<StockRow>(
      `SELECT s.warehouse_id, w.name AS warehouse_name, w.district, s.item_id, i.name AS item_name, i.category, i.unit, s.on_hand, s.reserved, s.available,
              s.deployed, s.in_transit_out, s.last_movement_at, s.last_movement, ${expiring} AS expiring_quantity, ${nextExpiry} AS next_expiry
       ${from} ${orderBy} LIMIT ? OFFSET ?`,
      [until, ...where.params, limit, offset],
    );
    const [{ n }] = await sql.query<{ n: string }>(`SELECT COUNT(*) AS n ${from}`, where.params);
    return { items: items.map((r) => numbers(r, NUMS)), total: Number(n), limit, offset };
  });
}

export interface DistrictStockRow {
  district: string | null;
  item_id: string;
  total_on_hand: number;
  total_reserved: number;
  total_available: number;
  total_in_transit_out: number;
  total_deployed: number;
  warehouses: number;
}

/**
 * Stock totals per district and item (warehouses grouped by their district).
 *
 * Every stock row is joined with its warehouse and summed into its (district, item) group: that part
 * has to touch each row. What is kept off the rows: the district's display name is the least
 * spelling among the district's warehouses, taken once per district afterwards (a MIN over text per
 * stock row compared strings 12,000 times per answer); the items are joined only for a category
 * filter, as a semi-join; and the sums come out as double precision and the count as an integer,
 * which both drivers hand over as numbers (exact below 2^53), so the rows go out as they come.
 */
export async function queryStockByDistrict(ds: DataSource, f: { itemId?: string; category?: string; district?: string } = {}): Promise<DistrictStockRow[]> {
  return withExecutor(ds, async (sql) => {
    const warehouses = sql.table('rm_warehouses');
    const where = new Where()
      .when(f.itemId, 's.item_id = ?', f.itemId)
      .when(f.category, `s.item_id IN (SELECT i.item_id FROM ${sql.table('rm_items')} i WHERE i.category = ?)`, f.category)
      .when(f.district, 'w.district_key = ?', f.district?.trim().toLowerCase());
    const sum = (c: string) => `CAST(SUM(s.${c}) AS DOUBLE PRECISION) AS total_${c}`;
    return sql.query<DistrictStockRow>(
      `SELECT d.district, g.item_id, g.total_on_hand, g.total_reserved, g.total_available, g.total_in_transit_out, g.total_deployed, g.warehouses
         FROM (SELECT w.district_key, s.item_id, ${['on_hand', 'reserved', 'available', 'in_transit_out', 'deployed'].map(sum).join(', ')}, CAST(COUNT(*) AS INTEGER) AS warehouses
                 FROM ${sql.table('rm_stock')} s JOIN ${warehouses} w ON w.warehouse_id = s.warehouse_id ${where}
                GROUP BY w.district_key, s.item_id) g
         LEFT JOIN (SELECT district_key, MIN(district) AS district FROM ${warehouses} GROUP BY district_key) d ON d.district_key = g.district_key
        ORDER BY g.district_key, g.item_id`,
      where.params, { prepare: true },
    );
  });
}

export interface ItemRow {
  item_id: string;
  name: string | null;
  category: string | null;
  unit: string | null;
}

/** The item catalogue the stock lists refer to (what a page needs to name items it reads by id elsewhere). */
export async function queryItems(ds: DataSource): Promise<ItemRow[]> {
  return withExecutor(ds, (sql) => sql.query<ItemRow>(`SELECT item_id, name, category, unit FROM ${sql.table('rm_items')} ORDER BY item_id`));
}
