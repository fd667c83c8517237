/**
 * Loads a realistic scenario into a running lumbung THROUGH ITS HTTP API: a Batanghari river flood
 * in Jambi province, from the reference data and the capacity register through pre-positioning,
 * the emergency, requests, pledges, dispatches and receipts (some short, some damaged).
 *
 *   npm start                  # in one terminal
 *   npm run demo               # in another (LUMBUNG_URL, default http://localhost:3000)
 *
 * Tokens are minted with the app's own secret, read the same way the app reads it
 * (LUMBUNG_TOKEN_SECRET, or <LUMBUNG_DATA>/token-secret in embedded mode). Every step carries an
 * Idempotency-Key, so running the demo twice changes nothing the second time.
 */
import { issueToken } from '@lumbung/platform/auth/token';
import type { TokenClaims } from '@lumbung/platform/auth/principal';
import { ConfigError, loadConfig } from '@lumbung/platform/config';
import { incident, items, lines, members, openingStock, sites, warehouses } from './demo/scenario';

export interface DemoOptions {
  /** the running app, e.g. http://localhost:3000 */
  baseUrl: string;
  /** the app's token secret */
  secret: string;
  /** progress lines (default: console.log) */
  log?: (line: string) => void;
  /** lifetime of the tokens printed at the end (default 12h) */
  ttl?: string;
}

export interface DemoResult {
  /** commands sent */
  steps: number;
  /** of which answered as retries of an earlier run (Idempotent-Replayed) */
  replayed: number;
  /** a token per user of the scenario */
  tokens: Record<string, string>;
}

/** The people of the scenario, each with a role (and the member, warehouses or site it acts for). */
const users = {
  admin: { sub: 'demo-admin', role: 'admin' },
  eoc: { sub: 'pusdalops-jambi', role: 'eoc', member: 'bpbd-jambi' },
  commander: { sub: 'dansatgas-banjir-jambi', role: 'commander' },
  auditor: { sub: 'inspektorat-jambi', role: 'auditor' },
  gudangProvinsi: { sub: 'gudang-bpbd-prov', role: 'warehouse', member: 'bpbd-jambi', warehouses: ['gd-bpbd-prov'] },
  gudangBatanghari: { sub: 'gudang-bpbd-batanghari', role: 'warehouse', member: 'bpbd-jambi', warehouses: ['gd-bpbd-batanghari'] },
  gudangTebo: { sub: 'gudang-bpbd-tebo', role: 'warehouse', member: 'bpbd-jambi', warehouses: ['gd-bpbd-tebo'] },
  gudangDinsos: { sub: 'gudang-dinsos', role: 'warehouse', member: 'dinsos-jambi', warehouses: ['gd-dinsos-jambi'] },
  gudangPmi: { sub: 'gudang-pmi', role: 'warehouse', member: 'pmi-jambi', warehouses: ['gd-pmi-jambi'] },
  pmi: { sub: 'relawan-pmi-jambi', role: 'member', member: 'pmi-jambi' },
  beras: { sub: 'ud-beras-batanghari', role: 'member', member: 'beras-batanghari' },
  fprb: { sub: 'fprb-muaro-jambi', role: 'member', member: 'fprb-muaro-jambi' },
  dinsos: { sub: 'dinsos-jambi', role: 'member', member: 'dinsos-jambi' },
  poskoMuaraBulian: { sub: 'posko-muara-bulian', role: 'site', site: 'posko-muara-bulian' },
  pemayung: { sub: 'posko-pemayung', role: 'site', site: 'pengungsian-pemayung' },
  maroSebo: { sub: 'posko-maro-sebo', role: 'site', site: 'pengungsian-maro-sebo' },
  sarolangun: { sub: 'posko-sarolangun', role: 'site', site: 'posko-sarolangun' },
  teboIlir: { sub: 'desa-tebo-ilir', role: 'site', site: 'desa-tebo-ilir' },
} satisfies Record<string, TokenClaims>;
type User = keyof typeof users;

class DemoError extends Error {}

export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const base = options.baseUrl.replace(/\/+$/, '');
  const tokens = Object.fromEntries(Object.entries(users).map(([name, claims]) => [name, issueToken(options.secret, claims, options.ttl ?? '12h')])) as Record<User, string>;
  let steps = 0;
  let replayed = 0;

  /** One command; its Idempotency-Key is the step's name, so a second run is answered from the first. */
  async function step(name: string, who: User, path: string, body: unknown, method = 'POST'): Promise<Record<string, unknown>> {
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, {
        method,
        headers: { Authorization: `Bearer ${tokens[who]}`, 'Content-Type': 'application/json', 'Idempotency-Key': `demo:${name}` },
        body: JSON.stringify(body),
      });
    } catch (e) {
      throw new DemoError(`cannot reach lumbung at ${base} (${(e as Error).message}); start it with \`npm start\` or set LUMBUNG_URL`);
    }
    const text = await res.text();
    const answer = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
    if (!res.ok) throw new DemoError(`step ${name}: ${method} ${path} answered ${res.status} ${String(answer['error'])}: ${String(answer['message'])}`);
    steps += 1;
    const again = res.headers.get('idempotent-replayed') === 'true';
    if (again) replayed += 1;
    log(`  ${again ? '=' : '+'} ${name.padEnd(44)} ${res.status} ${String(answer['streamId'] ?? '')}@${String(answer['revision'] ?? '')}`);
    return answer;
  }
  const all = (...promises: Array<Promise<unknown>>) => Promise.all(promises);
  const section = (title: string) => log(`\n${title}`);

  section('1. Reference data: members, warehouses, sites, the relief item catalogue');
  await all(...members.map((m) => step(`member:${m.memberId}`, 'admin', '/members', m)));
  await all(
    ...warehouses.map((w) => step(`warehouse:${w.warehouseId}`, 'admin', '/warehouses', w)),
    ...sites.map((s) => step(`site:${s.siteId}`, 'admin', '/sites', s)),
    ...items.map((i) => step(`item:${i.itemId}`, 'admin', '/items', i)),
  );

  section('2. The flood warning: incident registered in preparedness (siaga)');
  await step('incident', 'eoc', '/incidents', { ...incident, districts: [...incident.districts], phase: 'preparedness' });

  section('3. Capacity register: what each member can mobilise');
  await all(
    step('capacity:bpbd:warehouse', 'eoc', '/members/bpbd-jambi/capacity/warehouses', { warehouseId: 'gd-bpbd-prov', capacityM3: 2400, capacityTonnes: 600 }),
    step('capacity:bpbd:trucks', 'eoc', '/members/bpbd-jambi/capacity/vehicles', { vehicleType: 'truck', payloadKg: 8000, count: 6 }),
    step('capacity:bpbd:boats', 'eoc', '/members/bpbd-jambi/capacity/equipment', { kind: 'boat', condition: 'good', count: 8, note: 'perahu karet + LCR' }),
    step('capacity:bpbd:people', 'eoc', '/members/bpbd-jambi/capacity/people', { count: 120, skills: ['TRC', 'water rescue', 'logistics'] }),
    step('capacity:dinsos:warehouse', 'dinsos', '/members/dinsos-jambi/capacity/warehouses', { warehouseId: 'gd-dinsos-jambi', capacityM3: 900 }),
    step('capacity:dinsos:kitchen', 'dinsos', '/members/dinsos-jambi/capacity/equipment', { kind: 'field-kitchen', condition: 'good', count: 3, note: 'dapur umum Tagana' }),
    step('capacity:pmi:ambulances', 'pmi', '/members/pmi-jambi/capacity/vehicles', { vehicleType: 'ambulance', payloadKg: 800, count: 4 }),
    step('capacity:pmi:tankers', 'pmi', '/members/pmi-jambi/capacity/vehicles', { vehicleType: 'water-tanker', payloadKg: 5000, count: 2 }),
    step('capacity:pmi:purifiers', 'pmi', '/members/pmi-jambi/capacity/equipment', { kind: 'water-purifier', condition: 'good', count: 2 }),
    step('capacity:pmi:people', 'pmi', '/members/pmi-jambi/capacity/people', { count: 300, skills: ['first aid', 'WASH', 'restoring family links'] }),
    step('capacity:beras:trucks', 'beras', '/members/beras-batanghari/capacity/vehicles', { vehicleType: 'truck', payloadKg: 10000, count: 3 }),
    step('capacity:fprb:boats', 'fprb', '/members/fprb-muaro-jambi/capacity/equipment', { kind: 'boat', condition: 'fair', count: 4, note: 'perahu ketek' }),
    step('capacity:fprb:people', 'fprb', '/members/fprb-muaro-jambi/capacity/people', { count: 80, skills: ['evacuation', 'dapur umum'] }),
  );

  section('4. Operations plan for floods in Batanghari: drafted, revised, activated');
  const planId = 'renops-banjir-batanghari';
  await step('plan:draft', 'eoc', '/operations-plans', {
    planId,
    name: 'Rencana operasi logistik banjir Kabupaten Batanghari',
    hazard: 'flood',
    district: 'Batanghari',
    lines: [
      { itemId: 'family-kit', quantity: 250, warehouseId: 'gd-bpbd-batanghari' },
      { itemId: 'rice-5kg', quantity: 500, warehouseId: 'gd-bpbd-batanghari' },
      { itemId: 'tarpaulin', quantity: 300, warehouseId: 'gd-bpbd-batanghari' },
    ],
  });
  await step('plan:revise', 'eoc', `/operations-plans/${planId}/revisions`, {
    lines: [
      { itemId: 'family-kit', quantity: 300, warehouseId: 'gd-bpbd-batanghari' },
      { itemId: 'rice-5kg', quantity: 500, warehouseId: 'gd-bpbd-batanghari' },
      { itemId: 'tarpaulin', quantity: 300, warehouseId: 'gd-bpbd-batanghari' },
    ],
    reason: 'kaji ulang pasca banjir 2023: 300 KK terdampak di Pemayung',
  });
  await step('plan:activate', 'eoc', `/operations-plans/${planId}/activate`, { incidentId: incident.incidentId });

  section('5. Opening stock in the warehouses');
  const officerOf: Record<string, User> = { 'gd-bpbd-prov': 'gudangProvinsi', 'gd-dinsos-jambi': 'gudangDinsos', 'gd-pmi-jambi': 'gudangPmi' };
  await all(
    ...openingStock.map((s) =>
      step(s.key, officerOf[s.warehouseId], `/warehouses/${s.warehouseId}/stock/receipts`, { receiptId: s.receiptId, source: { kind: 'procurement', reference: s.reference }, lines: s.lines }),
    ),
  );

  section('6. Pre-positioning before the water rises (preparedness)');
  await step('dispatch:PP-001:plan', 'eoc', '/dispatches', {
    dispatchId: 'PP-001',
    warehouseId: 'gd-bpbd-prov',
    destination: { kind: 'warehouse', warehouseId: 'gd-bpbd-batanghari' },
    incidentId: incident.incidentId,
    planId,
    lines: [lines('family-kit', 300), lines('rice-5kg', 500), lines('tarpaulin', 300)],
  });
  await step('dispatch:PP-001:depart', 'gudangProvinsi', '/dispatches/PP-001/depart', { vehicle: 'BH 8031 KA (truk BPBD)', driver: 'Pak Yusuf', waybillNumber: 'SJ/BPBD-JBI/2024/0101' });
  await step('dispatch:PP-001:receipt', 'gudangBatanghari', '/dispatches/PP-001/receipt', {
    receiptId: 'BAST-GD-BTH-0101',
    receivedBy: 'Pak Hasan (kepala gudang Batanghari)',
    lines: [{ itemId: 'family-kit', received: 300 }, { itemId: 'rice-5kg', received: 500 }, { itemId: 'tarpaulin', received: 298, damaged: 2, reason: 'terpal sobek saat bongkar muat' }],
  });
  await step('dispatch:PP-002:plan', 'eoc', '/dispatches', {
    dispatchId: 'PP-002',
    warehouseId: 'gd-bpbd-prov',
    destination: { kind: 'warehouse', warehouseId: 'gd-bpbd-tebo' },
    incidentId: incident.incidentId,
    lines: [lines('rice-5kg', 100), lines('family-kit', 50)],
  });
  await step('dispatch:PP-002:depart', 'gudangProvinsi', '/dispatches/PP-002/depart', { vehicle: 'BH 8032 KA (truk BPBD)', driver: 'Pak Rudi', waybillNumber: 'SJ/BPBD-JBI/2024/0102' });
  await step('dispatch:PP-002:receipt', 'gudangTebo', '/dispatches/PP-002/receipt', {
    receiptId: 'BAST-GD-TBO-0102',
    receivedBy: 'Ibu Rina (gudang Tebo)',
    lines: [{ itemId: 'rice-5kg', received: 100 }, { itemId: 'family-kit', received: 50 }],
  });

  section('7. The Batanghari overflows: emergency response (tanggap darurat)');
  await step('incident:emergency', 'eoc', `/incidents/${incident.incidentId}/phase`, { phase: 'emergency', reason: 'SK Gubernur Jambi: status tanggap darurat banjir 14 hari' });

  section('8. Requests from the posko and evacuation sites, and the EOC decisions');
  const neededBy = (day: number, hour = 12) => `2024-03-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:00:00+07:00`;
  await all(
    step('request:R-001', 'poskoMuaraBulian', '/requests', {
      requestId: 'REQ-MBL-001',
      siteId: 'posko-muara-bulian',
      incidentId: incident.incidentId,
      priority: 'life-saving',
      neededBy: neededBy(4, 18),
      lines: [lines('rice-5kg', 300), lines('water-600ml', 200), lines('family-kit', 150), lines('blanket', 400), lines('generator-5kva', 2), lines('rubber-boat', 2)],
      note: '1.240 jiwa mengungsi; listrik padam; warga terisolasi di Kampung Baru',
    }),
    step('request:R-002', 'pemayung', '/requests', {
      requestId: 'REQ-PMY-001',
      siteId: 'pengungsian-pemayung',
      incidentId: incident.incidentId,
      priority: 'urgent',
      neededBy: neededBy(5),
      lines: [lines('rice-5kg', 150), lines('noodles-carton', 100), lines('hygiene-kit', 200), lines('baby-kit', 60), lines('mattress', 150)],
      note: '450 KK di SDN 12 Pemayung, 60 balita',
    }),
    step('request:R-003', 'maroSebo', '/requests', {
      requestId: 'REQ-MRS-001',
      siteId: 'pengungsian-maro-sebo',
      incidentId: incident.incidentId,
      priority: 'urgent',
      neededBy: neededBy(5, 9),
      lines: [lines('rice-5kg', 120), lines('water-600ml', 150), lines('blanket', 200), lines('tarpaulin', 100)],
    }),
    step('request:R-004', 'sarolangun', '/requests', {
      requestId: 'REQ-SRL-001',
      siteId: 'posko-sarolangun',
      incidentId: incident.incidentId,
      priority: 'normal',
      neededBy: neededBy(7),
      lines: [lines('family-kit', 80), lines('hygiene-kit', 80)],
    }),
    step('request:R-005', 'teboIlir', '/requests', {
      requestId: 'REQ-TBI-001',
      siteId: 'desa-tebo-ilir',
      incidentId: incident.incidentId,
      priority: 'normal',
      neededBy: neededBy(8),
      lines: [lines('rice-5kg', 50)],
    }),
  );
  await all(
    step('request:R-001:approve', 'eoc', '/requests/REQ-MBL-001/approve', { lines: [{ itemId: 'rubber-boat', approved: 1, reason: 'perahu kedua dialokasikan ke Maro Sebo' }] }),
    step('request:R-002:approve', 'eoc', '/requests/REQ-PMY-001/approve', { note: 'hygiene kit dan kit bayi dipenuhi PMI' }),
    step('request:R-003:approve', 'eoc', '/requests/REQ-MRS-001/approve', { lines: [{ itemId: 'water-600ml', approved: 100, reason: 'PMI mengirim mobil tangki air bersih' }] }),
    step('request:R-004:approve', 'eoc', '/requests/REQ-SRL-001/approve', {}),
    step('request:R-005:reject', 'eoc', '/requests/REQ-TBI-001/reject', { reason: 'dipenuhi dari stok yang sudah ditempatkan di Gudang BPBD Tebo' }),
  );

  section('9. Pledges from the members');
  await all(
    step('pledge:P-001', 'beras', '/pledges', { pledgeId: 'PLG-BRS-001', memberId: 'beras-batanghari', incidentId: incident.incidentId, lines: [lines('rice-5kg', 1000)], expectedBy: neededBy(6), note: 'bertahap, 2 pengiriman' }),
    step('pledge:P-002', 'pmi', '/pledges', { pledgeId: 'PLG-PMI-001', memberId: 'pmi-jambi', requestId: 'REQ-PMY-001', lines: [lines('hygiene-kit', 200), lines('baby-kit', 60)], expectedBy: neededBy(5) }),
    step('pledge:P-003', 'fprb', '/pledges', { pledgeId: 'PLG-FPRB-001', memberId: 'fprb-muaro-jambi', incidentId: incident.incidentId, lines: [lines('ready-meal', 500)], expectedBy: neededBy(5) }),
    step('pledge:P-004', 'pmi', '/pledges', { pledgeId: 'PLG-PMI-002', memberId: 'pmi-jambi', incidentId: incident.incidentId, lines: [lines('blanket', 200)], expectedBy: neededBy(6) }),
  );
  await all(
    step('pledge:P-001:accept', 'eoc', '/pledges/PLG-BRS-001/accept', { note: 'kirim ke Gudang BPBD Provinsi' }),
    step('pledge:P-002:accept', 'eoc', '/pledges/PLG-PMI-001/accept', { note: 'kirim langsung ke SDN 12 Pemayung' }),
    step('pledge:P-003:accept', 'eoc', '/pledges/PLG-FPRB-001/accept', {}),
    step('pledge:P-004:decline', 'eoc', '/pledges/PLG-PMI-002/decline', { reason: 'selimut tercukupi dari buffer stock Dinas Sosial' }),
  );
  await step('pledge:P-003:withdraw', 'fprb', '/pledges/PLG-FPRB-001/withdraw', { reason: 'relawan dapur umum dialihkan ke evakuasi Kampung Baru' });
  await step('pledge:P-001:delivery-1', 'gudangProvinsi', '/warehouses/gd-bpbd-prov/stock/receipts', {
    receiptId: 'GRN-BPBD-2024-0150',
    source: { kind: 'pledge', pledgeId: 'PLG-BRS-001' },
    lines: [{ itemId: 'rice-5kg', quantity: 600, batch: 'UDBM-0304' }],
    note: 'pengiriman pertama dari UD Beras Batanghari Makmur',
  });

  section('10. Dispatches: planned (stock reserved), departed (issued), received (BAST)');
  const dispatch = (id: string, warehouseId: string, siteId: string, requestId: string, dispatchLines: Array<{ itemId: string; quantity: number }>) =>
    step(`dispatch:${id}:plan`, 'eoc', '/dispatches', { dispatchId: id, warehouseId, destination: { kind: 'site', siteId }, requestId, lines: dispatchLines });
  const depart = (id: string, who: User, vehicle: string, driver: string, waybillNumber: string) => step(`dispatch:${id}:depart`, who, `/dispatches/${id}/depart`, { vehicle, driver, waybillNumber });

  await dispatch('DSP-001', 'gd-bpbd-batanghari', 'posko-muara-bulian', 'REQ-MBL-001', [lines('rice-5kg', 300), lines('family-kit', 150)]);
  await dispatch('DSP-002', 'gd-bpbd-prov', 'posko-muara-bulian', 'REQ-MBL-001', [lines('water-600ml', 200), lines('blanket', 400), lines('generator-5kva', 2), lines('rubber-boat', 1)]);
  await dispatch('DSP-003', 'gd-bpbd-prov', 'pengungsian-pemayung', 'REQ-PMY-001', [lines('rice-5kg', 150), lines('noodles-carton', 100), lines('mattress', 150)]);
  await dispatch('DSP-004', 'gd-dinsos-jambi', 'pengungsian-maro-sebo', 'REQ-MRS-001', [lines('rice-5kg', 120), lines('blanket', 200)]);
  await dispatch('DSP-005', 'gd-bpbd-prov', 'pengungsian-maro-sebo', 'REQ-MRS-001', [lines('water-600ml', 100), lines('tarpaulin', 100)]);
  await dispatch('DSP-006', 'gd-bpbd-prov', 'posko-sarolangun', 'REQ-SRL-001', [lines('family-kit', 80), lines('hygiene-kit', 80)]);
  await step('dispatch:DSP-006:cancel', 'eoc', '/dispatches/DSP-006/cancel', { reason: 'jembatan Sungai Tembesi di Sarolangun putus; dialihkan lewat Bangko' });
  await dispatch('DSP-007', 'gd-bpbd-prov', 'posko-sarolangun', 'REQ-SRL-001', [lines('family-kit', 80), lines('hygiene-kit', 80)]);
  await step('dispatch:DSP-PMI:plan', 'pmi', '/dispatches', {
    dispatchId: 'DSP-PMI-001',
    memberId: 'pmi-jambi',
    pledgeId: 'PLG-PMI-001',
    destination: { kind: 'site', siteId: 'pengungsian-pemayung' },
    requestId: 'REQ-PMY-001',
    lines: [lines('hygiene-kit', 200), lines('baby-kit', 60)],
  });

  await all(
    depart('DSP-001', 'gudangBatanghari', 'BH 8110 MB (truk BPBD Batanghari)', 'Pak Amir', 'SJ/BPBD-BTH/2024/0001'),
    depart('DSP-002', 'gudangProvinsi', 'BH 8033 KA (truk BPBD)', 'Pak Yusuf', 'SJ/BPBD-JBI/2024/0110'),
    depart('DSP-003', 'gudangProvinsi', 'BH 8034 KA (truk BPBD)', 'Pak Dedi', 'SJ/BPBD-JBI/2024/0111'),
    depart('DSP-004', 'gudangDinsos', 'BH 9021 DS (truk Dinsos)', 'Pak Slamet', 'SJ/DINSOS/2024/0031'),
    depart('DSP-005', 'gudangProvinsi', 'BH 8035 KA (truk BPBD)', 'Pak Joko', 'SJ/BPBD-JBI/2024/0112'),
    depart('DSP-007', 'gudangProvinsi', 'BH 8036 KA (truk BPBD, via Bangko)', 'Pak Anton', 'SJ/BPBD-JBI/2024/0113'),
    depart('DSP-PMI-001', 'pmi', 'BH 1771 PM (pickup PMI)', 'Bang Iwan', 'SJ/PMI-JBI/2024/0009'),
  );

  const receipt = (id: string, who: User, receiptId: string, receivedBy: string, receiptLines: unknown[]) =>
    step(`dispatch:${id}:receipt`, who, `/dispatches/${id}/receipt`, { receiptId, receivedBy, lines: receiptLines });
  await all(
    receipt('DSP-001', 'poskoMuaraBulian', 'BAST-MBL-0001', 'Ibu Sari (koordinator posko)', [
      { itemId: 'rice-5kg', received: 296, damaged: 4, reason: '4 karung basah terkena hujan di bak truk' },
      { itemId: 'family-kit', received: 150 },
    ]),
    receipt('DSP-002', 'poskoMuaraBulian', 'BAST-MBL-0002', 'Ibu Sari (koordinator posko)', [
      { itemId: 'water-600ml', received: 195, reason: 'kurang 5 karton dari surat jalan' },
      { itemId: 'blanket', received: 400 },
      { itemId: 'generator-5kva', received: 2 },
      { itemId: 'rubber-boat', received: 1 },
    ]),
    receipt('DSP-003', 'pemayung', 'BAST-PMY-0001', 'Pak Darmawan (kepala sekolah)', [
      { itemId: 'rice-5kg', received: 150 },
      { itemId: 'noodles-carton', received: 97, damaged: 3, reason: '3 karton penyok dan basah' },
      { itemId: 'mattress', received: 150 },
    ]),
    receipt('DSP-004', 'maroSebo', 'BAST-MRS-0001', 'Ustaz Hamdan (takmir masjid)', [
      { itemId: 'rice-5kg', received: 120 },
      { itemId: 'blanket', received: 200 },
    ]),
    receipt('DSP-007', 'sarolangun', 'BAST-SRL-0001', 'Pak Firdaus (posko Sarolangun)', [
      { itemId: 'family-kit', received: 80 },
      { itemId: 'hygiene-kit', received: 78, reason: 'kurang 2 set' },
    ]),
    receipt('DSP-PMI-001', 'pemayung', 'BAST-PMY-0002', 'Pak Darmawan (kepala sekolah)', [
      { itemId: 'hygiene-kit', received: 200 },
      { itemId: 'baby-kit', received: 58, damaged: 2, reason: 'kemasan rusak' },
    ]),
  );

  section('11. In the warehouses: damage, stock opname, equipment back from the field');
  await step('adjust:prov:blanket', 'gudangProvinsi', '/warehouses/gd-bpbd-prov/stock/adjustments', {
    adjustmentId: 'ADJ-BPBD-2024-0007',
    itemId: 'blanket',
    quantity: 12,
    reason: 'damaged',
    note: 'atap gudang bocor, 12 selimut berjamur',
  });
  await step('count:dinsos', 'gudangDinsos', '/warehouses/gd-dinsos-jambi/stock/counts', {
    countId: 'OPNAME-DINSOS-2024-03',
    lines: [{ itemId: 'ready-meal', counted: 995 }, { itemId: 'family-kit', counted: 300 }],
    note: 'stock opname mingguan',
  });
  await step('return:DSP-002:boat', 'gudangProvinsi', '/warehouses/gd-bpbd-prov/stock/returns', {
    dispatchId: 'DSP-002',
    lines: [lines('rubber-boat', 1)],
    note: 'air surut di Kampung Baru; perahu kembali dalam kondisi baik',
  });
  await step('request:R-002:close', 'eoc', '/requests/REQ-PMY-001/close', { reason: 'semua kebutuhan terpenuhi' });

  const summary = `\n${steps} commands sent${replayed > 0 ? `, ${replayed} of them already recorded by an earlier run (nothing doubled)` : ''}.`;
  log(summary);
  return { steps, replayed, tokens };
}

/** What to paste into a terminal to try the scenario with each role. */
export function tokenHelp(baseUrl: string, tokens: Record<string, string>): string {
  const who: Array<[string, string]> = [
    ['eoc', 'EOC dispatcher (pusdalops), BPBD Provinsi Jambi'],
    ['commander', 'commander: reads only'],
    ['auditor', 'auditor: reads only'],
    ['gudangProvinsi', 'warehouse officer of gd-bpbd-prov'],
    ['gudangBatanghari', 'warehouse officer of gd-bpbd-batanghari'],
    ['pmi', 'member user of PMI Provinsi Jambi'],
    ['beras', 'member user of UD Beras Batanghari Makmur'],
    ['pemayung', 'site officer of pengungsian-pemayung'],
    ['admin', 'admin (reference data)'],
  ];
  const out = ['\nTokens (valid 12 h) to try it with:'];
  for (const [name, description] of who) out.push(`\n  # ${description}\n  export TOKEN_${name.toUpperCase()}=${tokens[name]}`);
  out.push(
    `\n  # e.g. the EOC approves a new request, or tries to over-dispatch (409 with the numbers):`,
    `  curl -s -X POST ${baseUrl}/dispatches -H "Authorization: Bearer $TOKEN_EOC" -H 'Content-Type: application/json' \\`,
    `    -d '{"warehouseId":"gd-dinsos-jambi","destination":{"kind":"site","siteId":"pengungsian-maro-sebo"},"requestId":"REQ-MRS-001","lines":[{"itemId":"water-600ml","quantity":100}]}'`,
    `  # the API and its commands: ${baseUrl}/docs`,
    `\n  # the commander's dashboard (live; Bahasa Indonesia / English), opened with the commander's token:`,
    `  ${baseUrl}/dashboard#token=${tokens['commander'] ?? '$TOKEN_COMMANDER'}`,
  );
  return out.join('\n');
}

async function main(): Promise<void> {
  const baseUrl = (process.env.LUMBUNG_URL ?? 'http://localhost:3000').trim();
  let secret: string;
  try {
    secret = loadConfig().tokenSecret;
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`demo: ${e.message}`);
      process.exit(2);
    }
    throw e;
  }
  console.log(`Loading the Batanghari flood scenario into ${baseUrl}`);
  try {
    const result = await runDemo({ baseUrl, secret });
    console.log(tokenHelp(baseUrl, result.tokens));
  } catch (e) {
    if (e instanceof DemoError) {
      console.error(`demo: ${e.message}`);
      process.exit(1);
    }
    throw e;
  }
}

if (require.main === module) void main();
