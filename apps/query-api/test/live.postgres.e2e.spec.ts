import type { AddressInfo } from 'node:net';
import type { EventStore } from '@lumbung/event-store';
import { EVENT_STORE, READ_MODEL_CHANGES } from '@lumbung/platform';
import { openReadModel, readModelChangesFor, ReadModelWriter, type ReadModelChanges } from '@lumbung/read-model';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { DataSource } from 'typeorm';
import { feed } from '../../../libs/read-model/src/testing/read-model-testing';
import { createTestSchema, describeWithPostgres, type TestSchema } from '../../../test/support/postgres';
import { cluster, registerCluster, tokens, type Tokens } from '../../command-api/test/support/cluster.fixture';
import { startCommandApi, type RunningApi } from '../../command-api/test/support/command-api.harness';
import { LumbungClient } from '../../command-api/test/support/lumbung.client';
import { createQueryApi } from '../src/app.factory';
import { SseClient } from './live.support';

const { warehouses: w, sites: s, items: i, incidents: inc } = cluster;
const lines = (...l: Array<[string, number]>) => l.map(([itemId, quantity]) => ({ itemId, quantity }));

/**
 * Distributed wiring on the real PostgreSQL: the command API writes events; a projector's writer
 * (built as apps/projector builds it: ReadModelWriter with readModelChangesFor, so NOTIFY in each
 * batch's transaction) applies them; the query API, in its own Nest app with its own read-model
 * DataSource, LISTENs and streams the changes to SSE clients.
 */
describeWithPostgres('live changes, distributed on PostgreSQL: writer NOTIFY -> query API LISTEN -> SSE', () => {
  let schema: TestSchema;
  let commands: RunningApi;
  let c: LumbungClient;
  let t: Tokens;
  let store: EventStore;
  let writerDs: DataSource;
  let writer: ReadModelWriter;
  let projectorChanges: ReadModelChanges;
  let query: NestExpressApplication;
  let queryUrl: string;
  let closed = false;
  const logs: string[] = [];
  const streams: SseClient[] = [];

  /** What the projector does: apply what the store has sealed since its checkpoint. */
  const project = async () => {
    const st = store as EventStore & { settle?: () => Promise<void> };
    if (typeof st.settle === 'function') await st.settle();
    await feed(store, writer, 250, 'kafka-test');
  };
  const open = async (path: string, headers: Record<string, string> = {}) => {
    const sse = await SseClient.open(`${queryUrl}${path}`, headers);
    streams.push(sse);
    return sse;
  };

  beforeAll(async () => {
    schema = await createTestSchema('live_e2e');
    commands = await startCommandApi({
      LUMBUNG_STORE: 'postgres',
      DATABASE_URL: schema.connectionString,
      DATABASE_SCHEMA: schema.schema,
      LUMBUNG_TOKEN_SECRET: 'e2e-secret-that-is-long-enough-for-hs256',
      LOG_LEVEL: 'warn',
    });
    store = commands.app.get<EventStore>(EVENT_STORE);
    c = new LumbungClient(commands);
    t = tokens(c);
    writerDs = await openReadModel({ type: 'postgres', url: schema.connectionString, schema: schema.schema, poolSize: 3 });
    projectorChanges = readModelChangesFor(writerDs);
    writer = new ReadModelWriter(writerDs, { changes: projectorChanges });
    query = await createQueryApi({ ...commands.config, logLevel: 'info' }, { store, shutdownHooks: false, logDestination: { write: (line: string) => void logs.push(line) } });
    await query.listen(0, '127.0.0.1');
    queryUrl = `http://127.0.0.1:${(query.getHttpServer().address() as AddressInfo).port}`;
    await registerCluster(c, t);
    await project();
  }, 120_000);

  afterAll(async () => {
    for (const sse of streams) sse.close();
    if (!closed) await query?.close();
    await commands?.close();
    await projectorChanges?.close();
    await writerDs?.destroy();
    await schema?.drop();
  });

  it('streams a receipt recorded through the command API to a commander, token in the query string', async () => {
    const sse = await open(`/events/stream?access_token=${t.commander}`);
    expect(sse.status).toBe(200);
    expect(sse.contentType).toMatch(/^text\/event-stream/);
    await sse.next('ready');
    expect(sse.retry).toBeGreaterThan(0);
    // the query API listens on its own connection, through the READ_MODEL_CHANGES of its own process
    expect(query.get<ReadModelChanges & { listening?: boolean }>(READ_MODEL_CHANGES).listening).toBe(true);

    await c.ok(`/warehouses/${w.main}/stock/receipts`, { source: { kind: 'procurement', reference: 'PO-9' }, lines: lines([i.rice, 200], [i.kit, 50]) }, { token: t.warehouse });
    const requestId = (await c.ok('/requests', { siteId: s.pemayung, incidentId: inc.flood, priority: 'urgent', neededBy: '2024-03-06T12:00:00+07:00', lines: lines([i.rice, 60]) }, { token: t.site })).body.id;
    await c.ok(`/requests/${requestId}/approve`, {}, { token: t.eoc });
    const dispatchId = (await c.ok('/dispatches', { warehouseId: w.main, destination: { kind: 'site', siteId: s.pemayung }, requestId, lines: lines([i.rice, 60]) }, { token: t.eoc })).body.id;
    await c.ok(`/dispatches/${dispatchId}/depart`, { vehicle: 'BH 8123 KA', driver: 'Pak Yusuf', waybillNumber: 'SJ/1' }, { token: t.warehouse });
    await project();
    const planned = await sse.next('changed', (d) => (d.requests as string[]).includes(requestId));
    const before = sse.events.indexOf(planned) + 1;

    await c.ok(`/dispatches/${dispatchId}/receipt`, { receiptId: 'BAST-1', receivedBy: 'Ibu Sari', lines: [{ itemId: i.rice, received: 58, reason: '2 sacks short' }] }, { token: t.site });
    await project();
    const e = await sse.next('changed', (d) => (d.tables as string[]).includes('rm_shipments') && (d.requests as string[]).includes(requestId), 10_000, before);
    expect(e.data).toMatchObject({ incidents: [inc.flood], sites: [s.pemayung], requests: [requestId] });
    expect(e.data.warehouses).toContain(w.main);
    expect(e.data.members).toContain(cluster.members.bpbd);
    expect(Number(e.id)).toBe(e.data.position);

  });

  it('filters by incident: another incident’s requests are left out, stock moves reach every incident', async () => {
    const flood = await open(`/events/stream?incident=${inc.flood}`, { Authorization: `Bearer ${t.eoc}` });
    const prep = await open(`/events/stream?incident=${inc.prep}`, { Authorization: `Bearer ${t.eoc}` });
    await Promise.all([flood.next('ready'), prep.next('ready')]);
    const requestId = (await c.ok('/requests', { siteId: s.sengeti, incidentId: inc.flood, priority: 'normal', neededBy: '2024-03-07T12:00:00+07:00', lines: lines([i.water, 5]) }, { token: t.siteSengeti })).body.id;
    await c.ok(`/requests/${requestId}/approve`, {}, { token: t.eoc });
    await project();
    await flood.next('changed', (d) => (d.requests as string[]).includes(requestId));
    await c.ok(`/warehouses/${w.tebo}/stock/receipts`, { source: { kind: 'procurement', reference: 'PO-T' }, lines: lines([i.noodles, 10]) }, { token: t.warehouseTebo });
    await project();
    await prep.next('changed', (d) => (d.warehouses as string[]).includes(w.tebo));
    await flood.next('changed', (d) => (d.warehouses as string[]).includes(w.tebo));
    expect(prep.changes.some((e) => (e.data.requests as string[]).includes(requestId))).toBe(false);
  });

  it('lets a warehouse officer hear only of its own warehouses, with only their ids', async () => {
    const pmi = await open('/events/stream', { Authorization: `Bearer ${t.warehousePmi}` });
    await pmi.next('ready');
    await c.ok(`/warehouses/${w.main}/stock/receipts`, { source: { kind: 'procurement', reference: 'PO-M' }, lines: lines([i.water, 10]) }, { token: t.warehouse });
    await project();
    await c.ok(`/warehouses/${w.pmi}/stock/receipts`, { source: { kind: 'procurement', reference: 'PO-P' }, lines: lines([i.water, 20]) }, { token: t.warehousePmi });
    await project();
    const e = await pmi.next('changed');
    expect(e.data).toEqual({ position: e.data.position, at: e.data.at, projections: ['stock'], tables: expect.arrayContaining(['rm_stock']), warehouses: [w.pmi] });
    await new Promise((r) => setTimeout(r, 200));
    expect(pmi.changes).toHaveLength(1);
  });

  it('serves repeated reads from the read cache until the read models announce a change', async () => {
    const get = async (path: string, token: string, headers: Record<string, string> = {}) => {
      const res = await fetch(`${queryUrl}${path}`, { headers: { Authorization: `Bearer ${token}`, ...headers } });
      return { status: res.status, cache: res.headers.get('x-lumbung-cache'), type: res.headers.get('content-type'), text: await res.text() };
    };
    const path = `/query/stock?warehouseId=${w.pmi}&itemId=${i.water}`;
    const onHand = (text: string) => (JSON.parse(text) as { items: Array<{ on_hand: number }> }).items[0]?.on_hand;
    const sse = await open(`/events/stream?access_token=${t.commander}`);
    await sse.next('ready');

    const first = await get(path, t.commander);
    expect(first).toMatchObject({ status: 200, cache: 'miss' });
    const again = await get(path, t.commander);
    expect(again).toMatchObject({ status: 200, cache: 'hit', text: first.text });
    expect(again.type).toMatch(/^application\/json/);
    // another scope is another answer; no-cache and CSV are always computed
    expect(await get(path, t.warehousePmi)).toMatchObject({ status: 200, cache: 'miss' });
    expect(await get(path, t.commander, { 'Cache-Control': 'no-cache' })).toMatchObject({ status: 200, cache: 'bypass', text: first.text });
    expect(await get(path, t.commander, { Accept: 'text/csv' })).toMatchObject({ status: 200, cache: 'bypass', type: expect.stringMatching(/^text\/csv/) });
    // a refusal is not kept: the same question from outside the scope is refused each time
    for (let n = 0; n < 2; n++) expect((await get(`/query/stock?warehouseId=${w.main}`, t.warehousePmi)).status).toBe(403);

    const seen = sse.events.length;
    await c.ok(`/warehouses/${w.pmi}/stock/receipts`, { source: { kind: 'procurement', reference: 'PO-C' }, lines: lines([i.water, 7]) }, { token: t.warehousePmi });
    await project();
    await sse.next('changed', (d) => (d.warehouses as string[]).includes(w.pmi), 10_000, seen);
    const after = await get(path, t.commander);
    expect(after.cache).toBe('miss');
    expect(onHand(after.text)).toBe(onHand(first.text) + 7);
    expect(await get(path, t.commander)).toMatchObject({ cache: 'hit', text: after.text });
  });

  it('refuses a stream without a token (401) and to a bad one, and validates its query', async () => {
    const none = await open('/events/stream');
    expect(none.status).toBe(401);
    const bad = await open('/events/stream?incident=x&access_token=not.a.token');
    expect(bad.status).toBe(401);
    // The token never reaches the log: it is taken out of the URL before the request is logged.
    await new Promise((r) => setTimeout(r, 50));
    const refused = logs.map((l) => JSON.parse(l) as { req?: { url?: string }; res?: { statusCode?: number } }).find((l) => l.res?.statusCode === 401 && l.req?.url?.includes('incident=x'));
    expect(refused?.req?.url).toBe('/events/stream?incident=x');
    expect(logs.join('\n')).not.toContain('not.a.token');
    expect(logs.join('\n')).not.toContain(t.commander);
    const odd = await open(`/events/stream?access_token=${t.commander}&since=yesterday`);
    expect(odd.status).toBe(400);
    expect(odd.events[0].data).toMatchObject({ errors: [expect.objectContaining({ field: 'since' })] });
  });

  it('ends open streams on shutdown instead of waiting for them', async () => {
    const sse = await open(`/events/stream?access_token=${t.auditor}`);
    await sse.next('ready');
    const started = Date.now();
    await query.close();
    closed = true;
    expect(Date.now() - started).toBeLessThan(3000);
    await sse.next('shutdown', () => true, 2000);
    for (let n = 0; !sse.ended && n < 100; n++) await new Promise((r) => setTimeout(r, 20));
    expect(sse.ended).toBe(true);
  });
});
