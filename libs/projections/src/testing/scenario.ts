import {
  aggregates, isDomainError, type DispatchState, type PledgeState, type RequestState, type StockState,
} from '@lumbung/domain';
import type { ProjectionEvent } from '../projection';

/**
 * A random but valid cluster: reference data, then requests, approvals, dispatches (reserve, claim,
 * plan, depart, deliver short or damaged, cancel, lose), pledges (offer, accept, deliver, withdraw,
 * lapse), stock counts, adjustments, transfers and equipment returns. Every command goes through the
 * real domain deciders (refused ones are dropped), so the events are what the command API would write.
 * Tests replay `steps` through handleCommand on a real store, or take `events` directly.
 */
export type AggregateName = keyof typeof aggregates;

export interface ScenarioStep {
  aggregate: AggregateName;
  streamId: string;
  /** the domain command (type, data, metadata) */
  command: { type: string; data: Record<string, unknown>; metadata: { now: string; actor: string; role: string; member?: string } };
}

export interface ScenarioOptions {
  seed?: number;
  warehouses?: number;
  sites?: number;
  items?: number;
  members?: number;
  incidents?: number;
  /** called with each accepted command and the events it produced */
  onStep?: (step: ScenarioStep, events: ProjectionEvent[]) => void;
}

export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DISTRICTS = ['Batang Hari', 'Muaro Jambi', 'Tebo', 'Bungo', 'Sarolangun', 'Merangin', 'Kerinci', 'Tanjung Jabung Barat'];

export class ScenarioSimulator {
  readonly events: ProjectionEvent[] = [];
  readonly steps: ScenarioStep[] = [];
  private readonly states = new Map<string, unknown>();
  private readonly revisions = new Map<string, number>();
  private readonly random: () => number;
  private clock = Date.parse('2024-03-01T00:00:00Z');
  private position = 0;
  private seq = 0;
  private keep: boolean;

  readonly items: Array<{ id: string; consumable: boolean }> = [];
  readonly warehouses: Array<{ id: string; district: string; owner: string }> = [];
  readonly sites: Array<{ id: string; district: string }> = [];
  readonly members: string[] = [];
  readonly incidents: string[] = [];
  readonly plans: string[] = [];
  private requests: string[] = [];
  private dispatches: string[] = [];
  private pledges: string[] = [];
  private deliveredEquipment: Array<{ dispatchId: string; warehouseId: string }> = [];

  constructor(private readonly o: ScenarioOptions = {}, keepEvents = true) {
    this.random = rng(o.seed ?? 1);
    this.keep = keepEvents;
  }

  private pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.random() * xs.length)];
  }
  private int(lo: number, hi: number): number {
    return lo + Math.floor(this.random() * (hi - lo + 1));
  }
  private now(): string {
    this.clock += this.int(1, 30) * 60_000;
    return new Date(this.clock).toISOString();
  }
  private state<S>(aggregate: AggregateName, id: string): S {
    const streamId = aggregates[aggregate].streamId(id);
    return (this.states.get(streamId) ?? aggregates[aggregate].decider.initialState) as S;
  }

  /** Runs one command through its decider; false (and nothing recorded) when the domain refuses it. */
  exec(aggregate: AggregateName, id: string, type: string, data: Record<string, unknown>, role = 'eoc', member?: string): boolean {
    const { decider, streamId } = aggregates[aggregate] as unknown as {
      decider: { initialState: unknown; evolve(s: unknown, e: unknown): unknown; decide(c: unknown, s: unknown): Array<{ type: string; data: Record<string, unknown>; schemaVersion?: number }> };
      streamId: (id: string) => string;
    };
    const sid = streamId(id);
    const command = { type, data, metadata: { now: this.now(), actor: `user-${role}`, role, ...(member ? { member } : {}) } };
    let state = this.states.get(sid) ?? decider.initialState;
    let decided;
    try {
      decided = decider.decide(command, state);
    } catch (err) {
      if (isDomainError(err)) return false;
      throw err;
    }
    const step: ScenarioStep = { aggregate, streamId: sid, command };
    const recorded: ProjectionEvent[] = [];
    for (const e of decided) {
      state = decider.evolve(state, e);
      const revision = (this.revisions.get(sid) ?? -1) + 1;
      this.revisions.set(sid, revision);
      recorded.push({
        id: `${sid}:${revision}`,
        type: e.type,
        streamId: sid,
        revision,
        position: ++this.position,
        schemaVersion: e.schemaVersion ?? 1,
        data: e.data as ProjectionEvent['data'],
        metadata: { actor: command.metadata.actor, role, correlationId: `c-${this.seq}`, causationId: `c-${this.seq}`, occurredAt: command.metadata.now, recordedAt: command.metadata.now },
        hash: '',
      });
    }
    this.seq++;
    this.states.set(sid, state);
    if (this.keep) {
      this.steps.push(step);
      this.events.push(...recorded);
    }
    this.o.onStep?.(step, recorded);
    return decided.length > 0;
  }

  /** Reference data: items, members, warehouses, sites, incidents, capacity and operations plans. */
  setup(): this {
    const nItems = this.o.items ?? 12;
    const cats = ['food', 'non-food', 'shelter', 'wash', 'health'];
    for (let i = 0; i < nItems; i++) {
      const equipment = i % 6 === 5;
      const id = `item-${i}`;
      this.exec('item', id, 'RegisterItem', { itemId: id, code: `IT-${i}`, name: `Item ${i}`, unit: 'pcs', category: equipment ? 'equipment' : cats[i % cats.length], consumable: !equipment });
      this.items.push({ id, consumable: !equipment });
    }
    for (let i = 0; i < (this.o.members ?? 5); i++) {
      const id = `member-${i}`;
      this.exec('member', id, 'RegisterMember', { memberId: id, name: `Member ${i}`, kind: ['government', 'business', 'community'][i % 3] });
      this.members.push(id);
      this.exec('capacity', id, 'DeclareVehicles', { memberId: id, vehicleType: 'truck', payloadKg: 4000, count: this.int(1, 6) });
      this.exec('capacity', id, 'DeclareEquipment', { memberId: id, kind: 'boat', condition: 'good', count: this.int(0, 4) });
      this.exec('capacity', id, 'DeclarePeople', { memberId: id, count: this.int(5, 50), skills: ['logistics'] });
    }
    const nDistricts = Math.min(DISTRICTS.length, Math.max(2, Math.ceil((this.o.warehouses ?? 6) / 2)));
    for (let i = 0; i < (this.o.warehouses ?? 6); i++) {
      const id = `wh-${i}`;
      const district = DISTRICTS[i % nDistricts];
      const owner = this.members[i % this.members.length];
      this.exec('warehouse', id, 'RegisterWarehouse', { warehouseId: id, name: `Gudang ${i}`, ownerMemberId: owner, district, lat: -1.6, lon: 103.6 });
      this.exec('capacity', owner, 'DeclareWarehouseCapacity', { memberId: owner, warehouseId: id, capacityM3: 500 + i });
      this.warehouses.push({ id, district, owner });
    }
    for (let i = 0; i < (this.o.sites ?? 8); i++) {
      const id = `site-${i}`;
      const district = DISTRICTS[i % nDistricts];
      this.exec('site', id, 'RegisterSite', { siteId: id, name: `Posko ${i}`, type: 'posko', district, lat: -1.7, lon: 103.1 });
      this.sites.push({ id, district });
    }
    for (let i = 0; i < (this.o.incidents ?? 2); i++) {
      const id = `inc-${i}`;
      this.exec('incident', id, 'RegisterIncident', { incidentId: id, name: `Banjir ${i}`, type: 'flood', districts: [DISTRICTS[i % nDistricts], DISTRICTS[(i + 1) % nDistricts]], phase: 'emergency' });
      this.incidents.push(id);
    }
    for (let i = 0; i < 2; i++) {
      const id = `plan-${i}`;
      const lines = this.warehouses.slice(0, 3).map((w, k) => ({ itemId: this.items[k].id, quantity: 50 * (k + 1), warehouseId: w.id }));
      this.exec('operationsPlan', id, 'DraftOperationsPlan', { planId: id, name: `Rencana ${i}`, hazard: 'flood', district: this.warehouses[0].district, lines });
      this.plans.push(id);
    }
    return this;
  }

  /** Runs about `n` further commands of a realistic mix. */
  run(n: number): this {
    const actions: Array<[number, () => void]> = [
      [10, () => this.receive()],
      [10, () => this.submitRequest()],
      [8, () => this.decideRequest()],
      [14, () => this.planDispatch()],
      [10, () => this.departDispatch()],
      [9, () => this.deliverDispatch()],
      [2, () => this.cancelDispatch()],
      [1, () => this.loseDispatch()],
      [2, () => this.closeRequest()],
      [5, () => this.offerPledge()],
      [4, () => this.decidePledge()],
      [4, () => this.deliverPledge()],
      [1, () => this.endPledge()],
      [2, () => this.adjust()],
      [1, () => this.count()],
      [1, () => this.transfer()],
      [1, () => this.returnEquipment()],
      [1, () => this.misc()],
    ];
    const total = actions.reduce((s, [w]) => s + w, 0);
    const start = this.seq;
    let guard = 0;
    while (this.seq - start < n && guard++ < n * 20) {
      let r = this.random() * total;
      for (const [w, f] of actions) {
        if ((r -= w) < 0) {
          f();
          break;
        }
      }
    }
    return this;
  }

  // ---- stock ---------------------------------------------------------------------------------
  private receive(): void {
    const w = this.pick(this.warehouses);
    const lines = this.distinctItems(this.int(1, 3)).map((it) => {
      const dated = it.consumable && this.random() < 0.4;
      const exp = new Date(this.clock + this.int(10, 400) * 86_400_000).toISOString().slice(0, 10);
      return { itemId: it.id, quantity: this.int(20, 400), ...(dated ? { expiry: exp } : this.random() < 0.2 ? { batch: `B${this.int(1, 5)}` } : {}), consumable: it.consumable };
    });
    this.exec('stock', w.id, 'ReceiveStock', { warehouseId: w.id, receiptId: `rc-${this.seq}`, source: { kind: 'procurement', reference: `PO-${this.seq}` }, lines }, 'warehouse');
  }
  private adjust(): void {
    const w = this.pick(this.warehouses);
    const it = this.pick(this.items);
    const reason = this.pick(['damaged', 'lost', 'expired', 'found'] as const);
    this.exec('stock', w.id, 'AdjustStock', { warehouseId: w.id, adjustmentId: `adj-${this.seq}`, itemId: it.id, quantity: this.int(1, 10), reason, note: 'opname' }, 'warehouse');
  }
  private count(): void {
    const w = this.pick(this.warehouses);
    const s = this.state<StockState>('stock', w.id);
    const items = Object.entries(s.items).slice(0, 3);
    if (!items.length) return;
    this.exec('stock', w.id, 'CountStock', {
      warehouseId: w.id, countId: `cnt-${this.seq}`, lines: items.map(([itemId, i]) => ({ itemId, counted: Math.max(i.reserved, i.onHand + this.int(-5, 5)) })),
    }, 'warehouse');
  }
  private transfer(): void {
    const from = this.pick(this.warehouses);
    const to = this.pick(this.warehouses);
    if (from.id === to.id) return;
    const s = this.state<StockState>('stock', from.id);
    const avail = Object.entries(s.items).filter(([, i]) => i.consumable && i.onHand - i.reserved > 10);
    if (!avail.length) return;
    const [itemId, i] = this.pick(avail);
    const quantity = this.int(1, Math.floor((i.onHand - i.reserved) / 2));
    const transferId = `tr-${this.seq}`;
    if (this.exec('stock', from.id, 'TransferStockOut', { warehouseId: from.id, transferId, toWarehouseId: to.id, lines: [{ itemId, quantity }], reason: 'rebalance' }, 'warehouse')) {
      this.exec('stock', to.id, 'ReceiveStock', { warehouseId: to.id, receiptId: `rt-${transferId}`, source: { kind: 'transfer', transferId, fromWarehouseId: from.id }, lines: [{ itemId, quantity }] }, 'warehouse');
    }
  }
  private returnEquipment(): void {
    if (!this.deliveredEquipment.length) return;
    const k = Math.floor(this.random() * this.deliveredEquipment.length);
    const { dispatchId, warehouseId } = this.deliveredEquipment[k];
    this.deliveredEquipment.splice(k, 1);
    const s = this.state<StockState>('stock', warehouseId);
    const dep = s.deployments[dispatchId];
    if (!dep) return;
    const lines = Object.entries(dep).map(([itemId, quantity]) => ({ itemId, quantity }));
    if (this.random() < 0.8) this.exec('stock', warehouseId, 'ReturnEquipment', { warehouseId, dispatchId, lines }, 'warehouse');
    else this.exec('stock', warehouseId, 'WriteOffDeployedEquipment', { warehouseId, dispatchId, lines, reason: 'lost', note: 'hanyut' }, 'warehouse');
  }

  // ---- requests and dispatches --------------------------------------------------------------
  private submitRequest(): void {
    const site = this.pick(this.sites);
    const id = `req-${this.seq}`;
    const lines = this.distinctItems(this.int(1, 3)).map((it) => ({ itemId: it.id, quantity: this.int(10, 200) }));
    if (this.exec('request', id, 'SubmitRequest', { requestId: id, siteId: site.id, incidentId: this.pick(this.incidents), priority: this.pick(['life-saving', 'urgent', 'normal']), neededBy: new Date(this.clock + 86_400_000).toISOString(), lines }, 'site')) {
      this.requests.push(id);
    }
  }
  private decideRequest(): void {
    const id = this.find(this.requests, (r) => this.state<RequestState>('request', r).status === 'submitted');
    if (!id) return;
    const s = this.state<RequestState>('request', id);
    const x = this.random();
    if (x < 0.1) this.exec('request', id, 'RejectRequest', { requestId: id, reason: 'duplikat' });
    else if (x < 0.15) this.exec('request', id, 'CancelRequest', { requestId: id, reason: 'tidak perlu' });
    else if (x < 0.4) this.exec('request', id, 'ApproveRequest', { requestId: id, lines: s.lines.map((l) => ({ itemId: l.itemId, approved: Math.max(1, Math.floor(l.requested / 2)), reason: 'stok terbatas' })) });
    else this.exec('request', id, 'ApproveRequest', { requestId: id });
  }
  private closeRequest(): void {
    const id = this.find(this.requests, (r) => {
      const s = this.state<RequestState>('request', r);
      return s.status === 'approved' && s.lines.every((l) => (l.approved ?? 0) <= l.dispatched);
    });
    if (id) this.exec('request', id, 'CloseRequest', { requestId: id });
  }
  private planDispatch(): void {
    const id = this.find(this.requests, (r) => {
      const s = this.state<RequestState>('request', r);
      return s.status === 'approved' && s.lines.some((l) => (l.approved ?? 0) > l.dispatched);
    });
    if (!id) return;
    const r = this.state<RequestState>('request', id);
    const open = r.lines.filter((l) => (l.approved ?? 0) > l.dispatched);
    const dispatchId = `dsp-${this.seq}`;
    // Now and then a member delivers straight from its accepted pledge.
    const pledgeId = this.random() < 0.1 ? this.find(this.pledges, (p) => this.state<PledgeState>('pledge', p).status === 'accepted') : undefined;
    let lines: Array<{ itemId: string; quantity: number }>;
    let warehouseId: string | undefined;
    if (pledgeId) {
      lines = [{ itemId: open[0].itemId, quantity: (open[0].approved ?? 0) - open[0].dispatched }];
    } else {
      const w = this.pick(this.warehouses);
      const s = this.state<StockState>('stock', w.id);
      lines = open
        .map((l) => ({ itemId: l.itemId, quantity: Math.min((l.approved ?? 0) - l.dispatched, (s.items[l.itemId]?.onHand ?? 0) - (s.items[l.itemId]?.reserved ?? 0)) }))
        .filter((l) => l.quantity > 0);
      if (!lines.length) return;
      warehouseId = w.id;
      if (!this.exec('stock', w.id, 'ReserveStock', { warehouseId: w.id, dispatchId, lines }, 'eoc')) return;
    }
    if (!this.exec('request', id, 'RecordDispatchAgainstRequest', { requestId: id, dispatchId, lines })) {
      if (warehouseId) this.exec('stock', warehouseId, 'ReleaseStock', { warehouseId, dispatchId, reason: 'claim refused' });
      return;
    }
    const pledge = pledgeId ? this.state<PledgeState>('pledge', pledgeId) : undefined;
    const ok = this.exec('dispatch', dispatchId, 'PlanDispatch', {
      dispatchId, warehouseId, memberId: pledge?.memberId, pledgeId, destination: { kind: 'site', siteId: r.siteId }, requestId: id, incidentId: r.incidentId, lines,
    });
    if (ok) this.dispatches.push(dispatchId);
  }
  private openDispatch(status: DispatchState['status']): string | undefined {
    return this.find(this.dispatches, (d) => this.state<DispatchState>('dispatch', d).status === status);
  }
  private departDispatch(): void {
    const id = this.openDispatch('planned');
    if (!id) return;
    const d = this.state<DispatchState>('dispatch', id);
    if (d.warehouseId) this.exec('stock', d.warehouseId, 'IssueStock', { warehouseId: d.warehouseId, dispatchId: id }, 'warehouse');
    this.exec('dispatch', id, 'DepartDispatch', {
      dispatchId: id, vehicle: `BH ${this.int(1000, 9999)} XY`, driver: 'Pak Budi', waybillNumber: `SJ-${this.seq}`, expectedArrivalAt: new Date(this.clock + this.int(1, 12) * 3_600_000).toISOString(),
    }, 'warehouse');
  }
  private cancelDispatch(): void {
    const id = this.openDispatch('planned');
    if (!id) return;
    const d = this.state<DispatchState>('dispatch', id);
    if (!this.exec('dispatch', id, 'CancelDispatch', { dispatchId: id, reason: 'jalan putus' })) return;
    if (d.warehouseId) this.exec('stock', d.warehouseId, 'ReleaseStock', { warehouseId: d.warehouseId, dispatchId: id, reason: 'dispatch cancelled' });
    if (d.requestId) this.exec('request', d.requestId, 'ReleaseDispatchFromRequest', { requestId: d.requestId, dispatchId: id, reason: 'dispatch cancelled' });
  }
  private loseDispatch(): void {
    const id = this.openDispatch('in-transit');
    if (!id) return;
    const d = this.state<DispatchState>('dispatch', id);
    if (!this.exec('dispatch', id, 'MarkDispatchLost', { dispatchId: id, reason: 'truk terbalik' })) return;
    if (d.requestId) this.exec('request', d.requestId, 'ReleaseDispatchFromRequest', { requestId: d.requestId, dispatchId: id, reason: 'dispatch lost' });
  }
  private deliverDispatch(): void {
    const id = this.openDispatch('in-transit');
    if (!id) return;
    const d = this.state<DispatchState>('dispatch', id);
    const lines = d.lines.map((l) => {
      const x = this.random();
      if (x < 0.15) {
        const damaged = this.int(1, Math.max(1, Math.floor(l.quantity / 4)));
        return { itemId: l.itemId, received: l.quantity - damaged, damaged, reason: 'basah' };
      }
      if (x < 0.25) return { itemId: l.itemId, received: Math.max(0, l.quantity - this.int(1, 5)), reason: 'kurang' };
      return { itemId: l.itemId, received: l.quantity };
    });
    if (!this.exec('dispatch', id, 'RecordReceipt', { dispatchId: id, receiptId: `bast-${id}`, receivedBy: 'Ibu Sari', lines }, 'site')) return;
    if (d.pledgeId) {
      this.exec('pledge', d.pledgeId, 'RecordPledgeDelivery', { pledgeId: d.pledgeId, receiptId: `bast-${id}`, dispatchId: id, lines: lines.filter((l) => l.received > 0).map((l) => ({ itemId: l.itemId, quantity: l.received })) }, 'site');
    }
    if (d.warehouseId && d.lines.some((l) => this.items.find((i) => i.id === l.itemId)?.consumable === false)) this.deliveredEquipment.push({ dispatchId: id, warehouseId: d.warehouseId });
  }

  // ---- pledges --------------------------------------------------------------------------------
  private offerPledge(): void {
    const id = `plg-${this.seq}`;
    const memberId = this.pick(this.members);
    const lines = this.distinctItems(this.int(1, 2)).filter((i) => i.consumable).map((it) => ({ itemId: it.id, quantity: this.int(20, 200) }));
    if (!lines.length) return;
    if (this.exec('pledge', id, 'OfferPledge', { pledgeId: id, memberId, incidentId: this.pick(this.incidents), lines, expectedBy: new Date(this.clock + this.int(1, 3) * 86_400_000).toISOString() }, 'member', memberId)) {
      this.pledges.push(id);
    }
  }
  private decidePledge(): void {
    const id = this.find(this.pledges, (p) => this.state<PledgeState>('pledge', p).status === 'offered');
    if (!id) return;
    if (this.random() < 0.85) this.exec('pledge', id, 'AcceptPledge', { pledgeId: id });
    else this.exec('pledge', id, 'DeclinePledge', { pledgeId: id, reason: 'tidak dibutuhkan' });
  }
  private deliverPledge(): void {
    const id = this.find(this.pledges, (p) => this.state<PledgeState>('pledge', p).status === 'accepted');
    if (!id) return;
    const p = this.state<PledgeState>('pledge', id);
    const w = this.pick(this.warehouses);
    const lines = p.lines.filter((l) => l.delivered < l.pledged).map((l) => ({ itemId: l.itemId, quantity: this.random() < 0.5 ? l.pledged - l.delivered : Math.max(1, Math.floor((l.pledged - l.delivered) / 2)) }));
    if (!lines.length) return;
    const receiptId = `rp-${this.seq}`;
    if (this.exec('stock', w.id, 'ReceiveStock', { warehouseId: w.id, receiptId, source: { kind: 'pledge', pledgeId: id, memberId: p.memberId }, lines }, 'warehouse')) {
      this.exec('pledge', id, 'RecordPledgeDelivery', { pledgeId: id, receiptId, warehouseId: w.id, lines }, 'warehouse');
    }
  }
  private endPledge(): void {
    const id = this.find(this.pledges, (p) => ['offered', 'accepted'].includes(this.state<PledgeState>('pledge', p).status));
    if (!id) return;
    if (this.random() < 0.5) this.exec('pledge', id, 'WithdrawPledge', { pledgeId: id, reason: 'stok habis' }, 'member');
    else {
      this.clock += 4 * 86_400_000;
      this.exec('pledge', id, 'LapsePledge', { pledgeId: id }, 'system');
    }
  }

  private misc(): void {
    const x = this.random();
    if (x < 0.3) {
      const id = this.pick(this.incidents);
      this.exec('incident', id, 'UpdateIncident', { incidentId: id, districts: [this.pick(DISTRICTS), this.pick(DISTRICTS)].filter((d, i, a) => a.indexOf(d) === i) });
    } else if (x < 0.6) {
      const id = this.pick(this.plans);
      const lines = this.warehouses.slice(0, 2 + this.int(0, 2)).map((w, k) => ({ itemId: this.items[(k + this.int(0, 3)) % this.items.length].id, quantity: this.int(10, 300), warehouseId: w.id }));
      this.exec('operationsPlan', id, 'ReviseOperationsPlan', { planId: id, lines, reason: 'kajian ulang' });
    } else if (x < 0.8) {
      const id = this.pick(this.plans);
      this.exec('operationsPlan', id, 'ActivateOperationsPlan', { planId: id, incidentId: this.pick(this.incidents) });
    } else {
      const m = this.pick(this.members);
      this.exec('capacity', m, 'DeclareVehicles', { memberId: m, vehicleType: this.pick(['truck', 'pickup', 'boat']), payloadKg: 1000, count: this.int(0, 8) });
    }
  }

  // ---- helpers --------------------------------------------------------------------------------
  private distinctItems(k: number): Array<{ id: string; consumable: boolean }> {
    const out = new Map<string, { id: string; consumable: boolean }>();
    for (let i = 0; i < k * 3 && out.size < k; i++) {
      const it = this.pick(this.items);
      out.set(it.id, it);
    }
    return [...out.values()];
  }
  /** A random element satisfying `f`, looking at a bounded window of recent ids (old ones are mostly finished). */
  private find(ids: string[], f: (id: string) => boolean): string | undefined {
    const window = ids.slice(-200);
    const start = Math.floor(this.random() * Math.max(1, window.length));
    for (let i = 0; i < window.length; i++) {
      const id = window[(start + i) % window.length];
      if (f(id)) return id;
    }
    return undefined;
  }
}

/** Shuffles events across streams while keeping each stream's order (what Kafka partitions may do). */
export function interleave(events: readonly ProjectionEvent[], random: () => number): ProjectionEvent[] {
  const byStream = new Map<string, ProjectionEvent[]>();
  for (const e of events) {
    const l = byStream.get(e.streamId);
    if (l) l.push(e);
    else byStream.set(e.streamId, [e]);
  }
  const queues = [...byStream.values()];
  const idx = queues.map(() => 0);
  const out: ProjectionEvent[] = [];
  const live = queues.map((_, i) => i);
  while (live.length) {
    const k = Math.floor(random() * live.length);
    const q = live[k];
    out.push(queues[q][idx[q]++]);
    if (idx[q] >= queues[q].length) live.splice(k, 1);
  }
  return out;
}
