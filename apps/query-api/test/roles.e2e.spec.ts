import { cluster, registerCluster, tokens, type Tokens } from '../../command-api/test/support/cluster.fixture';
import { LumbungClient, type Loose } from '../../command-api/test/support/lumbung.client';
import { startStack, type Stack } from './support/query-api.harness';

const { members: m, warehouses: w, sites: s, items: i, incidents: inc } = cluster;
const lines = (...l: Array<[string, number]>) => l.map(([itemId, quantity]) => ({ itemId, quantity }));
const neededBy = '2024-03-06T12:00:00+07:00';

/**
 * Who may read what, for every endpoint of the query API (queries, audit, as-of, documents, live,
 * dashboard): one row per endpoint and one column per role. The scoped roles are one user each:
 * `warehouse` the officer of gd-bpbd-jambi (and gd-race), `member` a PMI user, `site` the officer of
 * Posko Pemayung. 200 allowed, 403 refused (role-not-allowed, or out-of-scope for a scoped role
 * naming what is not its own), 401 without a token. A last test checks that every GET route the
 * OpenAPI document lists has a row here, so a new endpoint cannot go without its role table.
 */
type Who = 'eoc' | 'warehouse' | 'member' | 'site' | 'commander' | 'auditor' | 'admin' | 'none';
const WHO: Who[] = ['eoc', 'warehouse', 'member', 'site', 'commander', 'auditor', 'admin', 'none'];
type Expect = Record<Who, number>;

const row = (eoc: number, warehouse: number, member: number, site: number, commander: number, auditor: number, admin: number, none = 401): Expect => ({ eoc, warehouse, member, site, commander, auditor, admin, none });
const FULL = row(200, 403, 403, 403, 200, 200, 200);
const AUDIT = row(403, 403, 403, 403, 403, 200, 200);
const EVERYONE = row(200, 200, 200, 200, 200, 200, 200);
const PUBLIC = row(200, 200, 200, 200, 200, 200, 200, 200);

describe('query API roles, endpoint by endpoint (SQLite)', () => {
  let stack: Stack;
  let t: Tokens;
  const id: Record<string, string> = {};

  beforeAll(async () => {
    stack = await startStack({ LUMBUNG_STORE: 'sqlite', LUMBUNG_TOKEN_SECRET: 'e2e-secret-that-is-long-enough-for-hs256', LOG_LEVEL: 'warn' });
    const c = new LumbungClient(stack.commands);
    t = tokens(c);
    await registerCluster(c, t);
    id.request = (await c.ok('/requests', { siteId: s.pemayung, incidentId: inc.flood, priority: 'urgent', neededBy, lines: lines([i.rice, 20]) }, { token: t.site })).body.id;
    await c.ok(`/requests/${id.request}/approve`, {}, { token: t.eoc });
    id.otherRequest = (await c.ok('/requests', { siteId: s.sengeti, incidentId: inc.flood, priority: 'normal', neededBy, lines: lines([i.water, 10]) }, { token: t.siteSengeti })).body.id;
    await c.ok(`/requests/${id.otherRequest}/approve`, {}, { token: t.eoc });
    id.pledge = (await c.ok('/pledges', { memberId: m.pmi, incidentId: inc.flood, lines: lines([i.kit, 5]), expectedBy: neededBy }, { token: t.pmi })).body.id;
    id.otherPledge = (await c.ok('/pledges', { memberId: m.distributor, incidentId: inc.flood, lines: lines([i.rice, 5]), expectedBy: neededBy }, { token: t.distributor })).body.id;
    await c.ok(`/warehouses/${w.main}/stock/receipts`, { source: { kind: 'procurement', reference: 'PO-1' }, lines: lines([i.rice, 50]) }, { token: t.warehouse });
    await c.ok(`/warehouses/${w.pmi}/stock/receipts`, { source: { kind: 'procurement', reference: 'PO-2' }, lines: lines([i.water, 50]) }, { token: t.warehousePmi });
    id.dispatch = (await c.ok('/dispatches', { warehouseId: w.main, destination: { kind: 'site', siteId: s.pemayung }, requestId: id.request, lines: lines([i.rice, 20]) }, { token: t.eoc })).body.id;
    await c.ok(`/dispatches/${id.dispatch}/depart`, { vehicle: 'BH 1', driver: 'Pak Yusuf', waybillNumber: 'SJ/1' }, { token: t.warehouse });
    await c.ok(`/dispatches/${id.dispatch}/receipt`, { receivedBy: 'Ibu Sari', lines: [{ itemId: i.rice, received: 20 }] }, { token: t.site });
    id.pmiDispatch = (await c.ok('/dispatches', { warehouseId: w.pmi, destination: { kind: 'site', siteId: s.sengeti }, requestId: id.otherRequest, lines: lines([i.water, 10]) }, { token: t.eoc })).body.id;
    await stack.settle();
  }, 120_000);

  afterAll(async () => {
    await stack?.close();
  });

  /** [what, OpenAPI route it exercises, path, expected status per role] */
  const table = (): Array<[string, string, () => string, Expect]> => [
    // queries
    ['stock', '/query/stock', () => '/query/stock', row(200, 200, 200, 403, 200, 200, 200)],
    ['stock of own warehouse', '/query/stock', () => `/query/stock?warehouseId=${w.main}`, row(200, 200, 403, 403, 200, 200, 200)],
    ["stock of PMI's warehouse", '/query/stock', () => `/query/stock?warehouseId=${w.pmi}`, row(200, 403, 200, 403, 200, 200, 200)],
    ['stock by district', '/query/stock/by-district', () => '/query/stock/by-district', FULL],
    ['items stock is kept of', '/query/stock/items', () => '/query/stock/items', row(200, 200, 200, 403, 200, 200, 200)],
    ['requests', '/query/requests', () => '/query/requests', row(200, 403, 403, 200, 200, 200, 200)],
    ["another site's requests", '/query/requests', () => `/query/requests?siteId=${s.sengeti}`, row(200, 403, 403, 403, 200, 200, 200)],
    ['own request', '/query/requests/{requestId}', () => `/query/requests/${id.request}`, row(200, 403, 403, 200, 200, 200, 200)],
    ["another site's request", '/query/requests/{requestId}', () => `/query/requests/${id.otherRequest}`, row(200, 403, 403, 403, 200, 200, 200)],
    ['pledges', '/query/pledges', () => '/query/pledges', row(200, 403, 200, 403, 200, 200, 200)],
    ["another member's pledges", '/query/pledges', () => `/query/pledges?memberId=${m.distributor}`, row(200, 403, 403, 403, 200, 200, 200)],
    ['own pledge', '/query/pledges/{pledgeId}', () => `/query/pledges/${id.pledge}`, row(200, 403, 200, 403, 200, 200, 200)],
    ["another member's pledge", '/query/pledges/{pledgeId}', () => `/query/pledges/${id.otherPledge}`, row(200, 403, 403, 403, 200, 200, 200)],
    ['pledge records', '/query/members/pledge-records', () => '/query/members/pledge-records', row(200, 403, 200, 403, 200, 200, 200)],
    ['shipments', '/query/shipments', () => '/query/shipments', EVERYONE],
    ['shipment from gd-bpbd-jambi to Pemayung', '/query/shipments/{dispatchId}', () => `/query/shipments/${id.dispatch}`, row(200, 200, 403, 200, 200, 200, 200)],
    ['shipment from PMI to Sengeti', '/query/shipments/{dispatchId}', () => `/query/shipments/${id.pmiDispatch}`, row(200, 403, 200, 403, 200, 200, 200)],
    ['gap matrix', '/query/incidents/{incidentId}/gap-matrix', () => `/query/incidents/${inc.flood}/gap-matrix`, FULL],
    ['plan readiness', '/query/readiness/plans', () => '/query/readiness/plans', FULL],
    ['member readiness', '/query/readiness/members', () => '/query/readiness/members', row(200, 403, 200, 403, 200, 200, 200)],
    // audit over the event store
    ['trail', '/audit/requests/{requestId}/trail', () => `/audit/requests/${id.request}/trail`, AUDIT],
    ['trail page', '/audit/requests/{requestId}/trail', () => `/audit/requests/${id.request}/trail?format=html`, AUDIT],
    ['actor history', '/audit/actors/{actor}', () => '/audit/actors/pusdalops-1', AUDIT],
    ['member history', '/audit/members/{memberId}', () => `/audit/members/${m.pmi}`, AUDIT],
    ['stream history', '/audit/streams/{streamId}', () => `/audit/streams/request-${id.request}`, AUDIT],
    ['verify', '/audit/verify', () => '/audit/verify', AUDIT],
    ['request as of', '/audit/as-of/requests/{requestId}', () => `/audit/as-of/requests/${id.request}`, AUDIT],
    ['dispatch as of', '/audit/as-of/dispatches/{dispatchId}', () => `/audit/as-of/dispatches/${id.dispatch}`, AUDIT],
    ['stock as of', '/audit/as-of/warehouses/{warehouseId}/stock', () => `/audit/as-of/warehouses/${w.main}/stock`, AUDIT],
    ['gap matrix as of', '/audit/as-of/incidents/{incidentId}/gap-matrix', () => `/audit/as-of/incidents/${inc.flood}/gap-matrix`, AUDIT],
    // the BAST: audit, and the two parties that sign it (the sending warehouse's officer, the receiving site's)
    ['BAST (HTML)', '/audit/dispatches/{dispatchId}/bast', () => `/audit/dispatches/${id.dispatch}/bast`, row(403, 200, 403, 200, 403, 200, 200)],
    ['BAST (PDF)', '/audit/dispatches/{dispatchId}/bast', () => `/audit/dispatches/${id.dispatch}/bast?format=pdf`, row(403, 200, 403, 200, 403, 200, 200)],
    ['BAST of a dispatch not delivered, not theirs', '/audit/dispatches/{dispatchId}/bast', () => `/audit/dispatches/${id.pmiDispatch}/bast`, row(403, 403, 403, 403, 403, 409, 409)],
    // live and dashboard
    ['live changes', '/events/stream', () => '/events/stream', EVERYONE],
    ['dashboard page', '/dashboard', () => '/dashboard', PUBLIC],
    ['dashboard incidents', '/query/dashboard/incidents', () => '/query/dashboard/incidents', FULL],
    ['dashboard figures', '/query/dashboard/incidents/{incidentId}/figures', () => `/query/dashboard/incidents/${inc.flood}/figures`, FULL],
    ['dashboard timeline', '/query/dashboard/incidents/{incidentId}/timeline', () => `/query/dashboard/incidents/${inc.flood}/timeline`, FULL],
    ['dashboard stock by category', '/query/dashboard/stock-by-category', () => '/query/dashboard/stock-by-category', FULL],
    ['dashboard places', '/query/dashboard/places', () => '/query/dashboard/places', FULL],
    // platform
    ['health', '/health', () => '/health', PUBLIC],
    ['readiness probe', '/health/ready', () => '/health/ready', PUBLIC],
    ['metrics', '/metrics', () => '/metrics', PUBLIC],
  ];

  const tokenOf = (who: Who): string | undefined => (who === 'none' ? undefined : who === 'member' ? t.pmi : t[who]);

  /** Status only: a stream (SSE) is cut once its headers are in. */
  async function statusOf(path: string, token: string | undefined): Promise<{ status: number; error?: string }> {
    const ac = new AbortController();
    const r = await fetch(`${stack.queryUrl}${path}`, { headers: token ? { Authorization: `Bearer ${token}` } : {}, signal: ac.signal });
    if (r.status < 400) {
      ac.abort();
      return { status: r.status };
    }
    return { status: r.status, error: ((await r.json()) as Loose).error };
  }

  it.each(table().map(([what, route, path, expected]) => [what, route, path, expected] as const))('%s (%s)', async (_what, _route, path, expected) => {
    const got: Partial<Expect> = {};
    for (const who of WHO) {
      const { status, error } = await statusOf(path(), tokenOf(who));
      got[who] = status;
      if (status === 403) expect([who, error]).toEqual([who, expect.stringMatching(/^(role-not-allowed|out-of-scope)$/)]);
      if (status === 401) expect([who, error]).toEqual([who, 'unauthorized']);
    }
    expect(got).toEqual(expected);
  });

  it('covers every GET route the OpenAPI document lists', async () => {
    const doc = (await (await stack.get('/docs-json')).json()) as Loose;
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>)
      .filter(([, ops]) => 'get' in ops)
      .map(([p]) => p);
    const covered = new Set(table().map(([, route]) => route));
    expect(documented.filter((p) => !covered.has(p))).toEqual([]);
    expect(documented.length).toBeGreaterThan(25);
  });
});
