import type { Command } from '../shared/message';
import type { RequestPriority } from './request.events';

export type SubmitRequest = Command<
  'SubmitRequest',
  {
    requestId: string;
    siteId: string;
    incidentId: string;
    priority: RequestPriority;
    neededBy: string;
    lines: Array<{ itemId: string; quantity: number }>;
    note?: string;
  }
>;
/** Lines left out are approved in full; a reduced line needs a reason. */
export type ApproveRequest = Command<
  'ApproveRequest',
  { requestId: string; lines?: Array<{ itemId: string; approved: number; reason?: string }>; note?: string }
>;
export type RejectRequest = Command<'RejectRequest', { requestId: string; reason: string }>;
/** Withdraws a request nothing was dispatched for; a request that was served in part is closed instead. */
export type CancelRequest = Command<'CancelRequest', { requestId: string; reason: string }>;
export type CloseRequest = Command<'CloseRequest', { requestId: string; reason?: string }>;
export type RecordDispatchAgainstRequest = Command<
  'RecordDispatchAgainstRequest',
  { requestId: string; dispatchId: string; lines: Array<{ itemId: string; quantity: number }> }
>;
export type ReleaseDispatchFromRequest = Command<'ReleaseDispatchFromRequest', { requestId: string; dispatchId: string; reason: string }>;

export const requestCommandTypes = [
  'SubmitRequest',
  'ApproveRequest',
  'RejectRequest',
  'CancelRequest',
  'CloseRequest',
  'RecordDispatchAgainstRequest',
  'ReleaseDispatchFromRequest',
] as const;

export type RequestCommand =
  | SubmitRequest
  | ApproveRequest
  | RejectRequest
  | CancelRequest
  | CloseRequest
  | RecordDispatchAgainstRequest
  | ReleaseDispatchFromRequest;
