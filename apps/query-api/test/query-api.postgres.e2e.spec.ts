import { escapeIdentifier } from 'pg';
import { createTestSchema, describeWithPostgres, withClient, type TestSchema } from '../../../test/support/postgres';
import { cluster, registerCluster, tokens, type Tokens } from '../../command-api/test/support/cluster.fixture';
import { LumbungClient, type Loose } from '../../command-api/test/support/lumbung.client';
import { csvObjects, parseCsv, startStack, type Stack } from './support/query-api.harness';

const { members: m, warehouses: w, sites: s, items: i, incidents: inc } = cluster;
const lines = (...l: Array<[string, number]>) => l.map(([itemId, quantity]) => ({ itemId, quantity }));
const neededBy = '2024-03-06T12:00:00+07:00';
const ODD_ITEM = 'tikar';
const ODD_NAME = 'Tikar, "plastik"\nlebar 2 m';

describeWithPostgres('query API on PostgreSQL (read models filled through the command API)', () => {
  let schema: TestSchema;
  let stack: Stack;
  let c: LumbungClient;
  let t: Tokens;
  let requestId: string;
  let dispatchId: string;
  let pledgeId: string;
  let transitId: string;
  let otherPledgeId: string;

  const json = async (path: string, token: string): Promise<Loose> => {
    const r = await stack.get(path, token);
    const text = await r.text();
    if (r.status !== 200) throw new Error(`GET ${path} answered ${r.status}: ${text}`);
    return JSON.parse(text);
  };

  beforeAll(async () => {
    schema = await createTestSchema('query_api_e2e');
    stack = await startStack({
      LUMBUNG_STORE: 'postgres',
      DATABASE_URL: schema.connectionString,
      DATABASE_SCHEMA: schema.schema,
      LUMBUNG_TOKEN_SECRET: 'e2e-secret-that-is-long-enough-for-hs256',
      LOG_LEVEL: 'warn',
    });
    c = new LumbungClient(stack.commands);
    t = tokens(c);
    await registerCluster(c, t);
    await c.ok('/items', { itemId: ODD_ITEM, code: 'SH-MAT', name: ODD_NAME, unit: 'piece', category: 'shelter' }, { token: t.admin });

    // The full path of one request: submitted, approved with less rice, pledged, stocked, dispatched, departed, received.
    const submitted = await c.ok('/requests', { siteId: s.pemayung, incidentId: inc.flood, priority: 'life-saving', neededBy, lines: lines([i.rice, 100], [i.kit, 40]) }, { token: t.site });
    requestId = submitted.body.id;
    await c.ok(`/requests/${requestId}/approve`, { lines: [{ itemId: i.rice, approved: 80, reason: 'shared with Posko Sengeti' }] }, { token: t.eoc });
    pledgeId = (await c.ok('/pledges', { memberId: m.pmi, requestId, lines: lines([i.kit, 40]), expectedBy: '2024-03-05T10:00:00+07:00' }, { token: t.pmi })).body.id;
    await c.ok(`/pledges/${pledgeId}/accept`, {}, { token: t.eoc });
    otherPledgeId = (await c.ok('/pledges', { memberId: m.distributor, incidentId: inc.flood, lines: lines([i.water, 30]), expectedBy: '2024-03-05T10:00:00+07:00' }, { token: t.distributor })).body.id;
    await c.ok(`/pledges/${otherPledgeId}/accept`, {}, { token: t.eoc });
    await c.ok(`/warehouses/${w.main}/stock/receipts`, { source: { kind: 'procurement', reference: 'PO-1' }, lines: [{ itemId: i.rice, quantity: 150, batch: 'B-1', expiry: '2025-06-01' }, { itemId: ODD_ITEM, quantity: 7 }] }, { token: t.warehouse });
    await c.ok(`/warehouses/${w.main}/stock/receipts`, { source: { kind: 'pledge', pledgeId }, lines: lines([i.kit, 40]) }, { token: t.warehouse });
    await c.ok(`/warehouses/${w.pmi}/stock/receipts`, { source: { kind: 'procurement', reference: 'PO-2' }, lines: lines([i.water, 90]) }, { token: t.warehousePmi });
    await c.ok(`/warehouses/${w.tebo}/stock/receipts`, { source: { kind: 'procurement', reference: 'PO-3' }, lines: lines([i.noodles, 20]) }, { token: t.warehouseTebo });
    dispatchId = (await c.ok('/dispatches', { warehouseId: w.main, destination: { kind: 'site', siteId: s.pemayung }, requestId, lines: lines([i.rice, 80], [i.kit, 40]) }, { token: t.eoc })).body.id;
    await c.ok(`/dispatches/${dispatchId}/depart`, { vehicle: 'BH 8123 KA', driver: 'Pak Yusuf', waybillNumber: 'SJ/BPBD/0007' }, { token: t.warehouse });
    await c.ok(`/dispatches/${dispatchId}/receipt`, { receiptId: 'BAST-PMY-001', receivedBy: 'Ibu Sari', lines: [{ itemId: i.rice, received: 75, reason: '5 sacks missing, "wet"' }, { itemId: i.kit, received: 40 }] }, { token: t.site });

    // A second request at Sengeti, with a shipment still on the road (from the PMI warehouse).
    const other = (await c.ok('/requests', { siteId: s.sengeti, incidentId: inc.flood, priority: 'urgent', neededBy, lines: lines([i.water, 50]) }, { token: t.siteSengeti })).body.id;
    await c.ok(`/requests/${other}/approve`, {}, { token: t.eoc });
    transitId = (await c.ok('/dispatches', { warehouseId: w.pmi, destination: { kind: 'site', siteId: s.sengeti }, requestId: other, lines: lines([i.water, 50]) }, { token: t.eoc })).body.id;
    await c.ok(`/dispatches/${transitId}/depart`, { vehicle: 'BH 1 PMI', driver: 'Pak Andi', waybillNumber: 'SJ/PMI/1', expectedArrivalAt: '2024-03-05T10:00:00+07:00' }, { token: t.warehousePmi });
    await stack.settle();
  }, 120_000);

  afterAll(async () => {
    await stack?.close();
    await schema?.drop();
  });

  describe('stock', () => {
    it('lists stock per warehouse and item, with filters', async () => {
      const all = await json('/query/stock?limit=100', t.eoc);
      expect(all.total).toBe(all.items.length);
      expect(all.items.find((r: Loose) => r.warehouse_id === w.main && r.item_id === i.rice)).toMatchObject({ on_hand: 70, available: 70, reserved: 0, district: 'Kota Jambi', category: 'food', next_expiry: '2025-06-01' });
      const byWarehouse = await json(`/query/stock?warehouseId=${w.pmi}`, t.eoc);
      expect(byWarehouse.items.map((r: Loose) => [r.warehouse_id, r.item_id, r.available])).toEqual([[w.pmi, i.water, 40]]);
      expect((await json('/query/stock?district=tebo', t.eoc)).items.map((r: Loose) => r.item_id)).toEqual([i.noodles]);
      expect((await json('/query/stock?category=shelter', t.eoc)).items.map((r: Loose) => [r.item_id, r.on_hand])).toEqual([[ODD_ITEM, 7]]);
      expect((await json(`/query/stock?itemId=${i.water}`, t.eoc)).total).toBe(1);
      const expiring = await json('/query/stock?expiringWithinDays=60&asOf=2025-05-01T00:00:00Z', t.eoc);
      expect(expiring.items.map((r: Loose) => [r.warehouse_id, r.item_id, r.expiring_quantity])).toEqual([[w.main, i.rice, 70]]);
      expect((await json('/query/stock?expiringWithinDays=10&asOf=2025-05-01T00:00:00Z', t.eoc)).total).toBe(0);
    });

    it('pages and sorts', async () => {
      const sorted = await json('/query/stock?sort=available:desc', t.commander);
      const avail = sorted.items.map((r: Loose) => r.available);
      expect(avail).toEqual([...avail].sort((a, b) => b - a));
      const page = await json('/query/stock?sort=available:desc&limit=2&offset=1', t.commander);
      expect(page).toMatchObject({ total: sorted.total, limit: 2, offset: 1 });
      expect(page.items).toEqual(sorted.items.slice(1, 3));
    });

    it('refuses bad query parameters with 400, naming the field and the reason', async () => {
      for (const [q, field] of [['sort=colour:asc', 'sort'], ['sort=available:sideways', 'sort'], ['limit=0', 'limit'], ['limit=5000', 'limit'], ['offset=-1', 'offset'], ['expiringWithinDays=soon', 'expiringWithinDays'], ['asOf=yesterday', 'asOf'], ['format=xml', 'format'], ['colour=red', 'colour']]) {
        const r = await stack.get(`/query/stock?${q}`, t.eoc);
        const body = (await r.json()) as Loose;
        expect([q, r.status, body.error]).toEqual([q, 400, 'invalid-input']);
        expect(body.errors).toEqual(expect.arrayContaining([{ field, reason: expect.any(String) }]));
      }
    });
  });

  describe('requests, pledges, shipments, gap matrix, readiness', () => {
    it("answers a request's fulfilment", async () => {
      const r = await json(`/query/requests/${requestId}`, t.eoc);
      expect(r).toMatchObject({ request_id: requestId, site_id: s.pemayung, status: 'approved', requested: 140, approved: 120, dispatched: 120, received: 115, short: 5, outstanding: 0 });
      expect(r.lines.find((l: Loose) => l.item_id === i.rice)).toMatchObject({ requested: 100, approved: 80, received: 75, short: 5 });
      const list = await json(`/query/requests?incidentId=${inc.flood}&sort=submitted_at:asc`, t.commander);
      expect(list.items.map((x: Loose) => x.site_id)).toEqual([s.pemayung, s.sengeti]);
      expect((await json('/query/requests?status=rejected', t.commander)).total).toBe(0);
      expect((await stack.get('/query/requests/nope', t.eoc)).status).toBe(404);
    });

    it("answers pledges and members' delivery record", async () => {
      const p = await json(`/query/pledges/${pledgeId}`, t.eoc);
      expect(p).toMatchObject({ pledge_id: pledgeId, member_id: m.pmi, status: 'fulfilled', delivered_qty: 40 });
      const list = await json(`/query/pledges?incidentId=${inc.flood}`, t.auditor);
      expect(list.items.map((x: Loose) => x.pledge_id)).toEqual([otherPledgeId]);
      const records = await json('/query/members/pledge-records?sort=member:asc', t.commander);
      expect(records.items.find((x: Loose) => x.member_id === m.pmi)).toMatchObject({ pledges: 1, fulfilled_pledges: 1, delivered_qty: 40, delivery_ratio_pct: 100 });
    });

    it('answers shipments: delivered, in transit, overdue', async () => {
      const delivered = await json(`/query/shipments/${dispatchId}`, t.eoc);
      expect(delivered).toMatchObject({ status: 'delivered', receipt_id: 'BAST-PMY-001', received: 115, short: 5 });
      expect(delivered.lines).toHaveLength(2);
      expect((await json('/query/shipments?status=in-transit', t.commander)).items.map((x: Loose) => x.dispatch_id)).toEqual([transitId]);
      expect((await json('/query/shipments?overdue=true&asOf=2024-03-06T00:00:00Z', t.commander)).items.map((x: Loose) => x.dispatch_id)).toEqual([transitId]);
      expect((await json('/query/shipments?overdue=true&asOf=2024-03-01T00:00:00Z', t.commander)).total).toBe(0);
      expect((await stack.get('/query/shipments?overdue=perhaps', t.eoc)).status).toBe(400);
    });

    it('answers the gap matrix of an incident', async () => {
      const g = await json(`/query/incidents/${inc.flood}/gap-matrix`, t.commander);
      expect(g.districts).toEqual(expect.arrayContaining(['Batanghari', 'Kota Jambi', 'Muaro Jambi']));
      expect(g.items.find((x: Loose) => x.item_id === i.rice)).toMatchObject({ need: 0 });
      expect(g.items.find((x: Loose) => x.item_id === i.water)).toMatchObject({ pledged: 30 });
      expect((await stack.get('/query/incidents/nope/gap-matrix', t.commander)).status).toBe(404);
    });

    it('answers readiness', async () => {
      expect(await json('/query/readiness/plans', t.commander)).toMatchObject({ items: [], total: 0 });
      const members = await json('/query/readiness/members', t.commander);
      expect(members.items.map((x: Loose) => x.member_id)).toEqual(expect.arrayContaining([m.bpbd, m.pmi, m.distributor]));
    });
  });

  describe('roles', () => {
    const cases: Array<[string, keyof Tokens, () => string, number]> = [
      // full view
      ...(['eoc', 'commander', 'auditor', 'admin'] as const).flatMap((role): Array<[string, keyof Tokens, () => string, number]> => [
        ['stock', role, () => '/query/stock', 200],
        ['requests', role, () => '/query/requests', 200],
        ['pledges', role, () => '/query/pledges', 200],
        ['shipments', role, () => '/query/shipments', 200],
        ['gap matrix', role, () => `/query/incidents/${inc.flood}/gap-matrix`, 200],
        ['plans', role, () => '/query/readiness/plans', 200],
      ]),
      // member: its own pledges, warehouses, record
      ['own pledge', 'pmi', () => `/query/pledges/${pledgeId}`, 200],
      ["another member's pledge", 'pmi', () => `/query/pledges/${otherPledgeId}`, 403],
      ["another member's pledges by filter", 'pmi', () => `/query/pledges?memberId=${m.distributor}`, 403],
      ["another member's record", 'pmi', () => `/query/members/pledge-records?memberId=${m.bpbd}`, 403],
      ['own warehouse stock', 'pmi', () => `/query/stock?warehouseId=${w.pmi}`, 200],
      ["another member's warehouse", 'pmi', () => `/query/stock?warehouseId=${w.main}`, 403],
      ['requests', 'pmi', () => '/query/requests', 403],
      ['gap matrix', 'pmi', () => `/query/incidents/${inc.flood}/gap-matrix`, 403],
      ['audit', 'pmi', () => `/audit/requests/${requestId}/trail`, 403],
      // site officer: its site's requests
      ['own request', 'site', () => `/query/requests/${requestId}`, 200],
      ["another site's request list", 'site', () => `/query/requests?siteId=${s.sengeti}`, 403],
      ["another site's shipment", 'siteSengeti', () => `/query/shipments/${dispatchId}`, 403],
      ['stock', 'site', () => '/query/stock', 403],
      ['pledges', 'site', () => '/query/pledges', 403],
      // warehouse officer: its warehouses' stock
      ['own warehouse', 'warehouse', () => `/query/stock?warehouseId=${w.main}`, 200],
      ['other warehouse', 'warehouse', () => `/query/stock?warehouseId=${w.pmi}`, 403],
      ['shipment from another warehouse', 'warehouse', () => `/query/shipments/${transitId}`, 403],
      ['requests', 'warehouse', () => '/query/requests', 403],
      ['pledges', 'warehouse', () => '/query/pledges', 403],
      // audit: auditor and admin only
      ...(['eoc', 'commander', 'warehouse', 'site'] as const).map((role): [string, keyof Tokens, () => string, number] => ['audit trail', role, () => `/audit/requests/${requestId}/trail`, 403]),
      ...(['auditor', 'admin'] as const).map((role): [string, keyof Tokens, () => string, number] => ['verify', role, () => '/audit/verify', 200]),
      ['verify', 'commander', () => '/audit/verify', 403],
    ];
    it.each(cases)('%s as %s', async (_what, role, path, status) => {
      const r = await stack.get(path(), t[role]);
      expect(r.status).toBe(status);
      if (status === 403) expect(((await r.json()) as Loose).error).toMatch(/^(out-of-scope|role-not-allowed)$/);
    });

    it('scopes lists to what a scoped role may see', async () => {
      const pmiStock = await json('/query/stock', t.pmi);
      expect(new Set(pmiStock.items.map((r: Loose) => r.warehouse_id))).toEqual(new Set([w.pmi]));
      const whStock = await json('/query/stock', t.warehouse);
      expect(new Set(whStock.items.map((r: Loose) => r.warehouse_id))).toEqual(new Set([w.main]));
      expect((await json('/query/pledges', t.pmi)).items.map((p: Loose) => p.member_id)).toEqual([m.pmi]);
      expect((await json('/query/members/pledge-records', t.pmi)).items.map((p: Loose) => p.member_id)).toEqual([m.pmi]);
      expect((await json('/query/requests', t.site)).items.map((r: Loose) => r.request_id)).toEqual([requestId]);
      expect((await json('/query/shipments', t.siteSengeti)).items.map((r: Loose) => r.dispatch_id)).toEqual([transitId]);
      expect((await json('/query/shipments', t.warehousePmi)).items.map((r: Loose) => r.dispatch_id)).toEqual([transitId]);
      expect((await json('/query/shipments', t.pmi)).items.map((r: Loose) => r.dispatch_id)).toEqual([transitId]);
      expect((await json('/query/readiness/members', t.pmi)).items.map((r: Loose) => r.member_id)).toEqual([m.pmi]);
    });

    it('refuses a missing token with 401', async () => {
      expect((await stack.get('/query/stock')).status).toBe(401);
    });
  });

  describe('CSV', () => {
    it('exports a list as well-formed CSV by ?format=csv or Accept: text/csv, quoting what needs it', async () => {
      const byParam = await stack.get('/query/stock', t.eoc, {});
      const page = (await byParam.json()) as Loose;
      const r = await stack.get('/query/stock?format=csv', t.eoc);
      expect(r.headers.get('content-type')).toMatch(/^text\/csv/);
      const text = await r.text();
      const rows = csvObjects(text);
      expect(rows).toHaveLength(page.total);
      expect(rows.find((x) => x.item_id === ODD_ITEM)).toMatchObject({ item_name: ODD_NAME, on_hand: '7' });
      expect(text).toContain('"Tikar, ""plastik""\nlebar 2 m"');
      const byAccept = await stack.get('/query/stock', t.eoc, { Accept: 'text/csv' });
      expect(await byAccept.text()).toBe(text);
    });

    it('exports nested lines one row each, and every list', async () => {
      const req = csvObjects(await (await stack.get(`/query/requests?format=csv&incidentId=${inc.flood}`, t.eoc)).text());
      expect(req.filter((x) => x.request_id === requestId).map((x) => [x.line_item_id, x.line_received])).toEqual([[i.rice, '75'], [i.kit, '40']]);
      for (const path of ['/query/pledges', '/query/members/pledge-records', '/query/shipments', `/query/incidents/${inc.flood}/gap-matrix`, `/query/incidents/${inc.flood}/gap-matrix?part=cells`, '/query/readiness/members', '/query/stock/by-district']) {
        const res = await stack.get(path, t.admin, { Accept: 'text/csv' });
        expect([path, res.status]).toEqual([path, 200]);
        const body = await res.text();
        if (body) expect(() => parseCsv(body)).not.toThrow();
      }
    });
  });

  describe('audit', () => {
    it("gives a request's trail across streams in global order, with who, when, why and cause", async () => {
      const trail = await json(`/audit/requests/${requestId}/trail`, t.auditor);
      const types: string[] = trail.items.map((e: Loose) => e.type);
      const at = (type: string) => types.indexOf(type);
      for (const ty of ['RequestSubmitted', 'RequestApproved', 'StockReserved', 'DispatchPlanned', 'DispatchDeparted', 'DispatchDelivered']) expect(types).toContain(ty);
      expect(at('RequestSubmitted')).toBeLessThan(at('RequestApproved'));
      expect(at('RequestApproved')).toBeLessThan(at('DispatchPlanned'));
      expect(at('DispatchPlanned')).toBeLessThan(at('DispatchDeparted'));
      expect(at('DispatchDeparted')).toBeLessThan(at('DispatchDelivered'));
      const positions = trail.items.map((e: Loose) => e.position);
      expect(positions).toEqual([...positions].sort((a, b) => a - b));
      expect(new Set(trail.items.map((e: Loose) => e.streamId.split('-')[0]))).toEqual(new Set(['request', 'pledge', 'stock', 'dispatch']));
      for (const e of trail.items) expect(e).toMatchObject({ correlationId: requestId, causationId: expect.any(String), occurredAt: expect.any(String), recordedAt: expect.any(String), actor: expect.any(String), role: expect.any(String) });
      expect(trail.items[at('RequestApproved')]).toMatchObject({ actor: 'pusdalops-1', member: m.bpbd, role: 'eoc', reason: `${i.rice}: shared with Posko Sengeti` });
      expect(trail.items[at('DispatchDelivered')]).toMatchObject({ actor: 'koordinator-pemayung', role: 'site', streamId: `dispatch-${dispatchId}` });
      expect(trail).toMatchObject({ correlationId: requestId, next: null, count: trail.items.length });

      // Paged: two at a time, following the cursor, gives the same trail.
      const paged: Loose[] = [];
      let after = 0;
      for (;;) {
        const p = await json(`/audit/requests/${requestId}/trail?limit=2&after=${after}`, t.auditor);
        paged.push(...p.items);
        if (!p.next) break;
        after = p.next.after;
      }
      expect(paged).toEqual(trail.items);

      const csv = csvObjects(await (await stack.get(`/audit/requests/${requestId}/trail?format=csv`, t.admin)).text());
      expect(csv.map((r) => r.type)).toEqual(types);
      expect(JSON.parse(csv[at('DispatchDelivered')].data)).toMatchObject({ receiptId: 'BAST-PMY-001' });
      expect((await stack.get('/audit/requests/nope/trail', t.auditor)).status).toBe(404);
    });

    it('gives the history of a stream, of an actor and of a member', async () => {
      const st = await json(`/audit/streams/dispatch-${dispatchId}`, t.auditor);
      expect(st.items.map((e: Loose) => [e.revision, e.type])).toEqual([[0, 'DispatchPlanned'], [1, 'DispatchDeparted'], [2, 'DispatchDelivered']]);
      const part = await json(`/audit/streams/dispatch-${dispatchId}?fromRevision=1&limit=1`, t.auditor);
      expect(part).toMatchObject({ items: [{ revision: 1 }], next: { fromRevision: 2 } });
      expect((await stack.get('/audit/streams/nope-1', t.auditor)).status).toBe(404);

      const site = await json('/audit/actors/koordinator-pemayung', t.auditor);
      expect(site.items.map((e: Loose) => e.type)).toEqual(['RequestSubmitted', 'DispatchDelivered']);
      const delivered = site.items[1].occurredAt as string;
      const window = await json(`/audit/actors/koordinator-pemayung?from=${encodeURIComponent(delivered)}`, t.auditor);
      expect(window.items.map((e: Loose) => e.type)).toEqual(['DispatchDelivered']);
      const before = await json(`/audit/actors/koordinator-pemayung?to=${encodeURIComponent(delivered)}`, t.auditor);
      expect(before.items.map((e: Loose) => e.type)).toEqual(['RequestSubmitted']);
      const pmi = await json(`/audit/members/${m.pmi}`, t.auditor);
      expect(pmi.items.length).toBeGreaterThan(0);
      expect(pmi.items.every((e: Loose) => e.member === m.pmi)).toBe(true);
      expect((await stack.get('/audit/actors/x?from=soon', t.auditor)).status).toBe(400);
    });

    it('verifies the store, and catches a row altered in PostgreSQL', async () => {
      const head = await stack.settle();
      const ok = await json('/audit/verify', t.auditor);
      expect(ok).toMatchObject({ ok: true, checked: head, headPosition: head, headLogHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
      // Behind the store's back: the receipt now says 80 sacks arrived.
      await withClient((db) =>
        db.query(`UPDATE ${escapeIdentifier(schema.schema)}.events SET data = jsonb_set(data, '{receivedBy}', '"Pak Palsu"') WHERE stream_id = $1 AND type = 'DispatchDelivered'`, [`dispatch-${dispatchId}`]),
      );
      const bad = await json('/audit/verify', t.admin);
      expect(bad).toMatchObject({ ok: false, problem: { kind: 'altered', streamId: `dispatch-${dispatchId}` } });
    });
  });

  describe('platform', () => {
    it('serves /health, /metrics and OpenAPI at /docs without a token', async () => {
      expect((await stack.get('/health')).status).toBe(200);
      expect((await stack.get('/metrics')).status).toBe(200);
      const doc = (await (await stack.get('/docs-json')).json()) as Loose;
      expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/query/stock', '/query/requests/{requestId}', '/audit/requests/{requestId}/trail', '/audit/verify']));
    });
  });
});
