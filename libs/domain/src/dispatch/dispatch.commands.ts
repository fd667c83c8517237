import type { IncidentPhase } from '../reference/incident.events';
import type { Command } from '../shared/message';
import type { DispatchDestination } from './dispatch.events';

/**
 * The command API runs it last, after the stock reservation and the request claim succeeded
 * (see ../README.md). `incidentPhase` is the incident's phase as the API read it, so the rule
 * "pre-positioning only in preparedness" is decided here and recorded with the command.
 */
export type PlanDispatch = Command<
  'PlanDispatch',
  {
    dispatchId: string;
    warehouseId?: string;
    memberId?: string;
    pledgeId?: string;
    destination: DispatchDestination;
    requestId?: string;
    incidentId?: string;
    incidentPhase?: IncidentPhase;
    planId?: string;
    lines: Array<{ itemId: string; quantity: number }>;
  }
>;
export type DepartDispatch = Command<
  'DepartDispatch',
  { dispatchId: string; vehicle: string; driver: string; waybillNumber: string; expectedArrivalAt?: string }
>;
export type CancelDispatch = Command<'CancelDispatch', { dispatchId: string; reason: string }>;
export type MarkDispatchLost = Command<'MarkDispatchLost', { dispatchId: string; reason: string }>;
/** The receipt at the destination: per line what arrived in good order and damaged; short and over follow. */
export type RecordReceipt = Command<
  'RecordReceipt',
  {
    dispatchId: string;
    receiptId: string;
    receivedBy: string;
    lines: Array<{ itemId: string; received: number; damaged?: number; reason?: string }>;
    note?: string;
  }
>;

export const dispatchCommandTypes = ['PlanDispatch', 'DepartDispatch', 'CancelDispatch', 'MarkDispatchLost', 'RecordReceipt'] as const;
export type DispatchCommand = PlanDispatch | DepartDispatch | CancelDispatch | MarkDispatchLost | RecordReceipt;
