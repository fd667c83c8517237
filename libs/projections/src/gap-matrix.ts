import { n, type Row } from './projection';
import type { ProjectionState } from './projection-state';
import { incidentDistrictsTable, itemsTable, sitesTable, warehousesTable } from './reference.projection';
import { requestLinesTable, requestsTable } from './fulfilment.projection';
import { pledgeLinesTable, pledgesTable } from './pledges.projection';
import { stockTable } from './stock.projection';

/**
 * The gap matrix of an incident computed from projection rows in memory: the pure twin of
 * libs/read-model's queryGapMatrix (three aggregate SQL queries over the same tables). Both must give
 * the same answer for the same rows (gap-matrix.int.spec.ts checks it against SQLite and PostgreSQL),
 * so an as-of replay of the log can show the matrix as the live query showed it then. Every filter,
 * grouping and sort below mirrors a clause of the SQL; the comments name it.
 */

export interface GapCellView {
  district: string | null;
  site_id: string;
  item_id: string;
  need: number;
  available_in_district: number;
}

export interface GapItemView {
  item_id: string;
  item_name: string | null;
  need: number;
  available: number;
  pledged: number;
  shortfall: number;
}

export interface GapMatrixView {
  incident_id: string;
  districts: string[];
  items: GapItemView[];
  cells: GapCellView[];
}

/** The rows of one read-model table by its name (from projection states, or anything else that holds them). */
export type TableRows = (table: string) => Iterable<Row>;

/** The tables of the given projection states, by table name (empty for a table none of them holds). */
export function rowsOf(states: readonly ProjectionState[]): TableRows {
  return (table) => {
    for (const s of states) {
      const rows = s.rows.get(table);
      if (rows) return rows.values();
    }
    return [];
  };
}

const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
/** SQL's ORDER BY on text under the C / BINARY collation the read models use: code unit order. */
const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function computeGapMatrix(rows: TableRows, incidentId: string): GapMatrixView {
  // SELECT district, district_key FROM rm_incident_districts WHERE incident_id = ? ORDER BY district_key
  const districts = [...rows(incidentDistrictsTable.name)]
    .filter((d) => d.incident_id === incidentId)
    .sort((a, b) => byText(String(a.district_key), String(b.district_key)));

  // need: approved requests of the incident, lines with outstanding > 0, LEFT JOIN rm_sites,
  // GROUP BY s.district_key, r.site_id, l.item_id (a site has one district, so by site and item).
  const approved = new Map<string, Row>();
  for (const r of rows(requestsTable.name)) if (r.incident_id === incidentId && r.status === 'approved') approved.set(String(r.request_id), r);
  const sites = new Map<string, Row>();
  for (const s of rows(sitesTable.name)) sites.set(String(s.site_id), s);
  const need = new Map<string, { district_key: string | null; district: string | null; site_id: string; item_id: string; need: number }>();
  for (const l of rows(requestLinesTable.name)) {
    const r = approved.get(String(l.request_id));
    if (!r || !(n(l.outstanding) > 0)) continue;
    const siteId = String(r.site_id);
    const site = sites.get(siteId);
    const districtKey = site ? str(site.district_key) : null;
    const key = `${districtKey}\u0000${siteId}\u0000${l.item_id}`;
    const g = need.get(key);
    if (g) g.need += n(l.outstanding);
    else need.set(key, { district_key: districtKey, district: site ? str(site.district) : null, site_id: siteId, item_id: String(l.item_id), need: n(l.outstanding) });
  }

  // available: rm_incident_districts JOIN active warehouses of those districts JOIN rm_stock with
  // available > 0, GROUP BY w.district_key, st.item_id.
  const districtKeys = new Set(districts.map((d) => String(d.district_key)));
  const warehouseDistrict = new Map<string, string>();
  for (const w of rows(warehousesTable.name)) {
    if (n(w.active) === 1 && w.district_key !== null && districtKeys.has(String(w.district_key))) warehouseDistrict.set(String(w.warehouse_id), String(w.district_key));
  }
  const available = new Map<string, { district_key: string; item_id: string; available: number }>();
  for (const st of rows(stockTable.name)) {
    const dk = warehouseDistrict.get(String(st.warehouse_id));
    if (dk === undefined || !(n(st.available) > 0)) continue;
    const key = `${dk}|${st.item_id}`;
    const g = available.get(key);
    if (g) g.available += n(st.available);
    else available.set(key, { district_key: dk, item_id: String(st.item_id), available: n(st.available) });
  }

  // pledged: accepted pledges of the incident, or of a request of the incident (LEFT JOIN rm_requests),
  // SUM(outstanding) GROUP BY item: an item whose lines are all delivered still appears, with 0.
  const requestIncident = new Map<string, unknown>();
  for (const r of rows(requestsTable.name)) requestIncident.set(String(r.request_id), r.incident_id);
  const counted = new Set<string>();
  for (const p of rows(pledgesTable.name)) {
    if (p.status !== 'accepted') continue;
    const viaRequest = p.request_id !== null && p.request_id !== undefined && requestIncident.get(String(p.request_id)) === incidentId;
    if (p.incident_id === incidentId || viaRequest) counted.add(String(p.pledge_id));
  }
  const pledged = new Map<string, number>();
  for (const pl of rows(pledgeLinesTable.name)) {
    if (!counted.has(String(pl.pledge_id))) continue;
    pledged.set(String(pl.item_id), (pledged.get(String(pl.item_id)) ?? 0) + n(pl.outstanding));
  }

  const items = new Map<string, GapItemView>();
  const item = (id: string): GapItemView => {
    let x = items.get(id);
    if (!x) items.set(id, (x = { item_id: id, item_name: null, need: 0, available: 0, pledged: 0, shortfall: 0 }));
    return x;
  };
  for (const g of need.values()) item(g.item_id).need += g.need;
  for (const a of available.values()) item(a.item_id).available += a.available;
  for (const [id, q] of pledged) item(id).pledged += q;
  if (items.size) {
    for (const r of rows(itemsTable.name)) {
      const x = items.get(String(r.item_id));
      if (x) x.item_name = str(r.name);
    }
  }
  for (const x of items.values()) x.shortfall = Math.max(0, x.need - x.available - x.pledged);
  return {
    incident_id: incidentId,
    districts: districts.map((d) => d.district as string),
    items: [...items.values()].sort((a, b) => b.shortfall - a.shortfall || a.item_id.localeCompare(b.item_id)),
    cells: [...need.values()]
      .map((g) => ({ district: g.district, site_id: g.site_id, item_id: g.item_id, need: g.need, available_in_district: available.get(`${g.district_key}|${g.item_id}`)?.available ?? 0 }))
      .sort((a, b) => (a.district ?? '').localeCompare(b.district ?? '') || a.site_id.localeCompare(b.site_id) || a.item_id.localeCompare(b.item_id)),
  };
}
