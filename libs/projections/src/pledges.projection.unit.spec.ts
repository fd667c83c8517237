import { keyString, type Row } from './projection';
import { ProjectionState, projectAll } from './projection-state';
import { pledgeLinesTable, pledgesProjection, pledgesTable } from './pledges.projection';
import { eventLog } from './testing/events';
import { ScenarioSimulator } from './testing/scenario';
import { pledgeForRequests } from './testing/pledges';

const scope = (r: Row | undefined) => r && { incident_id: r.incident_id, request_id: r.request_id, status: r.status };
const linesOf = (s: ProjectionState, pledgeId: string): Row[] => [...s.rows.get(pledgeLinesTable.name)!.values()].filter((l) => l.pledge_id === pledgeId);

/**
 * Pledges made for requests (the simulator offers pledges for incidents only): one per submitted
 * request of the first `count`, some also naming the request's incident or another one, most
 * accepted, some delivered in part, some withdrawn.
 */

describe('pledges projection: a line repeats its pledge’s incident, request and status', () => {
  it('writes them with the offer and the status at every change, for a pledge made for an incident, a request or both', () => {
    const log = eventLog();
    const offer = (id: string, target: Record<string, string>, lines: Record<string, number>) =>
      log.add(`pledge-${id}`, 'PledgeOffered', { pledgeId: id, memberId: 'pmi', ...target, lines: Object.entries(lines).map(([itemId, quantity]) => ({ itemId, quantity })), expectedBy: log.at(1000), offeredAt: log.at(0) });
    offer('p1', { requestId: 'q1' }, { rice: 10, kit: 2 });
    offer('p2', { incidentId: 'flood', requestId: 'q1' }, { rice: 5 });
    offer('p3', { incidentId: 'flood' }, { kit: 1 });
    const at = (pledgeId: string) => {
      const s = projectAll([pledgesProjection], log.events)[0];
      return { pledge: scope(s.rows.get(pledgesTable.name)!.get(pledgeId)), lines: linesOf(s, pledgeId).map((l) => [l.item_id, scope(l)]) };
    };
    expect(at('p1')).toEqual({
      pledge: { incident_id: null, request_id: 'q1', status: 'offered' },
      lines: [['rice', { incident_id: null, request_id: 'q1', status: 'offered' }], ['kit', { incident_id: null, request_id: 'q1', status: 'offered' }]],
    });
    log.add('pledge-p1', 'PledgeAccepted', { pledgeId: 'p1', acceptedAt: log.at(10) });
    log.add('pledge-p2', 'PledgeAccepted', { pledgeId: 'p2', acceptedAt: log.at(10) });
    log.add('pledge-p3', 'PledgeDeclined', { pledgeId: 'p3', reason: 'x', declinedAt: log.at(10) });
    log.add('pledge-p1', 'PledgeDeliveryRecorded', { pledgeId: 'p1', receiptId: 'r1', warehouseId: 'w1', lines: [{ itemId: 'rice', quantity: 10 }], recordedAt: log.at(20) });
    expect(at('p1').lines).toEqual([['rice', { incident_id: null, request_id: 'q1', status: 'accepted' }], ['kit', { incident_id: null, request_id: 'q1', status: 'accepted' }]]);
    expect(at('p2').lines).toEqual([['rice', { incident_id: 'flood', request_id: 'q1', status: 'accepted' }]]);
    expect(at('p3').lines).toEqual([['kit', { incident_id: 'flood', request_id: null, status: 'declined' }]]);
    log.add('pledge-p1', 'PledgeDeliveryRecorded', { pledgeId: 'p1', receiptId: 'r2', warehouseId: 'w1', lines: [{ itemId: 'kit', quantity: 2 }], recordedAt: log.at(30) });
    log.add('pledge-p1', 'PledgeFulfilled', { pledgeId: 'p1', fulfilledAt: log.at(30) });
    log.add('pledge-p2', 'PledgeLapsed', { pledgeId: 'p2', expectedBy: log.at(1000), outstanding: [{ itemId: 'rice', quantity: 5 }], lapsedAt: log.at(2000) });
    expect(at('p1').lines.map(([, s]) => (s as { status: unknown }).status)).toEqual(['fulfilled', 'fulfilled']);
    expect(at('p2')).toEqual({ pledge: { incident_id: 'flood', request_id: 'q1', status: 'lapsed' }, lines: [['rice', { incident_id: 'flood', request_id: 'q1', status: 'lapsed' }]] });
  });

  it('after every event of a random valid log, each line of a pledge carries the pledge row’s incident, request and status', () => {
    const sim = new ScenarioSimulator({ seed: 11, incidents: 3 }).setup().run(1500);
    pledgeForRequests(sim, 24);
    sim.run(300);
    const s = new ProjectionState(pledgesProjection);
    const seen = new Set<string>();
    let checked = 0;
    for (const e of sim.events) {
      if (!s.handles(e)) continue;
      s.apply(e);
      const pledgeId = (e.data as { pledgeId: string }).pledgeId;
      const pledge = s.rows.get(pledgesTable.name)!.get(keyString(pledgesTable, { pledge_id: pledgeId }));
      const lines = linesOf(s, pledgeId);
      expect(lines.length).toBeGreaterThan(0);
      for (const l of lines) expect([pledgeId, l.item_id, scope(l)]).toEqual([pledgeId, l.item_id, scope(pledge)]);
      seen.add(`${e.type} ${pledge!.request_id ? 'request' : 'incident'}`);
      checked++;
    }
    expect(checked).toBeGreaterThan(200);
    // every kind of change was seen, on pledges for a request too
    for (const type of ['PledgeOffered', 'PledgeAccepted', 'PledgeDeclined', 'PledgeWithdrawn', 'PledgeLapsed', 'PledgeDeliveryRecorded', 'PledgeFulfilled']) expect(seen).toContain(`${type} incident`);
    for (const type of ['PledgeOffered', 'PledgeAccepted', 'PledgeWithdrawn', 'PledgeDeliveryRecorded']) expect(seen).toContain(`${type} request`);
  });
});
