import { issueToken } from '@lumbung/platform';
import { drive } from '../bench-support';
import { BenchHttpClient } from './bench-http.client';

/**
 * The cluster the command benchmark runs on, registered through the API like a real one: one
 * incident in emergency, a small catalogue, `warehouses` warehouses each serving its own posko with
 * plenty of stock and its own approved request(s), and `departed` dispatches planned and departed,
 * waiting for the receipts of the measured phase.
 */
export interface SeedOptions {
  warehouses: number;
  requestsPerWarehouse: number;
  /**
   * Dispatches planned and departed during the seeding, one real receipt each in the measured phase:
   * at least `minDeparted`; then as many as `departedFor` asks given the seeding's rate (commands/s).
   */
  minDeparted: number;
  departedFor?: (seedCommandsPerSecond: number) => number;
  concurrency: number;
}

export interface Line {
  itemId: string;
  quantity: number;
}

export interface BenchWarehouse {
  warehouseId: string;
  siteId: string;
  requestIds: string[];
}

export interface DepartedDispatch {
  dispatchId: string;
  siteId: string;
  lines: Line[];
}

export interface SeededCluster {
  eocToken: string;
  /** site officer of each posko: receipts are recorded by the destination */
  siteTokens: Map<string, string>;
  warehouses: BenchWarehouse[];
  items: string[];
  departed: DepartedDispatch[];
  /** commands sent during the seeding */
  commands: number;
  seconds: number;
}

const MEMBER = 'bpbd-bench';
const INCIDENT = 'banjir-bench';
const DISTRICTS = ['Batanghari', 'Muaro Jambi', 'Kota Jambi', 'Tebo', 'Sarolangun'];
export const BENCH_ITEMS = [
  { itemId: 'rice-5kg', code: 'FD-RICE-5', name: 'Beras 5 kg', unit: 'sack', category: 'food' },
  { itemId: 'family-kit', code: 'NF-FAMKIT', name: 'Family kit', unit: 'set', category: 'non-food' },
  { itemId: 'water-600ml', code: 'WS-WATER-600', name: 'Air minum 600 ml (karton 24)', unit: 'carton', category: 'wash', packSize: 24 },
  { itemId: 'noodles', code: 'FD-NOODLE', name: 'Mi instan (karton 40)', unit: 'carton', category: 'food' },
] as const;
/** On hand per item and warehouse, and approved per item and request: never the limit in a run. */
const PLENTY = 10_000_000;
const TOKEN_TTL = '12h';

const pad = (n: number) => String(n + 1).padStart(3, '0');

/** The lines of the n-th dispatch: one to three items, small quantities, varied. */
export function dispatchLines(n: number): Line[] {
  const count = 1 + (n % 3);
  return Array.from({ length: count }, (_, k) => ({ itemId: BENCH_ITEMS[(n + k) % BENCH_ITEMS.length].itemId, quantity: 1 + ((n * 7 + k) % 5) }));
}

export async function seedCluster(baseUrl: string, secret: string, o: SeedOptions): Promise<SeededCluster> {
  const t0 = Date.now();
  const c = new BenchHttpClient(baseUrl);
  const admin = issueToken(secret, { sub: 'bench-admin', role: 'admin' }, TOKEN_TTL);
  const eocToken = issueToken(secret, { sub: 'bench-pusdalops', role: 'eoc', member: MEMBER }, TOKEN_TTL);
  const warehouses: BenchWarehouse[] = Array.from({ length: o.warehouses }, (_, w) => ({ warehouseId: `gd-bench-${pad(w)}`, siteId: `posko-bench-${pad(w)}`, requestIds: [] }));
  const siteTokens = new Map(warehouses.map((w) => [w.siteId, issueToken(secret, { sub: `koordinator-${w.siteId}`, role: 'site', site: w.siteId }, TOKEN_TTL)]));
  let commands = 0;
  const ok = async (path: string, json: unknown, token: string) => {
    const r = await c.ok(path, json, token);
    commands++;
    return r;
  };
  const phase = (label: string, total: number, op: (n: number) => Promise<unknown>) =>
    drive(total, Math.min(o.concurrency, total), 1, async (_w, n) => void (await op(n)), `seed: ${label}`);

  await ok('/members', { memberId: MEMBER, name: 'BPBD (benchmark)', kind: 'government' }, admin);
  await phase('reference data', 1 + BENCH_ITEMS.length + 2 * o.warehouses, async (n) => {
    if (n === 0) return ok('/incidents', { incidentId: INCIDENT, name: 'Banjir (benchmark)', type: 'flood', districts: DISTRICTS, phase: 'emergency' }, admin);
    if (n <= BENCH_ITEMS.length) return ok('/items', BENCH_ITEMS[n - 1], admin);
    const k = n - 1 - BENCH_ITEMS.length;
    const w = warehouses[k >> 1];
    const i = k >> 1;
    const district = DISTRICTS[i % DISTRICTS.length];
    const lat = -1.6 + (i % 10) / 100;
    const lon = 103.4 + Math.floor(i / 10) / 100;
    return k % 2 === 0
      ? ok('/warehouses', { warehouseId: w.warehouseId, name: `Gudang ${w.warehouseId}`, ownerMemberId: MEMBER, district, lat, lon }, admin)
      : ok('/sites', { siteId: w.siteId, name: `Posko ${w.siteId}`, type: 'posko', district, lat: lat - 0.05, lon: lon - 0.05 }, admin);
  });
  const everything = BENCH_ITEMS.map((i) => ({ itemId: i.itemId, quantity: PLENTY }));
  await phase('stock receipts', o.warehouses, (w) =>
    ok(`/warehouses/${warehouses[w].warehouseId}/stock/receipts`, { source: { kind: 'procurement', reference: `PO-BENCH-${pad(w)}` }, lines: everything }, eocToken),
  );
  const neededBy = new Date(Date.now() + 7 * 86_400_000).toISOString();
  await phase('requests submitted and approved', o.warehouses * o.requestsPerWarehouse, async (n) => {
    const w = warehouses[n % o.warehouses];
    const submitted = await ok('/requests', { siteId: w.siteId, incidentId: INCIDENT, priority: 'urgent', neededBy, lines: everything }, siteTokens.get(w.siteId) as string);
    const requestId = submitted.body?.id as string;
    await ok(`/requests/${requestId}/approve`, {}, eocToken);
    w.requestIds.push(requestId);
  });
  const departed: DepartedDispatch[] = [];
  const planAndDepart = async (n: number) => {
    const w = warehouses[n % o.warehouses];
    const lines = dispatchLines(n);
    const requestId = w.requestIds[Math.floor(n / o.warehouses) % w.requestIds.length];
    const planned = await ok('/dispatches', { warehouseId: w.warehouseId, destination: { kind: 'site', siteId: w.siteId }, requestId, lines }, eocToken);
    const dispatchId = planned.body?.id as string;
    await ok(`/dispatches/${dispatchId}/depart`, { vehicle: `BH ${8000 + (n % 1000)} KA (truck)`, driver: 'Pak Yusuf', waybillNumber: `SJ/BENCH/${n}` }, eocToken);
    departed.push({ dispatchId, siteId: w.siteId, lines });
  };
  const first = await phase('dispatches planned and departed', o.minDeparted, planAndDepart);
  const wanted = Math.max(o.minDeparted, Math.ceil(o.departedFor?.((2 * o.minDeparted) / first.seconds) ?? 0));
  if (wanted > o.minDeparted) await phase('more dispatches planned and departed', wanted - o.minDeparted, (n) => planAndDepart(o.minDeparted + n));
  return { eocToken, siteTokens, warehouses, items: BENCH_ITEMS.map((i) => i.itemId), departed, commands, seconds: (Date.now() - t0) / 1000 };
}
