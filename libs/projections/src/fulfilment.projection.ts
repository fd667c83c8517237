import type {
  DispatchDeliveredData, DispatchPlannedData, RequestApprovedData, RequestCancelledData, RequestClosedData, RequestDispatchRecordedData,
  RequestDispatchReleasedData, RequestRejectedData, RequestSubmittedData,
} from '@lumbung/domain';
import { int, iso, maxTime, minTime, n, text, table, upsert, type Projection, type ProjectionEvent, type Row, type RowChange, type RowValue } from './projection';
import type { Contribution, Rollup } from './rollup';

/**
 * Request fulfilment per request line: requested and approved (request stream), dispatched (claims of
 * standing dispatches, request stream), received / damaged / short / over (receipts on the dispatch
 * streams, routed by the request the dispatch named when planned). Derived columns (outstanding,
 * percent filled, when the line was fully delivered) are recomputed from the row's own counters on
 * every change, so they converge too. Request-level "fully delivered at" is the latest line's full_at
 * once every line is full (query time).
 *
 * For an incident's key figures and gap matrix (libs/read-model's dashboard and gap-matrix queries),
 * which aggregate every request of an incident (10,000 and more), some values are kept where one
 * index range reads them, instead of joining rows at query time:
 * - rm_requests.first_delivered_at: the earliest delivery of any dispatch serving the request (a min
 *   that every dispatch stream feeds, in any order), and ms_to_first_delivery, derived on the row from
 *   it and submitted_at;
 * - rm_request_lines.incident_id and submitted_at: the request's, written by RequestSubmitted (the
 *   request's own stream, as line_no and requested are), so that an incident's lines are one index
 *   range; every line with an approved quantity has them, since approval covers the submitted lines
 *   only; and ms_to_full, derived on the line from full_at and submitted_at.
 * The ms_to_* columns are milliseconds (0 while either time is missing): the figures' means are sums
 * of them, with no time arithmetic in SQL.
 *
 * An incident's key figures and its fill rate over time are then kept as sums (rollups, rollup.ts), so
 * that a dashboard reads a row instead of aggregating 10,000 requests per answer:
 * - rm_incident_figures, a row per incident: its requests by status, those with a delivery and their
 *   summed time to it, the approved and delivered quantities of its approved lines, its fully delivered
 *   lines and requests (through rm_request_progress, a row per request with approved lines);
 * - rm_incident_line_times, per incident and quarter of an hour (slot, slotOf): quantities approved
 *   then, and the excess of lines over their approved quantity at their last delivery, which the
 *   timeline takes away from the quantities received (shipments projection) to count each line up to
 *   its approved quantity.
 */
export const requestsTable = table('rm_requests', ['request_id'], [
  text('request_id'), text('site_id'), text('incident_id'), text('priority'), text('needed_by'), text('status'),
  text('submitted_at'), text('approved_at'), text('ended_at'), text('reason'), int('line_count'),
  text('first_dispatch_at'), text('last_delivered_at'), int('active_dispatches'), int('deliveries'),
  text('first_delivered_at'), int('ms_to_first_delivery'),
], [
  // An incident's requests: the list by status and submission (request_id last: the list's
  // tie-break), and every column the key figures and the gap matrix read, so that both are index-only.
  ['incident_id', 'status', 'submitted_at', 'request_id', 'site_id', 'first_delivered_at', 'ms_to_first_delivery'],
  ['incident_id', 'needed_by', 'request_id'],
  ['site_id', 'submitted_at', 'request_id'],
  ['status', 'submitted_at', 'request_id'],
]);
export const requestLinesTable = table('rm_request_lines', ['request_id', 'item_id'], [
  text('request_id'), text('item_id'), int('line_no'), int('requested'), int('approved'), int('dispatched'), int('received'), int('damaged'),
  int('short'), int('over'), int('outstanding'), int('percent_filled'), text('delivered_at'), text('full_at'),
  text('incident_id'), text('submitted_at'), int('ms_to_full'), text('approved_at'),
], [
  ['item_id'],
  // the key figures: an incident's approved lines, index-only, in request order (so that grouping
  // them per request streams; PostgreSQL hashes 10,000 groups at several times the cost)
  ['incident_id', 'request_id', 'approved', 'received', 'full_at', 'ms_to_full'],
  // the gap matrix's need: an incident's lines still to dispatch (few)
  ['incident_id', 'outstanding', 'request_id', 'item_id'],
]);

/** Per request with approved lines: how many, and how many of them are fully delivered. */
export const requestProgressTable = table('rm_request_progress', ['incident_id', 'request_id'], [
  text('incident_id'), text('request_id'), int('approved_lines'), int('full_lines'),
]);
/** Per incident, its key figures' sums (see the header). */
export const incidentFiguresTable = table('rm_incident_figures', ['incident_id'], [
  text('incident_id'), int('requests'), int('submitted'), int('approved'), int('rejected'), int('cancelled'), int('closed'),
  int('with_delivery'), int('first_ms'), int('approved_qty'), int('delivered_qty'), int('full_lines'), int('full_ms'), int('fully_delivered'),
]);
/** Per incident and quarter-hour slot: approved quantities, and lines' excess over approved at their last delivery. */
export const incidentLineTimesTable = table('rm_incident_line_times', ['incident_id', 'slot'], [
  text('incident_id'), int('slot'), int('approved'), int('excess'),
], [
  // covering: the timeline sums a range of slots (the days before the ones it shows) from the index alone
  ['incident_id', 'slot', 'approved', 'excess'],
]);

/** Milliseconds per slot of the timeline's sums: a quarter of an hour, so that any UTC offset in use makes whole slots of a local day. */
export const SLOT_MS = 15 * 60_000;
/** The slot of an ISO time (null when there is none or it is unreadable). */
export const slotOf = (t: RowValue): number | null => {
  if (typeof t !== 'string') return null;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? null : Math.floor(ms / SLOT_MS);
};

const REQUEST_STATUSES = new Set(['submitted', 'approved', 'rejected', 'cancelled', 'closed']);

const requestFigures: Rollup = {
  source: requestsTable,
  target: incidentFiguresTable,
  contribute: (r) => {
    if (typeof r.incident_id !== 'string') return undefined;
    const amounts: Record<string, number> = { requests: 1 };
    if (typeof r.status === 'string' && REQUEST_STATUSES.has(r.status)) amounts[r.status] = 1;
    if (r.submitted_at !== null && r.first_delivered_at !== null) {
      amounts.with_delivery = 1;
      amounts.first_ms = n(r.ms_to_first_delivery);
    }
    return { key: { incident_id: r.incident_id }, amounts };
  },
};
const lineFigures: Rollup = {
  source: requestLinesTable,
  target: incidentFiguresTable,
  contribute: (l) => {
    const approved = n(l.approved);
    if (typeof l.incident_id !== 'string' || approved <= 0) return undefined;
    const full = l.full_at !== null;
    return {
      key: { incident_id: l.incident_id },
      amounts: { approved_qty: approved, delivered_qty: Math.min(n(l.received), approved), full_lines: full ? 1 : 0, full_ms: full ? n(l.ms_to_full) : 0 },
    };
  },
};
const lineProgress: Rollup = {
  source: requestLinesTable,
  target: requestProgressTable,
  contribute: (l) => {
    if (typeof l.incident_id !== 'string' || n(l.approved) <= 0) return undefined;
    return { key: { incident_id: l.incident_id, request_id: l.request_id }, amounts: { approved_lines: 1, full_lines: l.full_at !== null ? 1 : 0 } };
  },
};
const progressFigures: Rollup = {
  source: requestProgressTable,
  target: incidentFiguresTable,
  contribute: (p) => {
    const approved = n(p.approved_lines);
    return approved > 0 && n(p.full_lines) === approved ? { key: { incident_id: p.incident_id }, amounts: { fully_delivered: 1 } } : undefined;
  },
};
const lineTimes: Rollup = {
  source: requestLinesTable,
  target: incidentLineTimesTable,
  contribute: (l) => {
    if (typeof l.incident_id !== 'string') return undefined;
    const out: Contribution[] = [];
    const approved = n(l.approved);
    const approvedSlot = slotOf(l.approved_at);
    if (approved > 0 && approvedSlot !== null) out.push({ key: { incident_id: l.incident_id, slot: approvedSlot }, amounts: { approved } });
    const excess = n(l.received) - Math.max(0, approved);
    const deliveredSlot = slotOf(l.delivered_at);
    if (excess > 0 && deliveredSlot !== null) out.push({ key: { incident_id: l.incident_id, slot: deliveredSlot }, amounts: { excess } });
    return out;
  },
};

type Ctx = { requestId?: string };

/**
 * Milliseconds from one ISO time to a later one (0 when either is missing or unreadable, or the order
 * is reversed). Exported for the read-model migration that fills the ms_to_* columns of existing rows.
 */
export const msBetween = (from: RowValue, to: RowValue): number => {
  if (typeof from !== 'string' || typeof to !== 'string') return 0;
  const ms = Date.parse(to) - Date.parse(from);
  return ms > 0 ? ms : 0;
};

/**
 * Recomputes the derived columns on a row the change has just built (a fresh object, never the
 * previous row itself: setting them in place keeps the projection pure and saves a copy per change).
 */
const derive = (fresh: Row): Row => {
  const approved = n(fresh.approved);
  const received = n(fresh.received);
  fresh.outstanding = Math.max(0, approved - n(fresh.dispatched));
  fresh.percent_filled = approved > 0 ? Math.floor((Math.min(received, approved) * 100) / approved) : 0;
  fresh.full_at = approved > 0 && received >= approved ? fresh.delivered_at : null;
  fresh.ms_to_full = msBetween(fresh.submitted_at, fresh.full_at);
  return fresh;
};
const deriveRequest = (fresh: Row): Row => {
  fresh.ms_to_first_delivery = msBetween(fresh.submitted_at, fresh.first_delivered_at);
  return fresh;
};

const line = (requestId: string, itemId: string, f: (r: Row) => Row): RowChange =>
  upsert(requestLinesTable, { request_id: requestId, item_id: itemId }, (r) => derive(f(r)));
const request = (requestId: string, f: (r: Row) => Row): RowChange => upsert(requestsTable, { request_id: requestId }, (r) => deriveRequest(f(r)));

function changes(e: ProjectionEvent, ctx: Ctx): RowChange[] {
  switch (e.type) {
    case 'RequestSubmitted': {
      const d = e.data as unknown as RequestSubmittedData;
      return [
        request(d.requestId, (r) => ({
          ...r, site_id: d.siteId, incident_id: d.incidentId, priority: d.priority, needed_by: iso(d.neededBy), status: 'submitted',
          submitted_at: iso(d.submittedAt), line_count: d.lines.length,
        })),
        ...d.lines.map((l) => line(d.requestId, l.itemId, (r) => ({ ...r, line_no: l.line, requested: l.quantity, incident_id: d.incidentId, submitted_at: iso(d.submittedAt) }))),
      ];
    }
    case 'RequestApproved': {
      const d = e.data as unknown as RequestApprovedData;
      return [
        request(d.requestId, (r) => ({ ...r, status: 'approved', approved_at: iso(d.approvedAt) })),
        ...d.lines.map((l) => line(d.requestId, l.itemId, (r) => ({ ...r, approved: l.approved, approved_at: iso(d.approvedAt) }))),
      ];
    }
    case 'RequestRejected': {
      const d = e.data as unknown as RequestRejectedData;
      return [request(d.requestId, (r) => ({ ...r, status: 'rejected', ended_at: iso(d.rejectedAt), reason: d.reason }))];
    }
    case 'RequestCancelled': {
      const d = e.data as unknown as RequestCancelledData;
      return [request(d.requestId, (r) => ({ ...r, status: 'cancelled', ended_at: iso(d.cancelledAt), reason: d.reason }))];
    }
    case 'RequestClosed': {
      const d = e.data as unknown as RequestClosedData;
      return [request(d.requestId, (r) => ({ ...r, status: 'closed', ended_at: iso(d.closedAt), reason: d.reason ?? null }))];
    }
    case 'RequestDispatchRecorded': {
      const d = e.data as unknown as RequestDispatchRecordedData;
      const at = iso(d.recordedAt);
      return [
        request(d.requestId, (r) => ({ ...r, first_dispatch_at: minTime(r.first_dispatch_at, at), active_dispatches: n(r.active_dispatches) + 1 })),
        ...d.lines.map((l) => line(d.requestId, l.itemId, (r) => ({ ...r, dispatched: n(r.dispatched) + l.quantity }))),
      ];
    }
    case 'RequestDispatchReleased': {
      const d = e.data as unknown as RequestDispatchReleasedData;
      return [
        request(d.requestId, (r) => ({ ...r, active_dispatches: n(r.active_dispatches) - 1 })),
        ...d.lines.map((l) => line(d.requestId, l.itemId, (r) => ({ ...r, dispatched: n(r.dispatched) - l.quantity }))),
      ];
    }
    case 'DispatchDelivered': {
      const requestId = ctx.requestId;
      if (!requestId) return [];
      const d = e.data as unknown as DispatchDeliveredData;
      const at = iso(d.deliveredAt);
      return [
        request(requestId, (r) => ({
          ...r, first_delivered_at: minTime(r.first_delivered_at, at), last_delivered_at: maxTime(r.last_delivered_at, at), deliveries: n(r.deliveries) + 1,
        })),
        ...d.lines.map((l) =>
          line(requestId, l.itemId, (r) => ({
            ...r,
            received: n(r.received) + l.received,
            damaged: n(r.damaged) + l.damaged,
            short: n(r.short) + l.short,
            over: n(r.over) + l.over,
            delivered_at: maxTime(r.delivered_at, at),
          })),
        ),
      ];
    }
    default:
      return [];
  }
}

export const fulfilmentProjection: Projection<Ctx> = {
  name: 'fulfilment',
  tables: [requestsTable, requestLinesTable, requestProgressTable, incidentFiguresTable, incidentLineTimesTable],
  rollups: [requestFigures, lineFigures, lineProgress, progressFigures, lineTimes],
  eventTypes: new Set([
    'RequestSubmitted', 'RequestApproved', 'RequestRejected', 'RequestCancelled', 'RequestClosed', 'RequestDispatchRecorded',
    'RequestDispatchReleased', 'DispatchPlanned', 'DispatchDelivered',
  ]),
  context: {
    initial: {},
    evolve: (ctx, e) => {
      if (e.type !== 'DispatchPlanned') return ctx;
      const d = e.data as unknown as DispatchPlannedData;
      return d.requestId ? { requestId: d.requestId } : ctx;
    },
  },
  changes: (e, ctx) => changes(e, ctx ?? {}),
};
