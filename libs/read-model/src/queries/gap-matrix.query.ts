import type { DataSource } from 'typeorm';
import { withExecutor } from '../sql-executor';
import { acceptedPledgeLinesOf } from './incident-scope';
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

/** The stock of one item in one district: district key, then item. */
type StockBy = Map<string, Map<string, number>>;

/**
 * Cells by district, site and item as the dashboard has always listed them: localeCompare, not code
 * unit order, because ids may mix cases and . _ : - (which the two order differently). V8 compares
 * one-byte strings without ICU, so it costs little; a district is compared only when it differs.
 */
const byCell = (a: GapCell, b: GapCell): number =>
  (a.district === b.district ? 0 : (a.district ?? '').localeCompare(b.district ?? '')) || a.site_id.localeCompare(b.site_id) || a.item_id.localeCompare(b.item_id);

/**
 * The gap matrix of an incident, computed at query time from the base read models (requests and their
 * lines, stock, warehouses, sites, the incident's districts, pledge lines, items) by three indexed
 * aggregate statements. Not materialised: a materialised matrix would have to read other rows (the
 * incident's districts, a warehouse's district) to decide which cells a stock movement touches. Each
 * aggregate starts from a small index range: the incident's lines still to dispatch (rm_request_lines
 * keeps its request's incident), its districts and their warehouses, the lines of its accepted pledges
 * (rm_pledge_lines keeps its pledge's scope). Three statements rather than one per part: each
 * statement costs a round trip, a plan and the driver's per-query work, which for the small parts was
 * most of their price.
 */
export async function queryGapMatrix(ds: DataSource, incidentId: string): Promise<GapMatrix> {
  return withExecutor(ds, async (sql) => {
    const items = new Map<string, GapItem>();
    const item = (id: string) => {
      let x = items.get(id);
      if (!x) items.set(id, (x = { item_id: id, item_name: null, need: 0, available: 0, pledged: 0, shortfall: 0 }));
      return x;
    };

    // The need per site and item, with the site's district: l.incident_id is the request's (both
    // written by its submission), so the lines' own index narrows the join to the few lines with
    // something outstanding; r.incident_id keeps the meaning. Grouped by site and item before the
    // sites are joined (a site has one district, so that is the grouping by district, site and item):
    // the planner then hashes the sites once instead of looking one up per line.
    const need = await sql.query<{ district_key: string | null; district: string | null; site_id: string; item_id: string; need: unknown }>(
      `SELECT s.district_key, s.district, x.site_id, x.item_id, x.need
         FROM (SELECT r.site_id, l.item_id, SUM(l.outstanding) AS need
                 FROM ${sql.table('rm_request_lines')} l JOIN ${sql.table('rm_requests')} r ON r.request_id = l.request_id
                WHERE l.incident_id = ? AND l.outstanding > 0 AND r.incident_id = ? AND r.status = 'approved'
                GROUP BY r.site_id, l.item_id) x
         LEFT JOIN ${sql.table('rm_sites')} s ON s.site_id = x.site_id`,
      [incidentId, incidentId], { prepare: true },
    );

    // The incident's districts (in district_key order) with the available stock per item in their
    // active warehouses: a district without any comes once, with no item.
    const stock = await sql.query<{ district_key: string; district: string; item_id: string | null; available: unknown }>(
      `SELECT d.district_key, d.district, w.item_id, SUM(w.available) AS available
         FROM ${sql.table('rm_incident_districts')} d
         LEFT JOIN (SELECT wh.district_key, st.item_id, st.available
                      FROM ${sql.table('rm_warehouses')} wh JOIN ${sql.table('rm_stock')} st ON st.warehouse_id = wh.warehouse_id
                     WHERE wh.active = 1 AND st.available > 0) w ON w.district_key = d.district_key
        WHERE d.incident_id = ?
        GROUP BY d.district_key, d.district, w.item_id
        ORDER BY d.district_key`,
      [incidentId], { prepare: true },
    );
    const districts: string[] = [];
    const availableBy: StockBy = new Map();
    let lastKey: string | undefined;
    for (const a of stock) {
      if (a.district_key !== lastKey) {
        districts.push(a.district);
        availableBy.set((lastKey = a.district_key), new Map());
      }
      if (a.item_id === null) continue;
      const q = num(a.available);
      availableBy.get(a.district_key)!.set(a.item_id, q);
      item(a.item_id).available += q;
    }

    // The cells as the answer carries them, built once from the driver's rows (no intermediate copy).
    const cells: GapCell[] = [];
    for (const n of need) {
      const q = num(n.need);
      item(n.item_id).need += q;
      const inDistrict = n.district_key === null ? undefined : availableBy.get(n.district_key)?.get(n.item_id);
      cells.push({ district: n.district, site_id: n.site_id, item_id: n.item_id, need: q, available_in_district: inDistrict ?? 0 });
    }

    // The pledged quantities per item (the lines of the incident's accepted pledges), and every item's
    // name: the items seen so far come in with nothing pledged, so that one statement names them all
    // (an item with accepted lines all delivered comes too, with 0, as an item with pledges).
    const seen = [...items.keys()];
    const pledged = await sql.query<{ item_id: string; pledged: unknown; name: string | null }>(
      `SELECT x.item_id, x.pledged, i.name
         FROM (SELECT y.item_id, SUM(y.pledged) AS pledged
                 FROM (${acceptedPledgeLinesOf(sql, 'pl.item_id, pl.outstanding AS pledged')}
                       ${seen.length ? `UNION ALL SELECT item_id, 0 FROM ${sql.table('rm_items')} WHERE item_id IN (${seen.map(() => '?').join(', ')})` : ''}) y
                GROUP BY y.item_id) x
         LEFT JOIN ${sql.table('rm_items')} i ON i.item_id = x.item_id`,
      [incidentId, incidentId, incidentId, ...seen],
    );
    for (const p of pledged) {
      const x = item(p.item_id);
      x.pledged += num(p.pledged);
      x.item_name = p.name;
    }
    for (const x of items.values()) x.shortfall = Math.max(0, x.need - x.available - x.pledged);
    return {
      incident_id: incidentId,
      districts,
      items: [...items.values()].sort((a, b) => b.shortfall - a.shortfall || a.item_id.localeCompare(b.item_id)),
      cells: cells.sort(byCell),
    };
  });
}
