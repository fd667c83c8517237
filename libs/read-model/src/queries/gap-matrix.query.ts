import type { DataSource } from 'typeorm';
import { withExecutor } from '../sql-executor';
import { acceptedPledgesOf } from './incident-scope';
import { num } from './paging';

export interface GapCell {
  district: string | null;
  site_id: string;
  item_id: string;
  /** approved and not yet claimed by a standing dispatch, over the incident's approved requests */
  need: number;
  /** available stock of the item in warehouses of the site's district */
  available_in_district: number;
}

export interface GapItem {
  item_id: string;
  item_name: string | null;
  need: number;
  /** available stock in the warehouses of the incident's districts */
  available: number;
  /** accepted pledges for the incident (or its requests) not yet delivered */
  pledged: number;
  shortfall: number;
}

export interface GapMatrix {
  incident_id: string;
  districts: string[];
  items: GapItem[];
  cells: GapCell[];
}

/**
 * The gap matrix of an incident, computed at query time from the base read models (requests and their
 * lines, stock, warehouses, sites, the incident's districts, pledges) by three indexed aggregate
 * queries. Not materialised: a materialised matrix would have to read other rows (the incident's
 * districts, a warehouse's district) to decide which cells a stock movement touches. Each aggregate
 * starts from a small index range: the incident's lines still to dispatch (rm_request_lines keeps its
 * request's incident), the warehouses of its districts, its accepted pledges.
 */
export async function queryGapMatrix(ds: DataSource, incidentId: string): Promise<GapMatrix> {
  return withExecutor(ds, async (sql) => {
    const districts = await sql.query<{ district: string; district_key: string }>(
      `SELECT district, district_key FROM ${sql.table('rm_incident_districts')} WHERE incident_id = ? ORDER BY district_key`, [incidentId],
    );
    // l.incident_id is the request's (both written by its submission), so the lines' own index
    // narrows the join to the few lines with something outstanding; r.incident_id keeps the meaning.
    const need = await sql.query<{ district_key: string | null; district: string | null; site_id: string; item_id: string; need: string }>(
      `SELECT s.district_key, MIN(s.district) AS district, r.site_id, l.item_id, SUM(l.outstanding) AS need
         FROM ${sql.table('rm_request_lines')} l JOIN ${sql.table('rm_requests')} r ON r.request_id = l.request_id
         LEFT JOIN ${sql.table('rm_sites')} s ON s.site_id = r.site_id
        WHERE l.incident_id = ? AND l.outstanding > 0 AND r.incident_id = ? AND r.status = 'approved'
        GROUP BY s.district_key, r.site_id, l.item_id`,
      [incidentId, incidentId],
    );
    const available = await sql.query<{ district_key: string; item_id: string; available: string }>(
      `SELECT w.district_key, st.item_id, SUM(st.available) AS available
         FROM ${sql.table('rm_incident_districts')} d
         JOIN ${sql.table('rm_warehouses')} w ON w.district_key = d.district_key AND w.active = 1
         JOIN ${sql.table('rm_stock')} st ON st.warehouse_id = w.warehouse_id
        WHERE d.incident_id = ? AND st.available > 0
        GROUP BY w.district_key, st.item_id`,
      [incidentId],
    );
    const pledged = await sql.query<{ item_id: string; pledged: string }>(
      `SELECT pl.item_id, SUM(pl.outstanding) AS pledged FROM ${sql.table('rm_pledge_lines')} pl
        WHERE pl.pledge_id IN (${acceptedPledgesOf(sql)})
        GROUP BY pl.item_id`,
      [incidentId, incidentId],
    );
    const availableBy = new Map(available.map((a) => [`${a.district_key}|${a.item_id}`, num(a.available)]));
    const items = new Map<string, GapItem>();
    const item = (id: string) => {
      let x = items.get(id);
      if (!x) items.set(id, (x = { item_id: id, item_name: null, need: 0, available: 0, pledged: 0, shortfall: 0 }));
      return x;
    };
    for (const n of need) item(n.item_id).need += num(n.need);
    for (const a of available) item(a.item_id).available += num(a.available);
    for (const p of pledged) item(p.item_id).pledged += num(p.pledged);
    const ids = [...items.keys()];
    if (ids.length) {
      const names = await sql.query<{ item_id: string; name: string }>(`SELECT item_id, name FROM ${sql.table('rm_items')} WHERE item_id IN (${ids.map(() => '?').join(', ')})`, ids);
      for (const r of names) item(r.item_id).item_name = r.name;
    }
    for (const x of items.values()) x.shortfall = Math.max(0, x.need - x.available - x.pledged);
    return {
      incident_id: incidentId,
      districts: districts.map((d) => d.district),
      items: [...items.values()].sort((a, b) => b.shortfall - a.shortfall || a.item_id.localeCompare(b.item_id)),
      cells: need
        .map((n) => ({ district: n.district, site_id: n.site_id, item_id: n.item_id, need: num(n.need), available_in_district: availableBy.get(`${n.district_key}|${n.item_id}`) ?? 0 }))
        .sort((a, b) => (a.district ?? '').localeCompare(b.district ?? '') || a.site_id.localeCompare(b.site_id) || a.item_id.localeCompare(b.item_id)),
    };
  });
}
