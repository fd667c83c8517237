import { projectAll, type ProjectionState } from './projection-state';
import { fulfilmentProjection } from './fulfilment.projection';
import { pledgesProjection } from './pledges.projection';
import type { Projection, Row } from './projection';
import { readinessProjection } from './readiness.projection';
import { referenceProjection } from './reference.projection';
import { shipmentsProjection } from './shipments.projection';
import { stockProjection } from './stock.projection';
import { eventLog } from './testing/events';

const rowsOf = (s: ProjectionState, table: string): Row[] => s.snapshot()[table];
const one = (p: Projection, events: ReturnType<typeof eventLog>['events']) => projectAll([p], events)[0];

/** A dispatch of 100 rice + 2 boats from wh-1 to site-1 against req-1 (reserve, claim, plan, issue, depart). */
function dispatchFlow(log = eventLog()) {
  const t = log.at;
  log.add('stock-wh-1', 'StockReceived', { warehouseId: 'wh-1', receiptId: 'r1', source: { kind: 'procurement', reference: 'PO-1' }, receivedAt: t(0),
    lines: [{ itemId: 'rice', quantity: 300, batch: 'exp:2024-06-01', expiry: '2024-06-01', consumable: true }, { itemId: 'boat', quantity: 5, consumable: false }] });
  log.add('request-req-1', 'RequestSubmitted', { requestId: 'req-1', siteId: 'site-1', incidentId: 'inc-1', priority: 'urgent', neededBy: t(600), submittedAt: t(1),
    lines: [{ line: 1, itemId: 'rice', quantity: 200 }, { line: 2, itemId: 'boat', quantity: 2 }] });
  log.add('request-req-1', 'RequestApproved', { requestId: 'req-1', approvedAt: t(2),
    lines: [{ line: 1, itemId: 'rice', requested: 200, approved: 150, reason: 'stok' }, { line: 2, itemId: 'boat', requested: 2, approved: 2 }] });
  const lines = [{ itemId: 'rice', quantity: 100 }, { itemId: 'boat', quantity: 2 }];
  log.add('stock-wh-1', 'StockReserved', { warehouseId: 'wh-1', dispatchId: 'd1', lines, reservedAt: t(3) });
  log.add('request-req-1', 'RequestDispatchRecorded', { requestId: 'req-1', dispatchId: 'd1', lines, recordedAt: t(3) });
  log.add('dispatch-d1', 'DispatchPlanned', { dispatchId: 'd1', purpose: 'request', warehouseId: 'wh-1', destination: { kind: 'site', siteId: 'site-1' }, requestId: 'req-1', incidentId: 'inc-1', lines, plannedAt: t(4) });
  log.add('stock-wh-1', 'StockIssued', { warehouseId: 'wh-1', dispatchId: 'd1', lines: [{ itemId: 'rice', quantity: 100, batches: [{ batch: 'exp:2024-06-01', quantity: 100 }] }], issuedAt: t(5) });
  log.add('stock-wh-1', 'EquipmentDeployed', { warehouseId: 'wh-1', dispatchId: 'd1', lines: [{ itemId: 'boat', quantity: 2 }], deployedAt: t(5) });
  log.add('dispatch-d1', 'DispatchDeparted', { dispatchId: 'd1', vehicle: 'BH 1 XY', driver: 'Budi', waybillNumber: 'SJ-1', expectedArrivalAt: t(120), departedAt: t(5) });
  return log;
}

describe('stock projection', () => {
  it('counts on hand, reserved, available, in transit and batches through a dispatch', () => {
    const log = dispatchFlow();
    let s = one(stockProjection, log.events);
    expect(rowsOf(s, 'rm_stock')).toEqual([
      expect.objectContaining({ item_id: 'boat', on_hand: 3, reserved: 0, available: 3, deployed: 2, in_transit_out: 2, consumable: 0, last_movement: 'EquipmentDeployed' }),
      expect.objectContaining({ item_id: 'rice', on_hand: 200, reserved: 0, available: 200, deployed: 0, in_transit_out: 100, consumable: 1, last_movement: 'StockIssued' }),
    ]);
    expect(rowsOf(s, 'rm_stock_batches')).toEqual([{ warehouse_id: 'wh-1', item_id: 'rice', batch: 'exp:2024-06-01', quantity: 200, expiry: '2024-06-01' }]);

    // delivered (short and damaged): nothing is in transit any more, equipment stays deployed until returned
    log.add('dispatch-d1', 'DispatchDelivered', { dispatchId: 'd1', receiptId: 'b1', receivedBy: 'Sari', deliveredAt: log.at(100), lines: [
      { itemId: 'rice', dispatched: 100, received: 90, damaged: 6, short: 4, over: 0, reason: 'basah' },
      { itemId: 'boat', dispatched: 2, received: 2, damaged: 0, short: 0, over: 0 }] });
    log.add('stock-wh-1', 'EquipmentReturned', { warehouseId: 'wh-1', dispatchId: 'd1', lines: [{ itemId: 'boat', quantity: 1 }], returnedAt: log.at(200) });
    log.add('stock-wh-1', 'EquipmentWrittenOff', { warehouseId: 'wh-1', dispatchId: 'd1', lines: [{ itemId: 'boat', quantity: 1 }], reason: 'lost', note: 'hanyut', writtenOffAt: log.at(201) });
    s = one(stockProjection, log.events);
    expect(rowsOf(s, 'rm_stock')).toEqual([
      expect.objectContaining({ item_id: 'boat', on_hand: 4, deployed: 0, in_transit_out: 0, available: 4 }),
      expect.objectContaining({ item_id: 'rice', on_hand: 200, in_transit_out: 0 }),
    ]);
  });

  it('a cancelled dispatch releases its reservation; a lost one leaves transit without coming back', () => {
    const log = eventLog();
    log.add('stock-wh-1', 'StockReceived', { warehouseId: 'wh-1', receiptId: 'r1', source: { kind: 'procurement', reference: 'x' }, receivedAt: log.at(0), lines: [{ itemId: 'rice', quantity: 50, consumable: true }] });
    log.add('stock-wh-1', 'StockReserved', { warehouseId: 'wh-1', dispatchId: 'd1', lines: [{ itemId: 'rice', quantity: 20 }], reservedAt: log.at(1) });
    log.add('stock-wh-1', 'StockReserved', { warehouseId: 'wh-1', dispatchId: 'd2', lines: [{ itemId: 'rice', quantity: 10 }], reservedAt: log.at(1) });
    expect(rowsOf(one(stockProjection, log.events), 'rm_stock')[0]).toMatchObject({ on_hand: 50, reserved: 30, available: 20 });
    log.add('stock-wh-1', 'StockReleased', { warehouseId: 'wh-1', dispatchId: 'd1', lines: [{ itemId: 'rice', quantity: 20 }], reason: 'cancelled', releasedAt: log.at(2) });
    log.add('dispatch-d2', 'DispatchPlanned', { dispatchId: 'd2', purpose: 'request', warehouseId: 'wh-1', destination: { kind: 'site', siteId: 's' }, requestId: 'r', lines: [{ itemId: 'rice', quantity: 10 }], plannedAt: log.at(1) });
    log.add('stock-wh-1', 'StockIssued', { warehouseId: 'wh-1', dispatchId: 'd2', lines: [{ itemId: 'rice', quantity: 10 }], issuedAt: log.at(3) });
    expect(rowsOf(one(stockProjection, log.events), 'rm_stock')[0]).toMatchObject({ on_hand: 40, reserved: 0, available: 40, in_transit_out: 10 });
    log.add('dispatch-d2', 'DispatchLost', { dispatchId: 'd2', reason: 'banjir', reportedAt: log.at(4) });
    expect(rowsOf(one(stockProjection, log.events), 'rm_stock')[0]).toMatchObject({ on_hand: 40, reserved: 0, available: 40, in_transit_out: 0 });
  });

  it('adjustments, counts and transfers move on hand and batches; an emptied batch disappears', () => {
    const log = eventLog();
    log.add('stock-wh-1', 'StockReceived', { warehouseId: 'wh-1', receiptId: 'r1', source: { kind: 'procurement', reference: 'x' }, receivedAt: log.at(0), lines: [{ itemId: 'rice', quantity: 30, batch: 'B1', consumable: true }] });
    log.add('stock-wh-1', 'StockAdjusted', { warehouseId: 'wh-1', adjustmentId: 'a1', itemId: 'rice', delta: -10, reason: 'damaged', note: 'x', batches: [{ batch: 'B1', quantity: 10 }], adjustedAt: log.at(1) });
    log.add('stock-wh-1', 'StockAdjusted', { warehouseId: 'wh-1', adjustmentId: 'a2', itemId: 'rice', delta: 5, reason: 'found', note: 'x', batches: [{ batch: 'B2', quantity: 5 }], expiry: '2025-01-01', adjustedAt: log.at(2) });
    log.add('stock-wh-1', 'StockCounted', { warehouseId: 'wh-1', countId: 'c1', lines: [{ itemId: 'rice', counted: 25, onHandBefore: 25, difference: 0 }], countedAt: log.at(3) });
    log.add('stock-wh-1', 'StockTransferredOut', { warehouseId: 'wh-1', transferId: 't1', toWarehouseId: 'wh-2', reason: 'x', transferredAt: log.at(4), lines: [{ itemId: 'rice', quantity: 20, batches: [{ batch: 'B1', quantity: 20 }] }] });
    const s = one(stockProjection, log.events);
    expect(rowsOf(s, 'rm_stock')[0]).toMatchObject({ on_hand: 5, available: 5, last_counted_at: log.at(3), last_movement: 'StockTransferredOut' });
    expect(rowsOf(s, 'rm_stock_batches')).toEqual([{ warehouse_id: 'wh-1', item_id: 'rice', batch: 'B2', quantity: 5, expiry: '2025-01-01' }]);
  });
});

describe('request fulfilment projection', () => {
  it('follows requested, approved, dispatched, received, damaged, short and percent filled per line', () => {
    const log = dispatchFlow();
    log.add('dispatch-d1', 'DispatchDelivered', { dispatchId: 'd1', receiptId: 'b1', receivedBy: 'Sari', deliveredAt: log.at(100), lines: [
      { itemId: 'rice', dispatched: 100, received: 90, damaged: 6, short: 4, over: 0, reason: 'basah' },
      { itemId: 'boat', dispatched: 2, received: 2, damaged: 0, short: 0, over: 0 }] });
    const s = one(fulfilmentProjection, log.events);
    expect(rowsOf(s, 'rm_requests')).toEqual([expect.objectContaining({
      request_id: 'req-1', status: 'approved', site_id: 'site-1', incident_id: 'inc-1', submitted_at: log.at(1), first_dispatch_at: log.at(3),
      last_delivered_at: log.at(100), active_dispatches: 1, deliveries: 1, line_count: 2,
    })]);
    expect(rowsOf(s, 'rm_request_lines')).toEqual([
      expect.objectContaining({ item_id: 'boat', requested: 2, approved: 2, dispatched: 2, received: 2, outstanding: 0, percent_filled: 100, full_at: log.at(100) }),
      expect.objectContaining({ item_id: 'rice', requested: 200, approved: 150, dispatched: 100, received: 90, damaged: 6, short: 4, outstanding: 50, percent_filled: 60, full_at: null }),
    ]);
  });

  it('a cancelled or lost dispatch makes its quantities outstanding again', () => {
    const log = dispatchFlow();
    log.add('dispatch-d1', 'DispatchLost', { dispatchId: 'd1', reason: 'x', reportedAt: log.at(50) });
    log.add('request-req-1', 'RequestDispatchReleased', { requestId: 'req-1', dispatchId: 'd1', lines: [{ itemId: 'rice', quantity: 100 }, { itemId: 'boat', quantity: 2 }], reason: 'lost', releasedAt: log.at(51) });
    log.add('request-req-1', 'RequestClosed', { requestId: 'req-1', lines: [], closedAt: log.at(60) });
    const s = one(fulfilmentProjection, log.events);
    expect(rowsOf(s, 'rm_requests')[0]).toMatchObject({ status: 'closed', active_dispatches: 0, ended_at: log.at(60) });
    expect(rowsOf(s, 'rm_request_lines')).toEqual([
      expect.objectContaining({ item_id: 'boat', dispatched: 0, outstanding: 2, received: 0 }),
      expect.objectContaining({ item_id: 'rice', dispatched: 0, outstanding: 150, received: 0 }),
    ]);
  });
});

describe('pledges projection', () => {
  it('tracks lines, withdrawn and lapsed remainders, and each member’s delivery ratio and lead time', () => {
    const log = eventLog();
    const offer = (id: string, qty: number) => log.add(`pledge-${id}`, 'PledgeOffered', { pledgeId: id, memberId: 'pmi', incidentId: 'inc-1', lines: [{ itemId: 'rice', quantity: qty }], expectedBy: log.at(1000), offeredAt: log.at(0) });
    offer('p1', 100);
    log.add('pledge-p1', 'PledgeAccepted', { pledgeId: 'p1', acceptedAt: log.at(10) });
    log.add('pledge-p1', 'PledgeDeliveryRecorded', { pledgeId: 'p1', receiptId: 'r1', warehouseId: 'wh-1', lines: [{ itemId: 'rice', quantity: 60 }], recordedAt: log.at(70) });
    log.add('pledge-p1', 'PledgeWithdrawn', { pledgeId: 'p1', reason: 'stok habis', withdrawnAt: log.at(80) });
    offer('p2', 50);
    log.add('pledge-p2', 'PledgeAccepted', { pledgeId: 'p2', acceptedAt: log.at(10) });
    log.add('pledge-p2', 'PledgeLapsed', { pledgeId: 'p2', expectedBy: log.at(1000), outstanding: [{ itemId: 'rice', quantity: 50 }], lapsedAt: log.at(2000) });
    offer('p3', 40);
    log.add('pledge-p3', 'PledgeAccepted', { pledgeId: 'p3', acceptedAt: log.at(20) });
    log.add('pledge-p3', 'PledgeDeliveryRecorded', { pledgeId: 'p3', receiptId: 'r2', dispatchId: 'd1', lines: [{ itemId: 'rice', quantity: 45 }], recordedAt: log.at(50) });
    log.add('pledge-p3', 'PledgeFulfilled', { pledgeId: 'p3', fulfilledAt: log.at(50) });
    offer('p4', 10);
    log.add('pledge-p4', 'PledgeDeclined', { pledgeId: 'p4', reason: 'x', declinedAt: log.at(5) });
    const s = one(pledgesProjection, log.events);
    expect(rowsOf(s, 'rm_pledges').map((r) => [r.pledge_id, r.status, r.delivered_qty])).toEqual([['p1', 'withdrawn', 60], ['p2', 'lapsed', 0], ['p3', 'fulfilled', 45], ['p4', 'declined', 0]]);
    expect(rowsOf(s, 'rm_pledge_lines')).toEqual([
      // each line repeats its pledge's incident, request and status
      { pledge_id: 'p1', item_id: 'rice', offered: 100, accepted: 100, delivered: 60, outstanding: 0, withdrawn: 40, lapsed: 0, incident_id: 'inc-1', request_id: null, status: 'withdrawn' },
      { pledge_id: 'p2', item_id: 'rice', offered: 50, accepted: 50, delivered: 0, outstanding: 0, withdrawn: 0, lapsed: 50, incident_id: 'inc-1', request_id: null, status: 'lapsed' },
      { pledge_id: 'p3', item_id: 'rice', offered: 40, accepted: 40, delivered: 45, outstanding: 0, withdrawn: 0, lapsed: 0, incident_id: 'inc-1', request_id: null, status: 'fulfilled' },
      { pledge_id: 'p4', item_id: 'rice', offered: 10, accepted: 0, delivered: 0, outstanding: 0, withdrawn: 0, lapsed: 0, incident_id: 'inc-1', request_id: null, status: 'declined' },
    ]);
    // accepted 190; delivered counted up to the pledge: 60 + 40 = 100 → 52 %; lead times 60 min and 30 min
    expect(rowsOf(s, 'rm_member_pledge_stats')).toEqual([expect.objectContaining({
      member_id: 'pmi', pledges: 4, accepted_pledges: 3, declined_pledges: 1, fulfilled_pledges: 1, withdrawn_pledges: 1, lapsed_pledges: 1,
      offered_qty: 200, accepted_qty: 190, delivered_qty: 100, given_up_qty: 90, delivery_ratio_pct: 52, lead_time_count: 2, mean_lead_time_s: 45 * 60,
    })]);
  });
});

describe('shipments board projection', () => {
  it('shows each dispatch with its status, route, vehicle and receipt', () => {
    const log = dispatchFlow();
    let s = one(shipmentsProjection, log.events);
    expect(rowsOf(s, 'rm_shipments')).toEqual([expect.objectContaining({
      dispatch_id: 'd1', status: 'in-transit', warehouse_id: 'wh-1', destination_kind: 'site', destination_id: 'site-1', vehicle: 'BH 1 XY', driver: 'Budi',
      waybill_number: 'SJ-1', departed_at: log.at(5), expected_at: log.at(120), quantity: 102, line_count: 2,
    })]);
    log.add('dispatch-d1', 'DispatchDelivered', { dispatchId: 'd1', receiptId: 'b1', receivedBy: 'Sari', deliveredAt: log.at(100), lines: [
      { itemId: 'rice', dispatched: 100, received: 90, damaged: 6, short: 4, over: 0, reason: 'basah' }, { itemId: 'boat', dispatched: 2, received: 2, damaged: 0, short: 0, over: 0 }] });
    s = one(shipmentsProjection, log.events);
    expect(rowsOf(s, 'rm_shipments')[0]).toMatchObject({ status: 'delivered', receipt_id: 'b1', received: 92, damaged: 6, short: 4, delivered_at: log.at(100) });
    expect(rowsOf(s, 'rm_shipment_lines')[1]).toEqual({ dispatch_id: 'd1', item_id: 'rice', warehouse_id: 'wh-1', quantity: 100, received: 90, damaged: 6, short: 4, over: 0 });
  });
});

describe('readiness and reference projections', () => {
  it('a plan revision replaces its targets; capacity declarations replace earlier ones', () => {
    const log = eventLog();
    log.add('opsplan-p', 'OperationsPlanDrafted', { planId: 'p', name: 'Banjir BH', hazard: 'flood', district: 'Batang Hari', version: 1, draftedAt: log.at(0),
      lines: [{ itemId: 'rice', quantity: 100, warehouseId: 'wh-1' }, { itemId: 'tarp', quantity: 50, warehouseId: 'wh-1' }] });
    log.add('opsplan-p', 'OperationsPlanRevised', { planId: 'p', version: 2, reason: 'x', revisedAt: log.at(1), lines: [{ itemId: 'rice', quantity: 300, warehouseId: 'wh-1' }] });
    log.add('opsplan-p', 'OperationsPlanActivated', { planId: 'p', version: 2, incidentId: 'inc-1', activatedAt: log.at(2) });
    log.add('capacity-pmi', 'VehiclesDeclared', { memberId: 'pmi', vehicleType: 'truck', payloadKg: 4000, count: 3, declaredAt: log.at(0) });
    log.add('capacity-pmi', 'VehiclesDeclared', { memberId: 'pmi', vehicleType: 'truck', payloadKg: 4000, count: 5, declaredAt: log.at(1) });
    const s = one(readinessProjection, log.events);
    expect(rowsOf(s, 'rm_plan_targets')).toEqual([{ plan_id: 'p', warehouse_id: 'wh-1', item_id: 'rice', target: 300, version: 2 }]);
    expect(rowsOf(s, 'rm_plans')[0]).toMatchObject({ version: 2, line_count: 1, activations: 1, district_key: 'batang hari' });
    expect(rowsOf(s, 'rm_plan_activations')).toEqual([{ plan_id: 'p', incident_id: 'inc-1', version: 2, activated_at: log.at(2) }]);
    expect(rowsOf(s, 'rm_member_capacity')).toEqual([expect.objectContaining({ member_id: 'pmi', resource_kind: 'vehicle', resource: 'truck', count: 5, payload_kg: 4000 })]);
  });

  it('an incident update replaces the districts it affects', () => {
    const log = eventLog();
    log.add('incident-i', 'IncidentRegistered', { incidentId: 'i', name: 'Banjir', type: 'flood', districts: ['Batang Hari', 'Tebo'], phase: 'emergency', registeredAt: log.at(0) });
    log.add('incident-i', 'IncidentUpdated', { incidentId: 'i', districts: ['tebo ', 'Bungo'], updatedAt: log.at(1) });
    log.add('incident-i', 'IncidentPhaseChanged', { incidentId: 'i', from: 'emergency', to: 'recovery', reason: 'x', changedAt: log.at(2) });
    const s = one(referenceProjection, log.events);
    expect(rowsOf(s, 'rm_incident_districts').map((r) => r.district_key)).toEqual(['bungo', 'tebo']);
    expect(rowsOf(s, 'rm_incidents')[0]).toMatchObject({ phase: 'recovery', districts: JSON.stringify(['tebo ', 'Bungo']) });
  });

  it("keeps a place's coordinates as its stream last gave them (registration, then updates that carry them)", () => {
    const log = eventLog();
    log.add('warehouse-w', 'WarehouseRegistered', { warehouseId: 'w', name: 'Gudang', ownerMemberId: 'm', district: 'Tebo', lat: -1.4881, lon: 102.4463, registeredAt: log.at(0) });
    log.add('warehouse-w', 'WarehouseUpdated', { warehouseId: 'w', name: 'Gudang Tebo', updatedAt: log.at(1) });
    log.add('warehouse-w', 'WarehouseUpdated', { warehouseId: 'w', lat: -1.5, updatedAt: log.at(2) });
    log.add('warehouse-w', 'WarehouseDeactivated', { warehouseId: 'w', reason: 'x', deactivatedAt: log.at(3) });
    log.add('site-s', 'SiteRegistered', { siteId: 's', name: 'Posko', type: 'posko', district: 'Tebo', lat: 1e-7, lon: 103, registeredAt: log.at(0) });
    log.add('site-s', 'SiteUpdated', { siteId: 's', lon: 103.25, updatedAt: log.at(1) });
    // a registration without a position (as some fixtures have): none, not a made-up one
    log.add('site-t', 'SiteRegistered', { siteId: 't', name: 'Desa', type: 'village', district: 'Tebo', registeredAt: log.at(0) });
    const s = one(referenceProjection, log.events);
    expect(rowsOf(s, 'rm_warehouses')).toEqual([expect.objectContaining({ warehouse_id: 'w', name: 'Gudang Tebo', active: 0, lat: '-1.5', lon: '102.4463' })]);
    expect(rowsOf(s, 'rm_sites')).toEqual([
      expect.objectContaining({ site_id: 's', lat: '1e-7', lon: '103.25' }),
      expect.objectContaining({ site_id: 't', lat: null, lon: null }),
    ]);
    // the text gives the number back exactly
    expect(Number(rowsOf(s, 'rm_sites')[0].lat)).toBe(1e-7);
  });
});
