import type { DataSource } from 'typeorm';
import type { SqlExecutor } from '../sql-executor';
import { withExecutor } from '../sql-executor';
import { num, pct } from './paging';

// The commander dashboard's figures that the list endpoints do not give directly: per-incident key
// figures, deliveries and fill rate per day, stock per warehouse and category, the incidents and
// the places on the map. Small aggregates over indexed columns; an incident's shipments are those
// that name it or serve one of its requests (a dispatch against a request does not repeat the
// incident).

export interface IncidentSummary {
  incident_id: string;
  name: string | null;
  type: string | null;
  phase: string | null;
  districts: string[];
  active: boolean;
  registered_at: string | null;
}

export async function queryIncidentList(ds: DataSource): Promise<IncidentSummary[]> {
  return withExecutor(ds, async (sql) => {
    const rows = await sql.query<Record<string, unknown>>(`SELECT * FROM ${sql.table('rm_incidents')} ORDER BY active DESC, registered_at DESC, incident_id`);
    return rows.map((r) => ({
      incident_id: r.incident_id as string,
      name: (r.name as string | null) ?? null,
      type: (r.type as string | null) ?? null,
      phase: (r.phase as string | null) ?? null,
      districts: parseList(r.districts),
      active: num(r.active) === 1,
      registered_at: (r.registered_at as string | null) ?? null,
    }));
  });
}

function parseList(v: unknown): string[] {
  if (typeof v !== 'string' || !v) return [];
  try {
    const x = JSON.parse(v) as unknown;
    return Array.isArray(x) ? x.filter((s): s is string => typeof s === 'string') : [];
  } catch {
    return [];
  }
}

export interface IncidentFigures {
  incident_id: string;
  as_of: string;
  requests: { total: number; open: number; submitted: number; approved: number; rejected: number; cancelled: number; closed: number };
  /** approved quantities over the incident's requests, and how much of it arrived (each line counted up to its approved quantity) */
  approved_qty: number;
  delivered_qty: number;
  percent_delivered: number;
  /** mean seconds from a request's submission to its first delivery (requests with one), and to its full delivery (requests fully delivered) */
  mean_seconds_to_first_delivery: number | null;
  requests_with_delivery: number;
  mean_seconds_to_full_delivery: number | null;
  requests_fully_delivered: number;
  shipments: { planned: number; in_transit: number; overdue: number; delivered: number; cancelled: number; lost: number };
  pledges: { outstanding_qty: number; outstanding_pledges: number; accepted: number };
}

/** The incident's shipments: those naming it, and those serving its requests. */
const shipmentsOf = (sql: SqlExecutor) =>
  `(sh.incident_id = ? OR sh.request_id IN (SELECT request_id FROM ${sql.table('rm_requests')} WHERE incident_id = ?))`;

const seconds = (from: string | null | undefined, to: string | null | undefined): number | null =>
  from && to ? Math.max(0, (Date.parse(to) - Date.parse(from)) / 1000) : null;
const mean = (xs: number[]): number | null => (xs.length ? Math.round(xs.reduce((s, x) => s + x, 0) / xs.length) : null);

/** Key figures of one incident as of `asOf` (overdue = in transit past its expected arrival then). */
export async function queryIncidentFigures(ds: DataSource, incidentId: string, asOf = new Date().toISOString()): Promise<IncidentFigures> {
  return withExecutor(ds, async (sql) => {
    const requests = await sql.query<{ request_id: string; status: string | null; submitted_at: string | null }>(
      `SELECT request_id, status, submitted_at FROM ${sql.table('rm_requests')} WHERE incident_id = ?`, [incidentId],
    );
    const lines = await sql.query<{ request_id: string; approved: unknown; received: unknown; full_at: string | null }>(
      `SELECT l.request_id, l.approved, l.received, l.full_at FROM ${sql.table('rm_request_lines')} l
         JOIN ${sql.table('rm_requests')} r ON r.request_id = l.request_id WHERE r.incident_id = ?`, [incidentId],
    );
    const shipments = await sql.query<{ status: string; n: unknown; overdue: unknown }>(
      `SELECT sh.status, COUNT(*) AS n, SUM(CASE WHEN sh.status = 'in-transit' AND sh.expected_at IS NOT NULL AND sh.expected_at < ? THEN 1 ELSE 0 END) AS overdue
         FROM ${sql.table('rm_shipments')} sh WHERE ${shipmentsOf(sql)} GROUP BY sh.status`,
      [new Date(asOf).toISOString(), incidentId, incidentId],
    );
    const firstDeliveries = await sql.query<{ request_id: string; first_at: string | null }>(
      `SELECT sh.request_id, MIN(sh.delivered_at) AS first_at FROM ${sql.table('rm_shipments')} sh
        WHERE sh.request_id IN (SELECT request_id FROM ${sql.table('rm_requests')} WHERE incident_id = ?) AND sh.delivered_at IS NOT NULL
        GROUP BY sh.request_id`, [incidentId],
    );
    const pledges = await sql.query<{ pledge_id: string; outstanding: unknown }>(
      `SELECT p.pledge_id, SUM(pl.outstanding) AS outstanding
         FROM ${sql.table('rm_pledges')} p JOIN ${sql.table('rm_pledge_lines')} pl ON pl.pledge_id = p.pledge_id
         LEFT JOIN ${sql.table('rm_requests')} r ON r.request_id = p.request_id
        WHERE p.status = 'accepted' AND (p.incident_id = ? OR r.incident_id = ?) GROUP BY p.pledge_id`,
      [incidentId, incidentId],
    );

    const byStatus = (s: string) => requests.filter((r) => r.status === s).length;
    const approved = lines.reduce((s, l) => s + num(l.approved), 0);
    const delivered = lines.reduce((s, l) => s + Math.min(num(l.received), num(l.approved)), 0);
    const submittedAt = new Map(requests.map((r) => [r.request_id, r.submitted_at]));
    const toFirst = firstDeliveries.map((f) => seconds(submittedAt.get(f.request_id), f.first_at)).filter((x): x is number => x !== null);
    const linesOf = new Map<string, typeof lines>();
    for (const l of lines) linesOf.set(l.request_id, [...(linesOf.get(l.request_id) ?? []), l]);
    const toFull: number[] = [];
    for (const [id, ls] of linesOf) {
      const withApproval = ls.filter((l) => num(l.approved) > 0);
      if (!withApproval.length || withApproval.some((l) => !l.full_at)) continue;
      const s = seconds(submittedAt.get(id), withApproval.map((l) => l.full_at as string).sort().at(-1));
      if (s !== null) toFull.push(s);
    }
    const ship = (s: string) => num(shipments.find((x) => x.status === s)?.n);
    return {
      incident_id: incidentId,
      as_of: new Date(asOf).toISOString(),
      requests: {
        total: requests.length, open: byStatus('submitted') + byStatus('approved'), submitted: byStatus('submitted'), approved: byStatus('approved'),
        rejected: byStatus('rejected'), cancelled: byStatus('cancelled'), closed: byStatus('closed'),
      },
      approved_qty: approved,
      delivered_qty: delivered,
      percent_delivered: pct(delivered, approved),
      mean_seconds_to_first_delivery: mean(toFirst),
      requests_with_delivery: toFirst.length,
      mean_seconds_to_full_delivery: mean(toFull),
      requests_fully_delivered: toFull.length,
      shipments: {
        planned: ship('planned'), in_transit: ship('in-transit'), overdue: shipments.reduce((s, x) => s + num(x.overdue), 0),
        delivered: ship('delivered'), cancelled: ship('cancelled'), lost: ship('lost'),
      },
      pledges: {
        outstanding_qty: pledges.reduce((s, p) => s + num(p.outstanding), 0),
        outstanding_pledges: pledges.filter((p) => num(p.outstanding) > 0).length,
        accepted: pledges.length,
      },
    };
  });
}

export interface TimelineDay {
  /** local date (YYYY-MM-DD) at the asked UTC offset */
  day: string;
  deliveries: number;
  received_qty: number;
  /** approved so far (requests approved by the end of the day) */
  approved_cum: number;
  /** delivered so far within approved quantities */
  delivered_cum: number;
  fill_pct: number;
}

export interface IncidentTimeline {
  incident_id: string;
  utc_offset_minutes: number;
  days: TimelineDay[];
}

const MAX_DAYS = 62;

/**
 * Deliveries per day and the fill rate over time of one incident: per day, the deliveries received at
 * its sites, and (cumulative) the share of the approved quantities delivered, each request line
 * counted up to its approved quantity (the last day equals the key figures' percent delivered).
 * Days are local to `utcOffsetMinutes` (the dashboard sends the browser's); at most the last 62.
 */
export async function queryIncidentTimeline(ds: DataSource, incidentId: string, utcOffsetMinutes = 0, asOf = new Date().toISOString()): Promise<IncidentTimeline> {
  return withExecutor(ds, async (sql) => {
    const approvals = await sql.query<{ request_id: string; item_id: string; approved: unknown; approved_at: string | null }>(
      `SELECT l.request_id, l.item_id, l.approved, r.approved_at FROM ${sql.table('rm_request_lines')} l
         JOIN ${sql.table('rm_requests')} r ON r.request_id = l.request_id
        WHERE r.incident_id = ? AND l.approved > 0 AND r.approved_at IS NOT NULL`, [incidentId],
    );
    const receipts = await sql.query<{ dispatch_id: string; request_id: string | null; item_id: string; received: unknown; delivered_at: string }>(
      `SELECT sh.dispatch_id, sh.request_id, sl.item_id, sl.received, sh.delivered_at
         FROM ${sql.table('rm_shipments')} sh JOIN ${sql.table('rm_shipment_lines')} sl ON sl.dispatch_id = sh.dispatch_id
        WHERE ${shipmentsOf(sql)} AND sh.delivered_at IS NOT NULL AND sh.destination_kind = 'site'`,
      [incidentId, incidentId],
    );
    const day = (t: string) => new Date(Date.parse(t) + utcOffsetMinutes * 60_000).toISOString().slice(0, 10);
    const today = day(asOf);
    const first = [...approvals.map((a) => a.approved_at as string), ...receipts.map((r) => r.delivered_at)].map(day).sort()[0];
    if (!first) return { incident_id: incidentId, utc_offset_minutes: utcOffsetMinutes, days: [] };
    const last = [today, ...receipts.map((r) => day(r.delivered_at))].sort().at(-1)!;
    const days: string[] = [];
    for (let d = Date.parse(`${first}T00:00:00Z`); ; d += 86_400_000) {
      const s = new Date(d).toISOString().slice(0, 10);
      days.push(s);
      if (s >= last) break;
    }
    // One pass over the days with running sums, each approval and receipt touched once (it was a scan
    // of every approval for every day: minutes for an incident of 100,000 requests, on the event loop).
    const byDay = <T>(rows: T[], dayOf: (r: T) => string): Map<string, T[]> => {
      const m = new Map<string, T[]>();
      for (const r of rows) {
        const d = dayOf(r);
        const l = m.get(d);
        if (l) l.push(r);
        else m.set(d, [r]);
      }
      return m;
    };
    const approvalsByDay = byDay(approvals, (a) => day(a.approved_at as string));
    const receiptsByDay = byDay(receipts, (r) => day(r.delivered_at));
    const lines = new Map<string, { approved: number; received: number }>();
    const line = (k: string) => lines.get(k) ?? (lines.set(k, { approved: 0, received: 0 }), lines.get(k)!);
    const counted = (l: { approved: number; received: number }) => Math.min(l.approved, l.received);
    let approvedCum = 0;
    let deliveredCum = 0;
    const out: TimelineDay[] = [];
    const firstShown = Math.max(0, days.length - MAX_DAYS);
    days.forEach((d, i) => {
      for (const a of approvalsByDay.get(d) ?? []) {
        const l = line(`${a.request_id}|${a.item_id}`);
        deliveredCum -= counted(l);
        l.approved += num(a.approved);
        approvedCum += num(a.approved);
        deliveredCum += counted(l);
      }
      const todays = receiptsByDay.get(d) ?? [];
      for (const r of todays) {
        if (!r.request_id) continue;
        const l = line(`${r.request_id}|${r.item_id}`);
        deliveredCum -= counted(l);
        l.received += num(r.received);
        deliveredCum += counted(l);
      }
      if (i < firstShown) return;
      out.push({
        day: d,
        deliveries: new Set(todays.map((r) => r.dispatch_id)).size,
        received_qty: todays.reduce((sum, r) => sum + num(r.received), 0),
        approved_cum: approvedCum,
        delivered_cum: deliveredCum,
        fill_pct: pct(deliveredCum, approvedCum),
      });
    });
    return { incident_id: incidentId, utc_offset_minutes: utcOffsetMinutes, days: out };
  });
}

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
    const rows = await sql.query<Record<string, unknown>>(
      `SELECT s.warehouse_id, MIN(w.name) AS warehouse_name, MIN(w.district) AS district, COALESCE(i.category, 'other') AS category,
              SUM(s.on_hand) AS on_hand, SUM(s.reserved) AS reserved, SUM(s.available) AS available, SUM(s.deployed) AS deployed
         FROM ${sql.table('rm_stock')} s LEFT JOIN ${sql.table('rm_warehouses')} w ON w.warehouse_id = s.warehouse_id
         LEFT JOIN ${sql.table('rm_items')} i ON i.item_id = s.item_id ${where}
        GROUP BY s.warehouse_id, COALESCE(i.category, 'other') ORDER BY s.warehouse_id, category`,
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

/** The incidents of these requests, and the owners of these warehouses (the live event stream's filters). */
export async function queryChangeContext(ds: DataSource, requestIds: readonly string[], warehouseIds: readonly string[]): Promise<{ incidents: string[]; owners: string[] }> {
  if (!requestIds.length && !warehouseIds.length) return { incidents: [], owners: [] };
  return withExecutor(ds, async (sql) => {
    const incidents = new Set<string>();
    const owners = new Set<string>();
    for (let i = 0; i < requestIds.length; i += 500) {
      const ids = requestIds.slice(i, i + 500);
      const rows = await sql.query<{ incident_id: string | null }>(`SELECT DISTINCT incident_id FROM ${sql.table('rm_requests')} WHERE request_id IN (${ids.map(() => '?').join(', ')})`, [...ids]);
      for (const r of rows) if (r.incident_id) incidents.add(r.incident_id);
    }
    for (let i = 0; i < warehouseIds.length; i += 500) {
      const ids = warehouseIds.slice(i, i + 500);
      const rows = await sql.query<{ owner_member_id: string | null }>(`SELECT DISTINCT owner_member_id FROM ${sql.table('rm_warehouses')} WHERE warehouse_id IN (${ids.map(() => '?').join(', ')})`, [...ids]);
      for (const r of rows) if (r.owner_member_id) owners.add(r.owner_member_id);
    }
    return { incidents: [...incidents].sort(), owners: [...owners].sort() };
  });
}
