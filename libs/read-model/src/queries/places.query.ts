import type { DataSource } from 'typeorm';
import { withExecutor } from '../sql-executor';

// The dashboard's map and stock panel: every warehouse and site where it is, the shipments on the road
// between them, and the stock available per warehouse and item category. The page is their only
// reader: the answers carry what it draws and nothing else (16 readers of a 1,000-place map each pay
// for every byte).

export interface StockByCategoryRow {
  warehouse_id: string;
  warehouse_name: string | null;
  district: string | null;
  /** available quantity per item category the warehouse holds stock rows of (an item without a known category counts as 'other') */
  available: Record<string, number>;
}

/**
 * Stock available per warehouse and item category (quantities summed over items; units differ, so this
 * is a rough picture of mix, not weight), one row per warehouse.
 *
 * The categories are read first (a few rows of rm_items), and the stock rows are summed once per
 * warehouse with a sum per category: one group per warehouse instead of one per warehouse and
 * category, and 200 rows to hand over instead of 1,200.
 */
export async function queryStockByCategory(ds: DataSource, f: { warehouseIds?: readonly string[] } = {}): Promise<StockByCategoryRow[]> {
  return withExecutor(ds, async (sql) => {
    const ids = f.warehouseIds;
    if (ids && ids.length === 0) return [];
    const items = sql.table('rm_items');
    const known = await sql.query<{ category: string }>(`SELECT DISTINCT COALESCE(category, 'other') AS category FROM ${items}`, [], { prepare: true });
    // 'other' also takes stock of an item rm_items does not know (yet): the LEFT JOIN gives it no category
    const categories = [...new Set([...known.map((c) => c.category), 'other'])].sort();
    const sums = categories.map((_, i) => `SUM(CASE WHEN COALESCE(i.category, 'other') = ? THEN s.available END) AS c${i}`).join(', ');
    const where = ids ? `WHERE s.warehouse_id IN (${ids.map(() => '?').join(', ')})` : '';
    const rows = await sql.query<Record<string, unknown>>(
      `SELECT g.*, w.name AS warehouse_name, w.district
         FROM (SELECT s.warehouse_id, ${sums} FROM ${sql.table('rm_stock')} s LEFT JOIN ${items} i ON i.item_id = s.item_id ${where} GROUP BY s.warehouse_id) g
         LEFT JOIN ${sql.table('rm_warehouses')} w ON w.warehouse_id = g.warehouse_id
        ORDER BY g.warehouse_id`,
      [...categories, ...(ids ?? [])], { prepare: !ids }, // a member's own warehouses: an IN list, not prepared
    );
    const out: StockByCategoryRow[] = new Array(rows.length);
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r];
      const available: Record<string, number> = {};
      // a category without stock rows in the warehouse sums to NULL: left out, as no group was made for it
      for (let i = 0; i < categories.length; i++) {
        const v = row[`c${i}`];
        if (v !== null && v !== undefined) available[categories[i]] = Number(v);
      }
      out[r] = { warehouse_id: row.warehouse_id as string, warehouse_name: (row.warehouse_name as string | null) ?? null, district: (row.district as string | null) ?? null, available };
    }
    return out;
  });
}

/** A warehouse or site on the map: lat and lon are null where the read model has no position for it. */
export interface MapPlace {
  id: string;
  name: string | null;
  district: string | null;
  lat: number | null;
  lon: number | null;
}

/** A shipment on the road from a warehouse, as the map draws it. */
export interface MapTransit {
  dispatch_id: string;
  warehouse_id: string;
  destination_kind: string | null;
  destination_id: string | null;
}

export interface MapPlaces {
  warehouses: MapPlace[];
  sites: MapPlace[];
  /** shipments in transit from a warehouse, soonest expected first, at most `transitLimit` (default 500: more lines than a map can tell apart) */
  transit: MapTransit[];
}

/**
 * The map: every warehouse and site with its district and position (the reference projection keeps
 * them), and the shipments in transit between them. The rows leave the database in the answer's own
 * shape (the coordinates cast to double precision, which both drivers hand over as numbers): nothing
 * is copied or converted per row here.
 */
export async function queryMapPlaces(ds: DataSource, o: { transitLimit?: number } = {}): Promise<MapPlaces> {
  return withExecutor(ds, async (sql) => {
    const place = (key: string, table: string) =>
      `SELECT ${key} AS id, name, district, CAST(lat AS DOUBLE PRECISION) AS lat, CAST(lon AS DOUBLE PRECISION) AS lon FROM ${sql.table(table)} ORDER BY ${key}`;
    const warehouses = await sql.query<MapPlace>(place('warehouse_id', 'rm_warehouses'), [], { prepare: true });
    const sites = await sql.query<MapPlace>(place('site_id', 'rm_sites'), [], { prepare: true });
    const transit = await sql.query<MapTransit>(
      `SELECT dispatch_id, warehouse_id, destination_kind, destination_id FROM ${sql.table('rm_shipments')}
        WHERE status = 'in-transit' AND warehouse_id IS NOT NULL ORDER BY expected_at ASC, dispatch_id ASC LIMIT ?`,
      [o.transitLimit ?? 500], { prepare: true },
    );
    return { warehouses, sites, transit };
  });
}
