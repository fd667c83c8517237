import type { ScenarioSimulator } from './scenario';

/**
 * Pledges made for requests (the simulator offers pledges for incidents only), for the tests of the
 * pledges' scope: for the first `count` requests, a pledge naming the request, some naming its own
 * incident too or another incident; most accepted, some partly delivered, some withdrawn.
 */
export function pledgeForRequests(sim: ScenarioSimulator, count: number): void {
  const requests = sim.events.filter((e) => e.type === 'RequestSubmitted').map((e) => e.data as unknown as { requestId: string; incidentId: string });
  if (requests.length < count) throw new Error(`pledgeForRequests: ${count} pledges asked, the scenario has ${requests.length} requests`);
  const exec = (...args: Parameters<ScenarioSimulator['exec']>) => {
    if (!sim.exec(...args)) throw new Error(`pledgeForRequests: ${args[2]} of ${args[1]} refused`);
  };
  requests.slice(0, count).forEach((r, i) => {
    const id = `plg-req-${i}`;
    const memberId = sim.members[i % sim.members.length];
    const itemId = sim.items.filter((x) => x.consumable)[i % 5].id;
    const incidentId = i % 3 === 1 ? r.incidentId : i % 5 === 2 ? sim.incidents.find((x) => x !== r.incidentId) : undefined;
    const offer = { pledgeId: id, memberId, requestId: r.requestId, ...(incidentId ? { incidentId } : {}), lines: [{ itemId, quantity: 10 + i }], expectedBy: '2030-01-01T00:00:00.000Z' };
    exec('pledge', id, 'OfferPledge', offer, 'member', memberId);
    if (i % 4 === 3) return;
    exec('pledge', id, 'AcceptPledge', { pledgeId: id });
    if (i % 4 === 1) exec('pledge', id, 'RecordPledgeDelivery', { pledgeId: id, receiptId: `rcp-req-${i}`, warehouseId: sim.warehouses[0].id, lines: [{ itemId, quantity: 4 }] }, 'warehouse');
    if (i % 6 === 5) exec('pledge', id, 'WithdrawPledge', { pledgeId: id, reason: 'batal' }, 'member', memberId);
  });
}
