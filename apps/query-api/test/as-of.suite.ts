import { cluster, registerCluster, tokens, type Tokens } from '../../command-api/test/support/cluster.fixture';
import { LumbungClient, type Loose } from '../../command-api/test/support/lumbung.client';
import type { Stack } from './support/query-api.harness';

const { members: m, warehouses: w, sites: s, items: i, incidents: inc } = cluster;
const lines = (...l: Array<[string, number]>) => l.map(([itemId, quantity]) => ({ itemId, quantity }));
const neededBy = '2024-03-06T12:00:00+07:00';
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * As-of reads against the live read models: run a scenario, capture what the query API shows once its
 * projector has caught up to position P, run more commands that change all of it, then ask the audit
 * endpoints for the state as of P (and as of the time between) and compare with what was captured.
 */
export function asOfSuite(start: () => Promise<Stack>): void {
  let stack: Stack;
  let c: LumbungClient;
  let t: Tokens;
  let requestId: string;
  let dispatchId: string;
  let pledgeId: string;
  let P: number;
  let between: string;
  const captured: Record<string, Loose> = {};

  const json = async (path: string, token = t.auditor): Promise<Loose> => {
    const r = await stack.get(path, token);
    const text = await r.text();
    if (r.status !== 200) throw new Error(`GET ${path} answered ${r.status}: ${text}`);
    return JSON.parse(text);
  };
  const live = async () => ({
    request: await json(`/query/requests/${requestId}`),
    shipment: await json(`/query/shipments/${dispatchId}`),
    stock: (await json(`/query/stock?warehouseId=${w.main}&limit=1000`)).items,
    gapMatrix: await json(`/query/incidents/${inc.flood}/gap-matrix`),
  });
  const asOf = async (q: string) => ({
    request: await json(`/audit/as-of/requests/${requestId}?${q}`),
    shipment: await json(`/audit/as-of/dispatches/${dispatchId}?${q}`),
    stock: await json(`/audit/as-of/warehouses/${w.main}/stock?${q}`),
    gapMatrix: await json(`/audit/as-of/incidents/${inc.flood}/gap-matrix?${q}`),
  });

  beforeAll(async () => {
    stack = await start();
    c = new LumbungClient(stack.commands);
    t = tokens(c);
    await registerCluster(c, t);
    requestId = (await c.ok('/requests', { siteId: s.pemayung, incidentId: inc.flood, priority: 'life-saving', neededBy, lines: lines([i.rice, 100], [i.kit, 40]) }, { token: t.site })).body.id;
    await c.ok(`/requests/${requestId}/approve`, { lines: [{ itemId: i.rice, approved: 80, reason: 'shared with Posko Sengeti' }] }, { token: t.eoc });
    pledgeId = (await c.ok('/pledges', { memberId: m.pmi, incidentId: inc.flood, lines: lines([i.water, 30]), expectedBy: neededBy }, { token: t.pmi })).body.id;
    await c.ok(`/pledges/${pledgeId}/accept`, {}, { token: t.eoc });
    await c.ok(`/warehouses/${w.main}/stock/receipts`, { source: { kind: 'procurement', reference: 'PO-1' }, lines: [{ itemId: i.rice, quantity: 150, batch: 'B-1', expiry: '2025-06-01' }, { itemId: i.kit, quantity: 40 }] }, { token: t.warehouse });
    dispatchId = (await c.ok('/dispatches', { warehouseId: w.main, destination: { kind: 'site', siteId: s.pemayung }, requestId, lines: lines([i.rice, 50], [i.kit, 20]) }, { token: t.eoc })).body.id;
    await c.ok(`/dispatches/${dispatchId}/depart`, { vehicle: 'BH 8123 KA', driver: 'Pak Yusuf', waybillNumber: 'SJ/BPBD/0007' }, { token: t.warehouse });

    P = await stack.settle();
    Object.assign(captured, await live());
    await pause(25);
    between = new Date().toISOString();
    await pause(25);

    // Everything captured changes: the receipt (short), another dispatch, a damaged sack, the pledge delivered, a second request.
    await c.ok(`/dispatches/${dispatchId}/receipt`, { receiptId: 'BAST-PMY-001', receivedBy: 'Ibu Sari', lines: [{ itemId: i.rice, received: 45, reason: '5 sacks missing' }, { itemId: i.kit, received: 20 }] }, { token: t.site });
    await c.ok('/dispatches', { warehouseId: w.main, destination: { kind: 'site', siteId: s.pemayung }, requestId, lines: lines([i.rice, 30]) }, { token: t.eoc });
    await c.ok(`/warehouses/${w.main}/stock/adjustments`, { itemId: i.kit, quantity: 2, reason: 'damaged', note: 'torn in the rain' }, { token: t.warehouse });
    await c.ok(`/warehouses/${w.pmi}/stock/receipts`, { source: { kind: 'pledge', pledgeId }, lines: lines([i.water, 30]) }, { token: t.warehousePmi });
    const other = (await c.ok('/requests', { siteId: s.sengeti, incidentId: inc.flood, priority: 'urgent', neededBy, lines: lines([i.water, 50]) }, { token: t.siteSengeti })).body.id;
    await c.ok(`/requests/${other}/approve`, {}, { token: t.eoc });
    await stack.settle();
  }, 120_000);

  afterAll(async () => {
    await stack?.close();
  });

  it('the live read models moved on after P (the comparison below means something)', async () => {
    const now = await live();
    expect(now.request).not.toEqual(captured.request);
    expect(now.shipment).not.toEqual(captured.shipment);
    expect(now.stock).not.toEqual(captured.stock);
    expect(now.gapMatrix).not.toEqual(captured.gapMatrix);
    expect(captured.shipment).toMatchObject({ status: 'in-transit', lines: expect.any(Array) });
    expect(captured.gapMatrix.cells.length).toBeGreaterThan(0);
  });

  it('as of position P equals what the live read models showed at P', async () => {
    const then = await asOf(`position=${P}`);
    expect(then.request).toEqual({ asOf: expect.objectContaining({ position: P, at: null, recordedAt: expect.any(String) }), request: captured.request });
    expect(then.shipment).toEqual({ asOf: expect.objectContaining({ position: P }), shipment: captured.shipment });
    expect(then.stock).toEqual({ asOf: expect.objectContaining({ position: P }), warehouseId: w.main, items: captured.stock });
    expect(then.gapMatrix).toEqual({ asOf: expect.objectContaining({ position: P, replay: expect.objectContaining({ eventsRead: P }) }), gapMatrix: captured.gapMatrix });
  });

  it('as of a time between P and the next command is the same state, at position P', async () => {
    const then = await asOf(`at=${encodeURIComponent(between)}`);
    for (const k of ['request', 'shipment', 'stock', 'gapMatrix'] as const) expect([k, then[k].asOf.position, then[k].asOf.at]).toEqual([k, P, between]);
    expect(then.request.request).toEqual(captured.request);
    expect(then.shipment.shipment).toEqual(captured.shipment);
    expect(then.stock.items).toEqual(captured.stock);
    expect(then.gapMatrix.gapMatrix).toEqual(captured.gapMatrix);
    // A time given with an offset is the same instant.
    const wib = new Date(Date.parse(between) + 7 * 3_600_000).toISOString().replace('Z', '+07:00');
    expect((await json(`/audit/as-of/requests/${requestId}?at=${encodeURIComponent(wib)}`)).asOf.position).toBe(P);
  });

  it('without a cut, as of the head: what the live read models show now', async () => {
    const now = await live();
    const head = await asOf('');
    expect(head.request.request).toEqual(now.request);
    expect(head.shipment.shipment).toEqual(now.shipment);
    expect(head.stock.items).toEqual(now.stock);
    expect(head.gapMatrix.gapMatrix).toEqual(now.gapMatrix);
    expect(head.request.asOf.position).toBe(head.request.asOf.head);
  });

  it('cuts the trail at a position or a time', async () => {
    const all = await json(`/audit/requests/${requestId}/trail`);
    const before = all.items.filter((e: Loose) => e.position <= P);
    expect(before.length).toBeGreaterThan(0);
    expect(before.length).toBeLessThan(all.items.length);
    const cut = await json(`/audit/requests/${requestId}/trail?position=${P}`);
    expect(cut).toMatchObject({ correlationId: requestId, asOf: { position: P }, next: null, count: before.length });
    expect(cut.items).toEqual(before);
    expect((await json(`/audit/requests/${requestId}/trail?at=${encodeURIComponent(between)}`)).items).toEqual(before);
    // paged within the cut
    const first = await json(`/audit/requests/${requestId}/trail?position=${P}&limit=2`);
    expect(first.items).toEqual(before.slice(0, 2));
    expect(first.next).toEqual({ after: before[1].position });
    const rest = await json(`/audit/requests/${requestId}/trail?position=${P}&after=${first.next.after}`);
    expect(rest.items).toEqual(before.slice(2));
    // before the request existed: an empty trail, not a 404 (the request is known)
    expect(await json(`/audit/requests/${requestId}/trail?position=1`)).toMatchObject({ items: [], count: 0 });
  });

  it('refuses a bad cut with 400 naming the field, and an unknown id with 404', async () => {
    const bad: Array<[string, string]> = [
      ['position=abc', 'position'],
      ['position=-1', 'position'],
      ['position=1.5', 'position'],
      ['position=99999999', 'position'],
      ['at=yesterday', 'at'],
      ['at=2024-13-45T00:00:00Z', 'at'],
      [`at=${encodeURIComponent(between)}&position=${P}`, 'at'],
      ['colour=red', 'colour'],
    ];
    for (const path of [`/audit/as-of/requests/${requestId}`, `/audit/as-of/dispatches/${dispatchId}`, `/audit/as-of/warehouses/${w.main}/stock`, `/audit/as-of/incidents/${inc.flood}/gap-matrix`, `/audit/requests/${requestId}/trail`]) {
      for (const [q, field] of bad) {
        const r = await stack.get(`${path}?${q}`, t.auditor);
        const body = (await r.json()) as Loose;
        expect([path, q, r.status, body.error]).toEqual([path, q, 400, 'invalid-input']);
        expect(body.errors).toEqual(expect.arrayContaining([{ field, reason: expect.any(String) }]));
      }
    }
    for (const path of ['/audit/as-of/requests/nope', '/audit/as-of/dispatches/nope', '/audit/as-of/warehouses/nope/stock', '/audit/as-of/incidents/nope/gap-matrix', '/audit/requests/nope/trail']) {
      const r = await stack.get(path, t.auditor);
      expect([path, r.status, ((await r.json()) as Loose).error]).toEqual([path, 404, 'not-found']);
    }
    // known now, but not yet at position 1
    const early = await stack.get(`/audit/as-of/requests/${requestId}?position=1`, t.admin);
    expect([early.status, ((await early.json()) as Loose).details]).toEqual([404, { request: requestId, position: 1 }]);
  });
}
