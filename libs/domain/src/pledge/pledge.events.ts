import type { DomainEvent } from '../shared/message';

export type PledgeLine = { itemId: string; quantity: number };

export type PledgeOfferedData = {
  pledgeId: string;
  memberId: string;
  incidentId?: string;
  requestId?: string;
  lines: PledgeLine[];
  expectedBy: string;
  note?: string;
  offeredAt: string;
};
export type PledgeAcceptedData = { pledgeId: string; note?: string; acceptedAt: string };
export type PledgeDeclinedData = { pledgeId: string; reason: string; declinedAt: string };
export type PledgeWithdrawnData = { pledgeId: string; reason: string; withdrawnAt: string };
/** quantities delivered, from a receipt into a warehouse (StockReceived) or a direct dispatch (DispatchDelivered) */
export type PledgeDeliveryRecordedData = {
  pledgeId: string;
  receiptId: string;
  warehouseId?: string;
  dispatchId?: string;
  lines: PledgeLine[];
  recordedAt: string;
};
export type PledgeFulfilledData = { pledgeId: string; fulfilledAt: string };
export type PledgeLapsedData = { pledgeId: string; expectedBy: string; outstanding: PledgeLine[]; lapsedAt: string };

export const pledgeEventTypes = [
  'PledgeOffered',
  'PledgeAccepted',
  'PledgeDeclined',
  'PledgeWithdrawn',
  'PledgeDeliveryRecorded',
  'PledgeFulfilled',
  'PledgeLapsed',
] as const;

export type PledgeEvent =
  | DomainEvent<'PledgeOffered', PledgeOfferedData>
  | DomainEvent<'PledgeAccepted', PledgeAcceptedData>
  | DomainEvent<'PledgeDeclined', PledgeDeclinedData>
  | DomainEvent<'PledgeWithdrawn', PledgeWithdrawnData>
  | DomainEvent<'PledgeDeliveryRecorded', PledgeDeliveryRecordedData>
  | DomainEvent<'PledgeFulfilled', PledgeFulfilledData>
  | DomainEvent<'PledgeLapsed', PledgeLapsedData>;
