import type { Command } from '../shared/message';

export type OfferPledge = Command<
  'OfferPledge',
  { pledgeId: string; memberId: string; incidentId?: string; requestId?: string; lines: Array<{ itemId: string; quantity: number }>; expectedBy: string; note?: string }
>;
export type AcceptPledge = Command<'AcceptPledge', { pledgeId: string; note?: string }>;
export type DeclinePledge = Command<'DeclinePledge', { pledgeId: string; reason: string }>;
export type WithdrawPledge = Command<'WithdrawPledge', { pledgeId: string; reason: string }>;
/** From a receipt: a repeat of the same receipt is a no-op, so the receiving flow can be retried. */
export type RecordPledgeDelivery = Command<
  'RecordPledgeDelivery',
  { pledgeId: string; receiptId: string; warehouseId?: string; dispatchId?: string; lines: Array<{ itemId: string; quantity: number }> }
>;
/** Issued by the system (or the EOC) once expected-by has passed with the pledge not fulfilled. */
export type LapsePledge = Command<'LapsePledge', { pledgeId: string }>;

export const pledgeCommandTypes = ['OfferPledge', 'AcceptPledge', 'DeclinePledge', 'WithdrawPledge', 'RecordPledgeDelivery', 'LapsePledge'] as const;
export type PledgeCommand = OfferPledge | AcceptPledge | DeclinePledge | WithdrawPledge | RecordPledgeDelivery | LapsePledge;
