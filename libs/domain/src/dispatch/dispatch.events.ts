import type { DomainEvent } from '../shared/message';

export type DispatchDestination = { kind: 'site'; siteId: string } | { kind: 'warehouse'; warehouseId: string };

/**
 * 'request': from a warehouse (or straight from a member against its pledge) to a site, against an
 * approved request; 'pre-positioning': a move between warehouses during preparedness.
 */
export type DispatchPurpose = 'request' | 'pre-positioning';

export type DispatchLine = { itemId: string; quantity: number };

export type ReceiptLine = {
  itemId: string;
  dispatched: number;
  /** arrived in good order */
  received: number;
  damaged: number;
  /** dispatched − (received + damaged), when positive */
  short: number;
  /** (received + damaged) − dispatched, when positive */
  over: number;
  reason?: string;
};

export type DispatchPlannedData = {
  dispatchId: string;
  purpose: DispatchPurpose;
  /** the warehouse whose stock is reserved; absent for a member's direct delivery */
  warehouseId?: string;
  /** a member's direct delivery against its pledge (no warehouse stock involved) */
  memberId?: string;
  pledgeId?: string;
  destination: DispatchDestination;
  requestId?: string;
  incidentId?: string;
  /** the operations plan a pre-positioning move serves */
  planId?: string;
  lines: DispatchLine[];
  plannedAt: string;
};
export type DispatchDepartedData = {
  dispatchId: string;
  vehicle: string;
  driver: string;
  waybillNumber: string;
  expectedArrivalAt?: string;
  departedAt: string;
};
export type DispatchCancelledData = { dispatchId: string; reason: string; cancelledAt: string };
export type DispatchLostData = { dispatchId: string; reason: string; reportedAt: string };
/** The receipt (BAST): recorded on the dispatch's own stream, so "delivered at most once" is one stream's rule. */
export type DispatchDeliveredData = {
  dispatchId: string;
  receiptId: string;
  receivedBy: string;
  lines: ReceiptLine[];
  note?: string;
  deliveredAt: string;
};

export const dispatchEventTypes = ['DispatchPlanned', 'DispatchDeparted', 'DispatchCancelled', 'DispatchLost', 'DispatchDelivered'] as const;

export type DispatchEvent =
  | DomainEvent<'DispatchPlanned', DispatchPlannedData>
  | DomainEvent<'DispatchDeparted', DispatchDepartedData>
  | DomainEvent<'DispatchCancelled', DispatchCancelledData>
  | DomainEvent<'DispatchLost', DispatchLostData>
  | DomainEvent<'DispatchDelivered', DispatchDeliveredData>;
