import type { DataSource } from 'typeorm';
import { withExecutor } from '../sql-executor';
import { SLOT_MS } from '@lumbung/projections';
import { queryIncidentPledges } from './incident-pledges.query';
import { looseShipmentsOf } from './incident-scope';
import { num, pct } from './paging';

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
  /** mean seconds from a request's submission to its first delivery (requests with one) */
  mean_seconds_to_first_delivery: number | null;
  requests_with_delivery: number;
  /**
   * mean seconds from a request's submission to the full delivery of each of its approved lines (lines
   * fully delivered; a request of one line: the time to its full delivery)
   */
  mean_seconds_to_full_delivery: number | null;
  lines_fully_delivered: number;
  /** requests whose approved lines are all fully delivered */
  requests_fully_delivered: number;
  shipments: { planned: number; in_transit: number; overdue: number; delivered: number; cancelled: number; lost: number };
  pledges: { outstanding_qty: number; outstanding_pledges: number; accepted: number };
}

const meanSeconds = (totalMs: unknown, count: number): number | null => (count > 0 ? Math.round(num(totalMs) / 1000 / count) : null);

/**
 * Key figures of one incident as of `asOf` (overdue = in transit past its expected arrival then).
 * Read from the sums the projections keep per incident (libs/projections' rollups: rm_incident_figures,
 * rm_incident_shipments), a row each, whatever the incident's size; then the few things those cannot
 * hold: the shipments overdue at `asOf` (an index range of the incident's shipments in transit), the
 * shipments naming no incident that serve its requests (incident-scope.ts; the command API names one
 * on every dispatch), and its accepted pledges (queryIncidentPledges: index ranges of their lines).
 */
export async function queryIncidentFigures(ds: DataSource, incidentId: string, asOf = new Date().toISOString()): Promise<IncidentFigures> {
  return withExecutor(ds, async (sql) => {
    const asOfIso = new Date(asOf).toISOString();
    const [f = {}] = await sql.query<Record<string, unknown>>(`SELECT * FROM ${sql.table('rm_incident_figures')} WHERE incident_id = ?`, [incidentId], { prepare: true });
    const [s = {}] = await sql.query<Record<string, unknown>>(`SELECT * FROM ${sql.table('rm_incident_shipments')} WHERE incident_id = ?`, [incidentId], { prepare: true });
    const [overdue] = await sql.query<{ n: unknown }>(
      `SELECT COUNT(*) AS n FROM ${sql.table('rm_shipments')} WHERE incident_id = ? AND status = 'in-transit' AND expected_at < ?`, [incidentId, asOfIso], { prepare: true },
    );
    const loose = await sql.query<{ status: string | null; expected_at: string | null }>(looseShipmentsOf(sql, 'sh.status, sh.expected_at'), [incidentId], { prepare: true });
    const pledges = await queryIncidentPledges(sql, incidentId);

    const ship = (column: string, status: string) => num(s[column]) + loose.filter((x) => x.status === status).length;
    const approved = num(f.approved_qty);
    const delivered = num(f.delivered_qty);
    const withDelivery = num(f.with_delivery);
    const fullLines = num(f.full_lines);
    return {
      incident_id: incidentId,
      as_of: asOfIso,
      requests: {
        total: num(f.requests), open: num(f.submitted) + num(f.approved), submitted: num(f.submitted),
        approved: num(f.approved), rejected: num(f.rejected), cancelled: num(f.cancelled), closed: num(f.closed),
      },
      approved_qty: approved,
      delivered_qty: delivered,
      percent_delivered: pct(delivered, approved),
      mean_seconds_to_first_delivery: meanSeconds(f.first_ms, withDelivery),
      requests_with_delivery: withDelivery,
      mean_seconds_to_full_delivery: meanSeconds(f.full_ms, fullLines),
      lines_fully_delivered: fullLines,
      requests_fully_delivered: num(f.fully_delivered),
      shipments: {
        planned: ship('planned', 'planned'), in_transit: ship('in_transit', 'in-transit'),
        overdue: num(overdue?.n) + loose.filter((x) => x.status === 'in-transit' && x.expected_at !== null && x.expected_at < asOfIso).length,
        delivered: ship('delivered', 'delivered'), cancelled: ship('cancelled', 'cancelled'), lost: ship('lost', 'lost'),
      },
      pledges: { outstanding_qty: pledges.outstanding_qty, outstanding_pledges: pledges.outstanding_pledges, accepted: pledges.accepted },
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
const DAY_MS = 86_400_000;
const SLOTS_PER_DAY = DAY_MS / SLOT_MS;

/**
 * Deliveries per day and the fill rate over time of one incident: per day, the deliveries received at
 * its sites, and (cumulative) the share of the approved quantities delivered, each request line
 * counted up to its approved quantity (the last day equals the key figures' percent delivered).
 * Days are local to `utcOffsetMinutes` (the dashboard sends the browser's); at most the last 62.
 *
 * Read from the sums the projections keep per incident and quarter of an hour (rollups:
 * rm_incident_line_times, rm_incident_delivery_times): the ends of their ranges, the sums before the
 * shown days in one total each, and the shown days summed per local day in SQL: at most 62 rows back
 * whatever the incident's size or age. Delivered so far = received by deliveries serving its requests, less
 * each line's excess over its approved quantity, taken at the line's last delivery (exact at the end;
 * a line delivered over its approval and then delivered again counts its excess until that last
 * delivery). Shipments naming no incident that serve its requests are added from their rows.
 * `asOf` (default now) only extends the days to today.
 */
export async function queryIncidentTimeline(ds: DataSource, incidentId: string, utcOffsetMinutes = 0, asOf = new Date().toISOString()): Promise<IncidentTimeline> {
  return withExecutor(ds, async (sql) => {
    if (!Number.isInteger(utcOffsetMinutes) || utcOffsetMinutes % 15 !== 0) throw new RangeError('utcOffsetMinutes must be a whole number of quarter hours');
    // local day number of a slot: (slot + offset in slots) / slots per day, rounded down (slots are positive)
    const offsetSlots = utcOffsetMinutes / 15;
    const dayOf = `((slot + ${offsetSlots}) / ${SLOTS_PER_DAY})`;
    const lineTimes = sql.table('rm_incident_line_times');
    const deliveryTimes = sql.table('rm_incident_delivery_times');
    const loose = await sql.query<{ delivered_at: string; destination_kind: string | null; received: unknown }>(
      `${looseShipmentsOf(sql, 'sh.delivered_at, sh.destination_kind, sh.received')} AND sh.delivered_at IS NOT NULL`, [incidentId], { prepare: true },
    );
    // The days span from the first approval or delivery to today or the last delivery: the ends of the
    // rollups' key ranges (one index probe each).
    const [ends] = await sql.query<{ first_line: unknown; first_delivery: unknown; last_delivery: unknown }>(
      `SELECT (SELECT MIN(slot) FROM ${lineTimes} WHERE incident_id = ?) AS first_line, (SELECT MIN(slot) FROM ${deliveryTimes} WHERE incident_id = ?) AS first_delivery,
              (SELECT MAX(slot) FROM ${deliveryTimes} WHERE incident_id = ?) AS last_delivery`,
      [incidentId, incidentId, incidentId], { prepare: true },
    );
    const slotDay = (slot: unknown) => Math.floor((num(slot) + offsetSlots) / SLOTS_PER_DAY);
    const localDay = (t: string) => Math.floor((Date.parse(t) + utcOffsetMinutes * 60_000) / DAY_MS);
    const starts = [ends?.first_line, ends?.first_delivery].filter((x) => x !== null && x !== undefined).map(slotDay);
    const looseDays = loose.map((sh) => localDay(sh.delivered_at));
    if (!starts.length && !looseDays.length) return { incident_id: incidentId, utc_offset_minutes: utcOffsetMinutes, days: [] };
    const first = Math.min(...starts, ...looseDays);
    const last = Math.max(localDay(asOf), ...(ends?.last_delivery !== null && ends?.last_delivery !== undefined ? [slotDay(ends.last_delivery)] : []), ...looseDays);
    const firstShown = Math.max(first, last - MAX_DAYS + 1);
    // Days before the window count only towards the running sums: summed whole; the window's per day.
    const from = firstShown * SLOTS_PER_DAY - offsetSlots;
    const [before] = await sql.query<{ approved: unknown; excess: unknown; request_received: unknown }>(
      `SELECT (SELECT SUM(approved) FROM ${lineTimes} WHERE incident_id = ? AND slot < ?) AS approved, (SELECT SUM(excess) FROM ${lineTimes} WHERE incident_id = ? AND slot < ?) AS excess,
              (SELECT SUM(request_received) FROM ${deliveryTimes} WHERE incident_id = ? AND slot < ?) AS request_received`,
      [incidentId, from, incidentId, from, incidentId, from], { prepare: true },
    );
    const lines = await sql.query<{ day: unknown; approved: unknown; excess: unknown }>(
      `SELECT ${dayOf} AS day, SUM(approved) AS approved, SUM(excess) AS excess FROM ${lineTimes} WHERE incident_id = ? AND slot >= ? GROUP BY ${dayOf}`,
      [incidentId, from], { prepare: true },
    );
    const receipts = await sql.query<{ day: unknown; deliveries: unknown; received_qty: unknown; request_received: unknown }>(
      `SELECT ${dayOf} AS day, SUM(deliveries) AS deliveries, SUM(received_qty) AS received_qty, SUM(request_received) AS request_received
         FROM ${deliveryTimes} WHERE incident_id = ? AND slot >= ? GROUP BY ${dayOf}`,
      [incidentId, from], { prepare: true },
    );
    const perDay = new Map<number, { approved: number; excess: number; deliveries: number; received: number; requestReceived: number }>();
    const at = (d: number) => perDay.get(d) ?? (perDay.set(d, { approved: 0, excess: 0, deliveries: 0, received: 0, requestReceived: 0 }), perDay.get(d)!);
    for (const l of lines) {
      const x = at(num(l.day));
      x.approved += num(l.approved);
      x.excess += num(l.excess);
    }
    for (const r of receipts) {
      const x = at(num(r.day));
      x.deliveries += num(r.deliveries);
      x.received += num(r.received_qty);
      x.requestReceived += num(r.request_received);
    }
    let approvedCum = num(before?.approved);
    let deliveredCum = num(before?.request_received) - num(before?.excess);
    loose.forEach((sh, i) => {
      if (looseDays[i] < firstShown) {
        deliveredCum += num(sh.received);
        return;
      }
      const x = at(looseDays[i]);
      const site = sh.destination_kind === 'site';
      x.deliveries += site ? 1 : 0;
      x.received += site ? num(sh.received) : 0;
      x.requestReceived += num(sh.received);
    });
    const out: TimelineDay[] = [];
    for (let d = firstShown; d <= last; d++) {
      const x = perDay.get(d);
      if (x) {
        approvedCum += x.approved;
        deliveredCum += x.requestReceived - x.excess;
      }
      out.push({
        day: new Date(d * DAY_MS).toISOString().slice(0, 10),
        deliveries: x?.deliveries ?? 0,
        received_qty: x?.received ?? 0,
        approved_cum: approvedCum,
        delivered_cum: deliveredCum,
        fill_pct: pct(deliveredCum, approvedCum),
      });
    }
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
