import type { DispatchCancelledData, DispatchDeliveredData, DispatchDepartedData, DispatchLostData, DispatchPlannedData } from '@lumbung/domain';
import { slotOf } from './fulfilment.projection';
import { int, iso, n, text, table, upsert, type Projection, type ProjectionEvent, type RowChange } from './projection';
import type { Rollup } from './rollup';

/**
 * The shipments board: one row per dispatch and one per dispatched line, written by the dispatch's
 * own stream only. "In transit" and "overdue as of T" are filters on status and expected_at.
 */
export const shipmentsTable = table('rm_shipments', ['dispatch_id'], [
  text('dispatch_id'), text('purpose'), text('status'), text('warehouse_id'), text('member_id'), text('pledge_id'), text('destination_kind'),
  text('destination_id'), text('request_id'), text('incident_id'), text('plan_id'), text('vehicle'), text('driver'), text('waybill_number'),
  text('planned_at'), text('departed_at'), text('expected_at'), text('delivered_at'), text('ended_at'), text('receipt_id'), text('received_by'),
  text('reason'), int('line_count'), int('quantity'), int('received'), int('damaged'), int('short'), int('over'),
], [
  ['status', 'expected_at'], ['warehouse_id'], ['request_id'],
  // an incident's shipments: its board in transit by expected arrival, and its key figures (counts by status, overdue) index-only
  ['incident_id', 'status', 'expected_at'],
]);
export const shipmentLinesTable = table('rm_shipment_lines', ['dispatch_id', 'item_id'], [
  text('dispatch_id'), text('item_id'), text('warehouse_id'), int('quantity'), int('received'), int('damaged'), int('short'), int('over'),
]);

/**
 * Sums per incident (rollups, rollup.ts) over the shipments that name it: its shipments by status (the
 * key figures), and per quarter-hour slot of delivery (the timeline): deliveries at sites and what they
 * received, and what deliveries serving a request received (the fulfilment projection counts the
 * same receipts on the request's lines). Shipments naming no incident are found through their request
 * at query time (libs/read-model's incident-scope.ts).
 */
export const incidentShipmentsTable = table('rm_incident_shipments', ['incident_id'], [
  text('incident_id'), int('shipments'), int('planned'), int('in_transit'), int('delivered'), int('cancelled'), int('lost'),
]);
export const incidentDeliveryTimesTable = table('rm_incident_delivery_times', ['incident_id', 'slot'], [
  text('incident_id'), int('slot'), int('deliveries'), int('received_qty'), int('request_received'),
], [
  // covering: the timeline's ranges of slots, summed from the index alone
  ['incident_id', 'slot', 'deliveries', 'received_qty', 'request_received'],
]);

const STATUS_COLUMN: Readonly<Record<string, string>> = { planned: 'planned', 'in-transit': 'in_transit', delivered: 'delivered', cancelled: 'cancelled', lost: 'lost' };

const shipmentCounts: Rollup = {
  source: shipmentsTable,
  target: incidentShipmentsTable,
  contribute: (s) => {
    if (typeof s.incident_id !== 'string') return undefined;
    const column = typeof s.status === 'string' ? STATUS_COLUMN[s.status] : undefined;
    return { key: { incident_id: s.incident_id }, amounts: column ? { shipments: 1, [column]: 1 } : { shipments: 1 } };
  },
};
const deliveryTimes: Rollup = {
  source: shipmentsTable,
  target: incidentDeliveryTimesTable,
  contribute: (s) => {
    const slot = slotOf(s.delivered_at);
    if (typeof s.incident_id !== 'string' || slot === null) return undefined;
    const site = s.destination_kind === 'site';
    const received = n(s.received);
    return {
      key: { incident_id: s.incident_id, slot },
      amounts: { deliveries: site ? 1 : 0, received_qty: site ? received : 0, request_received: s.request_id !== null ? received : 0 },
    };
  },
};

const ship = (id: string, f: Parameters<typeof upsert>[2]): RowChange => upsert(shipmentsTable, { dispatch_id: id }, f);

function changes(e: ProjectionEvent): RowChange[] {
  switch (e.type) {
    case 'DispatchPlanned': {
      const d = e.data as unknown as DispatchPlannedData;
      const destinationId = d.destination.kind === 'site' ? d.destination.siteId : d.destination.warehouseId;
      return [
        ship(d.dispatchId, (r) => ({
          ...r, purpose: d.purpose, status: 'planned', warehouse_id: d.warehouseId ?? null, member_id: d.memberId ?? null, pledge_id: d.pledgeId ?? null,
          destination_kind: d.destination.kind, destination_id: destinationId, request_id: d.requestId ?? null, incident_id: d.incidentId ?? null,
          plan_id: d.planId ?? null, planned_at: iso(d.plannedAt), line_count: d.lines.length, quantity: d.lines.reduce((s, l) => s + l.quantity, 0),
        })),
        ...d.lines.map((l) => upsert(shipmentLinesTable, { dispatch_id: d.dispatchId, item_id: l.itemId }, (r) => ({ ...r, warehouse_id: d.warehouseId ?? null, quantity: l.quantity }))),
      ];
    }
    case 'DispatchDeparted': {
      const d = e.data as unknown as DispatchDepartedData;
      return [ship(d.dispatchId, (r) => ({
        ...r, status: 'in-transit', vehicle: d.vehicle, driver: d.driver, waybill_number: d.waybillNumber, departed_at: iso(d.departedAt), expected_at: iso(d.expectedArrivalAt),
      }))];
    }
    case 'DispatchCancelled': {
      const d = e.data as unknown as DispatchCancelledData;
      return [ship(d.dispatchId, (r) => ({ ...r, status: 'cancelled', ended_at: iso(d.cancelledAt), reason: d.reason }))];
    }
    case 'DispatchLost': {
      const d = e.data as unknown as DispatchLostData;
      return [ship(d.dispatchId, (r) => ({ ...r, status: 'lost', ended_at: iso(d.reportedAt), reason: d.reason }))];
    }
    case 'DispatchDelivered': {
      const d = e.data as unknown as DispatchDeliveredData;
      const sum = (k: 'received' | 'damaged' | 'short' | 'over') => d.lines.reduce((s, l) => s + l[k], 0);
      return [
        ship(d.dispatchId, (r) => ({
          ...r, status: 'delivered', delivered_at: iso(d.deliveredAt), receipt_id: d.receiptId, received_by: d.receivedBy,
          received: n(r.received) + sum('received'), damaged: n(r.damaged) + sum('damaged'), short: n(r.short) + sum('short'), over: n(r.over) + sum('over'),
        })),
        ...d.lines.map((l) => upsert(shipmentLinesTable, { dispatch_id: d.dispatchId, item_id: l.itemId }, (r) => ({
          ...r, received: n(r.received) + l.received, damaged: n(r.damaged) + l.damaged, short: n(r.short) + l.short, over: n(r.over) + l.over,
        }))),
      ];
    }
    default:
      return [];
  }
}

export const shipmentsProjection: Projection<null> = {
  name: 'shipments',
  tables: [shipmentsTable, shipmentLinesTable, incidentShipmentsTable, incidentDeliveryTimesTable],
  rollups: [shipmentCounts, deliveryTimes],
  eventTypes: new Set(['DispatchPlanned', 'DispatchDeparted', 'DispatchCancelled', 'DispatchLost', 'DispatchDelivered']),
  changes: (e) => changes(e),
};
