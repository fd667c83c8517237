import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { EventStore } from '@lumbung/event-store';
import { EVENT_STORE, STORE_PROJECTOR, type StoreProjector } from '@lumbung/platform';
import { chromium, type Browser, type Page } from 'playwright-core';
import { runDemo } from '../../../scripts/demo';
import { describeIfInfra } from '../../../test/support/infra';
import { startCommandApi, type RunningApi } from '../../command-api/test/support/command-api.harness';
import { QueryApiModule } from '../src/query-api.module';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(__dirname, '..', '..', '..', 'test-artifacts');
const INCIDENT = 'banjir-batanghari-2024';

type Loose = any;

// Run in the page: self-contained functions (the page's CSP forbids evaluating strings), reaching the
// page through globalThis (the test's TypeScript has no DOM types).
/** Live stream connected, and at least n refreshes drawn. */
const loaded = (n: number) => (globalThis as Loose).lumbungDashboard?.connected === true && Number((globalThis as Loose).document.body.dataset.refreshes) >= n;
const tileIs = ([testId, v]: string[]) => (globalThis as Loose).document.querySelector(`[data-testid="${testId}"] .tile-value`)?.getAttribute('data-value') === v;

/**
 * The commander dashboard in a real browser (Debian's Chromium through playwright-core) against the
 * embedded app as `npm start` runs it (command API, in-process projections, the query routes, on a
 * temporary SQLite store), loaded with the demo's Batanghari flood. The figures on the page are
 * compared with what the query API answers; a receipt posted through the command API must show up
 * without a reload (server-sent events).
 */
describeIfInfra('commander dashboard in Chromium (embedded app, demo scenario)', existsSync(CHROMIUM), () => {
  let api: RunningApi;
  let browser: Browser;
  let page: Page;
  let tokens: Record<string, string>;
  const consoleErrors: string[] = [];
  const foreignRequests: string[] = [];
  const apiPaths = new Set<string>();

  const get = async (path: string, token = tokens.commander): Promise<Loose> => {
    const r = await api.call(path, { token });
    if (r.status !== 200) throw new Error(`GET ${path} answered ${r.status}: ${await r.text()}`);
    return r.json();
  };
  const post = async (path: string, token: string, body: unknown): Promise<void> => {
    const r = await api.call(path, { token, json: body });
    if (r.status >= 300) throw new Error(`POST ${path} answered ${r.status}: ${await r.text()}`);
  };
  /** Until the read models hold everything the store has. */
  const settle = async () => {
    const store = api.app.get<EventStore>(EVENT_STORE);
    await api.app.get<StoreProjector>(STORE_PROJECTOR).waitFor(await store.headPosition());
  };
  const value = (testId: string) => page.locator(`[data-testid="${testId}"] .tile-value`).getAttribute('data-value');

  beforeAll(async () => {
    api = await startCommandApi({ LOG_LEVEL: 'warn' }, { projections: true, extraModules: [QueryApiModule.routes()] });
    ({ tokens } = await runDemo({ baseUrl: api.baseUrl, secret: api.config.tokenSecret, log: () => undefined }));
    // Open need for the gap matrix (the demo ends with every approved line dispatched): more family
    // kits and rice at Muara Bulian than Batanghari's warehouse holds, and rice and tents at
    // Sarolangun, which has no warehouse at all.
    await post('/requests', tokens.poskoMuaraBulian, {
      requestId: 'REQ-MBL-002', siteId: 'posko-muara-bulian', incidentId: INCIDENT, priority: 'urgent', neededBy: '2024-03-09T12:00:00+07:00',
      lines: [{ itemId: 'family-kit', quantity: 200 }, { itemId: 'tarpaulin', quantity: 100 }, { itemId: 'rice-5kg', quantity: 300 }],
    });
    await post('/requests', tokens.sarolangun, {
      requestId: 'REQ-SRL-002', siteId: 'posko-sarolangun', incidentId: INCIDENT, priority: 'urgent', neededBy: '2024-03-09T12:00:00+07:00',
      lines: [{ itemId: 'rice-5kg', quantity: 80 }, { itemId: 'family-tent', quantity: 40 }],
    });
    await post('/requests/REQ-MBL-002/approve', tokens.eoc, {});
    await post('/requests/REQ-SRL-002/approve', tokens.eoc, {});
    await settle();

    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking'] });
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'id-ID', timezoneId: 'Asia/Jakarta' });
    page = await context.newPage();
    page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    page.on('request', (r) => (r.url().startsWith(api.baseUrl) ? apiPaths.add(new URL(r.url()).pathname) : foreignRequests.push(r.url())));
    await page.goto(`${api.baseUrl}/dashboard#token=${tokens.commander}`);
    await page.waitForFunction(loaded, 2, { timeout: 20_000 });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await api?.close();
  });

  it('shows the incident’s key figures as the query API gives them', async () => {
    const f = await get(`/query/dashboard/incidents/${INCIDENT}/figures`);
    expect(await value('fig-requests-open')).toBe(String(f.requests.open));
    expect(await value('fig-delivered')).toBe(String(f.percent_delivered));
    expect(await value('fig-in-transit')).toBe(String(f.shipments.in_transit));
    expect(await value('fig-pledges')).toBe(String(f.pledges.outstanding_qty));
    expect(await page.locator('[data-testid="fig-overdue"]').getAttribute('data-value')).toBe(String(f.shipments.overdue));
    // and those agree with the list endpoints: open = submitted + approved requests, one shipment (DSP-005) on the road
    const approved = await get(`/query/requests?incidentId=${INCIDENT}&status=approved&limit=1`);
    const submitted = await get(`/query/requests?incidentId=${INCIDENT}&status=submitted&limit=1`);
    expect(f.requests.open).toBe(approved.total + submitted.total);
    expect(f.shipments.in_transit).toBe((await get('/query/shipments?status=in-transit&limit=1')).total);
    expect(f.shipments.in_transit).toBe(1);
    expect(f.pledges.outstanding_qty).toBe(400);
    // the incident picker names it, in Indonesian by default
    await expect(page.locator('#incident option:checked').textContent()).resolves.toContain('tanggap darurat');
    expect(await page.locator('h1').textContent()).toBe('Dasbor Komandan');
  });

  it('colours the gap matrix by shortfall per district and item, with the API’s numbers', async () => {
    const m = await get(`/query/incidents/${INCIDENT}/gap-matrix`);
    const cell = (district: string, item: string) => page.locator(`table.gap td[data-district="${district}"][data-item="${item}"]`);
    const sum = (district: string, item: string) => m.cells.filter((c: Loose) => c.district === district && c.item_id === item).reduce((a: number, c: Loose) => a + c.need, 0);
    const sarolanganRice = cell('Sarolangun', 'rice-5kg');
    expect(await sarolanganRice.getAttribute('data-need')).toBe(String(sum('Sarolangun', 'rice-5kg')));
    expect(await sarolanganRice.getAttribute('data-available')).toBe('0');
    expect(await sarolanganRice.getAttribute('class')).toContain('gap-all');
    const kits = cell('Batanghari', 'family-kit');
    const kitCell = m.cells.find((c: Loose) => c.district === 'Batanghari' && c.item_id === 'family-kit');
    expect(await kits.getAttribute('data-need')).toBe('200');
    expect(await kits.getAttribute('data-available')).toBe(String(kitCell.available_in_district));
    expect(await kits.getAttribute('class')).toContain(kitCell.available_in_district >= 200 ? 'gap-ok' : 'gap-some');
    expect(await cell('Batanghari', 'tarpaulin').getAttribute('class')).toContain('gap-ok');
    for (const i of m.items.filter((x: Loose) => x.need > 0)) {
      expect(await page.locator(`tr.total-pledged td[data-item="${i.item_id}"]`).getAttribute('data-value')).toBe(String(i.pledged));
    }
    // every incident district has its row
    for (const d of m.districts) await expect(page.locator('table.gap tbody th', { hasText: d }).count()).resolves.toBe(1);
  });

  it('draws the map, the charts, readiness and capacity from the read models, all served locally', async () => {
    const map = await get('/query/dashboard/places');
    // every place has its position in the read model (the reference projection keeps it)
    for (const p of [...map.warehouses, ...map.sites]) expect([p.id, Number.isFinite(p.lat), Number.isFinite(p.lon)]).toEqual([p.id, true, true]);
    expect(await page.locator('svg.map rect.warehouse').count()).toBe(map.warehouses.length);
    expect(await page.locator('svg.map circle.site').count()).toBe(map.sites.length);
    expect(await page.locator('svg.map circle.site.need').count()).toBe(2);
    expect(map.transit).toHaveLength(1);
    expect(await page.locator('svg.map line.transit').count()).toBe(1);
    await expect(page.locator('svg.map text.district-label', { hasText: 'Sarolangun' }).count()).resolves.toBe(1);
    const timeline = await get(`/query/dashboard/incidents/${INCIDENT}/timeline?utcOffsetMinutes=420`);
    expect(await page.locator('#deliveries-body rect.bar').count()).toBe(timeline.days.length);
    expect(await page.locator('#fill-body circle.dot').count()).toBe(timeline.days.length);
    const byCategory = (await get('/query/dashboard/stock-by-category')).items;
    expect(await page.locator('#stock-body rect.seg').count()).toBe(byCategory.flatMap((r: Loose) => Object.values(r.available)).filter((v: Loose) => v > 0).length);
    // readiness and capacity name items by the item list: the page reads no stock rows nor shipments for names and lines
    expect([...apiPaths].filter((p) => p === '/query/stock' || p === '/query/shipments')).toEqual([]);
    expect(apiPaths).toContain('/query/stock/items');
    const items = (await get('/query/stock/items')).items;
    const capacityText = await page.locator('table.capacity').textContent();
    for (const m of (await get('/query/readiness/members')).items) {
      for (const e of m.equipment_deployed) expect(capacityText).toContain(items.find((x: Loose) => x.item_id === e.item_id).name);
    }
    const plan = (await get('/query/readiness/plans')).items[0];
    expect(await page.locator(`table.readiness[data-plan="${plan.plan_id}"] .pill`).getAttribute('data-value')).toBe(String(plan.coverage_pct));
    expect(await page.locator('table.capacity tbody tr').count()).toBe(5);
    expect(foreignRequests).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });

  it('updates without a reload when a receipt is posted through the command API (server-sent events)', async () => {
    const loadedAt = await page.evaluate(() => (globalThis as Loose).lumbungDashboard.loadedAt);
    const before = await get(`/query/dashboard/incidents/${INCIDENT}/figures`);
    await post('/dispatches/DSP-005/receipt', tokens.maroSebo, {
      receiptId: 'BAST-MRS-0002', receivedBy: 'Ustaz Hamdan (takmir masjid)',
      lines: [{ itemId: 'water-600ml', received: 100 }, { itemId: 'tarpaulin', received: 97, damaged: 3, reason: 'sobek' }],
    });
    await page.waitForFunction(tileIs, ['fig-in-transit', '0'], { timeout: 10_000 });
    const after = await get(`/query/dashboard/incidents/${INCIDENT}/figures`);
    expect(after.percent_delivered).toBeGreaterThan(before.percent_delivered);
    await page.waitForFunction(tileIs, ['fig-delivered', String(after.percent_delivered)], { timeout: 10_000 });
    await expect(page.locator('svg.map line.transit').count()).resolves.toBe(0);
    const state: Loose = await page.evaluate(() => ({ ...(globalThis as Loose).lumbungDashboard, navigations: (globalThis as Loose).performance.getEntriesByType('navigation').length }));
    expect(state.loadedAt).toBe(loadedAt);
    expect(state.navigations).toBe(1);
    expect(state.changes).toBeGreaterThan(0);
    expect(state.lastChange.tables).toEqual(expect.arrayContaining(['rm_shipments']));
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true });
  });

  it('switches to English and back, and remembers the choice', async () => {
    await page.click('button[data-lang="en"]');
    expect(await page.locator('h1').textContent()).toBe('Commander dashboard');
    expect(await page.locator('[data-testid="fig-requests-open"] .tile-label').textContent()).toBe('Open requests');
    expect(await page.locator('#gap-title').textContent()).toBe('Gap matrix: need vs stock per district');
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    expect(await page.locator('button[data-lang="en"]').getAttribute('aria-pressed')).toBe('true');
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-en.png'), fullPage: true });
    // a reload keeps the language (localStorage) and the token (sessionStorage)
    await page.reload();
    await page.waitForFunction(loaded, 1, { timeout: 20_000 });
    expect(await page.locator('h1').textContent()).toBe('Commander dashboard');
    await page.click('button[data-lang="id"]');
    expect(await page.locator('[data-testid="fig-requests-open"] .tile-label').textContent()).toBe('Permintaan terbuka');
  });

  it('asks for a token, and says why one is refused', async () => {
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
    const p = await context.newPage();
    await p.goto(`${api.baseUrl}/dashboard`);
    await expect(p.locator('#signin').isVisible()).resolves.toBe(true);
    await p.fill('#token-input', tokens.pemayung);
    await p.click('#token-form button[type="submit"]');
    await p.locator('#token-error').waitFor({ state: 'visible' });
    expect(await p.locator('#token-error').textContent()).toContain('role site may not do this');
    await p.fill('#token-input', tokens.auditor);
    await p.click('#token-form button[type="submit"]');
    await p.waitForFunction(() => Number((globalThis as Loose).document.body.dataset.refreshes) >= 1, undefined, { timeout: 20_000 });
    expect(await p.locator('[data-testid="fig-in-transit"] .tile-value').getAttribute('data-value')).toBe('0');
    await context.close();
  });
});
