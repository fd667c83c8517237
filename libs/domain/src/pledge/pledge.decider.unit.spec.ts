import { meta, scenario } from '../testing/given-when-then';
import { pledgeDecider } from './pledge.decider';
import type { PledgeEvent } from './pledge.events';

const t = '2024-03-04T08:00:00Z';
const id = 'pl-1';
const member = meta({ role: 'member', member: 'alfamart' });
const eoc = meta({ role: 'eoc' });
const pledge = scenario(pledgeDecider);

const offered: PledgeEvent = {
  type: 'PledgeOffered',
  data: {
    pledgeId: id,
    memberId: 'alfamart',
    incidentId: 'banjir-2024',
    lines: [
      { itemId: 'water', quantity: 240 },
      { itemId: 'biscuit', quantity: 100 },
    ],
    expectedBy: '2024-03-06T12:00:00Z',
    offeredAt: t,
  },
};
const accepted: PledgeEvent = { type: 'PledgeAccepted', data: { pledgeId: id, acceptedAt: t } };
const delivery = (receiptId: string, water: number, biscuit?: number): PledgeEvent => ({
  type: 'PledgeDeliveryRecorded',
  data: { pledgeId: id, receiptId, warehouseId: 'gd-jambi', lines: [{ itemId: 'water', quantity: water }, ...(biscuit ? [{ itemId: 'biscuit', quantity: biscuit }] : [])], recordedAt: t },
});

describe('pledge decider', () => {
  describe('OfferPledge', () => {
    const data = { pledgeId: id, memberId: 'alfamart', incidentId: 'banjir-2024', lines: offered.data.lines as Array<{ itemId: string; quantity: number }>, expectedBy: '2024-03-06T12:00:00Z' };
    it('offers lines for an incident with an expected delivery time', () => {
      pledge.given().when({ type: 'OfferPledge', data, metadata: member }).then([offered]);
    });
    it('refuses a second offer, no incident nor request, no lines, an expected-by that is not a time', () => {
      pledge.given([offered]).when({ type: 'OfferPledge', data, metadata: member }).thenRefused('pledge-already-offered');
      pledge.given().when({ type: 'OfferPledge', data: { ...data, incidentId: undefined }, metadata: member }).thenRefused('invalid-input', { details: { field: 'incidentId' } });
      pledge.given().when({ type: 'OfferPledge', data: { ...data, lines: [] }, metadata: member }).thenRefused('invalid-input', { details: { field: 'lines' } });
      pledge.given().when({ type: 'OfferPledge', data: { ...data, expectedBy: 'soon' }, metadata: member }).thenRefused('invalid-input', { details: { field: 'expectedBy' } });
    });
  });

  describe('AcceptPledge / DeclinePledge', () => {
    it('accepts an offered pledge', () => {
      pledge.given([offered]).when({ type: 'AcceptPledge', data: { pledgeId: id }, metadata: eoc }).then([accepted]);
    });
    it('declines an offered pledge with a reason', () => {
      pledge
        .given([offered])
        .when({ type: 'DeclinePledge', data: { pledgeId: id, reason: 'water already covered' }, metadata: eoc })
        .then([{ type: 'PledgeDeclined', data: { pledgeId: id, reason: 'water already covered', declinedAt: t } }]);
    });
    it('refuses to accept an unknown or accepted pledge; to decline an accepted one or without a reason', () => {
      pledge.given().when({ type: 'AcceptPledge', data: { pledgeId: id }, metadata: eoc }).thenRefused('pledge-not-found', { kind: 'not-found' });
      pledge.given([offered, accepted]).when({ type: 'AcceptPledge', data: { pledgeId: id }, metadata: eoc }).thenRefused('pledge-accepted');
      pledge.given([offered, accepted]).when({ type: 'DeclinePledge', data: { pledgeId: id, reason: 'x' }, metadata: eoc }).thenRefused('pledge-accepted');
      pledge.given([offered]).when({ type: 'DeclinePledge', data: { pledgeId: id, reason: '' }, metadata: eoc }).thenRefused('reason-required');
    });
  });

  describe('WithdrawPledge', () => {
    it('the member withdraws with a reason, even after a part was delivered', () => {
      pledge
        .given([offered, accepted, delivery('r1', 100)])
        .when({ type: 'WithdrawPledge', data: { pledgeId: id, reason: 'our depot flooded' }, metadata: member })
        .then([{ type: 'PledgeWithdrawn', data: { pledgeId: id, reason: 'our depot flooded', withdrawnAt: t } }]);
    });
    it('refuses a declined pledge and no reason', () => {
      pledge
        .given([offered, { type: 'PledgeDeclined', data: { pledgeId: id, reason: 'x', declinedAt: t } }])
        .when({ type: 'WithdrawPledge', data: { pledgeId: id, reason: 'x' }, metadata: member })
        .thenRefused('pledge-declined');
      pledge.given([offered]).when({ type: 'WithdrawPledge', data: { pledgeId: id, reason: '' }, metadata: member }).thenRefused('reason-required');
    });
  });

  describe('RecordPledgeDelivery', () => {
    it('records a partial delivery from a warehouse receipt', () => {
      const s = pledge
        .given([offered, accepted])
        .when({ type: 'RecordPledgeDelivery', data: { pledgeId: id, receiptId: 'r1', warehouseId: 'gd-jambi', lines: [{ itemId: 'water', quantity: 100 }] }, metadata: eoc })
        .then([delivery('r1', 100)]);
      expect(s.lines).toEqual([
        { itemId: 'water', pledged: 240, delivered: 100 },
        { itemId: 'biscuit', pledged: 100, delivered: 0 },
      ]);
    });
    it('the delivery that completes every line fulfils the pledge', () => {
      const s = pledge
        .given([offered, accepted, delivery('r1', 100)])
        .when({ type: 'RecordPledgeDelivery', data: { pledgeId: id, receiptId: 'r2', warehouseId: 'gd-jambi', lines: [{ itemId: 'water', quantity: 140 }, { itemId: 'biscuit', quantity: 100 }] }, metadata: eoc })
        .then([delivery('r2', 140, 100), { type: 'PledgeFulfilled', data: { pledgeId: id, fulfilledAt: t } }]);
      expect(s.status).toBe('fulfilled');
    });
    it('records a delivery by a direct dispatch', () => {
      pledge
        .given([offered, accepted])
        .when({ type: 'RecordPledgeDelivery', data: { pledgeId: id, receiptId: 'bast-9', dispatchId: 'd-9', lines: [{ itemId: 'biscuit', quantity: 10 }] }, metadata: eoc })
        .then([{ type: 'PledgeDeliveryRecorded', data: { pledgeId: id, receiptId: 'bast-9', dispatchId: 'd-9', lines: [{ itemId: 'biscuit', quantity: 10 }], recordedAt: t } }]);
    });
    it('the same receipt again is a no-op; with other quantities a refusal', () => {
      const data = { pledgeId: id, receiptId: 'r1', warehouseId: 'gd-jambi', lines: [{ itemId: 'water', quantity: 100 }] };
      pledge.given([offered, accepted, delivery('r1', 100)]).when({ type: 'RecordPledgeDelivery', data, metadata: eoc }).thenNothing();
      pledge
        .given([offered, accepted, delivery('r1', 100)])
        .when({ type: 'RecordPledgeDelivery', data: { ...data, lines: [{ itemId: 'water', quantity: 90 }] }, metadata: eoc })
        .thenRefused('receipt-already-recorded');
    });
    it('refuses a pledge not accepted, an item not pledged, no warehouse nor dispatch', () => {
      const data = { pledgeId: id, receiptId: 'r1', warehouseId: 'gd-jambi', lines: [{ itemId: 'water', quantity: 100 }] };
      pledge.given([offered]).when({ type: 'RecordPledgeDelivery', data, metadata: eoc }).thenRefused('pledge-offered');
      pledge.given([offered, accepted]).when({ type: 'RecordPledgeDelivery', data: { ...data, lines: [{ itemId: 'soap', quantity: 1 }] }, metadata: eoc }).thenRefused('item-not-pledged');
      pledge.given([offered, accepted]).when({ type: 'RecordPledgeDelivery', data: { ...data, warehouseId: undefined }, metadata: eoc }).thenRefused('invalid-input', { details: { field: 'warehouseId' } });
    });
  });

  describe('LapsePledge', () => {
    it('lapses a pledge past its expected time, recording what never came', () => {
      pledge
        .given([offered, accepted, delivery('r1', 100)])
        .when({ type: 'LapsePledge', data: { pledgeId: id }, metadata: meta({ role: 'system', now: '2024-03-07T00:00:00Z' }) })
        .then([
          {
            type: 'PledgeLapsed',
            data: { pledgeId: id, expectedBy: '2024-03-06T12:00:00Z', outstanding: [{ itemId: 'water', quantity: 140 }, { itemId: 'biscuit', quantity: 100 }], lapsedAt: '2024-03-07T00:00:00Z' },
          },
        ]);
    });
    it('refuses before the expected time, and a fulfilled pledge', () => {
      pledge.given([offered, accepted]).when({ type: 'LapsePledge', data: { pledgeId: id }, metadata: eoc }).thenRefused('pledge-not-overdue', { details: { expectedBy: '2024-03-06T12:00:00Z' } });
      pledge
        .given([offered, accepted, delivery('r1', 240, 100), { type: 'PledgeFulfilled', data: { pledgeId: id, fulfilledAt: t } }])
        .when({ type: 'LapsePledge', data: { pledgeId: id }, metadata: meta({ now: '2024-04-01T00:00:00Z' }) })
        .thenRefused('pledge-fulfilled');
    });
  });
});
