import { meta, scenario } from '../testing/given-when-then';
import { outstandingOf, requestDecider } from './request.decider';
import type { RequestEvent } from './request.events';

const t = '2024-03-04T08:00:00Z';
const id = 'req-1';
const site = meta({ role: 'site', site: 'posko-pemayung' });
const eoc = meta({ role: 'eoc' });
const request = scenario(requestDecider);

const submitted: RequestEvent = {
  type: 'RequestSubmitted',
  data: {
    requestId: id,
    siteId: 'posko-pemayung',
    incidentId: 'banjir-2024',
    priority: 'life-saving',
    neededBy: '2024-03-05T06:00:00Z',
    lines: [
      { line: 1, itemId: 'rice', quantity: 200 },
      { line: 2, itemId: 'tarp', quantity: 50 },
    ],
    submittedAt: t,
  },
};
const approved: RequestEvent = {
  type: 'RequestApproved',
  data: {
    requestId: id,
    lines: [
      { line: 1, itemId: 'rice', requested: 200, approved: 120, reason: 'stock shared with Muaro Jambi' },
      { line: 2, itemId: 'tarp', requested: 50, approved: 50 },
    ],
    approvedAt: t,
  },
};
const claimed = (dispatchId: string, quantity: number): RequestEvent => ({
  type: 'RequestDispatchRecorded',
  data: { requestId: id, dispatchId, lines: [{ itemId: 'rice', quantity }], recordedAt: t },
});

describe('request decider', () => {
  describe('SubmitRequest', () => {
    const data = {
      requestId: id,
      siteId: 'posko-pemayung',
      incidentId: 'banjir-2024',
      priority: 'life-saving' as const,
      neededBy: '2024-03-05T06:00:00Z',
      lines: [
        { itemId: 'rice', quantity: 200 },
        { itemId: 'tarp', quantity: 50 },
      ],
    };
    it('submits numbered lines with priority and needed-by', () => {
      request.given().when({ type: 'SubmitRequest', data, metadata: site }).then([submitted]);
    });
    it('refuses a second submission', () => {
      request.given([submitted]).when({ type: 'SubmitRequest', data, metadata: site }).thenRefused('request-already-submitted');
    });
    it('refuses bad input: no lines, an item twice, a zero quantity, an unknown priority, a needed-by that is not a time', () => {
      request.given().when({ type: 'SubmitRequest', data: { ...data, lines: [] }, metadata: site }).thenRefused('invalid-input', { details: { field: 'lines' } });
      request
        .given()
        .when({ type: 'SubmitRequest', data: { ...data, lines: [{ itemId: 'rice', quantity: 1 }, { itemId: 'rice', quantity: 2 }] }, metadata: site })
        .thenRefused('duplicate-line', { kind: 'invalid' });
      request.given().when({ type: 'SubmitRequest', data: { ...data, lines: [{ itemId: 'rice', quantity: 0 }] }, metadata: site }).thenRefused('invalid-input', { details: { field: 'lines[0].quantity' } });
      request.given().when({ type: 'SubmitRequest', data: { ...data, priority: 'asap' as never }, metadata: site }).thenRefused('invalid-input', { details: { field: 'priority' } });
      request.given().when({ type: 'SubmitRequest', data: { ...data, neededBy: 'tomorrow' }, metadata: site }).thenRefused('invalid-input', { details: { field: 'neededBy' } });
    });
  });

  describe('ApproveRequest', () => {
    it('approves with a reduced line and its reason; lines left out are approved in full', () => {
      const s = request
        .given([submitted])
        .when({ type: 'ApproveRequest', data: { requestId: id, lines: [{ itemId: 'rice', approved: 120, reason: 'stock shared with Muaro Jambi' }] }, metadata: eoc })
        .then([approved]);
      expect(s.lines.map(outstandingOf)).toEqual([120, 50]);
    });
    it('refuses more than requested', () => {
      request
        .given([submitted])
        .when({ type: 'ApproveRequest', data: { requestId: id, lines: [{ itemId: 'rice', approved: 250 }] }, metadata: eoc })
        .thenRefused('approval-exceeds-requested', { details: { requested: 200, approved: 250 } });
    });
    it('refuses a reduction without a reason', () => {
      request
        .given([submitted])
        .when({ type: 'ApproveRequest', data: { requestId: id, lines: [{ itemId: 'rice', approved: 100 }] }, metadata: eoc })
        .thenRefused('reason-required', { kind: 'invalid', details: { field: 'lines[0].reason' } });
    });
    it('refuses an item not in the request, and approving nothing at all', () => {
      request
        .given([submitted])
        .when({ type: 'ApproveRequest', data: { requestId: id, lines: [{ itemId: 'soap', approved: 1 }] }, metadata: eoc })
        .thenRefused('item-not-requested');
      request
        .given([submitted])
        .when({ type: 'ApproveRequest', data: { requestId: id, lines: [{ itemId: 'rice', approved: 0, reason: 'x' }, { itemId: 'tarp', approved: 0, reason: 'x' }] }, metadata: eoc })
        .thenRefused('nothing-approved');
    });
    it('refuses an unknown request and one already approved', () => {
      request.given().when({ type: 'ApproveRequest', data: { requestId: id }, metadata: eoc }).thenRefused('request-not-found', { kind: 'not-found' });
      request.given([submitted, approved]).when({ type: 'ApproveRequest', data: { requestId: id }, metadata: eoc }).thenRefused('request-approved', { details: { status: 'approved' } });
    });
  });

  describe('RejectRequest', () => {
    it('rejects with a reason', () => {
      request
        .given([submitted])
        .when({ type: 'RejectRequest', data: { requestId: id, reason: 'duplicate of req-0' }, metadata: eoc })
        .then([{ type: 'RequestRejected', data: { requestId: id, reason: 'duplicate of req-0', rejectedAt: t } }]);
    });
    it('refuses without a reason, and once approved', () => {
      request.given([submitted]).when({ type: 'RejectRequest', data: { requestId: id, reason: '' }, metadata: eoc }).thenRefused('reason-required');
      request.given([submitted, approved]).when({ type: 'RejectRequest', data: { requestId: id, reason: 'x' }, metadata: eoc }).thenRefused('request-approved');
    });
  });

  describe('CancelRequest', () => {
    it('cancels a request nothing was dispatched for', () => {
      request
        .given([submitted, approved])
        .when({ type: 'CancelRequest', data: { requestId: id, reason: 'site evacuated' }, metadata: site })
        .then([{ type: 'RequestCancelled', data: { requestId: id, reason: 'site evacuated', cancelledAt: t } }]);
    });
    it('refuses while a dispatch stands against it, after rejection, and without a reason', () => {
      request
        .given([submitted, approved, claimed('d-1', 50)])
        .when({ type: 'CancelRequest', data: { requestId: id, reason: 'x' }, metadata: site })
        .thenRefused('request-has-dispatches', { details: { dispatchIds: ['d-1'] } });
      request
        .given([submitted, { type: 'RequestRejected', data: { requestId: id, reason: 'x', rejectedAt: t } }])
        .when({ type: 'CancelRequest', data: { requestId: id, reason: 'x' }, metadata: site })
        .thenRefused('request-rejected');
      request.given([submitted]).when({ type: 'CancelRequest', data: { requestId: id, reason: '' }, metadata: site }).thenRefused('reason-required');
    });
  });

  describe('CloseRequest', () => {
    it('closes an approved request, recording how far it was served', () => {
      request
        .given([submitted, approved, claimed('d-1', 120)])
        .when({ type: 'CloseRequest', data: { requestId: id, reason: 'tarps no longer needed' }, metadata: eoc })
        .then([
          {
            type: 'RequestClosed',
            data: {
              requestId: id,
              reason: 'tarps no longer needed',
              lines: [
                { itemId: 'rice', requested: 200, approved: 120, dispatched: 120 },
                { itemId: 'tarp', requested: 50, approved: 50, dispatched: 0 },
              ],
              closedAt: t,
            },
          },
        ]);
    });
    it('refuses a request that is not approved, or already closed', () => {
      request.given([submitted]).when({ type: 'CloseRequest', data: { requestId: id }, metadata: eoc }).thenRefused('request-submitted');
      request
        .given([submitted, approved, { type: 'RequestClosed', data: { requestId: id, lines: [], closedAt: t } }])
        .when({ type: 'CloseRequest', data: { requestId: id }, metadata: eoc })
        .thenRefused('request-closed');
    });
  });

  describe('RecordDispatchAgainstRequest', () => {
    it('claims part of the approved outstanding quantity for a dispatch', () => {
      const s = request
        .given([submitted, approved, claimed('d-1', 80)])
        .when({ type: 'RecordDispatchAgainstRequest', data: { requestId: id, dispatchId: 'd-2', lines: [{ itemId: 'rice', quantity: 40 }, { itemId: 'tarp', quantity: 10 }] }, metadata: eoc })
        .then([{ type: 'RequestDispatchRecorded', data: { requestId: id, dispatchId: 'd-2', lines: [{ itemId: 'rice', quantity: 40 }, { itemId: 'tarp', quantity: 10 }], recordedAt: t } }]);
      expect(s.lines.map(outstandingOf)).toEqual([0, 40]);
    });
    it('refuses more than the approved outstanding quantity, saying how much is left', () => {
      const err = request
        .given([submitted, approved, claimed('d-1', 80)])
        .when({ type: 'RecordDispatchAgainstRequest', data: { requestId: id, dispatchId: 'd-2', lines: [{ itemId: 'rice', quantity: 41 }] }, metadata: eoc })
        .thenRefused('exceeds-approved-outstanding', { details: { requested: 41, outstanding: 40, approved: 120, dispatched: 80 } });
      expect(err.message).toContain('exceeds the approved outstanding quantity 40');
    });
    it('the same claim for the same dispatch again is a no-op; another claim for it is refused', () => {
      request
        .given([submitted, approved, claimed('d-1', 80)])
        .when({ type: 'RecordDispatchAgainstRequest', data: { requestId: id, dispatchId: 'd-1', lines: [{ itemId: 'rice', quantity: 80 }] }, metadata: eoc })
        .thenNothing();
      request
        .given([submitted, approved, claimed('d-1', 80)])
        .when({ type: 'RecordDispatchAgainstRequest', data: { requestId: id, dispatchId: 'd-1', lines: [{ itemId: 'rice', quantity: 10 }] }, metadata: eoc })
        .thenRefused('dispatch-already-recorded');
    });
    it('refuses a request not approved, an item not requested', () => {
      request
        .given([submitted])
        .when({ type: 'RecordDispatchAgainstRequest', data: { requestId: id, dispatchId: 'd-1', lines: [{ itemId: 'rice', quantity: 1 }] }, metadata: eoc })
        .thenRefused('request-submitted');
      request
        .given([submitted, approved])
        .when({ type: 'RecordDispatchAgainstRequest', data: { requestId: id, dispatchId: 'd-1', lines: [{ itemId: 'soap', quantity: 1 }] }, metadata: eoc })
        .thenRefused('item-not-requested');
    });
  });

  describe('ReleaseDispatchFromRequest', () => {
    it('returns a cancelled dispatch’s claim to the outstanding quantity', () => {
      const s = request
        .given([submitted, approved, claimed('d-1', 80)])
        .when({ type: 'ReleaseDispatchFromRequest', data: { requestId: id, dispatchId: 'd-1', reason: 'dispatch cancelled' }, metadata: eoc })
        .then([{ type: 'RequestDispatchReleased', data: { requestId: id, dispatchId: 'd-1', lines: [{ itemId: 'rice', quantity: 80 }], reason: 'dispatch cancelled', releasedAt: t } }]);
      expect(outstandingOf(s.lines[0])).toBe(120);
    });
    it('is a no-op for a dispatch never recorded, or released already', () => {
      request.given([submitted, approved]).when({ type: 'ReleaseDispatchFromRequest', data: { requestId: id, dispatchId: 'd-9', reason: 'x' }, metadata: eoc }).thenNothing();
      request
        .given([submitted, approved, claimed('d-1', 80), { type: 'RequestDispatchReleased', data: { requestId: id, dispatchId: 'd-1', lines: [{ itemId: 'rice', quantity: 80 }], reason: 'x', releasedAt: t } }])
        .when({ type: 'ReleaseDispatchFromRequest', data: { requestId: id, dispatchId: 'd-1', reason: 'x' }, metadata: eoc })
        .thenNothing();
    });
    it('refuses without a reason', () => {
      request
        .given([submitted, approved, claimed('d-1', 80)])
        .when({ type: 'ReleaseDispatchFromRequest', data: { requestId: id, dispatchId: 'd-1', reason: '' }, metadata: eoc })
        .thenRefused('reason-required');
    });
  });
});
