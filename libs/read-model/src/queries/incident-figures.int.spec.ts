import type { DataSource } from 'typeorm';
import { computeGapMatrix, projectAll, projections, rowsOf, type ProjectionEvent, type Row, type TableRows } from '@lumbung/projections';
import { eventLog } from '../../../projections/src/testing/events';
import { ScenarioSimulator } from '../../../projections/src/testing/scenario';
import { ReadModelWriter } from '../read-model.writer';
import { queryGapMatrix, queryIncidentFigures, queryIncidentTimeline, type IncidentFigures, type IncidentTimeline } from '.';
import { onBothReadModelDatabases } from '../../../../test/support/read-model-databases';

const t = (minute: number) => new Date(Date.parse('2024-03-04T08:00:00.000Z') + minute * 60_000).toISOString();

/**
 * Two incidents: flood's requests q1 (approved, rice delivered by a dispatch that names no incident,
 * kit partly on the road and overdue), q2 (approved, fully delivered) and q3 (submitted); a pledge
 * for flood, one for its request q1, one for slide, and one for flood not accepted.
 */
function floodAndSlide(): ProjectionEvent[] {
  const log = eventLog();
  log.add('incident-flood', 'IncidentRegistered', { incidentId: 'flood', name: 'Banjir', type: 'flood', phase: 'emergency', districts: ['Batanghari'], registeredAt: t(0) });
  log.add('incident-slide', 'IncidentRegistered', { incidentId: 'slide', name: 'Longsor', type: 'landslide', phase: 'emergency', districts: ['Kerinci'], registeredAt: t(0) });
  log.add('item-rice', 'ItemRegistered', { itemId: 'rice', code: 'R', name: 'Beras 5 kg', unit: 'sack', category: 'food', consumable: true, registeredAt: t(0) });
  log.add('item-kit', 'ItemRegistered', { itemId: 'kit', code: 'K', name: 'Family kit', unit: 'set', category: 'non-food', consumable: true, registeredAt: t(0) });
  log.add('site-a', 'SiteRegistered', { siteId: 'a', name: 'Posko A', type: 'posko', district: 'Batanghari', registeredAt: t(0) });
  log.add('warehouse-w1', 'WarehouseRegistered', { warehouseId: 'w1', name: 'Gudang 1', ownerMemberId: 'm1', district: 'Batanghari', registeredAt: t(0) });
  log.add('stock-w1', 'StockReceived', { warehouseId: 'w1', receiptId: 'r1', source: { kind: 'procurement', reference: 'PO' }, lines: [{ itemId: 'rice', quantity: 30, consumable: true }], receivedAt: t(0) });
  const request = (id: string, incidentId: string, at: number, qty: Record<string, number>, approve = true) => {
    const ls = Object.entries(qty).map(([itemId, quantity], k) => ({ line: k + 1, itemId, quantity }));
    log.add(`request-${id}`, 'RequestSubmitted', { requestId: id, siteId: 'a', incidentId, priority: 'urgent', neededBy: t(at + 600), lines: ls, submittedAt: t(at) });
    if (approve) log.add(`request-${id}`, 'RequestApproved', { requestId: id, lines: ls.map((l) => ({ line: l.line, itemId: l.itemId, requested: l.quantity, approved: l.quantity })), approvedAt: t(at + 1) });
  };
  const dispatch = (id: string, requestId: string, incidentId: string | undefined, lines: Record<string, number>, departed?: { at: number; expected: number }, delivered?: { at: number; received: Record<string, number> }) => {
    const ls = Object.entries(lines).map(([itemId, quantity]) => ({ itemId, quantity }));
    log.add(`dispatch-${id}`, 'DispatchPlanned', {
      dispatchId: id, purpose: 'request', warehouseId: 'w1', destination: { kind: 'site', siteId: 'a' }, requestId, ...(incidentId ? { incidentId } : {}), lines: ls, plannedAt: t(2),
    });
    log.add(`request-${requestId}`, 'RequestDispatchRecorded', { requestId, dispatchId: id, lines: ls, recordedAt: t(2) });
    if (departed) log.add(`dispatch-${id}`, 'DispatchDeparted', { dispatchId: id, vehicle: 'truck', driver: 'Budi', waybillNumber: `SJ-${id}`, departedAt: t(departed.at), expectedArrivalAt: t(departed.expected) });
    if (delivered) {
      const received = ls.map((l) => {
        const r = delivered.received[l.itemId] ?? 0;
        return { itemId: l.itemId, dispatched: l.quantity, received: r, damaged: 0, short: Math.max(0, l.quantity - r), over: 0 };
      });
      log.add(`dispatch-${id}`, 'DispatchDelivered', { dispatchId: id, receiptId: `BAST-${id}`, receivedBy: 'Ketua posko', lines: received, deliveredAt: t(delivered.at) });
    }
  };
  request('q1', 'flood', 0, { rice: 100, kit: 10 });
  request('q2', 'flood', 10, { rice: 20 });
  request('q3', 'flood', 20, { rice: 5 }, false);
  request('q4', 'slide', 0, { rice: 1000 });
  dispatch('d1', 'q1', undefined, { rice: 100 }, { at: 30, expected: 90 }, { at: 60, received: { rice: 100 } });
  dispatch('d2', 'q2', 'flood', { rice: 20 }, { at: 40, expected: 100 }, { at: 130, received: { rice: 20 } });
  dispatch('d5', 'q1', 'flood', { kit: 6 }, { at: 150, expected: 200 });
  dispatch('d4', 'q4', 'slide', { rice: 1000 }, { at: 30, expected: 60 }, { at: 50, received: { rice: 1000 } });
  const pledge = (id: string, target: { incidentId?: string; requestId?: string }, lines: Record<string, number>, accept = true) => {
    log.add(`pledge-${id}`, 'PledgeOffered', { pledgeId: id, memberId: 'm1', ...target, lines: Object.entries(lines).map(([itemId, quantity]) => ({ itemId, quantity })), expectedBy: t(900), offeredAt: t(5) });
    if (accept) log.add(`pledge-${id}`, 'PledgeAccepted', { pledgeId: id, acceptedAt: t(6) });
  };
  pledge('p1', { incidentId: 'flood' }, { kit: 4 });
  pledge('p2', { requestId: 'q1' }, { rice: 15 });
  log.add('pledge-p2', 'PledgeDeliveryRecorded', { pledgeId: 'p2', lines: [{ itemId: 'rice', quantity: 5 }], recordedAt: t(70) });
  pledge('p3', { incidentId: 'slide' }, { rice: 999 });
  pledge('p4', { incidentId: 'flood' }, { rice: 50 }, false);
  return log.events;
}

/**
 * The key figures computed from projection rows in memory, as the query computed them before it
 * aggregated in SQL (every request, line and shipment of the incident in hand).
 */
function referenceFigures(rows: TableRows, incidentId: string, asOf: string): IncidentFigures {
  const all = (table: string): Row[] => [...rows(table)];
  const num = (v: unknown) => Number(v ?? 0);
  const requests = all('rm_requests').filter((r) => r.incident_id === incidentId);
  const submittedAt = new Map(requests.map((r) => [r.request_id, r.submitted_at as string | null]));
  const lines = all('rm_request_lines').filter((l) => submittedAt.has(l.request_id));
  const shipments = all('rm_shipments').filter((sh) => sh.incident_id === incidentId || (sh.incident_id === null && submittedAt.has(sh.request_id)));
  const firstAt = new Map<Row[string], string>();
  for (const sh of all('rm_shipments')) {
    if (!submittedAt.has(sh.request_id) || !sh.delivered_at) continue;
    const prev = firstAt.get(sh.request_id);
    if (!prev || (sh.delivered_at as string) < prev) firstAt.set(sh.request_id, sh.delivered_at as string);
  }
  const seconds = (from: string | null | undefined, to: string | null | undefined) => (from && to ? Math.max(0, (Date.parse(to) - Date.parse(from)) / 1000) : null);
  const mean = (xs: number[]) => (xs.length ? Math.round(xs.reduce((s, x) => s + x, 0) / xs.length) : null);
  const toFirst = [...firstAt].map(([id, at]) => seconds(submittedAt.get(id), at)).filter((x): x is number => x !== null);
  // per approved line fully delivered, its time from the request's submission; requests with all of theirs
  const toFull: number[] = [];
  let fullyDelivered = 0;
  for (const [id, sub] of submittedAt) {
    const approved = lines.filter((l) => l.request_id === id && num(l.approved) > 0);
    for (const l of approved) if (l.full_at) toFull.push(seconds(sub, l.full_at as string)!);
    if (approved.length && approved.every((l) => l.full_at)) fullyDelivered++;
  }
  const approvedQty = lines.reduce((s, l) => s + num(l.approved), 0);
  const deliveredQty = lines.reduce((s, l) => s + Math.min(num(l.received), num(l.approved)), 0);
  const pledgeLines = all('rm_pledge_lines');
  const pledges = all('rm_pledges')
    .filter((p) => p.status === 'accepted' && (p.incident_id === incidentId || (p.request_id !== null && submittedAt.has(p.request_id))))
    .map((p) => pledgeLines.filter((l) => l.pledge_id === p.pledge_id))
    .filter((ls) => ls.length > 0)
    .map((ls) => ls.reduce((s, l) => s + num(l.outstanding), 0));
  const byStatus = (s: string) => requests.filter((r) => r.status === s).length;
  const ship = (s: string) => shipments.filter((x) => x.status === s).length;
  return {
    incident_id: incidentId,
    as_of: asOf,
    requests: {
      total: requests.length, open: byStatus('submitted') + byStatus('approved'), submitted: byStatus('submitted'), approved: byStatus('approved'),
      rejected: byStatus('rejected'), cancelled: byStatus('cancelled'), closed: byStatus('closed'),
    },
    approved_qty: approvedQty,
    delivered_qty: deliveredQty,
    percent_delivered: approvedQty > 0 ? Math.floor((Math.min(deliveredQty, approvedQty) * 100) / approvedQty) : 0,
    mean_seconds_to_first_delivery: mean(toFirst),
    requests_with_delivery: toFirst.length,
    mean_seconds_to_full_delivery: mean(toFull),
    lines_fully_delivered: toFull.length,
    requests_fully_delivered: fullyDelivered,
    shipments: {
      planned: ship('planned'), in_transit: ship('in-transit'),
      overdue: shipments.filter((x) => x.status === 'in-transit' && x.expected_at && (x.expected_at as string) < asOf).length,
      delivered: ship('delivered'), cancelled: ship('cancelled'), lost: ship('lost'),
    },
    pledges: { outstanding_qty: pledges.reduce((s, o) => s + o, 0), outstanding_pledges: pledges.filter((o) => o > 0).length, accepted: pledges.length },
  };
}

/**
 * The timeline computed from projection rows in memory, as the query computed it before the
 * projections kept sums per quarter hour: per local day, each line's approved quantity from its
 * request's approval and its receipts in time order, counted up to what was approved by then.
 */
function referenceTimeline(rows: TableRows, incidentId: string, offset: number, asOf: string): IncidentTimeline {
  const num = (v: unknown) => Number(v ?? 0);
  const requests = new Map([...rows('rm_requests')].filter((r) => r.incident_id === incidentId).map((r) => [r.request_id as string, r]));
  const day = (t: string) => new Date(Date.parse(t) + offset * 60_000).toISOString().slice(0, 10);
  const approvals = [...rows('rm_request_lines')]
    .filter((l) => requests.has(l.request_id as string) && num(l.approved) > 0 && requests.get(l.request_id as string)!.approved_at)
    .map((l) => ({ key: `${l.request_id}|${l.item_id}`, approved: num(l.approved), day: day(requests.get(l.request_id as string)!.approved_at as string) }));
  const shipments = new Map([...rows('rm_shipments')]
    .filter((sh) => sh.delivered_at && sh.destination_kind === 'site' && (sh.incident_id === incidentId || (sh.incident_id === null && requests.has(sh.request_id as string))))
    .map((sh) => [sh.dispatch_id as string, sh]));
  const receipts = [...rows('rm_shipment_lines')].filter((sl) => shipments.has(sl.dispatch_id as string)).map((sl) => {
    const sh = shipments.get(sl.dispatch_id as string)!;
    return { dispatch: sh.dispatch_id as string, key: sh.request_id ? `${sh.request_id}|${sl.item_id}` : null, received: num(sl.received), day: day(sh.delivered_at as string) };
  });
  const first = [...approvals.map((a) => a.day), ...receipts.map((r) => r.day)].sort()[0];
  if (!first) return { incident_id: incidentId, utc_offset_minutes: offset, days: [] };
  const last = [day(asOf), ...receipts.map((r) => r.day)].sort().at(-1)!;
  const lines = new Map<string, { approved: number; received: number }>();
  let approvedCum = 0;
  let deliveredCum = 0;
  const days: IncidentTimeline['days'] = [];
  for (let d = Date.parse(`${first}T00:00:00Z`); ; d += 86_400_000) {
    const today = new Date(d).toISOString().slice(0, 10);
    const line = (k: string) => lines.get(k) ?? (lines.set(k, { approved: 0, received: 0 }), lines.get(k)!);
    for (const a of approvals.filter((x) => x.day === today)) {
      const l = line(a.key);
      deliveredCum -= Math.min(l.approved, l.received);
      l.approved += a.approved;
      approvedCum += a.approved;
      deliveredCum += Math.min(l.approved, l.received);
    }
    const todays = receipts.filter((r) => r.day === today);
    for (const r of todays) {
      if (!r.key) continue;
      const l = line(r.key);
      deliveredCum -= Math.min(l.approved, l.received);
      l.received += r.received;
      deliveredCum += Math.min(l.approved, l.received);
    }
    days.push({
      day: today, deliveries: new Set(todays.map((r) => r.dispatch)).size, received_qty: todays.reduce((sum, r) => sum + r.received, 0),
      approved_cum: approvedCum, delivered_cum: deliveredCum, fill_pct: approvedCum > 0 ? Math.floor((Math.min(deliveredCum, approvedCum) * 100) / approvedCum) : 0,
    });
    if (today >= last) break;
  }
  return { incident_id: incidentId, utc_offset_minutes: offset, days: days.slice(-62) };
}

function figuresSuite(name: string, open: () => Promise<{ ds: DataSource; close(): Promise<void> }>) {
  describe(`an incident's key figures and gap matrix on ${name}`, () => {
    let ds: DataSource;
    let close: () => Promise<void>;
    beforeEach(async () => ({ ds, close } = await open()));
    afterEach(async () => close());

    it('counts what belongs to the incident: shipments naming it or naming none for its requests, pledges for it or its requests', async () => {
      const events = floodAndSlide();
      await new ReadModelWriter(ds).applyBatch(events, { source: 't', partition: 0, position: events.length });
      expect(await queryIncidentFigures(ds, 'flood', t(300))).toEqual({
        incident_id: 'flood',
        as_of: t(300),
        requests: { total: 3, open: 3, submitted: 1, approved: 2, rejected: 0, cancelled: 0, closed: 0 },
        // q1 110 (rice 100 delivered, kit none yet) + q2 20 (delivered)
        approved_qty: 130,
        delivered_qty: 120,
        percent_delivered: 92,
        // q1 60 min after submission (d1, which names no incident), q2 120 min
        mean_seconds_to_first_delivery: 5_400,
        requests_with_delivery: 2,
        // q1's rice line (60 min after submission) and q2's one line (120 min); only q2 has all its lines
        mean_seconds_to_full_delivery: 5_400,
        lines_fully_delivered: 2,
        requests_fully_delivered: 1,
        shipments: { planned: 0, in_transit: 1, overdue: 1, delivered: 2, cancelled: 0, lost: 0 },
        // p1 (kit 4) for the incident, p2 (rice 15, 5 delivered) for its request q1; p3 is slide's, p4 not accepted
        pledges: { outstanding_qty: 14, outstanding_pledges: 2, accepted: 2 },
      });
      expect((await queryIncidentFigures(ds, 'flood', t(190))).shipments.overdue).toBe(0);
      expect(await queryIncidentFigures(ds, 'slide', t(300))).toEqual(expect.objectContaining({
        requests: expect.objectContaining({ total: 1, approved: 1 }), approved_qty: 1000, delivered_qty: 1000, requests_fully_delivered: 1,
        mean_seconds_to_full_delivery: 50 * 60, shipments: expect.objectContaining({ delivered: 1 }), pledges: { outstanding_qty: 999, outstanding_pledges: 1, accepted: 1 },
      }));
      const rows = rowsOf(projectAll(projections, events));
      for (const incident of ['flood', 'slide', 'none']) expect(await queryIncidentFigures(ds, incident, t(300))).toEqual(referenceFigures(rows, incident, t(300)));
      // the timeline counts d1 (naming no incident) through its request, as the rows do
      for (const offset of [0, 420]) expect(await queryIncidentTimeline(ds, 'flood', offset, t(300))).toEqual(referenceTimeline(rows, 'flood', offset, t(300)));
      expect((await queryIncidentTimeline(ds, 'flood', 0, t(300))).days.at(-1)).toEqual(expect.objectContaining({ deliveries: 2, received_qty: 120, approved_cum: 130, delivered_cum: 120 }));
      // the gap matrix counts the same pledges (q1's rice by its request) as its pure twin
      const gap = await queryGapMatrix(ds, 'flood');
      expect(gap).toEqual(computeGapMatrix(rows, 'flood'));
      expect(gap.items.find((i) => i.item_id === 'rice')?.pledged).toBe(10);
      expect(gap.items.find((i) => i.item_id === 'kit')).toEqual(expect.objectContaining({ need: 4, pledged: 4 }));
    });

    it('gives the figures that every row of a random but valid log gives, for each incident and at several times', async () => {
      const sim = new ScenarioSimulator({ seed: 31, incidents: 3 }).setup().run(1500);
      await new ReadModelWriter(ds).applyBatch(sim.events, { source: 't', partition: 0, position: sim.events.length });
      const rows = rowsOf(projectAll(projections, sim.events));
      const expectedTimes = [...rows('rm_shipments')].map((s) => s.expected_at as string | null).filter((x): x is string => !!x).sort();
      const times = [expectedTimes[0], expectedTimes[Math.floor(expectedTimes.length / 2)], expectedTimes.at(-1)!].map((x) => new Date(Date.parse(x) + 1).toISOString());
      const seen = { withDelivery: 0, fully: 0, accepted: 0 };
      for (const incident of sim.incidents) {
        for (const asOf of times) expect(await queryIncidentFigures(ds, incident, asOf)).toEqual(referenceFigures(rows, incident, asOf));
        const f = await queryIncidentFigures(ds, incident, times[0]);
        seen.withDelivery += f.requests_with_delivery;
        seen.fully += f.requests_fully_delivered;
        seen.accepted += f.pledges.accepted;
      }
      // the timeline from the rollups equals the one computed from every row, in local days at several offsets
      let deliveries = 0;
      let carried = 0;
      for (const incident of sim.incidents) {
        for (const offset of [0, 420, -300, 345]) {
          const timeline = await queryIncidentTimeline(ds, incident, offset, times[2]);
          expect(timeline).toEqual(referenceTimeline(rows, incident, offset, times[2]));
          deliveries += timeline.days.reduce((sum, d) => sum + d.deliveries, 0);
        }
        // the last 62 days only: asked so late that the window starts halfway through the log, and after it all
        const stamps = [...rows('rm_shipments')].map((x) => x.delivered_at).concat([...rows('rm_requests')].map((r) => r.approved_at)).filter((x): x is string => typeof x === 'string').sort();
        const [firstMs, lastMs] = [Date.parse(stamps[0]), Date.parse(stamps.at(-1)!)];
        const halfway = new Date(firstMs + 61 * 86_400_000 + Math.max(0, (lastMs - firstMs) / 2)).toISOString();
        for (const asOf of [halfway, new Date(lastMs + 90 * 86_400_000).toISOString()]) {
          for (const offset of [0, 420]) expect(await queryIncidentTimeline(ds, incident, offset, asOf)).toEqual(referenceTimeline(rows, incident, offset, asOf));
        }
        const cut = (await queryIncidentTimeline(ds, incident, 0, halfway)).days;
        // the sums before the window were carried in: the first day shown starts from them
        if (cut.length && cut[0].approved_cum > 0 && cut[0].approved_cum < cut.at(-1)!.approved_cum) carried++;
        // its last day is the key figures' percent delivered
        const days = (await queryIncidentTimeline(ds, incident, 0, times[2])).days;
        const f = await queryIncidentFigures(ds, incident, times[2]);
        if (days.length) expect([days.at(-1)!.approved_cum, days.at(-1)!.delivered_cum]).toEqual([f.approved_qty, f.delivered_qty]);
      }
      expect(deliveries).toBeGreaterThan(20);
      expect(carried).toBeGreaterThan(0);
      // the figures compared were not empty
      expect(seen.withDelivery).toBeGreaterThan(10);
      expect(seen.fully).toBeGreaterThan(5);
      expect(seen.accepted).toBeGreaterThan(0);
    });
  });
}

describe('incident figures', () => {
  onBothReadModelDatabases('rm_figures', figuresSuite);
});
