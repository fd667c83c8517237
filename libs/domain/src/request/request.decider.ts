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
} from '../shared/guards';
import { emitter, type Decider } from '../shared/message';
import type { RequestCommand } from './request.commands';
import { requestPriorities, type ApprovedLine, type RequestDispatchLine, type RequestEvent, type RequestPriority } from './request.events';

export type RequestStatus = 'none' | 'submitted' | 'approved' | 'rejected' | 'cancelled' | 'closed';

export type RequestLineState = { line: number; itemId: string; requested: number; approved?: number; dispatched: number };

export type RequestState = {
  status: RequestStatus;
  requestId?: string;
  siteId?: string;
  incidentId?: string;
  priority?: RequestPriority;
  neededBy?: string;
  /** one line per item */
  lines: RequestLineState[];
  /** by dispatch id: what each dispatch claimed, and whether the claim still stands */
  dispatches: Record<string, { status: 'active' | 'released'; lines: RequestDispatchLine[] }>;
};

export const initialRequestState: RequestState = { status: 'none', lines: [], dispatches: {} };
const emit = emitter<RequestEvent>();

/** Approved quantity not yet claimed by a dispatch that still stands. */
export const outstandingOf = (l: RequestLineState): number => (l.approved ?? 0) - l.dispatched;

const addDispatched = (lines: RequestLineState[], claim: RequestDispatchLine[], sign: 1 | -1) =>
  lines.map((l) => {
    const c = claim.find((x) => x.itemId === l.itemId);
    return c ? { ...l, dispatched: l.dispatched + sign * c.quantity } : l;
  });

export function evolveRequest(state: RequestState, event: RequestEvent): RequestState {
  switch (event.type) {
    case 'RequestSubmitted': {
      const d = event.data;
      return {
        ...state,
        status: 'submitted',
        requestId: d.requestId,
        siteId: d.siteId,
        incidentId: d.incidentId,
        priority: d.priority,
        neededBy: d.neededBy,
        lines: d.lines.map((l) => ({ line: l.line, itemId: l.itemId, requested: l.quantity, dispatched: 0 })),
      };
    }
    case 'RequestApproved':
      return {
        ...state,
        status: 'approved',
        lines: state.lines.map((l) => ({ ...l, approved: event.data.lines.find((a) => a.itemId === l.itemId)?.approved ?? 0 })),
      };
    case 'RequestRejected':
      return { ...state, status: 'rejected' };
    case 'RequestCancelled':
      return { ...state, status: 'cancelled' };
    case 'RequestClosed':
      return { ...state, status: 'closed' };
    case 'RequestDispatchRecorded':
      return {
        ...state,
        lines: addDispatched(state.lines, event.data.lines, 1),
        dispatches: { ...state.dispatches, [event.data.dispatchId]: { status: 'active', lines: event.data.lines } },
      };
    case 'RequestDispatchReleased':
      return {
        ...state,
        lines: addDispatched(state.lines, event.data.lines, -1),
        dispatches: { ...state.dispatches, [event.data.dispatchId]: { status: 'released', lines: event.data.lines } },
      };
    default:
      return state;
  }
}

function requireStatus(state: RequestState, requestId: string, allowed: RequestStatus[], doing: string): void {
  if (state.status === 'none') throw DomainError.notFound('request-not-found', `request ${requestId} does not exist`, { requestId });
  if (!allowed.includes(state.status)) {
    throw DomainError.rule(`request-${state.status}`, `request ${requestId} is ${state.status}; cannot ${doing}`, { requestId, status: state.status });
  }
}

function lineFor(state: RequestState, itemId: string, field: string): RequestLineState {
  const l = state.lines.find((x) => x.itemId === itemId);
  if (!l) throw DomainError.rule('item-not-requested', `${itemId} is not requested in request ${state.requestId}`, { requestId: state.requestId ?? null, itemId, field });
  return l;
}

const sameClaim = (a: RequestDispatchLine[], b: RequestDispatchLine[]) =>
  JSON.stringify(a.map((l) => [l.itemId, l.quantity]).sort()) === JSON.stringify(b.map((l) => [l.itemId, l.quantity]).sort());

export function decideRequest(command: RequestCommand, state: RequestState): RequestEvent[] {
  requireMetadata(command.metadata);
  const now = command.metadata.now;
  switch (command.type) {
    case 'SubmitRequest': {
      const d = command.data;
      const requestId = requireId(d.requestId, 'requestId');
      if (state.status !== 'none') throw DomainError.rule('request-already-submitted', `request ${requestId} was already submitted`, { requestId });
      const lines = requireLines<{ itemId: unknown; quantity: unknown }>(d.lines, 'lines', (l) => String(l.itemId)).map((l, i) => ({
        line: i + 1,
        itemId: requireId(l.itemId, `lines[${i}].itemId`),
        quantity: requirePositiveInt(l.quantity, `lines[${i}].quantity`),
      }));
      return [
        emit('RequestSubmitted', {
          requestId,
          siteId: requireId(d.siteId, 'siteId'),
          incidentId: requireId(d.incidentId, 'incidentId'),
          priority: requireOneOf(d.priority, requestPriorities, 'priority'),
          neededBy: requireIsoTime(d.neededBy, 'neededBy'),
          lines,
          note: optionalText(d.note, 'note', 1000),
          submittedAt: now,
        }),
      ];
    }
    case 'ApproveRequest': {
      const d = command.data;
      requireStatus(state, d.requestId, ['submitted'], 'approve it');
      const given = d.lines === undefined ? [] : requireLines<{ itemId: unknown; approved: unknown; reason?: unknown }>(d.lines, 'lines', (l) => String(l.itemId));
      given.forEach((g, i) => lineFor(state, requireId(g.itemId, `lines[${i}].itemId`), `lines[${i}].itemId`));
      const lines: ApprovedLine[] = state.lines.map((l) => {
        const i = given.findIndex((g) => g.itemId === l.itemId);
        if (i < 0) return { line: l.line, itemId: l.itemId, requested: l.requested, approved: l.requested };
        const approved = requireNonNegativeInt(given[i].approved, `lines[${i}].approved`);
        if (approved > l.requested) {
          throw DomainError.rule('approval-exceeds-requested', `${l.itemId}: approved ${approved} exceeds requested ${l.requested}`, {
            requestId: d.requestId,
            itemId: l.itemId,
            requested: l.requested,
            approved,
          });
        }
        const reason = approved < l.requested ? requireReason(given[i].reason, `lines[${i}].reason`) : optionalText(given[i].reason, `lines[${i}].reason`, 1000);
        return { line: l.line, itemId: l.itemId, requested: l.requested, approved, reason };
      });
      if (lines.every((l) => l.approved === 0)) {
        throw DomainError.rule('nothing-approved', `every line of request ${d.requestId} is approved at 0; reject the request instead`, { requestId: d.requestId });
      }
      return [emit('RequestApproved', { requestId: d.requestId, lines, note: optionalText(d.note, 'note', 1000), approvedAt: now })];
    }
    case 'RejectRequest':
      requireStatus(state, command.data.requestId, ['submitted'], 'reject it');
      return [emit('RequestRejected', { requestId: command.data.requestId, reason: requireReason(command.data.reason), rejectedAt: now })];
    case 'CancelRequest': {
      const d = command.data;
      requireStatus(state, d.requestId, ['submitted', 'approved'], 'cancel it');
      const reason = requireReason(d.reason);
      const active = Object.entries(state.dispatches).filter(([, x]) => x.status === 'active').map(([id]) => id);
      if (active.length > 0) {
        throw DomainError.rule('request-has-dispatches', `request ${d.requestId} has ${active.length} dispatch(es) against it (${active.join(', ')}); close it instead`, {
          requestId: d.requestId,
          dispatchIds: active,
        });
      }
      return [emit('RequestCancelled', { requestId: d.requestId, reason, cancelledAt: now })];
    }
    case 'CloseRequest': {
      const d = command.data;
      requireStatus(state, d.requestId, ['approved'], 'close it');
      return [
        emit('RequestClosed', {
          requestId: d.requestId,
          reason: optionalText(d.reason, 'reason', 1000),
          lines: state.lines.map((l) => ({ itemId: l.itemId, requested: l.requested, approved: l.approved ?? 0, dispatched: l.dispatched })),
          closedAt: now,
        }),
      ];
    }
    case 'RecordDispatchAgainstRequest': {
      const d = command.data;
      const dispatchId = requireId(d.dispatchId, 'dispatchId');
      const claim = requireLines<{ itemId: unknown; quantity: unknown }>(d.lines, 'lines', (l) => String(l.itemId)).map((l, i) => ({
        itemId: requireId(l.itemId, `lines[${i}].itemId`),
        quantity: requirePositiveInt(l.quantity, `lines[${i}].quantity`),
      }));
      const existing = state.dispatches[dispatchId];
      if (existing?.status === 'active' && sameClaim(existing.lines, claim)) return [];
      requireStatus(state, d.requestId, ['approved'], 'dispatch against it');
      if (existing) {
        throw DomainError.rule('dispatch-already-recorded', `dispatch ${dispatchId} is already recorded against request ${d.requestId} (${existing.status})`, {
          requestId: d.requestId,
          dispatchId,
          status: existing.status,
        });
      }
      claim.forEach((c, i) => {
        const l = lineFor(state, c.itemId, `lines[${i}].itemId`);
        const outstanding = outstandingOf(l);
        if (c.quantity > outstanding) {
          throw DomainError.rule(
            'exceeds-approved-outstanding',
            `${c.itemId}: dispatching ${c.quantity} exceeds the approved outstanding quantity ${outstanding} (approved ${l.approved ?? 0}, already dispatched ${l.dispatched})`,
            { requestId: d.requestId, itemId: c.itemId, requested: c.quantity, outstanding, approved: l.approved ?? 0, dispatched: l.dispatched },
          );
        }
      });
      return [emit('RequestDispatchRecorded', { requestId: d.requestId, dispatchId, lines: claim, recordedAt: now })];
    }
    case 'ReleaseDispatchFromRequest': {
      const d = command.data;
      const dispatchId = requireId(d.dispatchId, 'dispatchId');
      const reason = requireReason(d.reason);
      const existing = state.dispatches[dispatchId];
      // A compensation: safe to repeat, and safe when the claim step never happened.
      if (!existing || existing.status === 'released') return [];
      return [emit('RequestDispatchReleased', { requestId: d.requestId, dispatchId, lines: existing.lines, reason, releasedAt: now })];
    }
    default:
      return assertNever(command);
  }
}

export const requestDecider: Decider<RequestCommand, RequestState, RequestEvent> = {
  initialState: initialRequestState,
  evolve: evolveRequest,
  decide: decideRequest,
};
