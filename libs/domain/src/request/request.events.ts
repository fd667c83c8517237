import type { DomainEvent } from '../shared/message';

export const requestPriorities = ['life-saving', 'urgent', 'normal'] as const;
export type RequestPriority = (typeof requestPriorities)[number];

export type RequestedLine = { line: number; itemId: string; quantity: number };
export type ApprovedLine = { line: number; itemId: string; requested: number; approved: number; reason?: string };
export type RequestDispatchLine = { itemId: string; quantity: number };

export type RequestSubmittedData = {
  requestId: string;
  siteId: string;
  incidentId: string;
  priority: RequestPriority;
  neededBy: string;
  lines: RequestedLine[];
  note?: string;
  submittedAt: string;
};
export type RequestApprovedData = { requestId: string; lines: ApprovedLine[]; note?: string; approvedAt: string };
export type RequestRejectedData = { requestId: string; reason: string; rejectedAt: string };
export type RequestCancelledData = { requestId: string; reason: string; cancelledAt: string };
/** closes the request; the lines say how far it was served, as the decider knew it then */
export type RequestClosedData = {
  requestId: string;
  reason?: string;
  lines: Array<{ itemId: string; requested: number; approved: number; dispatched: number }>;
  closedAt: string;
};
/** a dispatch claims part of the approved outstanding quantity (keyed by dispatch id) */
export type RequestDispatchRecordedData = { requestId: string; dispatchId: string; lines: RequestDispatchLine[]; recordedAt: string };
/** the dispatch was cancelled or lost: its quantities are outstanding again */
export type RequestDispatchReleasedData = { requestId: string; dispatchId: string; lines: RequestDispatchLine[]; reason: string; releasedAt: string };

export const requestEventTypes = [
  'RequestSubmitted',
  'RequestApproved',
  'RequestRejected',
  'RequestCancelled',
  'RequestClosed',
  'RequestDispatchRecorded',
  'RequestDispatchReleased',
] as const;

export type RequestEvent =
  | DomainEvent<'RequestSubmitted', RequestSubmittedData>
  | DomainEvent<'RequestApproved', RequestApprovedData>
  | DomainEvent<'RequestRejected', RequestRejectedData>
  | DomainEvent<'RequestCancelled', RequestCancelledData>
  | DomainEvent<'RequestClosed', RequestClosedData>
  | DomainEvent<'RequestDispatchRecorded', RequestDispatchRecordedData>
  | DomainEvent<'RequestDispatchReleased', RequestDispatchReleasedData>;
