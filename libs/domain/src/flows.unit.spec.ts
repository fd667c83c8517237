import { aggregates } from './deciders';
import type { DispatchCommand } from './dispatch/dispatch.commands';
import type { RequestCommand } from './request/request.commands';
import { outstandingOf, type RequestState } from './request/request.decider';
import { DomainError } from './shared/domain-error';
import type { CommandMetadata, DomainEvent } from './shared/message';
import type { StockCommand } from './stock/stock.commands';
import { stockLevel, type StockState } from './stock/stock.state';
import { meta } from './testing/given-when-then';

/**
 * The cross-stream flows of README.md, walked over the deciders with streams held in memory (one
 * append per step, as the command API does with the store). What is checked is the domain's part:
 * every step is safe to repeat, compensations undo exactly what was done, refusals append nothing.
 */
type Kind = keyof typeof aggregates;

class Streams {
  readonly log = new Map<string, DomainEvent[]>();
  appends = 0;
  /** the failure to inject: throw before appending the n-th step (a crash between steps) */
  crashBeforeStep?: number;
  private step = 0;

  read(kind: Kind, id: string): DomainEvent[] {
    return this.log.get(aggregates[kind].streamId(id)) ?? [];
  }
  state<S>(kind: Kind, id: string): S {
    const { decider } = aggregates[kind] as unknown as { decider: { initialState: S; evolve(s: S, e: DomainEvent): S } };
    return this.read(kind, id).reduce((s, e) => decider.evolve(s, e), decider.initialState);
  }
  handle(kind: Kind, id: string, command: { type: string; data: object }, metadata: CommandMetadata = meta()): DomainEvent[] {
    this.step += 1;
    if (this.crashBeforeStep === this.step) throw new Error(`crash before step ${this.step}`);
    const { decider } = aggregates[kind] as unknown as { decider: { initialState: unknown; evolve(s: unknown, e: DomainEvent): unknown; decide(c: unknown, s: unknown): DomainEvent[] } };
    const events = decider.decide({ ...command, metadata }, this.state(kind, id));
    if (events.length > 0) {
      const sid = aggregates[kind].streamId(id);
      this.log.set(sid, [...(this.log.get(sid) ?? []), ...JSON.parse(JSON.stringify(events))]);
      this.appends += 1;
    }
    return events;
  }
  resetSteps() {
    this.step = 0;
    this.crashBeforeStep = undefined;
  }
}

const wh = 'gd-muara-bulian';
const siteId = 'posko-pemayung';

function setup(riceOnHand = 100, approvedRice = 80): Streams {
  const s = new Streams();
  s.handle('stock', wh, {
    type: 'ReceiveStock',
    data: { warehouseId: wh, receiptId: 'rcv-1', source: { kind: 'procurement', reference: 'PO-1' }, lines: [{ itemId: 'rice', quantity: riceOnHand }, { itemId: 'genset', quantity: 2, consumable: false }] },
  } satisfies Omit<StockCommand, 'metadata'>);
  s.handle('request', 'req-1', {
    type: 'SubmitRequest',
    data: { requestId: 'req-1', siteId, incidentId: 'banjir-2024', priority: 'urgent', neededBy: '2024-03-05T00:00:00Z', lines: [{ itemId: 'rice', quantity: 200 }, { itemId: 'genset', quantity: 1 }] },
  } satisfies Omit<RequestCommand, 'metadata'>);
  s.handle('request', 'req-1', {
    type: 'ApproveRequest',
    data: { requestId: 'req-1', lines: [{ itemId: 'rice', approved: approvedRice, reason: 'shared with other sites' }] },
  } satisfies Omit<RequestCommand, 'metadata'>);
  s.resetSteps();
  return s;
}

/** The plan-dispatch flow of README.md, as the command API runs it. */
function planDispatch(s: Streams, dispatchId: string, lines: Array<{ itemId: string; quantity: number }>): void {
  // 1. read-only checks: refused here, nothing is written anywhere
  const req = s.state<RequestState>('request', 'req-1');
  // (a retried flow finds its own claim already there: that is not a shortage)
  for (const l of req.dispatches[dispatchId]?.status === 'active' ? [] : lines) {
    const line = req.lines.find((x) => x.itemId === l.itemId);
    if (!line || l.quantity > outstandingOf(line)) throw DomainError.rule('exceeds-approved-outstanding', 'pre-check');
  }
  // 2. the contended step first
  s.handle('stock', wh, { type: 'ReserveStock', data: { warehouseId: wh, dispatchId, lines } });
  // 3. claim the request's outstanding quantity, compensating the reservation on refusal
  try {
    s.handle('request', 'req-1', { type: 'RecordDispatchAgainstRequest', data: { requestId: 'req-1', dispatchId, lines } });
  } catch (err) {
    if (err instanceof DomainError) s.handle('stock', wh, { type: 'ReleaseStock', data: { warehouseId: wh, dispatchId, reason: `compensation: ${err.code}` } });
    throw err;
  }
  // 4. the dispatch itself, last
  s.handle('dispatch', dispatchId, {
    type: 'PlanDispatch',
    data: { dispatchId, warehouseId: wh, destination: { kind: 'site', siteId }, requestId: 'req-1', lines },
  } satisfies Omit<DispatchCommand, 'metadata'>);
}

const rice = (s: Streams) => stockLevel(s.state<StockState>('stock', wh), 'rice');
const outstanding = (s: Streams, itemId = 'rice') => outstandingOf(s.state<RequestState>('request', 'req-1').lines.find((l) => l.itemId === itemId)!);

describe('cross-stream flows over the deciders', () => {
  it('plan, depart, receive: stock reserved then issued, the request claimed, the dispatch delivered once', () => {
    const s = setup();
    planDispatch(s, 'd-1', [{ itemId: 'rice', quantity: 50 }, { itemId: 'genset', quantity: 1 }]);
    expect(rice(s)).toMatchObject({ onHand: 100, reserved: 50, available: 50 });
    expect(outstanding(s)).toBe(30);

    s.handle('dispatch', 'd-1', { type: 'DepartDispatch', data: { dispatchId: 'd-1', vehicle: 'BH 1', driver: 'Yusuf', waybillNumber: 'SJ-1' } });
    s.handle('stock', wh, { type: 'IssueStock', data: { warehouseId: wh, dispatchId: 'd-1' } });
    expect(rice(s)).toMatchObject({ onHand: 50, reserved: 0, available: 50 });
    expect(stockLevel(s.state<StockState>('stock', wh), 'genset')).toMatchObject({ onHand: 1, deployed: 1 });

    const receipt = { dispatchId: 'd-1', receiptId: 'bast-1', receivedBy: 'Ibu Sari', lines: [{ itemId: 'rice', received: 48, damaged: 2, reason: 'torn sacks' }, { itemId: 'genset', received: 1 }] };
    s.handle('dispatch', 'd-1', { type: 'RecordReceipt', data: receipt }, meta({ role: 'site', site: siteId }));
    expect(() => s.handle('dispatch', 'd-1', { type: 'RecordReceipt', data: { ...receipt, receiptId: 'bast-2' } })).toThrow(expect.objectContaining({ code: 'already-delivered' }));

    // equipment comes back after the emergency
    s.handle('stock', wh, { type: 'ReturnEquipment', data: { warehouseId: wh, dispatchId: 'd-1', lines: [{ itemId: 'genset', quantity: 1 }] } });
    expect(stockLevel(s.state<StockState>('stock', wh), 'genset')).toMatchObject({ onHand: 2, deployed: 0 });
  });

  it('insufficient stock: refused with the numbers, nothing appended anywhere', () => {
    const s = setup(30);
    const before = s.appends;
    expect(() => planDispatch(s, 'd-1', [{ itemId: 'rice', quantity: 50 }])).toThrow(expect.objectContaining({ code: 'insufficient-stock', details: expect.objectContaining({ requested: 50, available: 30 }) }));
    expect(s.appends).toBe(before);
  });

  it('the request claim refused after the reservation: the reservation is released (compensation)', () => {
    const s = setup(100, 80);
    planDispatch(s, 'd-1', [{ itemId: 'rice', quantity: 60 }]);
    // Another dispatcher claims the rest between this flow's read and its claim:
    s.handle('request', 'req-1', { type: 'RecordDispatchAgainstRequest', data: { requestId: 'req-1', dispatchId: 'd-other', lines: [{ itemId: 'rice', quantity: 20 }] } });
    const reqBefore = s.state<RequestState>('request', 'req-1');
    // the flow's pre-check is bypassed here to reproduce the race exactly
    s.handle('stock', wh, { type: 'ReserveStock', data: { warehouseId: wh, dispatchId: 'd-2', lines: [{ itemId: 'rice', quantity: 10 }] } });
    expect(() => s.handle('request', 'req-1', { type: 'RecordDispatchAgainstRequest', data: { requestId: 'req-1', dispatchId: 'd-2', lines: [{ itemId: 'rice', quantity: 10 }] } })).toThrow(
      expect.objectContaining({ code: 'exceeds-approved-outstanding', details: expect.objectContaining({ requested: 10, outstanding: 0 }) }),
    );
    s.handle('stock', wh, { type: 'ReleaseStock', data: { warehouseId: wh, dispatchId: 'd-2', reason: 'compensation: exceeds-approved-outstanding' } });
    expect(rice(s)).toMatchObject({ reserved: 60, available: 40 });
    expect(s.state<RequestState>('request', 'req-1')).toEqual(reqBefore);
    expect(s.read('dispatch', 'd-2')).toEqual([]);
  });

  it('a crash between steps is finished by running the flow again: each done step is a no-op', () => {
    const s = setup();
    s.crashBeforeStep = 2; // reserve done, claim not
    expect(() => planDispatch(s, 'd-1', [{ itemId: 'rice', quantity: 50 }])).toThrow(/crash/);
    expect(rice(s).reserved).toBe(50);
    expect(s.read('dispatch', 'd-1')).toEqual([]);
    s.resetSteps();
    planDispatch(s, 'd-1', [{ itemId: 'rice', quantity: 50 }]);
    // and the whole flow once more (a retry whose first answer was lost after the last step)
    const appends = s.appends;
    planDispatch(s, 'd-1', [{ itemId: 'rice', quantity: 50 }].map((l) => ({ ...l })));
    expect(s.appends).toBe(appends);
    expect(rice(s)).toMatchObject({ reserved: 50, available: 50 });
    expect(outstanding(s)).toBe(30);
    expect(s.read('dispatch', 'd-1').map((e) => e.type)).toEqual(['DispatchPlanned']);
  });

  it('an abandoned half-flow is undone by the reconciler’s releases, which are no-ops when nothing is held', () => {
    const s = setup();
    s.crashBeforeStep = 3; // reserve and claim done, dispatch never planned
    expect(() => planDispatch(s, 'd-1', [{ itemId: 'rice', quantity: 50 }])).toThrow(/crash/);
    s.resetSteps();
    for (let i = 0; i < 2; i++) {
      s.handle('request', 'req-1', { type: 'ReleaseDispatchFromRequest', data: { requestId: 'req-1', dispatchId: 'd-1', reason: 'orphaned reservation' } });
      s.handle('stock', wh, { type: 'ReleaseStock', data: { warehouseId: wh, dispatchId: 'd-1', reason: 'orphaned reservation' } });
    }
    expect(rice(s)).toMatchObject({ reserved: 0, available: 100 });
    expect(outstanding(s)).toBe(80);
  });

  it('cancel: the dispatch first, then the releases; departure and cancellation exclude each other', () => {
    const s = setup();
    planDispatch(s, 'd-1', [{ itemId: 'rice', quantity: 50 }]);
    s.handle('dispatch', 'd-1', { type: 'CancelDispatch', data: { dispatchId: 'd-1', reason: 'road closed' } });
    s.handle('stock', wh, { type: 'ReleaseStock', data: { warehouseId: wh, dispatchId: 'd-1', reason: 'dispatch cancelled' } });
    s.handle('request', 'req-1', { type: 'ReleaseDispatchFromRequest', data: { requestId: 'req-1', dispatchId: 'd-1', reason: 'dispatch cancelled' } });
    expect(rice(s)).toMatchObject({ reserved: 0, available: 100 });
    expect(outstanding(s)).toBe(80);
    expect(() => s.handle('dispatch', 'd-1', { type: 'DepartDispatch', data: { dispatchId: 'd-1', vehicle: 'v', driver: 'd', waybillNumber: 'w' } })).toThrow(expect.objectContaining({ code: 'dispatch-cancelled' }));
    expect(() => s.handle('stock', wh, { type: 'IssueStock', data: { warehouseId: wh, dispatchId: 'd-1' } })).toThrow(expect.objectContaining({ code: 'reservation-released' }));
  });

  it('16 dispatchers competing for the last units, serialised by the stock stream: never below zero, every loser told why', () => {
    const s = setup(100, 200);
    // the request allows it all; only the stock is scarce: 16 × 7 = 112 > 100
    const outcomes = Array.from({ length: 16 }, (_, i) => {
      try {
        s.handle('stock', wh, { type: 'ReserveStock', data: { warehouseId: wh, dispatchId: `d-${i}`, lines: [{ itemId: 'rice', quantity: 7 }] } });
        return 'ok';
      } catch (err) {
        return `${(err as DomainError).code}: ${(err as DomainError).message}`;
      }
    });
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(14);
    expect(outcomes.filter((o) => o !== 'ok')).toEqual([
      `insufficient-stock: insufficient stock of rice in warehouse ${wh}: requested 7, available 2`,
      `insufficient-stock: insufficient stock of rice in warehouse ${wh}: requested 7, available 2`,
    ]);
    expect(rice(s)).toMatchObject({ onHand: 100, reserved: 98, available: 2 });
  });

  it('pre-positioning: delivered into the destination warehouse as a transfer in, once', () => {
    const s = setup();
    s.handle('stock', wh, { type: 'ReserveStock', data: { warehouseId: wh, dispatchId: 'pp-1', lines: [{ itemId: 'rice', quantity: 40 }] } });
    s.handle('dispatch', 'pp-1', {
      type: 'PlanDispatch',
      data: { dispatchId: 'pp-1', warehouseId: wh, destination: { kind: 'warehouse', warehouseId: 'gd-tebo' }, incidentPhase: 'preparedness', lines: [{ itemId: 'rice', quantity: 40 }] },
    });
    s.handle('dispatch', 'pp-1', { type: 'DepartDispatch', data: { dispatchId: 'pp-1', vehicle: 'v', driver: 'd', waybillNumber: 'SJ-9' } });
    s.handle('stock', wh, { type: 'IssueStock', data: { warehouseId: wh, dispatchId: 'pp-1' } });
    s.handle('dispatch', 'pp-1', { type: 'RecordReceipt', data: { dispatchId: 'pp-1', receiptId: 'bast-9', receivedBy: 'Pak Budi', lines: [{ itemId: 'rice', received: 38, damaged: 2, reason: 'wet' }] } });
    const receiveAtDestination = {
      type: 'ReceiveStock',
      data: { warehouseId: 'gd-tebo', receiptId: 'bast-9', source: { kind: 'transfer', transferId: 'pp-1', fromWarehouseId: wh }, lines: [{ itemId: 'rice', quantity: 38 }] },
    };
    s.handle('stock', 'gd-tebo', receiveAtDestination);
    expect(s.handle('stock', 'gd-tebo', receiveAtDestination)).toEqual([]); // a retried step
    expect(stockLevel(s.state<StockState>('stock', 'gd-tebo'), 'rice')).toMatchObject({ onHand: 38, available: 38 });
    expect(rice(s)).toMatchObject({ onHand: 60, available: 60 });
  });
});
