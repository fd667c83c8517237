import type { DataSource } from 'typeorm';
import { withExecutor } from '../sql-executor';
import { acceptedPledgesOf, shipmentsOf } from './incident-scope';
import { groupBy, num, pct } from './paging';

// The commander dashboard's figures that the list endpoints do not give directly: per-incident key
// figures, deliveries and fill rate per day, stock per warehouse and category, the incidents and
// the places on the map. Small aggregates over indexed columns; an incident's shipments and pledges
// are those of incident-scope.ts.

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

const meanSeconds = (totalMs: unknown, count: number): number | null => (count > 0 ? Math.round(num(totalMs) / 1000 / count) : null);

/**
 * Key figures of one incident as of `asOf` (overdue = in transit past its expected arrival then).
 * Aggregated in SQL, a handful of rows back: requests by status with their first deliveries, the
 * approved lines' quantities, the fully delivered requests, shipments by status, accepted pledges. Each
 * reads one index range of the incident (see the indexes of rm_requests, rm_request_lines,
 * rm_shipments); the times to delivery are kept per request and line by the projection
 * (ms_to_first_delivery, ms_to_full), so no time arithmetic happens here.
 */
export async function queryIncidentFigures(ds: DataSource, incidentId: string, asOf = new Date().toISOString()): Promise<IncidentFigures> {
  return withExecutor(ds, async (sql) => {
    const asOfIso = new Date(asOf).toISOString();
    const requests = await sql.query<{ status: string | null; n: unknown; delivered: unknown; first_ms: unknown }>(
      `SELECT status, COUNT(*) AS n, COUNT(CASE WHEN submitted_at IS NOT NULL AND first_delivered_at IS NOT NULL THEN 1 END) AS delivered,
              SUM(CASE WHEN submitted_at IS NOT NULL AND first_delivered_at IS NOT NULL THEN ms_to_first_delivery ELSE 0 END) AS first_ms
         FROM ${sql.table('rm_requests')} WHERE incident_id = ? GROUP BY status`,
      [incidentId],
    );
    // The approved lines' quantities, each line counted up to its approved quantity (lines without
    // an approved quantity add nothing to either sum).
    const [lines] = await sql.query<{ approved: unknown; delivered: unknown }>(
      `SELECT SUM(l.approved) AS approved, SUM(CASE WHEN l.received < l.approved THEN l.received ELSE l.approved END) AS delivered
         FROM ${sql.table('rm_request_lines')} l WHERE l.incident_id = ? AND l.approved > 0`,
      [incidentId],
    );
    // Requests whose approved lines are all full, and for each the time to its latest line's full
    // delivery: the lines in request order from their index, grouped as they come. (Apart from the
    // sums above, which need no grouping: per-request sums beside the counts cost a third more.)
    const [full] = await sql.query<{ fully: unknown; full_ms: unknown }>(
      `SELECT COUNT(*) AS fully, SUM(x.ms) AS full_ms
         FROM (SELECT MAX(l.ms_to_full) AS ms FROM ${sql.table('rm_request_lines')} l WHERE l.incident_id = ? AND l.approved > 0
                GROUP BY l.request_id HAVING COUNT(l.full_at) = COUNT(*)) x`,
      [incidentId],
    );
    const shipments = await sql.query<{ status: string; n: unknown; overdue: unknown }>(
      `SELECT s.status, COUNT(*) AS n, SUM(CASE WHEN s.status = 'in-transit' AND s.expected_at IS NOT NULL AND s.expected_at < ? THEN 1 ELSE 0 END) AS overdue
         FROM (${shipmentsOf(sql, 'sh.status, sh.expected_at')}) s GROUP BY s.status`,
      [asOfIso, incidentId, incidentId],
    );
    const [pledges] = await sql.query<{ accepted: unknown; outstanding_pledges: unknown; outstanding_qty: unknown }>(
      `SELECT COUNT(*) AS accepted, SUM(CASE WHEN x.outstanding > 0 THEN 1 ELSE 0 END) AS outstanding_pledges, SUM(x.outstanding) AS outstanding_qty
         FROM (SELECT pl.pledge_id, SUM(pl.outstanding) AS outstanding FROM ${sql.table('rm_pledge_lines')} pl
                WHERE pl.pledge_id IN (${acceptedPledgesOf(sql)}) GROUP BY pl.pledge_id) x`,
      [incidentId, incidentId],
    );

    const byStatus = (s: string) => num(requests.find((r) => r.status === s)?.n);
    const withDelivery = requests.reduce((sum, r) => sum + num(r.delivered), 0);
    const approved = num(lines?.approved);
    const delivered = num(lines?.delivered);
    const fully = num(full?.fully);
    const ship = (s: string) => num(shipments.find((x) => x.status === s)?.n);
    return {
      incident_id: incidentId,
      as_of: asOfIso,
      requests: {
        total: requests.reduce((sum, r) => sum + num(r.n), 0), open: byStatus('submitted') + byStatus('approved'), submitted: byStatus('submitted'),
        approved: byStatus('approved'), rejected: byStatus('rejected'), cancelled: byStatus('cancelled'), closed: byStatus('closed'),
      },
      approved_qty: approved,
      delivered_qty: delivered,
      percent_delivered: pct(delivered, approved),
      mean_seconds_to_first_delivery: meanSeconds(requests.reduce((sum, r) => sum + num(r.first_ms), 0), withDelivery),
      requests_with_delivery: withDelivery,
      mean_seconds_to_full_delivery: meanSeconds(full?.full_ms, fully),
      requests_fully_delivered: fully,
      shipments: {
        planned: ship('planned'), in_transit: ship('in-transit'), overdue: shipments.reduce((sum, x) => sum + num(x.overdue), 0),
        delivered: ship('delivered'), cancelled: ship('cancelled'), lost: ship('lost'),
      },
      pledges: {
        outstanding_qty: num(pledges?.outstanding_qty),
        outstanding_pledges: num(pledges?.outstanding_pledges),
        accepted: num(pledges?.accepted),
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
      `SELECT s.dispatch_id, s.request_id, sl.item_id, sl.received, s.delivered_at
         FROM (${shipmentsOf(sql, 'sh.dispatch_id, sh.request_id, sh.delivered_at, sh.destination_kind')}) s
         JOIN ${sql.table('rm_shipment_lines')} sl ON sl.dispatch_id = s.dispatch_id
        WHERE s.delivered_at IS NOT NULL AND s.destination_kind = 'site'`,
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
    const approvalsByDay = groupBy(approvals, (a) => day(a.approved_at as string));
    const receiptsByDay = groupBy(receipts, (r) => day(r.delivered_at));
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
