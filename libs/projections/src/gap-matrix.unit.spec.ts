import { computeGapMatrix, rowsOf } from './gap-matrix';
import { GapMatrixReplay } from './gap-matrix-replay';
import { projectAll } from './projection-state';
import { projections } from './registry';
import { eventLog } from './testing/events';
import { ScenarioSimulator } from './testing/scenario';

describe('gap matrix (pure)', () => {
  /** Two incidents sharing a district; requests, stock and pledges of both. */
  function small() {
    const log = eventLog();
    const at = log.at(0);
    log.add('incident-flood', 'IncidentRegistered', { incidentId: 'flood', name: 'Banjir', type: 'flood', phase: 'emergency', districts: ['Batanghari', 'Kota Jambi'], registeredAt: at });
    log.add('incident-slide', 'IncidentRegistered', { incidentId: 'slide', name: 'Longsor', type: 'landslide', phase: 'emergency', districts: ['Kota Jambi'], registeredAt: at });
    log.add('item-rice', 'ItemRegistered', { itemId: 'rice', code: 'R', name: 'Beras 5 kg', unit: 'sack', category: 'food', consumable: true, registeredAt: at });
    log.add('item-kit', 'ItemRegistered', { itemId: 'kit', code: 'K', name: 'Family kit', unit: 'set', category: 'non-food', consumable: true, registeredAt: at });
    log.add('site-a', 'SiteRegistered', { siteId: 'a', name: 'Posko A', type: 'posko', district: 'Batanghari', registeredAt: at });
    log.add('site-b', 'SiteRegistered', { siteId: 'b', name: 'Posko B', type: 'posko', district: 'Kota Jambi', registeredAt: at });
    log.add('warehouse-w1', 'WarehouseRegistered', { warehouseId: 'w1', name: 'Gudang 1', ownerMemberId: 'm1', district: 'kota jambi', registeredAt: at });
    log.add('warehouse-w2', 'WarehouseRegistered', { warehouseId: 'w2', name: 'Gudang 2', ownerMemberId: 'm1', district: 'Tebo', registeredAt: at });
    log.add('stock-w1', 'StockReceived', { warehouseId: 'w1', receiptId: 'r1', source: { kind: 'procurement', reference: 'PO' }, lines: [{ itemId: 'rice', quantity: 30, consumable: true }], receivedAt: at });
    log.add('stock-w2', 'StockReceived', { warehouseId: 'w2', receiptId: 'r2', source: { kind: 'procurement', reference: 'PO' }, lines: [{ itemId: 'rice', quantity: 500, consumable: true }], receivedAt: at });
    const request = (id: string, incidentId: string, siteId: string, qty: Record<string, number>) => {
      const ls = Object.entries(qty).map(([itemId, quantity], k) => ({ line: k + 1, itemId, quantity }));
      log.add(`request-${id}`, 'RequestSubmitted', { requestId: id, siteId, incidentId, priority: 'urgent', neededBy: at, lines: ls, submittedAt: at });
      log.add(`request-${id}`, 'RequestApproved', { requestId: id, lines: ls.map((l) => ({ line: l.line, itemId: l.itemId, requested: l.quantity, approved: l.quantity })), approvedAt: at });
    };
    request('q1', 'flood', 'a', { rice: 100, kit: 10 });
    request('q2', 'flood', 'b', { rice: 20 });
    request('q3', 'slide', 'b', { rice: 1000 });
    log.add('request-q2', 'RequestDispatchRecorded', { requestId: 'q2', dispatchId: 'd1', lines: [{ itemId: 'rice', quantity: 20 }], recordedAt: at });
    // a pledge for the incident, one for a request of it, one for the other incident
    log.add('pledge-p1', 'PledgeOffered', { pledgeId: 'p1', memberId: 'm1', incidentId: 'flood', lines: [{ itemId: 'kit', quantity: 4 }], expectedBy: at, offeredAt: at });
    log.add('pledge-p1', 'PledgeAccepted', { pledgeId: 'p1', acceptedAt: at });
    log.add('pledge-p2', 'PledgeOffered', { pledgeId: 'p2', memberId: 'm1', requestId: 'q1', lines: [{ itemId: 'rice', quantity: 15 }], expectedBy: at, offeredAt: at });
    log.add('pledge-p2', 'PledgeAccepted', { pledgeId: 'p2', acceptedAt: at });
    log.add('pledge-p3', 'PledgeOffered', { pledgeId: 'p3', memberId: 'm1', incidentId: 'slide', lines: [{ itemId: 'rice', quantity: 999 }], expectedBy: at, offeredAt: at });
    log.add('pledge-p3', 'PledgeAccepted', { pledgeId: 'p3', acceptedAt: at });
    return log.events;
  }

  it('sets need (approved, not yet claimed), stock in the incident districts and open pledges side by side', () => {
    const events = small();
    const m = computeGapMatrix(rowsOf(projectAll(projections, events)), 'flood');
    expect(m).toEqual({
      incident_id: 'flood',
      districts: ['Batanghari', 'Kota Jambi'],
      items: [
        // rice: need 100 at A (q2's 20 is claimed by a dispatch); 30 in Kota Jambi (Tebo's 500 is not in the incident); 15 pledged
        { item_id: 'rice', item_name: 'Beras 5 kg', need: 100, available: 30, pledged: 15, shortfall: 55 },
        { item_id: 'kit', item_name: 'Family kit', need: 10, available: 0, pledged: 4, shortfall: 6 },
      ],
      cells: [
        { district: 'Batanghari', site_id: 'a', item_id: 'kit', need: 10, available_in_district: 0 },
        { district: 'Batanghari', site_id: 'a', item_id: 'rice', need: 100, available_in_district: 0 },
      ],
    });
    const slide = computeGapMatrix(rowsOf(projectAll(projections, events)), 'slide');
    expect(slide.items).toEqual([{ item_id: 'rice', item_name: 'Beras 5 kg', need: 1000, available: 30, pledged: 999, shortfall: 0 }]);
    expect(computeGapMatrix(rowsOf([]), 'nothing')).toEqual({ incident_id: 'nothing', districts: [], items: [], cells: [] });
  });

  it('the replay keeps only what one incident needs, and gives the same matrix at every position', () => {
    const sim = new ScenarioSimulator({ seed: 7, incidents: 3 }).setup().run(700);
    const events = sim.events;
    for (const cut of [Math.floor(events.length / 4), Math.floor(events.length / 2), events.length]) {
      const full = rowsOf(projectAll(projections, events.slice(0, cut)));
      for (const incidentId of sim.incidents) {
        const replay = new GapMatrixReplay(incidentId);
        for (const e of events.slice(0, cut)) replay.apply(e);
        expect([cut, incidentId, replay.matrix()]).toEqual([cut, incidentId, computeGapMatrix(full, incidentId)]);
        expect(replay.position).toBe(events[cut - 1].position);
      }
    }
    const one = new GapMatrixReplay(sim.incidents[0]);
    for (const e of events) one.apply(e);
    const everything = projectAll(projections, events).reduce((n, s) => n + [...s.rows.values()].reduce((k, t) => k + t.size, 0), 0);
    expect(one.rowsHeld).toBeLessThan(everything);
  });
});
