import type { DataSource } from 'typeorm';
import { withExecutor } from '../sql-executor';
import { num } from './paging';

// The dashboard's lists of places and of stock per warehouse and category: every warehouse and site
// (the map), and stock summed per warehouse and item category (the stock panel).

export interface CategoryStockRow {
  warehouse_id: string;
  warehouse_name: string | null;
  district: string | null;
  category: string;
  on_hand: number;
  reserved: number;
  available: number;
  deployed: number;
}

/** Stock per warehouse and item category (quantities summed over items; units differ, so this is a rough picture of mix, not weight). */
export async function queryStockByCategory(ds: DataSource, f: { warehouseIds?: readonly string[] } = {}): Promise<CategoryStockRow[]> {
  return withExecutor(ds, async (sql) => {
    const ids = f.warehouseIds;
    if (ids && ids.length === 0) return [];
    const where = ids ? `WHERE s.warehouse_id IN (${ids.map(() => '?').join(', ')})` : '';
    // Summed per warehouse and category first, then joined with the warehouses: 1,200 groups joined
    // instead of 12,000 stock rows.
    const rows = await sql.query<Record<string, unknown>>(
      `SELECT g.warehouse_id, w.name AS warehouse_name, w.district, g.category, g.on_hand, g.reserved, g.available, g.deployed
         FROM (SELECT s.warehouse_id, COALESCE(i.category, 'other') AS category, SUM(s.on_hand) AS on_hand, SUM(s.reserved) AS reserved,
                      SUM(s.available) AS available, SUM(s.deployed) AS deployed
                 FROM ${sql.table('rm_stock')} s LEFT JOIN ${sql.table('rm_items')} i ON i.item_id = s.item_id ${where}
                GROUP BY s.warehouse_id, COALESCE(i.category, 'other')) g
         LEFT JOIN ${sql.table('rm_warehouses')} w ON w.warehouse_id = g.warehouse_id
        ORDER BY g.warehouse_id, g.category`,
      ids ? [...ids] : [],
    );
    return rows.map((r) => ({
      warehouse_id: r.warehouse_id as string, warehouse_name: (r.warehouse_name as string | null) ?? null, district: (r.district as string | null) ?? null,
      category: r.category as string, on_hand: num(r.on_hand), reserved: num(r.reserved), available: num(r.available), deployed: num(r.deployed),
    }));
  });
}

export interface PlaceRow {
  kind: 'warehouse' | 'site';
  id: string;
  name: string | null;
  /** warehouse: its owner; site: posko, evacuation-site, village... */
  detail: string | null;
  district: string | null;
  active: boolean;
  /** changes whenever the place's registration does (the map's position cache key) */
  updated_at: string | null;
}

/** Every warehouse and site with its district (positions are not in the read models; see the query API's map endpoint). */
export async function queryPlaces(ds: DataSource): Promise<PlaceRow[]> {
  return withExecutor(ds, async (sql) => {
    const w = await sql.query<Record<string, unknown>>(`SELECT warehouse_id, name, owner_member_id, district, active, updated_at FROM ${sql.table('rm_warehouses')} ORDER BY warehouse_id`);
    const s = await sql.query<Record<string, unknown>>(`SELECT site_id, name, type, district, active, updated_at FROM ${sql.table('rm_sites')} ORDER BY site_id`);
    const row = (kind: 'warehouse' | 'site', id: unknown, r: Record<string, unknown>, detail: unknown): PlaceRow => ({
      kind, id: id as string, name: (r.name as string | null) ?? null, detail: (detail as string | null) ?? null, district: (r.district as string | null) ?? null,
      active: num(r.active) === 1, updated_at: (r.updated_at as string | null) ?? null,
    });
    return [...w.map((r) => row('warehouse', r.warehouse_id, r, r.owner_member_id)), ...s.map((r) => row('site', r.site_id, r, r.type))];
  });
}
