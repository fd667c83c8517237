import { stockLevel } from '@lumbung/domain';
import { runDemo, tokenHelp } from '../../../scripts/demo';
import { startCommandApi, type RunningApi } from './support/command-api.harness';
import { LumbungClient } from './support/lumbung.client';

/** `npm run demo` against a real running app (in-process, SQLite): the scenario loads, and loads once. */
describe('npm run demo', () => {
  let api: RunningApi;
  let c: LumbungClient;

  beforeAll(async () => {
    api = await startCommandApi({ LUMBUNG_STORE: 'sqlite', LOG_LEVEL: 'warn' });
    c = new LumbungClient(api);
  });
  afterAll(() => api?.close());

  it('loads the Batanghari flood scenario through the API; a second run doubles nothing', async () => {
    const progress: string[] = [];
    const first = await runDemo({ baseUrl: api.baseUrl, secret: api.config.tokenSecret, log: (l) => progress.push(l) });
    expect(first.steps).toBeGreaterThan(100);
    expect(first.replayed).toBe(0);
    expect(progress.join('\n')).toContain('tanggap darurat');

    // Stock in the provincial warehouse: opening stock, pre-positioned out, a pledge in, dispatches out.
    const prov = await c.state('stock', 'gd-bpbd-prov');
    expect(stockLevel(prov, 'rice-5kg')).toMatchObject({ onHand: 1050, reserved: 0, available: 1050 });
    expect(stockLevel(prov, 'blanket')).toMatchObject({ onHand: 1088 });
    expect(stockLevel(prov, 'water-600ml')).toMatchObject({ onHand: 600 });
    expect(stockLevel(prov, 'generator-5kva')).toMatchObject({ onHand: 4, deployed: 2 });
    expect(stockLevel(prov, 'rubber-boat')).toMatchObject({ onHand: 4, deployed: 0 });
    expect(stockLevel(await c.state('stock', 'gd-bpbd-batanghari'), 'tarpaulin')).toMatchObject({ onHand: 298 });
    expect(stockLevel(await c.state('stock', 'gd-dinsos-jambi'), 'ready-meal')).toMatchObject({ onHand: 995 });

    // Pledges: one partly delivered into a warehouse, one delivered directly, one withdrawn, one declined.
    const rice = await c.state('pledge', 'PLG-BRS-001');
    expect(rice).toMatchObject({ status: 'accepted', lines: [{ itemId: 'rice-5kg', pledged: 1000, delivered: 600 }] });
    expect((await c.state('pledge', 'PLG-PMI-001')).status).toBe('fulfilled');
    expect((await c.state('pledge', 'PLG-FPRB-001')).status).toBe('withdrawn');
    expect((await c.state('pledge', 'PLG-PMI-002')).status).toBe('declined');

    // Requests and dispatches in each state; receipts with short and damaged lines.
    expect((await c.state('request', 'REQ-TBI-001')).status).toBe('rejected');
    expect((await c.state('request', 'REQ-PMY-001')).status).toBe('closed');
    expect((await c.state('dispatch', 'DSP-005')).status).toBe('in-transit');
    expect((await c.state('dispatch', 'DSP-006')).status).toBe('cancelled');
    const delivered = (await c.events('dispatch-DSP-001')).find((e) => e.type === 'DispatchDelivered')!;
    expect(delivered.data.lines).toEqual(expect.arrayContaining([expect.objectContaining({ itemId: 'rice-5kg', received: 296, damaged: 4 })]));
    const short = (await c.events('dispatch-DSP-002')).find((e) => e.type === 'DispatchDelivered')!;
    expect(short.data.lines).toEqual(expect.arrayContaining([expect.objectContaining({ itemId: 'water-600ml', received: 195, short: 5 })]));
    expect((await c.state('incident', 'banjir-batanghari-2024')).phase).toBe('emergency');

    // Idempotent: the second run is answered from the first, and writes nothing.
    const head = await c.settledHead();
    const second = await runDemo({ baseUrl: api.baseUrl, secret: api.config.tokenSecret, log: () => undefined });
    expect(second.steps).toBe(first.steps);
    expect(second.replayed).toBe(second.steps);
    expect(await c.settledHead()).toBe(head);

    // The printed tokens work: a commander reads only.
    const help = tokenHelp(api.baseUrl, first.tokens);
    expect(help).toContain('TOKEN_EOC=');
    const refused = await c.send('/requests/REQ-MBL-001/close', {}, { token: first.tokens.commander });
    expect(refused.status).toBe(403);
  });
});
