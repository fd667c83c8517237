import type {
  PledgeAcceptedData, PledgeDeclinedData, PledgeDeliveryRecordedData, PledgeFulfilledData, PledgeLapsedData, PledgeOfferedData, PledgeWithdrawnData,
} from '@lumbung/domain';
import { int, iso, maxTime, minTime, n, secondsBetween, text, table, upsert, type Projection, type ProjectionEvent, type Row, type RowChange } from './projection';

/**
 * Pledges per pledge and line (written by the pledge's own stream), and per member its record:
 * additive counters that every pledge stream of the member feeds, in any order.
 * delivery ratio = delivered_qty / accepted_qty (deliveries counted up to what was pledged per line);
 * mean lead time = lead_time_total_s / lead_time_count, each delivery measured from the acceptance.
 * A line repeats its pledge's incident_id, request_id and status, so that an incident's accepted
 * pledge lines are one index range of rm_pledge_lines (the incident's key figures, its gap matrix).
 */
export const pledgesTable = table('rm_pledges', ['pledge_id'], [
  text('pledge_id'), text('member_id'), text('incident_id'), text('request_id'), text('status'), text('expected_by'), text('offered_at'),
  text('accepted_at'), text('ended_at'), text('reason'), text('first_delivery_at'), text('last_delivery_at'), int('offered_qty'), int('delivered_qty'),
], [
  // the lists (by member, by incident and status, by incident and expected date), each in its sort order
  ['member_id', 'offered_at'], ['incident_id', 'status', 'offered_at'], ['incident_id', 'expected_by'],
  // pledges made for a request: the few an incident's figures and gap matrix look up through the request
  ['request_id', 'status'],
]);
export const pledgeLinesTable = table('rm_pledge_lines', ['pledge_id', 'item_id'], [
  text('pledge_id'), text('item_id'), int('offered'), int('accepted'), int('delivered'), int('outstanding'), int('withdrawn'), int('lapsed'),
  text('incident_id'), text('request_id'), text('status'),
], [
  ['item_id'],
  // covering: an incident's accepted lines, per pledge in pledge order (its figures) or per item (its gap matrix)
  ['incident_id', 'status', 'pledge_id', 'item_id', 'outstanding'],
  // covering: the accepted lines of pledges made for a request (few), joined to their requests' incident
  ['status', 'request_id', 'pledge_id', 'item_id', 'outstanding', 'incident_id'],
]);
export const memberPledgeStatsTable = table('rm_member_pledge_stats', ['member_id'], [
  text('member_id'), int('pledges'), int('accepted_pledges'), int('declined_pledges'), int('fulfilled_pledges'), int('withdrawn_pledges'),
  int('lapsed_pledges'), int('offered_qty'), int('accepted_qty'), int('delivered_qty'), int('given_up_qty'), int('lead_time_total_s'),
  int('lead_time_count'), int('delivery_ratio_pct'), int('mean_lead_time_s'),
]);

/** A pledge stream's memory: its member, acceptance time and lines (pledged, delivered so far). */
type Ctx = { memberId?: string; acceptedAt?: string | null; lines?: Record<string, [number, number]> };

/** Sets the derived column on a row the change has just built (a fresh object: set in place, no second copy). */
const withOutstanding = (fresh: Row): Row => {
  fresh.outstanding = Math.max(0, n(fresh.accepted) - n(fresh.delivered) - n(fresh.withdrawn) - n(fresh.lapsed));
  return fresh;
};
const pledgeLine = (pledgeId: string, itemId: string, f: (r: Row) => Row): RowChange =>
  upsert(pledgeLinesTable, { pledge_id: pledgeId, item_id: itemId }, (r) => withOutstanding(f(r)));
const pledge = (pledgeId: string, f: (r: Row) => Row): RowChange => upsert(pledgesTable, { pledge_id: pledgeId }, f);
/**
 * The pledge's new status on each of its lines (the lines of its offer, in the stream's context).
 * The lines' incident and request are the offer's, written with them and kept by every later change:
 * the decider records deliveries only of pledged items, so no later event creates a line.
 */
const linesStatus = (pledgeId: string, ctx: Ctx, status: string, set?: (pledged: number, delivered: number) => Row): RowChange[] =>
  Object.entries(ctx.lines ?? {}).map(([itemId, [p, del]]) => pledgeLine(pledgeId, itemId, (r) => ({ ...r, ...set?.(p, del), status })));

function member(memberId: string | undefined, f: (r: Row) => Row): RowChange[] {
  if (!memberId) return [];
  return [upsert(memberPledgeStatsTable, { member_id: memberId }, (r) => {
    const x = f(r); // a new row: the derived columns are set on it in place
    const accepted = n(x.accepted_qty);
    const count = n(x.lead_time_count);
    x.delivery_ratio_pct = accepted > 0 ? Math.floor((n(x.delivered_qty) * 100) / accepted) : 0;
    x.mean_lead_time_s = count > 0 ? Math.round(n(x.lead_time_total_s) / count) : 0;
    return x;
  })];
}

const inc = (r: Row, col: string, by = 1) => n(r[col]) + by;
const givenUp = (ctx: Ctx) => Object.values(ctx.lines ?? {}).reduce((s, [p, d]) => s + Math.max(0, p - d), 0);

function changes(e: ProjectionEvent, ctx: Ctx): RowChange[] {
  switch (e.type) {
    case 'PledgeOffered': {
      const d = e.data as unknown as PledgeOfferedData;
      const qty = d.lines.reduce((s, l) => s + l.quantity, 0);
      return [
        pledge(d.pledgeId, (r) => ({
          ...r, member_id: d.memberId, incident_id: d.incidentId ?? null, request_id: d.requestId ?? null, status: 'offered', expected_by: iso(d.expectedBy),
          offered_at: iso(d.offeredAt), offered_qty: qty,
        })),
        ...d.lines.map((l) => pledgeLine(d.pledgeId, l.itemId, (r) => ({
          ...r, offered: l.quantity, incident_id: d.incidentId ?? null, request_id: d.requestId ?? null, status: 'offered',
        }))),
        ...member(d.memberId, (r) => ({ ...r, pledges: inc(r, 'pledges'), offered_qty: inc(r, 'offered_qty', qty) })),
      ];
    }
    case 'PledgeAccepted': {
      const d = e.data as unknown as PledgeAcceptedData;
      const qty = Object.values(ctx.lines ?? {}).reduce((s, [p]) => s + p, 0);
      return [
        pledge(d.pledgeId, (r) => ({ ...r, status: 'accepted', accepted_at: iso(d.acceptedAt) })),
        ...linesStatus(d.pledgeId, ctx, 'accepted', (p) => ({ accepted: p })),
        ...member(ctx.memberId, (r) => ({ ...r, accepted_pledges: inc(r, 'accepted_pledges'), accepted_qty: inc(r, 'accepted_qty', qty) })),
      ];
    }
    case 'PledgeDeclined': {
      const d = e.data as unknown as PledgeDeclinedData;
      return [
        pledge(d.pledgeId, (r) => ({ ...r, status: 'declined', ended_at: iso(d.declinedAt), reason: d.reason })),
        ...linesStatus(d.pledgeId, ctx, 'declined'),
        ...member(ctx.memberId, (r) => ({ ...r, declined_pledges: inc(r, 'declined_pledges') })),
      ];
    }
    case 'PledgeWithdrawn':
    case 'PledgeLapsed': {
      const d = e.data as unknown as PledgeWithdrawnData & PledgeLapsedData;
      const withdrawn = e.type === 'PledgeWithdrawn';
      const col = withdrawn ? 'withdrawn' : 'lapsed';
      return [
        pledge(d.pledgeId, (r) => ({ ...r, status: col, ended_at: iso(withdrawn ? d.withdrawnAt : d.lapsedAt), reason: withdrawn ? d.reason : null })),
        ...linesStatus(d.pledgeId, ctx, col, (p, del) => ({ [col]: Math.max(0, p - del) })),
        ...member(ctx.memberId, (r) => ({ ...r, [`${col}_pledges`]: inc(r, `${col}_pledges`), given_up_qty: inc(r, 'given_up_qty', givenUp(ctx)) })),
      ];
    }
    case 'PledgeDeliveryRecorded': {
      const d = e.data as unknown as PledgeDeliveryRecordedData;
      const at = iso(d.recordedAt);
      const qty = d.lines.reduce((s, l) => s + l.quantity, 0);
      // Deliveries beyond what was pledged are recorded, but the ratio counts a line up to its pledge.
      const counted = d.lines.reduce((s, l) => {
        const [p, before] = ctx.lines?.[l.itemId] ?? [0, 0];
        return s + Math.min(before + l.quantity, p) - Math.min(before, p);
      }, 0);
      const lead = ctx.acceptedAt ? secondsBetween(ctx.acceptedAt, at) : null;
      return [
        pledge(d.pledgeId, (r) => ({
          ...r, delivered_qty: inc(r, 'delivered_qty', qty), first_delivery_at: minTime(r.first_delivery_at, at), last_delivery_at: maxTime(r.last_delivery_at, at),
        })),
        ...d.lines.map((l) => pledgeLine(d.pledgeId, l.itemId, (r) => ({ ...r, delivered: n(r.delivered) + l.quantity }))),
        ...member(ctx.memberId, (r) => ({
          ...r,
          delivered_qty: inc(r, 'delivered_qty', counted),
          lead_time_total_s: inc(r, 'lead_time_total_s', lead ?? 0),
          lead_time_count: inc(r, 'lead_time_count', lead === null ? 0 : 1),
        })),
      ];
    }
    case 'PledgeFulfilled': {
      const d = e.data as unknown as PledgeFulfilledData;
      return [
        pledge(d.pledgeId, (r) => ({ ...r, status: 'fulfilled', ended_at: iso(d.fulfilledAt) })),
        ...linesStatus(d.pledgeId, ctx, 'fulfilled'),
        ...member(ctx.memberId, (r) => ({ ...r, fulfilled_pledges: inc(r, 'fulfilled_pledges') })),
      ];
    }
    default:
      return [];
  }
}

function evolve(ctx: Ctx, e: ProjectionEvent): Ctx {
  switch (e.type) {
    case 'PledgeOffered': {
      const d = e.data as unknown as PledgeOfferedData;
      return { memberId: d.memberId, acceptedAt: null, lines: Object.fromEntries(d.lines.map((l) => [l.itemId, [l.quantity, 0]])) };
    }
    case 'PledgeAccepted':
      return { ...ctx, acceptedAt: iso((e.data as unknown as PledgeAcceptedData).acceptedAt) };
    case 'PledgeDeliveryRecorded': {
      const lines = { ...(ctx.lines ?? {}) };
      for (const l of (e.data as unknown as PledgeDeliveryRecordedData).lines) {
        const [p, del] = lines[l.itemId] ?? [0, 0];
        lines[l.itemId] = [p, del + l.quantity];
      }
      return { ...ctx, lines };
    }
    default:
      return ctx;
  }
}

export const pledgesProjection: Projection<Ctx> = {
  name: 'pledges',
  tables: [pledgesTable, pledgeLinesTable, memberPledgeStatsTable],
  eventTypes: new Set(['PledgeOffered', 'PledgeAccepted', 'PledgeDeclined', 'PledgeWithdrawn', 'PledgeDeliveryRecorded', 'PledgeFulfilled', 'PledgeLapsed']),
  context: { initial: {}, evolve },
  changes: (e, ctx) => changes(e, ctx ?? {}),
};
