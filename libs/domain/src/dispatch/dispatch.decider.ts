import { assertNever, DomainError } from '../shared/domain-error';
import {
  optionalText,
  requireId,
  requireIsoTime,
  requireLines,
  requireMetadata,
  requireNonNegativeInt,
  requireOneOf,
  requirePositiveInt,
  requireReason,
  requireText,
} from '../shared/guards';
import { emitter, omit, type Decider } from '../shared/message';
import type { DispatchCommand } from './dispatch.commands';
import type { DispatchDestination, DispatchEvent, DispatchLine, DispatchPurpose, ReceiptLine } from './dispatch.events';

export type DispatchStatus = 'none' | 'planned' | 'in-transit' | 'delivered' | 'cancelled' | 'lost';

export type DispatchState = {
  status: DispatchStatus;
  dispatchId?: string;
  purpose?: DispatchPurpose;
  warehouseId?: string;
  memberId?: string;
  pledgeId?: string;
  destination?: DispatchDestination;
  requestId?: string;
  incidentId?: string;
  lines: DispatchLine[];
  waybillNumber?: string;
  departedAt?: string;
  receiptId?: string;
};

export const initialDispatchState: DispatchState = { status: 'none', lines: [] };
const emit = emitter<DispatchEvent>();

export function evolveDispatch(state: DispatchState, event: DispatchEvent): DispatchState {
  switch (event.type) {
    case 'DispatchPlanned':
      return { ...state, status: 'planned', ...omit(event.data, 'plannedAt', 'planId') };
    case 'DispatchDeparted':
      return { ...state, status: 'in-transit', waybillNumber: event.data.waybillNumber, departedAt: event.data.departedAt };
    case 'DispatchCancelled':
      return { ...state, status: 'cancelled' };
    case 'DispatchLost':
      return { ...state, status: 'lost' };
    case 'DispatchDelivered':
      return { ...state, status: 'delivered', receiptId: event.data.receiptId };
    default:
      return state;
  }
}

/** One refusal per state a dispatch can be in, so every command says the same thing about it. */
function refuse(state: DispatchState, dispatchId: string, doing: string): never {
  const details = { dispatchId, status: state.status };
  switch (state.status) {
    case 'none':
      throw DomainError.notFound('dispatch-not-found', `dispatch ${dispatchId} was never planned`, details);
    case 'planned':
      throw DomainError.rule('dispatch-not-departed', `dispatch ${dispatchId} has not departed; cannot ${doing}`, details);
    case 'in-transit':
      throw DomainError.rule('dispatch-already-departed', `dispatch ${dispatchId} is in transit (waybill ${state.waybillNumber}); cannot ${doing}`, details);
    case 'delivered':
      throw DomainError.rule('already-delivered', `dispatch ${dispatchId} was already delivered (receipt ${state.receiptId}); cannot ${doing}`, { ...details, receiptId: state.receiptId ?? null });
    case 'cancelled':
      throw DomainError.rule('dispatch-cancelled', `dispatch ${dispatchId} was cancelled; cannot ${doing}`, details);
    case 'lost':
      throw DomainError.rule('dispatch-lost', `dispatch ${dispatchId} was reported lost; cannot ${doing}`, details);
  }
}

function destination(value: unknown): DispatchDestination {
  if (!value || typeof value !== 'object') throw DomainError.invalid('destination', 'is required (a site or a warehouse)');
  const v = value as Record<string, unknown>;
  const kind = requireOneOf(v.kind, ['site', 'warehouse'] as const, 'destination.kind');
  return kind === 'site' ? { kind, siteId: requireId(v.siteId, 'destination.siteId') } : { kind, warehouseId: requireId(v.warehouseId, 'destination.warehouseId') };
}

const opt = (value: unknown, field: string) => (value === undefined ? undefined : requireId(value, field));

export function decideDispatch(command: DispatchCommand, state: DispatchState): DispatchEvent[] {
  requireMetadata(command.metadata);
  const now = command.metadata.now;
  const dispatchId = requireId(command.data.dispatchId, 'dispatchId');
  switch (command.type) {
    case 'PlanDispatch': {
      const d = command.data;
      const warehouseId = opt(d.warehouseId, 'warehouseId');
      const memberId = opt(d.memberId, 'memberId');
      const pledgeId = opt(d.pledgeId, 'pledgeId');
      if ((warehouseId === undefined) === (memberId === undefined)) {
        throw DomainError.invalid('warehouseId', 'a dispatch leaves from one warehouse, or straight from a member (memberId with pledgeId)');
      }
      if (memberId !== undefined && pledgeId === undefined) throw DomainError.invalid('pledgeId', "a member's direct delivery is made against its pledge");
      const dest = destination(d.destination);
      const requestId = opt(d.requestId, 'requestId');
      const lines = requireLines<{ itemId: unknown; quantity: unknown }>(d.lines, 'lines', (l) => String(l.itemId)).map((l, i) => ({
        itemId: requireId(l.itemId, `lines[${i}].itemId`),
        quantity: requirePositiveInt(l.quantity, `lines[${i}].quantity`),
      }));
      let purpose: DispatchPurpose;
      if (dest.kind === 'site') {
        purpose = 'request';
        if (requestId === undefined) throw DomainError.invalid('requestId', 'a dispatch to a site is made against an approved request');
      } else {
        purpose = 'pre-positioning';
        if (warehouseId === undefined) throw DomainError.invalid('warehouseId', 'pre-positioning moves stock from one warehouse to another');
        if (dest.warehouseId === warehouseId) throw DomainError.invalid('destination.warehouseId', 'pre-positioning goes to another warehouse', {}, 'same-warehouse');
        if (requestId !== undefined) throw DomainError.invalid('requestId', 'a pre-positioning move is not made against a request');
        if (d.incidentPhase !== undefined && d.incidentPhase !== 'preparedness') {
          throw DomainError.rule('pre-positioning-outside-preparedness', `pre-positioning is for preparedness; incident ${d.incidentId ?? ''} is in ${d.incidentPhase}`, {
            incidentId: d.incidentId ?? null,
            phase: d.incidentPhase,
          });
        }
      }
      const incidentId = opt(d.incidentId, 'incidentId');
      if (state.status !== 'none') {
        // The last step of the plan flow: repeating it with the same content (a retried flow) is a
        // no-op, so the flow never mistakes its own earlier success for a conflict and compensates.
        const same = JSON.stringify([state.warehouseId ?? null, state.memberId ?? null, state.destination, state.requestId ?? null, state.lines]) ===
          JSON.stringify([warehouseId ?? null, memberId ?? null, dest, requestId ?? null, lines]);
        if (same) return [];
        throw DomainError.rule('dispatch-already-planned', `dispatch ${dispatchId} is already planned with other content (${state.status})`, { dispatchId, status: state.status });
      }
      return [
        emit('DispatchPlanned', {
          dispatchId,
          purpose,
          warehouseId,
          memberId,
          pledgeId,
          destination: dest,
          requestId,
          incidentId,
          planId: opt(d.planId, 'planId'),
          lines,
          plannedAt: now,
        }),
      ];
    }
    case 'DepartDispatch': {
      const d = command.data;
      if (state.status !== 'planned') refuse(state, dispatchId, 'depart');
      return [
        emit('DispatchDeparted', {
          dispatchId,
          vehicle: requireText(d.vehicle, 'vehicle', 100),
          driver: requireText(d.driver, 'driver', 200),
          waybillNumber: requireText(d.waybillNumber, 'waybillNumber', 100),
          expectedArrivalAt: d.expectedArrivalAt === undefined ? undefined : requireIsoTime(d.expectedArrivalAt, 'expectedArrivalAt'),
          departedAt: now,
        }),
      ];
    }
    case 'CancelDispatch':
      // Once on the road a dispatch is delivered or lost, never cancelled: its stock has left.
      if (state.status !== 'planned') refuse(state, dispatchId, 'cancel');
      return [emit('DispatchCancelled', { dispatchId, reason: requireReason(command.data.reason), cancelledAt: now })];
    case 'MarkDispatchLost':
      if (state.status !== 'in-transit') refuse(state, dispatchId, 'report it lost');
      return [emit('DispatchLost', { dispatchId, reason: requireReason(command.data.reason), reportedAt: now })];
    case 'RecordReceipt': {
      const d = command.data;
      if (state.status !== 'in-transit') refuse(state, dispatchId, 'record a receipt');
      const receiptId = requireId(d.receiptId, 'receiptId');
      const receivedBy = requireText(d.receivedBy, 'receivedBy', 200);
      const given = requireLines<{ itemId: unknown; received: unknown; damaged?: unknown; reason?: unknown }>(d.lines, 'lines', (l) => String(l.itemId));
      given.forEach((g, i) => {
        if (!state.lines.some((l) => l.itemId === g.itemId)) {
          throw DomainError.rule('item-not-dispatched', `${String(g.itemId)} was not on dispatch ${dispatchId}`, { dispatchId, itemId: String(g.itemId), field: `lines[${i}].itemId` });
        }
      });
      const lines: ReceiptLine[] = state.lines.map((l) => {
        const i = given.findIndex((g) => g.itemId === l.itemId);
        if (i < 0) throw DomainError.invalid('lines', `the receipt has no line for ${l.itemId}; every dispatched line is accounted for (received 0 if nothing came)`, { itemId: l.itemId }, 'receipt-line-missing');
        const received = requireNonNegativeInt(given[i].received, `lines[${i}].received`);
        const damaged = given[i].damaged === undefined ? 0 : requireNonNegativeInt(given[i].damaged, `lines[${i}].damaged`);
        const arrived = received + damaged;
        const short = Math.max(0, l.quantity - arrived);
        const over = Math.max(0, arrived - l.quantity);
        // A person signs for a difference: damaged, short or over lines say why.
        const reason = damaged > 0 || short > 0 || over > 0 ? requireReason(given[i].reason, `lines[${i}].reason`) : optionalText(given[i].reason, `lines[${i}].reason`, 1000);
        return { itemId: l.itemId, dispatched: l.quantity, received, damaged, short, over, reason };
      });
      return [emit('DispatchDelivered', { dispatchId, receiptId, receivedBy, lines, note: optionalText(d.note, 'note', 1000), deliveredAt: now })];
    }
    default:
      return assertNever(command);
  }
}

export const dispatchDecider: Decider<DispatchCommand, DispatchState, DispatchEvent> = {
  initialState: initialDispatchState,
  evolve: evolveDispatch,
  decide: decideDispatch,
};
