import type {
  DispatchDeliveredData, DispatchPlannedData, RequestApprovedData, RequestCancelledData, RequestClosedData, RequestDispatchRecordedData,
  RequestDispatchReleasedData, RequestRejectedData, RequestSubmittedData,
} from '@lumbung/domain';
import { int, iso, maxTime, minTime, n, text, table, upsert, type Projection, type ProjectionEvent, type Row, type RowChange } from './projection';

/**
 * Request fulfilment per request line: requested and approved (request stream), dispatched (claims of
 * standing dispatches, request stream), received / damaged / short / over (receipts on the dispatch
 * streams, routed by the request the dispatch named when planned). Derived columns (outstanding,
 * percent filled, when the line was fully delivered) are recomputed from the row's own counters on
 * every change, so they converge too. Request-level "fully delivered at" is the latest line's full_at
 * once every line is full (query time).
 */
export const requestsTable = table('rm_requests', ['request_id'], [
  text('request_id'), text('site_id'), text('incident_id'), text('priority'), text('needed_by'), text('status'),
  text('submitted_at'), text('approved_at'), text('ended_at'), text('reason'), int('line_count'),
  text('first_dispatch_at'), text('last_delivered_at'), int('active_dispatches'), int('deliveries'),
], [['incident_id'], ['site_id'], ['status']]);
export const requestLinesTable = table('rm_request_lines', ['request_id', 'item_id'], [
  text('request_id'), text('item_id'), int('line_no'), int('requested'), int('approved'), int('dispatched'), int('received'), int('damaged'),
  int('short'), int('over'), int('outstanding'), int('percent_filled'), text('delivered_at'), text('full_at'),
], [['item_id']]);

type Ctx = { requestId?: string };

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
  return fresh;
};

const line = (requestId: string, itemId: string, f: (r: Row) => Row): RowChange =>
  upsert(requestLinesTable, { request_id: requestId, item_id: itemId }, (r) => derive(f(r)));
const request = (requestId: string, f: (r: Row) => Row): RowChange => upsert(requestsTable, { request_id: requestId }, f);

function changes(e: ProjectionEvent, ctx: Ctx): RowChange[] {
  switch (e.type) {
    case 'RequestSubmitted': {
      const d = e.data as unknown as RequestSubmittedData;
      return [
        request(d.requestId, (r) => ({
          ...r, site_id: d.siteId, incident_id: d.incidentId, priority: d.priority, needed_by: iso(d.neededBy), status: 'submitted',
          submitted_at: iso(d.submittedAt), line_count: d.lines.length,
        })),
        ...d.lines.map((l) => line(d.requestId, l.itemId, (r) => ({ ...r, line_no: l.line, requested: l.quantity }))),
      ];
    }
    case 'RequestApproved': {
      const d = e.data as unknown as RequestApprovedData;
      return [
        request(d.requestId, (r) => ({ ...r, status: 'approved', approved_at: iso(d.approvedAt) })),
        ...d.lines.map((l) => line(d.requestId, l.itemId, (r) => ({ ...r, approved: l.approved }))),
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
        request(requestId, (r) => ({ ...r, last_delivered_at: maxTime(r.last_delivered_at, at), deliveries: n(r.deliveries) + 1 })),
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
  tables: [requestsTable, requestLinesTable],
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
