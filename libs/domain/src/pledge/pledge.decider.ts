import { assertNever, DomainError } from '../shared/domain-error';
import { isBefore, optionalText, requireId, requireIsoTime, requireLines, requireMetadata, requirePositiveInt, requireReason } from '../shared/guards';
import { emitter, type Decider } from '../shared/message';
import type { PledgeCommand } from './pledge.commands';
import type { PledgeEvent, PledgeLine } from './pledge.events';

export type PledgeStatus = 'none' | 'offered' | 'accepted' | 'declined' | 'withdrawn' | 'fulfilled' | 'lapsed';

export type PledgeLineState = { itemId: string; pledged: number; delivered: number };

export type PledgeState = {
  status: PledgeStatus;
  pledgeId?: string;
  memberId?: string;
  incidentId?: string;
  requestId?: string;
  expectedBy?: string;
  lines: PledgeLineState[];
  /** receipts already counted, by receipt id, with what they delivered */
  receipts: Record<string, PledgeLine[]>;
};

export const initialPledgeState: PledgeState = { status: 'none', lines: [], receipts: {} };
const emit = emitter<PledgeEvent>();

const outstanding = (lines: PledgeLineState[]): PledgeLine[] =>
  lines.filter((l) => l.delivered < l.pledged).map((l) => ({ itemId: l.itemId, quantity: l.pledged - l.delivered }));

export function evolvePledge(state: PledgeState, event: PledgeEvent): PledgeState {
  switch (event.type) {
    case 'PledgeOffered': {
      const d = event.data;
      return {
        ...state,
        status: 'offered',
        pledgeId: d.pledgeId,
        memberId: d.memberId,
        incidentId: d.incidentId,
        requestId: d.requestId,
        expectedBy: d.expectedBy,
        lines: d.lines.map((l) => ({ itemId: l.itemId, pledged: l.quantity, delivered: 0 })),
      };
    }
    case 'PledgeAccepted':
      return { ...state, status: 'accepted' };
    case 'PledgeDeclined':
      return { ...state, status: 'declined' };
    case 'PledgeWithdrawn':
      return { ...state, status: 'withdrawn' };
    case 'PledgeDeliveryRecorded':
      return {
        ...state,
        lines: state.lines.map((l) => ({ ...l, delivered: l.delivered + (event.data.lines.find((x) => x.itemId === l.itemId)?.quantity ?? 0) })),
        receipts: { ...state.receipts, [event.data.receiptId]: event.data.lines },
      };
    case 'PledgeFulfilled':
      return { ...state, status: 'fulfilled' };
    case 'PledgeLapsed':
      return { ...state, status: 'lapsed' };
    default:
      return state;
  }
}

function requireStatus(state: PledgeState, pledgeId: string, allowed: PledgeStatus[], doing: string): void {
  if (state.status === 'none') throw DomainError.notFound('pledge-not-found', `pledge ${pledgeId} was never offered`, { pledgeId });
  if (!allowed.includes(state.status)) {
    throw DomainError.rule(`pledge-${state.status}`, `pledge ${pledgeId} is ${state.status}; cannot ${doing}`, { pledgeId, status: state.status });
  }
}

const pledgeLines = (value: unknown) =>
  requireLines<{ itemId: unknown; quantity: unknown }>(value, 'lines', (l) => String(l.itemId)).map((l, i) => ({
    itemId: requireId(l.itemId, `lines[${i}].itemId`),
    quantity: requirePositiveInt(l.quantity, `lines[${i}].quantity`),
  }));

const sameLines = (a: PledgeLine[], b: PledgeLine[]) =>
  JSON.stringify(a.map((l) => [l.itemId, l.quantity]).sort()) === JSON.stringify(b.map((l) => [l.itemId, l.quantity]).sort());

export function decidePledge(command: PledgeCommand, state: PledgeState): PledgeEvent[] {
  requireMetadata(command.metadata);
  const now = command.metadata.now;
  const pledgeId = requireId(command.data.pledgeId, 'pledgeId');
  switch (command.type) {
    case 'OfferPledge': {
      const d = command.data;
      if (state.status !== 'none') throw DomainError.rule('pledge-already-offered', `pledge ${pledgeId} was already offered`, { pledgeId });
      const incidentId = d.incidentId === undefined ? undefined : requireId(d.incidentId, 'incidentId');
      const requestId = d.requestId === undefined ? undefined : requireId(d.requestId, 'requestId');
      if (incidentId === undefined && requestId === undefined) throw DomainError.invalid('incidentId', 'a pledge is made for an incident or for a request');
      return [
        emit('PledgeOffered', {
          pledgeId,
          memberId: requireId(d.memberId, 'memberId'),
          incidentId,
          requestId,
          lines: pledgeLines(d.lines),
          expectedBy: requireIsoTime(d.expectedBy, 'expectedBy'),
          note: optionalText(d.note, 'note', 1000),
          offeredAt: now,
        }),
      ];
    }
    case 'AcceptPledge':
      requireStatus(state, pledgeId, ['offered'], 'accept it');
      return [emit('PledgeAccepted', { pledgeId, note: optionalText(command.data.note, 'note', 1000), acceptedAt: now })];
    case 'DeclinePledge':
      requireStatus(state, pledgeId, ['offered'], 'decline it');
      return [emit('PledgeDeclined', { pledgeId, reason: requireReason(command.data.reason), declinedAt: now })];
    case 'WithdrawPledge':
      // What was delivered stays delivered; withdrawing gives up the remainder.
      requireStatus(state, pledgeId, ['offered', 'accepted'], 'withdraw it');
      return [emit('PledgeWithdrawn', { pledgeId, reason: requireReason(command.data.reason), withdrawnAt: now })];
    case 'RecordPledgeDelivery': {
      const d = command.data;
      const receiptId = requireId(d.receiptId, 'receiptId');
      const lines = pledgeLines(d.lines);
      const seen = state.receipts[receiptId];
      if (seen) {
        if (sameLines(seen, lines)) return [];
        throw DomainError.rule('receipt-already-recorded', `receipt ${receiptId} is already counted against pledge ${pledgeId} with other quantities`, { pledgeId, receiptId });
      }
      requireStatus(state, pledgeId, ['accepted'], 'record a delivery against it');
      const warehouseId = d.warehouseId === undefined ? undefined : requireId(d.warehouseId, 'warehouseId');
      const dispatchId = d.dispatchId === undefined ? undefined : requireId(d.dispatchId, 'dispatchId');
      if ((warehouseId === undefined) === (dispatchId === undefined)) {
        throw DomainError.invalid('warehouseId', 'a delivery arrives by a receipt into one warehouse or by one direct dispatch');
      }
      lines.forEach((l, i) => {
        if (!state.lines.some((p) => p.itemId === l.itemId)) {
          throw DomainError.rule('item-not-pledged', `${l.itemId} is not in pledge ${pledgeId}`, { pledgeId, itemId: l.itemId, field: `lines[${i}].itemId` });
        }
      });
      const events: PledgeEvent[] = [emit('PledgeDeliveryRecorded', { pledgeId, receiptId, warehouseId, dispatchId, lines, recordedAt: now })];
      // Deliveries are facts: more than pledged is recorded as delivered, never refused.
      const after = evolvePledge(state, events[0]);
      if (outstanding(after.lines).length === 0) events.push(emit('PledgeFulfilled', { pledgeId, fulfilledAt: now }));
      return events;
    }
    case 'LapsePledge': {
      requireStatus(state, pledgeId, ['offered', 'accepted'], 'let it lapse');
      const expectedBy = state.expectedBy as string;
      if (!isBefore(expectedBy, now)) {
        throw DomainError.rule('pledge-not-overdue', `pledge ${pledgeId} is expected by ${expectedBy}; it cannot lapse at ${now}`, { pledgeId, expectedBy, now });
      }
      return [emit('PledgeLapsed', { pledgeId, expectedBy, outstanding: outstanding(state.lines), lapsedAt: now })];
    }
    default:
      return assertNever(command);
  }
}

export const pledgeDecider: Decider<PledgeCommand, PledgeState, PledgeEvent> = {
  initialState: initialPledgeState,
  evolve: evolvePledge,
  decide: decidePledge,
};
