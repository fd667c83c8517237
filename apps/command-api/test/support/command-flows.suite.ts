import { randomUUID } from 'node:crypto';
import { stockLevel } from '@lumbung/domain';
import type { RunningApi } from './command-api.harness';
import { cluster, registerCluster, tokens, type Tokens } from './cluster.fixture';
import { LumbungClient, type Loose, type Reply } from './lumbung.client';

const { members: m, warehouses: w, sites: s, items: i, incidents: inc } = cluster;
const lines = (...l: Array<[string, number]>) => l.map(([itemId, quantity]) => ({ itemId, quantity }));
const errorBody = (status: number, error: string, message?: RegExp) =>
  expect.objectContaining({ statusCode: status, error, message: message ? expect.stringMatching(message) : expect.any(String), correlationId: expect.any(String) });

/**
 * The command API's flows over real HTTP, run once per store (sqlite / postgres e2e files): the full
 * path from request to receipt, each role's refusals, idempotent retries, the race for the last
 * units, and the error shapes.
 */
export function commandFlowsSuite(start: () => Promise<RunningApi>): void {
  let api: RunningApi;
  let c: LumbungClient;
  let t: Tokens;

  beforeAll(async () => {
    api = await start();
    c = new LumbungClient(api);
    t = tokens(c);
    await registerCluster(c, t);
  });
  afterAll(async () => {
    // Failures the caller did not cause are logged in full: show them with the failing test.
    const internal = api?.logs.filter((l) => l.level >= 50) ?? [];
    if (internal.length > 0) console.error(internal.slice(0, 3).map((l) => JSON.stringify(l)).join('\n'));
    await api?.close();
  });

  const neededBy = '2024-03-06T12:00:00+07:00';
  /** A request from posko-pemayung, approved as asked unless `approve` says otherwise. */
  async function approvedRequest(requestLines: Array<{ itemId: string; quantity: number }>, approve: Loose = {}, siteId: string = s.pemayung): Promise<string> {
    const submitted = await c.ok('/requests', { siteId, incidentId: inc.flood, priority: 'urgent', neededBy, lines: requestLines }, { token: t.eoc });
    const requestId = submitted.body.id as string;
    await c.ok(`/requests/${requestId}/approve`, approve, { token: t.eoc });
    return requestId;
  }
  const receive = (warehouseId: string, l: Array<{ itemId: string; quantity: number }>, token = t.eoc) =>
    c.ok(`/warehouses/${warehouseId}/stock/receipts`, { source: { kind: 'procurement', reference: `PO-${randomUUID().slice(0, 8)}` }, lines: l }, { token });
  const plan = (requestId: string, l: Array<{ itemId: string; quantity: number }>, o: { key?: string; token?: string; warehouseId?: string; dispatchId?: string; signal?: AbortSignal } = {}) =>
    c.send(
      '/dispatches',
      { ...(o.dispatchId ? { dispatchId: o.dispatchId } : {}), warehouseId: o.warehouseId ?? w.main, destination: { kind: 'site', siteId: s.pemayung }, requestId, lines: l },
      { token: o.token ?? t.eoc, key: o.key ?? randomUUID(), ...(o.signal ? { signal: o.signal } : {}) },
    );

  describe('the full path: request, approval, pledge, stock receipt, dispatch, departure, receipt', () => {
    it('records every decision as events, with who, when, why and the request id flowing through', async () => {
      // The site asks; the EOC approves less rice than asked, saying why.
      const submitted = await c.ok(
        '/requests',
        { siteId: s.pemayung, incidentId: inc.flood, priority: 'life-saving', neededBy, lines: lines([i.rice, 100], [i.kit, 40], [i.water, 50]), note: '450 families at SDN 12' },
        { token: t.site },
      );
      expect(submitted.status).toBe(201);
      const requestId = submitted.body.id as string;
      expect(submitted.body).toEqual({ id: requestId, streamId: `request-${requestId}`, revision: 0, events: ['RequestSubmitted'], refs: { requestId, siteId: s.pemayung } });
      expect(submitted.headers.get('etag')).toBe(`"request-${requestId}:0"`);

      const approved = await c.ok(`/requests/${requestId}/approve`, { lines: [{ itemId: i.rice, approved: 80, reason: 'shared with Posko Sengeti' }] }, { token: t.eoc, ifMatch: `"request-${requestId}:0"` });
      expect(approved.status).toBe(200);
      expect(approved.body).toMatchObject({ revision: 1, events: ['RequestApproved'] });

      // PMI pledges family kits and rice for the request; the EOC accepts.
      const pledged = await c.ok('/pledges', { memberId: m.pmi, requestId, lines: lines([i.kit, 40], [i.rice, 50]), expectedBy: '2024-03-05T10:00:00+07:00' }, { token: t.pmi });
      const pledgeId = pledged.body.id as string;
      await c.ok(`/pledges/${pledgeId}/accept`, { note: 'deliver to the provincial warehouse' }, { token: t.eoc });

      // The warehouse receives a procurement and PMI's pledge: the pledge delivery is recorded with it.
      await receive(w.main, lines([i.rice, 200]), t.warehouse);
      const fromPledge = await c.ok(
        `/warehouses/${w.main}/stock/receipts`,
        { receiptId: 'GRN-PMI-0001', source: { kind: 'pledge', pledgeId }, lines: [{ itemId: i.kit, quantity: 40 }, { itemId: i.rice, quantity: 30, batch: 'B-1', expiry: '2025-06-01' }, { itemId: i.rice, quantity: 20 }] },
        { token: t.warehouse },
      );
      expect(fromPledge.body).toMatchObject({ id: w.main, streamId: `stock-${w.main}`, events: ['StockReceived'], refs: { receiptId: 'GRN-PMI-0001', pledgeId } });
      const pledgeEvents = await c.events(`pledge-${pledgeId}`);
      expect(pledgeEvents.map((e) => e.type)).toEqual(['PledgeOffered', 'PledgeAccepted', 'PledgeDeliveryRecorded', 'PledgeFulfilled']);
      expect(pledgeEvents[2].data).toMatchObject({ receiptId: 'GRN-PMI-0001', warehouseId: w.main, lines: [{ itemId: i.kit, quantity: 40 }, { itemId: i.rice, quantity: 50 }] });
      expect(pledgeEvents[2].metadata).toMatchObject({ correlationId: requestId, actor: 'gudang-1', role: 'warehouse' });

      // The EOC plans the dispatch: stock reserved, the request claimed, the dispatch planned.
      const planned = await plan(requestId, lines([i.rice, 80], [i.kit, 40]));
      expect(planned.status).toBe(201);
      const dispatchId = planned.body.id as string;
      expect(planned.body).toEqual({ id: dispatchId, streamId: `dispatch-${dispatchId}`, revision: 0, events: ['DispatchPlanned'], refs: { dispatchId, requestId, warehouseId: w.main } });
      expect(stockLevel(await c.state('stock', w.main), i.rice)).toMatchObject({ onHand: 250, reserved: 80, available: 170 });
      expect((await c.state('request', requestId)).lines.find((l) => l.itemId === i.rice)).toMatchObject({ approved: 80, dispatched: 80 });

      // It leaves: consumables issued from the warehouse.
      const departed = await c.ok(`/dispatches/${dispatchId}/depart`, { vehicle: 'BH 8123 KA', driver: 'Pak Yusuf', waybillNumber: 'SJ/BPBD/0007' }, { token: t.warehouse });
      expect(departed.body).toMatchObject({ revision: 1, events: ['DispatchDeparted'], refs: { waybillNumber: 'SJ/BPBD/0007' } });
      expect(stockLevel(await c.state('stock', w.main), i.rice)).toMatchObject({ onHand: 170, reserved: 0, available: 170 });
      expect(stockLevel(await c.state('stock', w.main), i.kit)).toMatchObject({ onHand: 0, reserved: 0 });

      // The site records what arrived: rice short by 5, 2 kits damaged.
      const receipt = await c.ok(
        `/dispatches/${dispatchId}/receipt`,
        {
          receiptId: 'BAST-PMY-001',
          receivedBy: 'Ibu Sari',
          lines: [
            { itemId: i.rice, received: 75, reason: '5 sacks missing on arrival' },
            { itemId: i.kit, received: 38, damaged: 2, reason: '2 kits soaked' },
          ],
        },
        { token: t.site },
      );
      expect(receipt.status).toBe(201);
      expect(receipt.body).toMatchObject({ id: dispatchId, revision: 2, events: ['DispatchDelivered'], refs: { receiptId: 'BAST-PMY-001' } });
      const dispatchEvents = await c.events(`dispatch-${dispatchId}`);
      expect(dispatchEvents.map((e) => e.type)).toEqual(['DispatchPlanned', 'DispatchDeparted', 'DispatchDelivered']);
      expect(dispatchEvents[2].data.lines).toEqual([
        { itemId: i.rice, dispatched: 80, received: 75, damaged: 0, short: 5, over: 0, reason: '5 sacks missing on arrival' },
        { itemId: i.kit, dispatched: 40, received: 38, damaged: 2, short: 0, over: 0, reason: '2 kits soaked' },
      ]);

      // A dispatch is delivered at most once.
      const again = await c.send(`/dispatches/${dispatchId}/receipt`, { receivedBy: 'Ibu Sari', lines: [{ itemId: i.rice, received: 80 }, { itemId: i.kit, received: 40 }] }, { token: t.site });
      expect(again.status).toBe(409);
      expect(again.body).toEqual(errorBody(409, 'already-delivered', /already delivered \(receipt BAST-PMY-001\)/));

      // Who, when, why, and the request id through approval, reservation, claim, dispatch and receipt.
      const reserve = (await c.events(`stock-${w.main}`)).find((e) => e.type === 'StockReserved' && e.data.dispatchId === dispatchId)!;
      const claim = (await c.events(`request-${requestId}`)).find((e) => e.type === 'RequestDispatchRecorded')!;
      const approval = (await c.events(`request-${requestId}`))[1];
      for (const e of [approval, reserve, claim, ...dispatchEvents]) {
        expect(e.metadata).toMatchObject({ correlationId: requestId, causationId: expect.any(String), occurredAt: expect.any(String), recordedAt: expect.any(String) });
        expect(e.metadata.extra).toMatchObject({ requestHash: expect.stringMatching(/^[0-9a-f]{64}$/), incidentId: inc.flood, phase: 'emergency' });
      }
      expect(approval.metadata).toMatchObject({ actor: 'pusdalops-1', member: m.bpbd, role: 'eoc', reason: `${i.rice}: shared with Posko Sengeti` });
      expect(reserve.metadata).toMatchObject({ actor: 'pusdalops-1', role: 'eoc' });
      expect(reserve.metadata.causationId).toBe(dispatchEvents[0].metadata.causationId);
      expect(dispatchEvents[2].metadata).toMatchObject({ actor: 'koordinator-pemayung', role: 'site', reason: `${i.rice}: 5 sacks missing on arrival; ${i.kit}: 2 kits soaked` });
      // occurredAt is the server's time at the command's arrival, and the events carry it as data.
      expect(dispatchEvents[2].data.deliveredAt).toBe(dispatchEvents[2].metadata.occurredAt);
    });

    it("a member's direct delivery against its pledge: the site's receipt records the pledge delivery", async () => {
      const requestId = await approvedRequest(lines([i.water, 60]));
      const pledge = await c.ok('/pledges', { memberId: m.distributor, requestId, lines: lines([i.water, 60]), expectedBy: '2024-03-05T10:00:00+07:00' }, { token: t.distributor });
      const pledgeId = pledge.body.id as string;
      await c.ok(`/pledges/${pledgeId}/accept`, {}, { token: t.eoc });
      const planned = await c.ok('/dispatches', { memberId: m.distributor, pledgeId, destination: { kind: 'site', siteId: s.pemayung }, requestId, lines: lines([i.water, 60]) }, { token: t.distributor });
      const dispatchId = planned.body.id as string;
      // Another member may not move it.
      const foreign = await c.send(`/dispatches/${dispatchId}/depart`, { vehicle: 'pickup', driver: 'x', waybillNumber: 'W-1' }, { token: t.pmi });
      expect(foreign.status).toBe(403);
      await c.ok(`/dispatches/${dispatchId}/depart`, { vehicle: 'BH 1234 XY (pickup)', driver: 'Pak Amin', waybillNumber: 'SJ/UDBS/0001' }, { token: t.distributor });
      await c.ok(`/dispatches/${dispatchId}/receipt`, { receivedBy: 'Ibu Sari', lines: [{ itemId: i.water, received: 60 }] }, { token: t.site });
      const events = await c.events(`pledge-${pledgeId}`);
      expect(events.map((e) => e.type)).toEqual(['PledgeOffered', 'PledgeAccepted', 'PledgeDeliveryRecorded', 'PledgeFulfilled']);
      expect(events[2].data).toMatchObject({ dispatchId, lines: [{ itemId: i.water, quantity: 60 }] });
    });

    it('the EOC lets an overdue pledge lapse; not before its date, and not a member', async () => {
      const overdue = await c.ok('/pledges', { memberId: m.pmi, incidentId: inc.flood, lines: lines([i.kit, 10]), expectedBy: '2024-03-05T10:00:00+07:00' }, { token: t.pmi });
      const pledgeId = overdue.body.id as string;
      await c.ok(`/pledges/${pledgeId}/accept`, {}, { token: t.eoc });
      const byMember = await c.send(`/pledges/${pledgeId}/lapse`, {}, { token: t.pmi });
      expect(byMember.status).toBe(403);
      const lapsed = await c.ok(`/pledges/${pledgeId}/lapse`, { note: 'no word from PMI since the 5th' }, { token: t.eoc });
      expect(lapsed.body).toMatchObject({ id: pledgeId, revision: 2, events: ['PledgeLapsed'] });
      const events = await c.events(`pledge-${pledgeId}`);
      expect(events[2].data).toMatchObject({ pledgeId, expectedBy: '2024-03-05T10:00:00+07:00', outstanding: [{ itemId: i.kit, quantity: 10 }] });
      expect(events[2].metadata).toMatchObject({ reason: 'no word from PMI since the 5th', role: 'eoc' });

      const future = await c.ok('/pledges', { memberId: m.pmi, incidentId: inc.flood, lines: lines([i.kit, 10]), expectedBy: '2099-01-01T00:00:00Z' }, { token: t.pmi });
      const early = await c.send(`/pledges/${future.body.id}/lapse`, {}, { token: t.eoc });
      expect(early.status).toBe(409);
      expect(early.body).toEqual(errorBody(409, 'pledge-not-overdue', /is expected by 2099-01-01T00:00:00Z; it cannot lapse at/));
    });

    it('cancel releases the reservation and the claim; lost re-opens the need and writes off equipment', async () => {
      await receive(w.main, lines([i.noodles, 50], [i.genset, 2]));
      const requestId = await approvedRequest(lines([i.noodles, 30], [i.genset, 1]));
      const before = stockLevel(await c.state('stock', w.main), i.noodles);

      const first = await plan(requestId, lines([i.noodles, 30]));
      const cancelled = await c.ok(`/dispatches/${first.body.id}/cancel`, { reason: 'road to Pemayung closed' }, { token: t.eoc });
      expect(cancelled.body.events).toEqual(['DispatchCancelled']);
      expect(stockLevel(await c.state('stock', w.main), i.noodles)).toMatchObject({ reserved: before.reserved, available: before.available });
      expect((await c.state('request', requestId)).lines.find((l) => l.itemId === i.noodles)).toMatchObject({ dispatched: 0 });
      const late = await c.send(`/dispatches/${first.body.id}/depart`, { vehicle: 'v', driver: 'd', waybillNumber: 'w' }, { token: t.warehouse });
      expect(late.body).toEqual(errorBody(409, 'dispatch-cancelled'));

      const second = await plan(requestId, lines([i.noodles, 30], [i.genset, 1]));
      const dispatchId = second.body.id as string;
      await c.ok(`/dispatches/${dispatchId}/depart`, { vehicle: 'truck', driver: 'Pak Budi', waybillNumber: 'SJ-2' }, { token: t.warehouse });
      expect(stockLevel(await c.state('stock', w.main), i.genset)).toMatchObject({ onHand: 1, deployed: 1 });
      const lost = await c.ok(`/dispatches/${dispatchId}/lost`, { reason: 'truck swept away at Sungai Buluh' }, { token: t.warehouse });
      expect(lost.body.events).toEqual(['DispatchLost']);
      expect((await c.state('request', requestId)).lines.find((l) => l.itemId === i.noodles)).toMatchObject({ approved: 30, dispatched: 0 });
      expect(stockLevel(await c.state('stock', w.main), i.genset)).toMatchObject({ onHand: 1, deployed: 0 });
      expect(stockLevel(await c.state('stock', w.main), i.noodles)).toMatchObject({ onHand: before.onHand - 30, reserved: 0 });
    });

    it('equipment deployed with a dispatch comes back to its warehouse', async () => {
      await receive(w.main, lines([i.genset, 1]));
      const requestId = await approvedRequest(lines([i.genset, 1]));
      const d = (await plan(requestId, lines([i.genset, 1]))).body.id as string;
      await c.ok(`/dispatches/${d}/depart`, { vehicle: 'pickup', driver: 'Pak Budi', waybillNumber: 'SJ-3' }, { token: t.warehouse });
      await c.ok(`/dispatches/${d}/receipt`, { receivedBy: 'Ibu Sari', lines: [{ itemId: i.genset, received: 1 }] }, { token: t.site });
      const deployed = stockLevel(await c.state('stock', w.main), i.genset);
      expect(deployed.deployed).toBeGreaterThanOrEqual(1);
      await c.ok(`/warehouses/${w.main}/stock/returns`, { dispatchId: d, lines: lines([i.genset, 1]), note: 'water receded' }, { token: t.warehouse });
      expect(stockLevel(await c.state('stock', w.main), i.genset)).toMatchObject({ onHand: deployed.onHand + 1, deployed: deployed.deployed - 1 });
      const tooMany = await c.send(`/warehouses/${w.main}/stock/returns`, { dispatchId: d, lines: lines([i.genset, 1]) }, { token: t.warehouse });
      expect(tooMany.body).toEqual(errorBody(409, 'return-exceeds-deployed', /returning 1 of genset-5kva .* but 0 are deployed/));
    });

    it('pre-positioning during preparedness arrives as a transfer into the destination warehouse', async () => {
      await receive(w.main, lines([i.kit, 25]));
      const planned = await c.ok('/dispatches', { warehouseId: w.main, destination: { kind: 'warehouse', warehouseId: w.tebo }, incidentId: inc.prep, lines: lines([i.kit, 25]) }, { token: t.eoc });
      const d = planned.body.id as string;
      await c.ok(`/dispatches/${d}/depart`, { vehicle: 'truck', driver: 'Pak Rudi', waybillNumber: 'SJ-PP-1' }, { token: t.warehouse });
      await c.ok(`/dispatches/${d}/receipt`, { receivedBy: 'Pak Joko', lines: [{ itemId: i.kit, received: 24, damaged: 1, reason: 'one carton crushed' }] }, { token: t.warehouseTebo });
      expect(stockLevel(await c.state('stock', w.tebo), i.kit)).toMatchObject({ onHand: 24, available: 24 });
      // Not during the emergency: refused before anything is written.
      const head = await c.settledHead();
      const refused = await c.send('/dispatches', { warehouseId: w.main, destination: { kind: 'warehouse', warehouseId: w.tebo }, incidentId: inc.flood, lines: lines([i.rice, 1]) }, { token: t.eoc });
      expect(refused.body).toEqual(errorBody(409, 'pre-positioning-outside-preparedness', /is in emergency/));
      expect(await c.settledHead()).toBe(head);
    });

    it('stock adjustments, counts and transfers', async () => {
      await receive(w.pmi, lines([i.rice, 40]), t.warehousePmi);
      const adj = await c.ok(`/warehouses/${w.pmi}/stock/adjustments`, { itemId: i.rice, quantity: 3, reason: 'damaged', note: 'roof leak' }, { token: t.warehousePmi });
      expect(adj.body.events).toEqual(['StockAdjusted']);
      const count = await c.ok(`/warehouses/${w.pmi}/stock/counts`, { lines: [{ itemId: i.rice, counted: 35 }], note: 'stock opname' }, { token: t.warehousePmi });
      expect(count.body.events).toEqual(['StockCounted', 'StockAdjusted']);
      const tooMuch = await c.send(`/warehouses/${w.pmi}/stock/adjustments`, { itemId: i.rice, quantity: 36, reason: 'lost', note: 'flooded' }, { token: t.warehousePmi });
      expect(tooMuch.body).toEqual(errorBody(409, 'adjustment-exceeds-available', /available 35/));
      const out = await c.ok(`/warehouses/${w.pmi}/stock/transfers`, { transferId: 'TRF-1', toWarehouseId: w.tebo, lines: lines([i.rice, 10]), reason: 'closer to Tebo' }, { token: t.warehousePmi });
      expect(out.body.refs).toEqual({ transferId: 'TRF-1', toWarehouseId: w.tebo });
      await c.ok(`/warehouses/${w.tebo}/stock/receipts`, { source: { kind: 'transfer', transferId: 'TRF-1', fromWarehouseId: w.pmi }, lines: lines([i.rice, 10]) }, { token: t.warehouseTebo });
      expect(stockLevel(await c.state('stock', w.pmi), i.rice)).toMatchObject({ onHand: 25 });
      expect(stockLevel(await c.state('stock', w.tebo), i.rice)).toMatchObject({ onHand: 10 });
      const unknown = await c.send(`/warehouses/${w.tebo}/stock/receipts`, { source: { kind: 'transfer', transferId: 'TRF-X', fromWarehouseId: w.pmi }, lines: lines([i.rice, 1]) }, { token: t.warehouseTebo });
      expect(unknown.body).toEqual(errorBody(404, 'unknown-transfer'));
    });

    it('capacity register and operations plans', async () => {
      await c.ok(`/members/${m.pmi}/capacity/vehicles`, { vehicleType: 'truck', payloadKg: 6000, count: 3 }, { token: t.pmi });
      await c.ok(`/members/${m.pmi}/capacity/equipment`, { kind: 'boat', condition: 'good', count: 4, note: 'rubber boats' }, { token: t.pmi });
      await c.ok(`/members/${m.pmi}/capacity/people`, { count: 60, skills: ['water rescue', 'first aid'] }, { token: t.pmi });
      await c.ok(`/members/${m.pmi}/capacity/warehouses`, { warehouseId: w.pmi, capacityM3: 800 }, { token: t.pmi });
      const notOwned = await c.send(`/members/${m.pmi}/capacity/warehouses`, { warehouseId: w.main, capacityM3: 800 }, { token: t.pmi });
      expect(notOwned.body).toEqual(errorBody(409, 'warehouse-not-owned'));
      const capacity = await c.state('capacity', m.pmi);
      expect(capacity).toMatchObject({ memberId: m.pmi, vehicles: { truck: { payloadKg: 6000, count: 3 } }, people: { count: 60 } });

      const drafted = await c.ok('/operations-plans', { planId: 'renops-tebo', name: 'Renops banjir Tebo', hazard: 'flood', district: 'Tebo', lines: [{ itemId: i.kit, quantity: 100, warehouseId: w.tebo }] }, { token: t.eoc });
      expect(drafted.status).toBe(201);
      await c.ok('/operations-plans/renops-tebo/revisions', { lines: [{ itemId: i.kit, quantity: 150, warehouseId: w.tebo }], reason: 'after the 2023 review' }, { token: t.eoc });
      const wrongDistrict = await c.send('/operations-plans/renops-tebo/activate', { incidentId: inc.flood }, { token: t.eoc });
      expect(wrongDistrict.body).toEqual(errorBody(409, 'district-not-affected'));
      const activated = await c.ok('/operations-plans/renops-tebo/activate', { incidentId: inc.prep }, { token: t.eoc });
      expect(activated.body.events).toEqual(['OperationsPlanActivated']);
      expect((await c.state('operationsPlan', 'renops-tebo')).activations).toEqual({ [inc.prep]: 2 });
    });
  });

  describe('authorization', () => {
    let requestId: string;
    let dispatchId: string;
    let pledgeId: string;

    beforeAll(async () => {
      await receive(w.main, lines([i.rice, 20]));
      requestId = await approvedRequest(lines([i.rice, 20]));
      dispatchId = (await plan(requestId, lines([i.rice, 5]))).body.id;
      pledgeId = (await c.ok('/pledges', { memberId: m.pmi, incidentId: inc.flood, lines: lines([i.kit, 5]), expectedBy: neededBy }, { token: t.pmi })).body.id;
    });

    const everyCommand = (): Array<[string, string, unknown]> => [
      ['POST', '/items', { code: 'X', name: 'X', unit: 'pcs', category: 'food' }],
      ['PATCH', `/items/${i.rice}`, { name: 'Beras' }],
      ['POST', `/items/${i.rice}/deactivate`, { reason: 'x' }],
      ['POST', '/members', { name: 'X', kind: 'community' }],
      ['PATCH', `/members/${m.pmi}`, { name: 'X' }],
      ['POST', `/members/${m.pmi}/deactivate`, { reason: 'x' }],
      ['POST', '/warehouses', { name: 'X', ownerMemberId: m.pmi, district: 'X', lat: 0, lon: 0 }],
      ['PATCH', `/warehouses/${w.main}`, { name: 'X' }],
      ['POST', `/warehouses/${w.main}/deactivate`, { reason: 'x' }],
      ['POST', '/sites', { name: 'X', type: 'posko', district: 'X', lat: 0, lon: 0 }],
      ['PATCH', `/sites/${s.pemayung}`, { name: 'X' }],
      ['POST', `/sites/${s.pemayung}/deactivate`, { reason: 'x' }],
      ['POST', '/incidents', { name: 'X', type: 'flood', districts: ['X'] }],
      ['PATCH', `/incidents/${inc.flood}`, { name: 'X' }],
      ['POST', `/incidents/${inc.flood}/phase`, { phase: 'recovery', reason: 'x' }],
      ['POST', `/incidents/${inc.flood}/deactivate`, { reason: 'x' }],
      ['POST', `/members/${m.pmi}/capacity/warehouses`, { warehouseId: w.pmi, capacityM3: 1 }],
      ['POST', `/members/${m.pmi}/capacity/vehicles`, { vehicleType: 'truck', payloadKg: 1, count: 1 }],
      ['POST', `/members/${m.pmi}/capacity/equipment`, { kind: 'boat', condition: 'good', count: 1 }],
      ['POST', `/members/${m.pmi}/capacity/people`, { count: 1 }],
      ['POST', '/operations-plans', { name: 'X', hazard: 'flood', district: 'X', lines: [{ itemId: i.rice, quantity: 1, warehouseId: w.main }] }],
      ['POST', '/operations-plans/renops-tebo/revisions', { lines: [{ itemId: i.rice, quantity: 1, warehouseId: w.main }], reason: 'x' }],
      ['POST', '/operations-plans/renops-tebo/activate', { incidentId: inc.flood }],
      ['POST', '/requests', { siteId: s.pemayung, incidentId: inc.flood, priority: 'normal', neededBy, lines: lines([i.rice, 1]) }],
      ['POST', `/requests/${requestId}/approve`, {}],
      ['POST', `/requests/${requestId}/reject`, { reason: 'x' }],
      ['POST', `/requests/${requestId}/cancel`, { reason: 'x' }],
      ['POST', `/requests/${requestId}/close`, {}],
      ['POST', '/pledges', { memberId: m.pmi, incidentId: inc.flood, lines: lines([i.rice, 1]), expectedBy: neededBy }],
      ['POST', `/pledges/${pledgeId}/accept`, {}],
      ['POST', `/pledges/${pledgeId}/decline`, { reason: 'x' }],
      ['POST', `/pledges/${pledgeId}/withdraw`, { reason: 'x' }],
      ['POST', `/pledges/${pledgeId}/lapse`, {}],
      ['POST', `/warehouses/${w.main}/stock/receipts`, { source: { kind: 'procurement', reference: 'PO' }, lines: lines([i.rice, 1]) }],
      ['POST', `/warehouses/${w.main}/stock/adjustments`, { itemId: i.rice, quantity: 1, reason: 'found', note: 'x' }],
      ['POST', `/warehouses/${w.main}/stock/counts`, { lines: [{ itemId: i.rice, counted: 1 }] }],
      ['POST', `/warehouses/${w.main}/stock/transfers`, { toWarehouseId: w.tebo, lines: lines([i.rice, 1]), reason: 'x' }],
      ['POST', `/warehouses/${w.main}/stock/returns`, { dispatchId, lines: lines([i.genset, 1]) }],
      ['POST', `/warehouses/${w.main}/stock/write-offs`, { dispatchId, lines: lines([i.genset, 1]), reason: 'lost', note: 'x' }],
      ['POST', '/dispatches', { warehouseId: w.main, destination: { kind: 'site', siteId: s.pemayung }, requestId, lines: lines([i.rice, 1]) }],
      ['POST', `/dispatches/${dispatchId}/depart`, { vehicle: 'v', driver: 'd', waybillNumber: 'w' }],
      ['POST', `/dispatches/${dispatchId}/cancel`, { reason: 'x' }],
      ['POST', `/dispatches/${dispatchId}/lost`, { reason: 'x' }],
      ['POST', `/dispatches/${dispatchId}/receipt`, { receivedBy: 'x', lines: [{ itemId: i.rice, received: 5 }] }],
    ];

    it('commanders and auditors only read: every command refuses them with 403 and appends nothing', async () => {
      const head = await c.settledHead();
      const commands = everyCommand();
      expect(commands.length).toBeGreaterThanOrEqual(43);
      for (const role of ['commander', 'auditor'] as const) {
        const replies = await Promise.all(commands.map(([method, path, body]) => c.send(path, body, { token: t[role], method }).then((r) => [method, path, r] as const)));
        for (const [method, path, r] of replies) {
          expect({ method, path, status: r.status }).toEqual({ method, path, status: 403 });
          expect(r.body).toEqual(errorBody(403, 'role-not-allowed', new RegExp(`role ${role} may not do this`)));
        }
      }
      expect(await c.settledHead()).toBe(head);
    });

    // [who, method, path, body, code]: each scoped role outside its scope, and roles that may not issue the command.
    const refusals = (): Array<[keyof Tokens, string, string, unknown, string]> => [
      ['site', 'POST', '/items', { code: 'X', name: 'X', unit: 'pcs', category: 'food' }, 'role-not-allowed'],
      ['warehouse', 'POST', '/incidents', { name: 'X', type: 'flood', districts: ['X'] }, 'role-not-allowed'],
      ['pmi', 'PATCH', `/warehouses/${w.main}`, { name: 'Mine now' }, 'not-your-member'],
      ['pmi', 'PATCH', `/warehouses/${w.pmi}`, { ownerMemberId: m.distributor }, 'owner-change-not-allowed'],
      ['pmi', 'POST', `/members/${m.distributor}/capacity/people`, { count: 1 }, 'not-your-member'],
      ['distributor', 'POST', `/members/${m.pmi}/capacity/warehouses`, { warehouseId: w.main, capacityM3: 1 }, 'not-your-member'],
      ['siteSengeti', 'POST', '/requests', { siteId: s.pemayung, incidentId: inc.flood, priority: 'normal', neededBy, lines: lines([i.rice, 1]) }, 'not-your-site'],
      ['siteSengeti', 'POST', `/requests/${requestId}/cancel`, { reason: 'x' }, 'not-your-site'],
      ['site', 'POST', `/requests/${requestId}/approve`, {}, 'role-not-allowed'],
      ['pmi', 'POST', `/requests/${requestId}/close`, {}, 'role-not-allowed'],
      ['distributor', 'POST', '/pledges', { memberId: m.pmi, incidentId: inc.flood, lines: lines([i.rice, 1]), expectedBy: neededBy }, 'not-your-member'],
      ['distributor', 'POST', `/pledges/${pledgeId}/withdraw`, { reason: 'x' }, 'not-your-member'],
      ['pmi', 'POST', `/pledges/${pledgeId}/accept`, {}, 'role-not-allowed'],
      ['warehousePmi', 'POST', `/warehouses/${w.main}/stock/receipts`, { source: { kind: 'procurement', reference: 'PO' }, lines: lines([i.rice, 1]) }, 'not-your-warehouse'],
      ['warehousePmi', 'POST', `/warehouses/${w.main}/stock/adjustments`, { itemId: i.rice, quantity: 1, reason: 'lost', note: 'x' }, 'not-your-warehouse'],
      ['pmi', 'POST', `/warehouses/${w.pmi}/stock/receipts`, { source: { kind: 'procurement', reference: 'PO' }, lines: lines([i.rice, 1]) }, 'role-not-allowed'],
      ['warehouse', 'POST', '/dispatches', { warehouseId: w.main, destination: { kind: 'site', siteId: s.pemayung }, requestId, lines: lines([i.rice, 1]) }, 'role-not-allowed'],
      ['pmi', 'POST', '/dispatches', { warehouseId: w.main, destination: { kind: 'site', siteId: s.pemayung }, requestId, lines: lines([i.rice, 1]) }, 'not-your-member'],
      ['warehousePmi', 'POST', `/dispatches/${dispatchId}/depart`, { vehicle: 'v', driver: 'd', waybillNumber: 'w' }, 'not-your-warehouse'],
      ['warehouse', 'POST', `/dispatches/${dispatchId}/cancel`, { reason: 'x' }, 'role-not-allowed'],
      ['siteSengeti', 'POST', `/dispatches/${dispatchId}/receipt`, { receivedBy: 'x', lines: [{ itemId: i.rice, received: 5 }] }, 'not-your-site'],
      ['warehouseTebo', 'POST', `/dispatches/${dispatchId}/receipt`, { receivedBy: 'x', lines: [{ itemId: i.rice, received: 5 }] }, 'not-your-warehouse'],
    ];

    it("each scoped role acts only for its own member, warehouse or site; 403 says why; nothing is appended", async () => {
      const head = await c.settledHead();
      for (const [who, method, path, body, code] of refusals()) {
        const r = await c.send(path, body, { token: t[who], method });
        expect({ who, path, status: r.status, error: r.body?.error }).toEqual({ who, path, status: 403, error: code });
        expect(r.body.message).toEqual(expect.any(String));
      }
      expect(await c.settledHead()).toBe(head);
    });

    it('without a token: 401', async () => {
      const r = await api.call('/requests', { json: {} });
      expect(r.status).toBe(401);
    });
  });

  describe('idempotency', () => {
    it('a retried command with the same key returns the first result (body, status, ETag) and has its effect once', async () => {
      const key = `submit-${randomUUID()}`;
      const body = { siteId: s.pemayung, incidentId: inc.flood, priority: 'normal', neededBy, lines: lines([i.kit, 3]) };
      const first = await c.send('/requests', body, { token: t.site, key });
      const second = await c.send('/requests', body, { token: t.site, key });
      expect(first.status).toBe(201);
      expect(second.status).toBe(201);
      expect(second.body).toEqual(first.body);
      expect(second.headers.get('etag')).toBe(first.headers.get('etag'));
      expect(second.headers.get('idempotent-replayed')).toBe('true');
      expect(first.headers.get('idempotent-replayed')).toBeNull();
      expect((await c.events(first.body.streamId)).map((e) => e.type)).toEqual(['RequestSubmitted']);
      // The same key for another request: refused, not answered with the first result.
      const reused = await c.send('/requests', { ...body, priority: 'urgent' }, { token: t.site, key });
      expect(reused.status).toBe(422);
      expect(reused.body.error).toBe('idempotency-key-reused');
    });

    it('5 concurrent plans with one key: one dispatch, one reservation, one claim, five identical answers', async () => {
      await receive(w.main, lines([i.water, 10]));
      const requestId = await approvedRequest(lines([i.water, 10]));
      const before = stockLevel(await c.state('stock', w.main), i.water);
      const key = `plan-${randomUUID()}`;
      const replies = await Promise.all(Array.from({ length: 5 }, () => plan(requestId, lines([i.water, 4]), { key })));
      expect(replies.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
      for (const r of replies) expect(r.body).toEqual(replies[0].body);
      const dispatchId = replies[0].body.id as string;
      expect((await c.events(`dispatch-${dispatchId}`)).map((e) => e.type)).toEqual(['DispatchPlanned']);
      expect(stockLevel(await c.state('stock', w.main), i.water)).toMatchObject({ reserved: before.reserved + 4, available: before.available - 4 });
      const request = await c.state('request', requestId);
      expect(Object.keys(request.dispatches)).toEqual([dispatchId]);
      expect(request.lines[0]).toMatchObject({ approved: 10, dispatched: 4 });
    });

    it('a client that gave up: the flow completes server-side, and the retry gets the result without a second effect', async () => {
      await receive(w.main, lines([i.water, 5]));
      const requestId = await approvedRequest(lines([i.water, 5]));
      const before = stockLevel(await c.state('stock', w.main), i.water);
      const key = `gave-up-${randomUUID()}`;
      const controller = new AbortController();
      const abandoned = plan(requestId, lines([i.water, 5]), { key, signal: controller.signal });
      setTimeout(() => controller.abort(), 2);
      await expect(abandoned).rejects.toThrow();
      let retry: Reply | undefined;
      for (let attempt = 0; attempt < 3; attempt++) {
        retry = await plan(requestId, lines([i.water, 5]), { key });
        if (retry.status === 201) break;
      }
      expect(retry!.status).toBe(201);
      const again = await plan(requestId, lines([i.water, 5]), { key });
      expect(again.body).toEqual(retry!.body);
      expect(stockLevel(await c.state('stock', w.main), i.water)).toMatchObject({ reserved: before.reserved + 5 });
      expect((await c.state('request', requestId)).lines[0]).toMatchObject({ dispatched: 5 });
    });

    it('If-Match: a stale ETag is refused with 412; the current one is accepted', async () => {
      const submitted = await c.ok('/requests', { siteId: s.pemayung, incidentId: inc.flood, priority: 'normal', neededBy, lines: lines([i.kit, 1]) }, { token: t.site });
      const etag = submitted.headers.get('etag')!;
      await c.ok(`/requests/${submitted.body.id}/reject`, { reason: 'duplicate of an earlier request' }, { token: t.eoc, ifMatch: etag });
      const stale = await c.send(`/requests/${submitted.body.id}/close`, {}, { token: t.eoc, ifMatch: etag });
      expect(stale.status).toBe(412);
      expect(stale.body).toEqual(errorBody(412, 'precondition-failed'));
    });
  });

  describe('concurrency', () => {
    it('16 concurrent dispatches for the last units: stock never below zero, every loser gets 409 insufficient-stock with the numbers', async () => {
      await receive(w.race, lines([i.rice, 100]));
      const requestId = await approvedRequest(lines([i.rice, 16 * 7]));
      const head = await c.settledHead();
      const started = Date.now();
      const replies = await Promise.all(Array.from({ length: 16 }, () => plan(requestId, lines([i.rice, 7]), { warehouseId: w.race })));
      const won = replies.filter((r) => r.status === 201);
      const lost = replies.filter((r) => r.status !== 201);
      expect(won).toHaveLength(14);
      expect(lost).toHaveLength(2);
      for (const r of lost) {
        expect(r.status).toBe(409);
        expect(r.body).toEqual(errorBody(409, 'insufficient-stock', new RegExp(`insufficient stock of ${i.rice} in warehouse ${w.race}: requested 7, available 2`)));
        expect(r.body.details).toMatchObject({ warehouseId: w.race, itemId: i.rice, requested: 7, available: 2 });
      }
      const stock = await c.state('stock', w.race);
      expect(stockLevel(stock, i.rice)).toMatchObject({ onHand: 100, reserved: 98, available: 2 });
      expect(stock.reservations.size).toBe(14);
      const request = await c.state('request', requestId);
      expect(request.lines[0]).toMatchObject({ approved: 112, dispatched: 98 });
      // 14 × (reservation, claim, dispatch); the losers wrote nothing anywhere.
      expect((await c.settledHead()) - head).toBe(14 * 3);
      expect(Date.now() - started).toBeLessThan(20_000);
    });

    it('8 concurrent dispatches from different warehouses for one request: the claim decides, losers write nothing, not even a reservation to undo', async () => {
      const from = [w.pmi, w.main, w.race, w.pmi, w.main, w.race, w.pmi, w.main];
      for (const wh of new Set(from)) await receive(wh, lines([i.water, 50]));
      const requestId = await approvedRequest(lines([i.water, 30]));
      const head = await c.settledHead();
      const replies = await Promise.all(from.map((wh) => plan(requestId, lines([i.water, 10]), { warehouseId: wh })));
      const won = replies.filter((r) => r.status === 201);
      expect(won).toHaveLength(3);
      for (const r of replies.filter((x) => x.status !== 201)) {
        expect(r.status).toBe(409);
        expect(r.body).toEqual(errorBody(409, 'exceeds-approved-outstanding', /exceeds the approved outstanding quantity 0/));
      }
      const request = await c.state('request', requestId);
      expect(request.lines[0]).toMatchObject({ approved: 30, dispatched: 30 });
      // Every reservation belongs to a dispatch that exists: each plan wrote its three streams, or nothing.
      expect((await c.settledHead()) - head).toBe(3 * 3);
      for (const r of won) expect((await c.state('dispatch', r.body.id)).status).toBe('planned');
    });
  });

  describe('OpenAPI', () => {
    it('documents every command with its roles, validated body and answer', async () => {
      const doc = (await (await api.call('/docs-json')).json()) as Loose;
      for (const path of ['/items', '/incidents/{incidentId}/phase', '/members/{memberId}/capacity/equipment', '/operations-plans/{planId}/activate', '/requests/{requestId}/approve', '/pledges/{pledgeId}/withdraw', '/warehouses/{warehouseId}/stock/counts', '/dispatches', '/dispatches/{dispatchId}/receipt']) {
        const op = doc.paths[path]?.post;
        expect({ path, documented: op !== undefined }).toEqual({ path, documented: true });
        expect(op.security).toEqual([{ bearer: [] }]);
        expect(op.description).toMatch(/^Command \w+\. Roles: /);
        expect(op.requestBody.content['application/json'].schema.$ref).toMatch(/^#\/components\/schemas\/\w+Dto$/);
        expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['400', '401', '403', '404', '409', '412', '422']));
      }
      expect(doc.paths['/dispatches'].post.responses['201'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/CommandResultDto' });
      const schemas = doc.components.schemas;
      expect(schemas.SubmitRequestDto.properties.priority.enum).toEqual(['life-saving', 'urgent', 'normal']);
      expect(schemas.SubmitRequestDto.properties.lines.items).toEqual({ $ref: '#/components/schemas/ItemQuantityLineDto' });
      expect(schemas.ReceiveStockDto.properties.source).toEqual({ $ref: '#/components/schemas/StockSourceDto' });
      expect(schemas.ItemQuantityLineDto.properties.quantity).toMatchObject({ type: 'number', minimum: 1 });
      expect(schemas.AdjustStockDto.properties.reason.enum).toEqual(['damaged', 'lost', 'expired', 'found']);
    });
  });

  describe('refusals', () => {
    it('400: every invalid field named, unknown fields refused, nested lines validated', async () => {
      const r = await c.send(
        '/requests',
        { siteId: 'bad id!', incidentId: inc.flood, priority: 'whenever', neededBy: '5 March', lines: [{ itemId: i.rice, quantity: 0 }, { itemId: i.kit, quantity: 1.5 }], colour: 'red' },
        { token: t.eoc },
      );
      expect(r.status).toBe(400);
      expect(r.body).toEqual(errorBody(400, 'invalid-input', /^invalid input: /));
      const fields = (r.body.errors as Array<{ field: string }>).map((e) => e.field);
      expect(fields).toEqual(expect.arrayContaining(['siteId', 'priority', 'neededBy', 'lines[0].quantity', 'lines[1].quantity', 'colour']));
      expect(r.body.errors).toEqual(expect.arrayContaining([{ field: 'lines[0].quantity', reason: "must be a positive integer in the item's unit" }, { field: 'colour', reason: 'should not exist' }]));
      const empty = await c.send('/requests', { siteId: s.pemayung, incidentId: inc.flood, priority: 'urgent', neededBy, lines: [] }, { token: t.eoc });
      expect(empty.body.errors).toEqual([{ field: 'lines', reason: 'must have at least one line' }]);
      const missing = await c.send('/dispatches', { destination: { kind: 'site' }, lines: [{ itemId: i.rice }] }, { token: t.eoc });
      expect((missing.body.errors as Array<{ field: string }>).map((e) => e.field)).toEqual(expect.arrayContaining(['destination.siteId', 'lines[0].quantity']));
      const badPath = await c.send('/requests/bad%20id/approve', {}, { token: t.eoc });
      expect(badPath.body).toEqual(errorBody(400, 'invalid-input'));
      expect(badPath.body.errors).toEqual([{ field: 'requestId', reason: expect.stringMatching(/must be an id/) }]);
      // The domain's own input rules answer the same way.
      const submitted = await c.ok('/requests', { siteId: s.pemayung, incidentId: inc.flood, priority: 'urgent', neededBy, lines: lines([i.rice, 10]) }, { token: t.eoc });
      const noReason = await c.send(`/requests/${submitted.body.id}/approve`, { lines: [{ itemId: i.rice, approved: 5 }] }, { token: t.eoc });
      expect(noReason.body).toEqual(errorBody(400, 'reason-required'));
      expect(noReason.body.errors).toEqual([{ field: 'lines[0].reason', reason: expect.any(String) }]);
      const short = await c.send('/dispatches', { warehouseId: w.main, destination: { kind: 'site', siteId: s.pemayung }, lines: lines([i.rice, 1]) }, { token: t.eoc });
      expect(short.body).toEqual(errorBody(400, 'invalid-input', /requestId/));
    });

    it('404 names the unknown target; 409 for deactivated reference data; nothing is appended', async () => {
      const head = await c.settledHead();
      const cases: Array<[string, unknown, number, string]> = [
        ['/requests', { siteId: s.pemayung, incidentId: inc.flood, priority: 'urgent', neededBy, lines: lines(['no-such-item', 1]) }, 404, 'unknown-item'],
        ['/requests', { siteId: 'no-such-site', incidentId: inc.flood, priority: 'urgent', neededBy, lines: lines([i.rice, 1]) }, 404, 'unknown-site'],
        ['/requests', { siteId: s.pemayung, incidentId: 'no-such-incident', priority: 'urgent', neededBy, lines: lines([i.rice, 1]) }, 404, 'unknown-incident'],
        ['/requests', { siteId: s.pemayung, incidentId: inc.flood, priority: 'urgent', neededBy, lines: lines([i.old, 1]) }, 409, 'item-deactivated'],
        ['/requests/no-such-request/approve', {}, 404, 'unknown-request'],
        ['/pledges/no-such-pledge/accept', {}, 404, 'unknown-pledge'],
        ['/warehouses', { name: 'X', ownerMemberId: 'no-such-member', district: 'X', lat: 0, lon: 0 }, 404, 'unknown-member'],
        ['/warehouses/no-such-warehouse/stock/receipts', { source: { kind: 'procurement', reference: 'PO' }, lines: lines([i.rice, 1]) }, 404, 'unknown-warehouse'],
        ['/dispatches/no-such-dispatch/depart', { vehicle: 'v', driver: 'd', waybillNumber: 'w' }, 404, 'unknown-dispatch'],
        ['/dispatches', { warehouseId: w.main, destination: { kind: 'site', siteId: s.pemayung }, requestId: 'no-such-request', lines: lines([i.rice, 1]) }, 404, 'unknown-request'],
        ['/operations-plans/no-such-plan/activate', { incidentId: inc.flood }, 404, 'unknown-operations-plan'],
      ];
      for (const [path, body, status, code] of cases) {
        const r = await c.send(path, body, { token: t.eoc });
        expect({ path, status: r.status, error: r.body.error }).toEqual({ path, status, error: code });
      }
      const item = await c.send('/requests', { siteId: s.pemayung, incidentId: inc.flood, priority: 'urgent', neededBy, lines: lines(['no-such-item', 1]) }, { token: t.eoc });
      expect(item.body.message).toBe('item no-such-item is not registered');
      expect(await c.settledHead()).toBe(head);
    });

    it('409 says why with the numbers, and a refused dispatch appends nothing anywhere', async () => {
      await receive(w.pmi, lines([i.noodles, 40]), t.warehousePmi);
      const requestId = await approvedRequest(lines([i.noodles, 200]), { lines: [{ itemId: i.noodles, approved: 120, reason: 'what PMI holds' }] });
      const head = await c.settledHead();
      const r = await plan(requestId, lines([i.noodles, 120]), { warehouseId: w.pmi });
      expect(r.status).toBe(409);
      expect(r.body).toEqual(errorBody(409, 'insufficient-stock', new RegExp(`^insufficient stock of ${i.noodles} in warehouse ${w.pmi}: requested 120, available 40$`)));
      const over = await plan(requestId, lines([i.noodles, 121]), { warehouseId: w.pmi });
      expect(over.body).toEqual(errorBody(409, 'exceeds-approved-outstanding', /dispatching 121 exceeds the approved outstanding quantity 120/));
      expect(await c.settledHead()).toBe(head);
      expect((await c.state('request', requestId)).dispatches).toEqual({});
    });
  });
}
