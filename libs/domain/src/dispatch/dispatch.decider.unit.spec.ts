import { meta, scenario } from '../testing/given-when-then';
import { dispatchDecider } from './dispatch.decider';
import type { DispatchEvent } from './dispatch.events';

const t = '2024-03-04T08:00:00Z';
const eoc = meta({ role: 'eoc' });
const siteOfficer = meta({ role: 'site', site: 'posko-pemayung' });
const dispatch = scenario(dispatchDecider);

const planData = {
  dispatchId: 'd-1',
  warehouseId: 'gd-muara-bulian',
  destination: { kind: 'site' as const, siteId: 'posko-pemayung' },
  requestId: 'req-1',
  incidentId: 'banjir-2024',
  lines: [
    { itemId: 'rice', quantity: 100 },
    { itemId: 'tarp', quantity: 20 },
  ],
};
const planned: DispatchEvent = {
  type: 'DispatchPlanned',
  data: {
    dispatchId: 'd-1',
    purpose: 'request',
    warehouseId: 'gd-muara-bulian',
    destination: { kind: 'site', siteId: 'posko-pemayung' },
    requestId: 'req-1',
    incidentId: 'banjir-2024',
    lines: planData.lines,
    plannedAt: t,
  },
};
const departed: DispatchEvent = { type: 'DispatchDeparted', data: { dispatchId: 'd-1', vehicle: 'BH 8123 KA', driver: 'Pak Yusuf', waybillNumber: 'SJ-0001', departedAt: t } };
const cancelled: DispatchEvent = { type: 'DispatchCancelled', data: { dispatchId: 'd-1', reason: 'road closed', cancelledAt: t } };
const lost: DispatchEvent = { type: 'DispatchLost', data: { dispatchId: 'd-1', reason: 'truck swept off the road', reportedAt: t } };
const delivered: DispatchEvent = {
  type: 'DispatchDelivered',
  data: {
    dispatchId: 'd-1',
    receiptId: 'bast-1',
    receivedBy: 'Ibu Sari',
    lines: [
      { itemId: 'rice', dispatched: 100, received: 100, damaged: 0, short: 0, over: 0 },
      { itemId: 'tarp', dispatched: 20, received: 20, damaged: 0, short: 0, over: 0 },
    ],
    deliveredAt: t,
  },
};
const receipt = {
  dispatchId: 'd-1',
  receiptId: 'bast-1',
  receivedBy: 'Ibu Sari',
  lines: [
    { itemId: 'rice', received: 100 },
    { itemId: 'tarp', received: 20 },
  ],
};

describe('dispatch decider', () => {
  describe('PlanDispatch', () => {
    it('plans a dispatch from one warehouse to a site against a request', () => {
      const s = dispatch.given().when({ type: 'PlanDispatch', data: planData, metadata: eoc }).then([planned]);
      expect(s.status).toBe('planned');
    });
    it('plans a pre-positioning move between warehouses in preparedness', () => {
      dispatch
        .given()
        .when({
          type: 'PlanDispatch',
          data: { dispatchId: 'd-2', warehouseId: 'gd-jambi', destination: { kind: 'warehouse', warehouseId: 'gd-muara-bulian' }, incidentId: 'banjir-2024', incidentPhase: 'preparedness', planId: 'plan-flood-bh', lines: [{ itemId: 'boat', quantity: 2 }] },
          metadata: eoc,
        })
        .then([
          {
            type: 'DispatchPlanned',
            data: {
              dispatchId: 'd-2',
              purpose: 'pre-positioning',
              warehouseId: 'gd-jambi',
              destination: { kind: 'warehouse', warehouseId: 'gd-muara-bulian' },
              incidentId: 'banjir-2024',
              planId: 'plan-flood-bh',
              lines: [{ itemId: 'boat', quantity: 2 }],
              plannedAt: t,
            },
          },
        ]);
    });
    it("plans a member's direct delivery against its pledge", () => {
      dispatch
        .given()
        .when({ type: 'PlanDispatch', data: { dispatchId: 'd-3', memberId: 'alfamart', pledgeId: 'pl-1', destination: { kind: 'site', siteId: 's-1' }, requestId: 'req-1', lines: [{ itemId: 'water', quantity: 240 }] }, metadata: meta({ role: 'member', member: 'alfamart' }) })
        .then([
          {
            type: 'DispatchPlanned',
            data: { dispatchId: 'd-3', purpose: 'request', memberId: 'alfamart', pledgeId: 'pl-1', destination: { kind: 'site', siteId: 's-1' }, requestId: 'req-1', lines: [{ itemId: 'water', quantity: 240 }], plannedAt: t },
          },
        ]);
    });
    it('planning the same dispatch again with the same content is a no-op (a retried flow)', () => {
      dispatch.given([planned]).when({ type: 'PlanDispatch', data: planData, metadata: eoc }).thenNothing();
      dispatch.given([planned, departed]).when({ type: 'PlanDispatch', data: planData, metadata: eoc }).thenNothing();
    });
    it('refuses a dispatch id planned before with other content', () => {
      dispatch
        .given([planned])
        .when({ type: 'PlanDispatch', data: { ...planData, lines: [{ itemId: 'rice', quantity: 99 }] }, metadata: eoc })
        .thenRefused('dispatch-already-planned', { kind: 'rule', details: { status: 'planned' } });
    });
    it('refuses pre-positioning outside preparedness, to the same warehouse, or against a request', () => {
      const pre = { dispatchId: 'd-2', warehouseId: 'gd-jambi', destination: { kind: 'warehouse' as const, warehouseId: 'gd-muara-bulian' }, lines: [{ itemId: 'boat', quantity: 2 }] };
      dispatch
        .given()
        .when({ type: 'PlanDispatch', data: { ...pre, incidentId: 'banjir-2024', incidentPhase: 'emergency' }, metadata: eoc })
        .thenRefused('pre-positioning-outside-preparedness', { details: { phase: 'emergency' } });
      dispatch
        .given()
        .when({ type: 'PlanDispatch', data: { ...pre, destination: { kind: 'warehouse', warehouseId: 'gd-jambi' } }, metadata: eoc })
        .thenRefused('same-warehouse', { kind: 'invalid' });
      dispatch.given().when({ type: 'PlanDispatch', data: { ...pre, requestId: 'req-1' }, metadata: eoc }).thenRefused('invalid-input', { details: { field: 'requestId' } });
    });
    it('refuses a dispatch to a site without a request, with no origin or two, a direct delivery without a pledge', () => {
      dispatch.given().when({ type: 'PlanDispatch', data: { ...planData, requestId: undefined }, metadata: eoc }).thenRefused('invalid-input', { details: { field: 'requestId' } });
      dispatch.given().when({ type: 'PlanDispatch', data: { ...planData, warehouseId: undefined }, metadata: eoc }).thenRefused('invalid-input', { details: { field: 'warehouseId' } });
      dispatch.given().when({ type: 'PlanDispatch', data: { ...planData, memberId: 'alfamart', pledgeId: 'pl-1' }, metadata: eoc }).thenRefused('invalid-input', { details: { field: 'warehouseId' } });
      dispatch.given().when({ type: 'PlanDispatch', data: { ...planData, warehouseId: undefined, memberId: 'alfamart' }, metadata: eoc }).thenRefused('invalid-input', { details: { field: 'pledgeId' } });
    });
    it('refuses no lines, an item twice, a non-integer quantity, an unknown destination kind', () => {
      dispatch.given().when({ type: 'PlanDispatch', data: { ...planData, lines: [] }, metadata: eoc }).thenRefused('invalid-input', { details: { field: 'lines' } });
      dispatch.given().when({ type: 'PlanDispatch', data: { ...planData, lines: [{ itemId: 'rice', quantity: 1 }, { itemId: 'rice', quantity: 1 }] }, metadata: eoc }).thenRefused('duplicate-line');
      dispatch.given().when({ type: 'PlanDispatch', data: { ...planData, lines: [{ itemId: 'rice', quantity: 2.5 }] }, metadata: eoc }).thenRefused('invalid-input', { details: { field: 'lines[0].quantity' } });
      dispatch.given().when({ type: 'PlanDispatch', data: { ...planData, destination: { kind: 'village' } as never }, metadata: eoc }).thenRefused('invalid-input', { details: { field: 'destination.kind' } });
    });
  });

  describe('DepartDispatch', () => {
    it('records vehicle, driver and waybill number', () => {
      const s = dispatch
        .given([planned])
        .when({ type: 'DepartDispatch', data: { dispatchId: 'd-1', vehicle: 'BH 8123 KA', driver: 'Pak Yusuf', waybillNumber: 'SJ-0001' }, metadata: meta({ role: 'warehouse' }) })
        .then([departed]);
      expect(s.status).toBe('in-transit');
    });
    it('refuses an unknown dispatch, a second departure, a cancelled dispatch, a missing waybill number', () => {
      const data = { dispatchId: 'd-1', vehicle: 'BH 8123 KA', driver: 'Pak Yusuf', waybillNumber: 'SJ-0001' };
      dispatch.given().when({ type: 'DepartDispatch', data, metadata: eoc }).thenRefused('dispatch-not-found', { kind: 'not-found' });
      dispatch.given([planned, departed]).when({ type: 'DepartDispatch', data, metadata: eoc }).thenRefused('dispatch-already-departed');
      dispatch.given([planned, cancelled]).when({ type: 'DepartDispatch', data, metadata: eoc }).thenRefused('dispatch-cancelled');
      dispatch.given([planned]).when({ type: 'DepartDispatch', data: { ...data, waybillNumber: '' }, metadata: eoc }).thenRefused('invalid-input', { details: { field: 'waybillNumber' } });
    });
  });

  describe('CancelDispatch', () => {
    it('cancels a planned dispatch with a reason', () => {
      dispatch.given([planned]).when({ type: 'CancelDispatch', data: { dispatchId: 'd-1', reason: 'road closed' }, metadata: eoc }).then([cancelled]);
    });
    it('refuses once departed, delivered or cancelled, and without a reason', () => {
      dispatch.given([planned, departed]).when({ type: 'CancelDispatch', data: { dispatchId: 'd-1', reason: 'x' }, metadata: eoc }).thenRefused('dispatch-already-departed');
      dispatch.given([planned, departed, delivered]).when({ type: 'CancelDispatch', data: { dispatchId: 'd-1', reason: 'x' }, metadata: eoc }).thenRefused('already-delivered');
      dispatch.given([planned, cancelled]).when({ type: 'CancelDispatch', data: { dispatchId: 'd-1', reason: 'x' }, metadata: eoc }).thenRefused('dispatch-cancelled');
      dispatch.given([planned]).when({ type: 'CancelDispatch', data: { dispatchId: 'd-1', reason: '' }, metadata: eoc }).thenRefused('reason-required');
    });
  });

  describe('MarkDispatchLost', () => {
    it('reports a dispatch in transit lost, with a reason', () => {
      dispatch.given([planned, departed]).when({ type: 'MarkDispatchLost', data: { dispatchId: 'd-1', reason: 'truck swept off the road' }, metadata: eoc }).then([lost]);
    });
    it('refuses a dispatch not departed, already lost, and without a reason', () => {
      dispatch.given([planned]).when({ type: 'MarkDispatchLost', data: { dispatchId: 'd-1', reason: 'x' }, metadata: eoc }).thenRefused('dispatch-not-departed');
      dispatch.given([planned, departed, lost]).when({ type: 'MarkDispatchLost', data: { dispatchId: 'd-1', reason: 'x' }, metadata: eoc }).thenRefused('dispatch-lost');
      dispatch.given([planned, departed]).when({ type: 'MarkDispatchLost', data: { dispatchId: 'd-1', reason: ' ' }, metadata: eoc }).thenRefused('reason-required');
    });
  });

  describe('RecordReceipt', () => {
    it('closes the dispatch with a receipt of every line', () => {
      const s = dispatch.given([planned, departed]).when({ type: 'RecordReceipt', data: receipt, metadata: siteOfficer }).then([delivered]);
      expect(s).toMatchObject({ status: 'delivered', receiptId: 'bast-1' });
    });
    it('computes short and over lines, with their reasons', () => {
      dispatch
        .given([planned, departed])
        .when({
          type: 'RecordReceipt',
          data: {
            ...receipt,
            lines: [
              { itemId: 'rice', received: 90, damaged: 4, reason: '4 sacks torn, 6 missing' },
              { itemId: 'tarp', received: 22, reason: 'two extra loaded' },
            ],
          },
          metadata: siteOfficer,
        })
        .then([
          {
            type: 'DispatchDelivered',
            data: {
              dispatchId: 'd-1',
              receiptId: 'bast-1',
              receivedBy: 'Ibu Sari',
              lines: [
                { itemId: 'rice', dispatched: 100, received: 90, damaged: 4, short: 6, over: 0, reason: '4 sacks torn, 6 missing' },
                { itemId: 'tarp', dispatched: 20, received: 22, damaged: 0, short: 0, over: 2, reason: 'two extra loaded' },
              ],
              deliveredAt: t,
            },
          },
        ]);
    });
    it("refuses a second receipt: 'already-delivered'", () => {
      dispatch
        .given([planned, departed, delivered])
        .when({ type: 'RecordReceipt', data: { ...receipt, receiptId: 'bast-2' }, metadata: siteOfficer })
        .thenRefused('already-delivered', { kind: 'rule', details: { receiptId: 'bast-1' } });
    });
    it('refuses a receipt before departure, and for a lost or cancelled dispatch', () => {
      dispatch.given([planned]).when({ type: 'RecordReceipt', data: receipt, metadata: siteOfficer }).thenRefused('dispatch-not-departed');
      dispatch.given([planned, departed, lost]).when({ type: 'RecordReceipt', data: receipt, metadata: siteOfficer }).thenRefused('dispatch-lost');
      dispatch.given([planned, cancelled]).when({ type: 'RecordReceipt', data: receipt, metadata: siteOfficer }).thenRefused('dispatch-cancelled');
    });
    it('refuses a short, damaged or over line without a reason', () => {
      dispatch
        .given([planned, departed])
        .when({ type: 'RecordReceipt', data: { ...receipt, lines: [{ itemId: 'rice', received: 95 }, { itemId: 'tarp', received: 20 }] }, metadata: siteOfficer })
        .thenRefused('reason-required', { details: { field: 'lines[0].reason' } });
      dispatch
        .given([planned, departed])
        .when({ type: 'RecordReceipt', data: { ...receipt, lines: [{ itemId: 'rice', received: 100 }, { itemId: 'tarp', received: 19, damaged: 1 }] }, metadata: siteOfficer })
        .thenRefused('reason-required', { details: { field: 'lines[1].reason' } });
    });
    it('refuses a missing line, an item not dispatched, a negative quantity, no receiver', () => {
      dispatch
        .given([planned, departed])
        .when({ type: 'RecordReceipt', data: { ...receipt, lines: [{ itemId: 'rice', received: 100 }] }, metadata: siteOfficer })
        .thenRefused('receipt-line-missing', { kind: 'invalid', details: { itemId: 'tarp' } });
      dispatch
        .given([planned, departed])
        .when({ type: 'RecordReceipt', data: { ...receipt, lines: [...receipt.lines, { itemId: 'soap', received: 3 }] }, metadata: siteOfficer })
        .thenRefused('item-not-dispatched', { details: { itemId: 'soap' } });
      dispatch
        .given([planned, departed])
        .when({ type: 'RecordReceipt', data: { ...receipt, lines: [{ itemId: 'rice', received: -1 }, { itemId: 'tarp', received: 20 }] }, metadata: siteOfficer })
        .thenRefused('invalid-input', { details: { field: 'lines[0].received' } });
      dispatch.given([planned, departed]).when({ type: 'RecordReceipt', data: { ...receipt, receivedBy: '' }, metadata: siteOfficer }).thenRefused('invalid-input', { details: { field: 'receivedBy' } });
    });
  });
});
