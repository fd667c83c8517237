import { cluster, registerCluster, tokens, type Tokens } from '../../command-api/test/support/cluster.fixture';
import { LumbungClient, type Loose } from '../../command-api/test/support/lumbung.client';
import { pageText, readPdf } from '../src/audit/pdf/testing/pdf-reader';
import { startStack, type Stack } from './support/query-api.harness';

const { warehouses: w, sites: s, items: i, incidents: inc } = cluster;
const lines = (...l: Array<[string, number]>) => l.map(([itemId, quantity]) => ({ itemId, quantity }));
const neededBy = '2024-03-06T12:00:00+07:00';
const MANY = 45;

/** The printable audit documents: the trail as HTML, and the handover record (BAST) as HTML and PDF. */
describe('audit documents (trail page, BAST) on SQLite', () => {
  let stack: Stack;
  let c: LumbungClient;
  let t: Tokens;
  let requestId: string;
  let delivered: string;
  let inTransit: string;
  let big: string;

  beforeAll(async () => {
    stack = await startStack({ LUMBUNG_STORE: 'sqlite', LUMBUNG_TOKEN_SECRET: 'e2e-secret-that-is-long-enough-for-hs256', LOG_LEVEL: 'warn' });
    c = new LumbungClient(stack.commands);
    t = tokens(c);
    await registerCluster(c, t);
    requestId = (await c.ok('/requests', { siteId: s.pemayung, incidentId: inc.flood, priority: 'life-saving', neededBy, lines: lines([i.rice, 100], [i.kit, 40]) }, { token: t.site })).body.id;
    await c.ok(`/requests/${requestId}/approve`, { lines: [{ itemId: i.rice, approved: 80, reason: 'shared <b>with</b> Posko Sengeti' }] }, { token: t.eoc });
    await c.ok(`/warehouses/${w.main}/stock/receipts`, { source: { kind: 'procurement', reference: 'PO-1' }, lines: lines([i.rice, 150], [i.kit, 40]) }, { token: t.warehouse });
    delivered = (await c.ok('/dispatches', { warehouseId: w.main, destination: { kind: 'site', siteId: s.pemayung }, requestId, lines: lines([i.rice, 50], [i.kit, 20]) }, { token: t.eoc })).body.id;
    await c.ok(`/dispatches/${delivered}/depart`, { vehicle: 'BH 8123 KA', driver: 'Pak Yusuf', waybillNumber: 'SJ/BPBD/0007' }, { token: t.warehouse });
    await c.ok(`/dispatches/${delivered}/receipt`, {
      receiptId: 'BAST-PMY-001', receivedBy: 'Ibu Sari Dewi',
      lines: [{ itemId: i.rice, received: 44, damaged: 1, reason: '5 karung kurang, 1 basah <script>alert(1)</script> & "robek"' }, { itemId: i.kit, received: 20 }],
    }, { token: t.site });
    inTransit = (await c.ok('/dispatches', { warehouseId: w.main, destination: { kind: 'site', siteId: s.pemayung }, requestId, lines: lines([i.rice, 10]) }, { token: t.eoc })).body.id;

    // A receipt with many lines: its BAST table runs over several pages.
    const many = Array.from({ length: MANY }, (_, k) => `paket-${String(k).padStart(2, '0')}`);
    for (const id of many) await c.ok('/items', { itemId: id, code: `PK-${id}`, name: `Paket sembako keluarga nomor ${id} (isi beras, minyak, gula)`, unit: 'paket', category: 'food' }, { token: t.admin });
    await c.ok(`/warehouses/${w.main}/stock/receipts`, { source: { kind: 'procurement', reference: 'PO-2' }, lines: many.map((id) => ({ itemId: id, quantity: 10 })) }, { token: t.warehouse });
    const bigRequest = (await c.ok('/requests', { siteId: s.pemayung, incidentId: inc.flood, priority: 'urgent', neededBy, lines: many.map((id) => ({ itemId: id, quantity: 10 })) }, { token: t.site })).body.id;
    await c.ok(`/requests/${bigRequest}/approve`, {}, { token: t.eoc });
    big = (await c.ok('/dispatches', { warehouseId: w.main, destination: { kind: 'site', siteId: s.pemayung }, requestId: bigRequest, lines: many.map((id) => ({ itemId: id, quantity: 10 })) }, { token: t.eoc })).body.id;
    await c.ok(`/dispatches/${big}/depart`, { vehicle: 'BH 9 TR', driver: 'Pak Anto', waybillNumber: 'SJ/BPBD/0099' }, { token: t.warehouse });
    await c.ok(`/dispatches/${big}/receipt`, { receiptId: 'BAST-PMY-002', receivedBy: 'Ibu Sari Dewi', lines: many.map((id, k) => ({ itemId: id, received: k === 3 ? 8 : 10, ...(k === 3 ? { reason: 'dua paket sobek' } : {}) })) }, { token: t.site });
    await stack.settle();
  }, 180_000);

  afterAll(async () => {
    await stack?.close();
  });

  const text = async (path: string, token: string) => {
    const r = await stack.get(path, token);
    return { status: r.status, type: r.headers.get('content-type') ?? '', csp: r.headers.get('content-security-policy') ?? '', body: await r.text() };
  };

  describe('trail as a printable page', () => {
    it('shows the request header and every event in order, with who, member, role, times, why and command, escaped', async () => {
      const json = JSON.parse((await text(`/audit/requests/${requestId}/trail`, t.auditor)).body) as Loose;
      const page = await text(`/audit/requests/${requestId}/trail?format=html`, t.auditor);
      expect(page.status).toBe(200);
      expect(page.type).toMatch(/^text\/html/);
      expect(page.csp).toContain("default-src 'none'");
      const html = page.body;
      expect(html).toMatch(/^<!DOCTYPE html>/);
      expect(html).toContain('@media print');
      expect(html).toContain('Jejak Audit Permintaan<small lang="en">Audit trail of a request</small>');
      for (const v of ['Posko Pemayung', 'Banjir Batanghari', 'life-saving', 'Beras 5 kg', requestId]) expect(html).toContain(v);
      const rows = html.split('<tbody>')[2].split('</tbody>')[0].match(/<tr>/g) ?? [];
      expect(rows).toHaveLength(json.items.length);
      let at = 0;
      for (const e of json.items as Loose[]) {
        const next = html.indexOf(`<strong>${e.type}</strong><br><span class="mono">${e.streamId} #${e.revision}</span>`, at);
        expect([e.type, next]).toEqual([e.type, expect.any(Number)]);
        expect(next).toBeGreaterThan(at);
        at = next;
        expect(html).toContain(e.causationId);
      }
      expect(html).toContain('pusdalops-1');
      expect(html).toContain('bpbd-jambi');
      expect(html).toContain('rice-5kg: shared &lt;b&gt;with&lt;/b&gt; Posko Sengeti');
      expect(html).not.toContain('<b>with</b>');
      expect(html).not.toContain('<script>');
    });

    it('cuts the page at a position, and says it is cut', async () => {
      const all = JSON.parse((await text(`/audit/requests/${requestId}/trail`, t.admin)).body) as Loose;
      const P = all.items[2].position as number;
      const html = (await text(`/audit/requests/${requestId}/trail?format=html&position=${P}`, t.admin)).body;
      expect(html.split('<tbody>')[2].split('</tbody>')[0].match(/<tr>/g)).toHaveLength(all.items.filter((e: Loose) => e.position <= P).length);
      expect(html).toContain(`cut at global position ${P}`);
      const truncated = (await text(`/audit/requests/${requestId}/trail?format=html&limit=1`, t.admin)).body;
      expect(truncated).toContain(`after=${all.items[0].position}`);
    });
  });

  describe('BAST', () => {
    it('prints the handover record as HTML: parties, shipment, lines with reasons, integrity hash and position, signatures', async () => {
      const receipt = (JSON.parse((await text(`/audit/streams/dispatch-${delivered}`, t.auditor)).body) as Loose).items.find((e: Loose) => e.type === 'DispatchDelivered');
      const page = await text(`/audit/dispatches/${delivered}/bast`, t.auditor);
      expect(page.status).toBe(200);
      expect(page.type).toMatch(/^text\/html/);
      const html = page.body;
      expect(html).toContain('Berita Acara Serah Terima Barang<small lang="en">Handover record of relief items (BAST)</small>');
      for (const v of ['BAST-PMY-001', delivered, 'Gudang BPBD Provinsi', 'BPBD Provinsi Jambi', 'Posko Pemayung', 'Batanghari', 'Ibu Sari Dewi', 'SJ/BPBD/0007', 'BH 8123 KA', 'Pak Yusuf', 'Beras 5 kg', 'sack', 'Family kit', 'set', requestId, 'Banjir Batanghari', receipt.hash, receipt.eventId, 'gudang-1']) {
        expect([v, html.includes(v)]).toEqual([v, true]);
      }
      expect(html).toContain(`<dd>${receipt.position}</dd>`);
      expect(html).toMatch(/<td class="num">50<\/td><td class="num">44<\/td><td class="num">1<\/td><td class="num">5<\/td><td class="num">0<\/td><td>5 karung kurang, 1 basah &lt;script&gt;alert\(1\)&lt;\/script&gt; &amp; &quot;robek&quot;<\/td>/);
      expect(html).not.toContain('<script>');
      for (const sign of ['Yang menyerahkan', 'Pengemudi', 'Yang menerima']) expect(html).toContain(sign);
      expect(html).toMatch(/Dikirim<small lang="en">Sent<\/small>/);
      expect((await text(`/audit/dispatches/${delivered}/bast?format=html`, t.auditor)).body.length).toBeGreaterThan(1000);
    });

    it('prints it as a PDF with the same content, structurally sound', async () => {
      const receipt = (JSON.parse((await text(`/audit/streams/dispatch-${delivered}`, t.auditor)).body) as Loose).items.find((e: Loose) => e.type === 'DispatchDelivered');
      const r = await stack.get(`/audit/dispatches/${delivered}/bast?format=pdf`, t.site);
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toBe('application/pdf');
      expect(r.headers.get('content-disposition')).toBe('inline; filename="bast-BAST-PMY-001.pdf"');
      const pdf = readPdf(Buffer.from(await r.arrayBuffer()));
      expect(pdf.version).toBe('1.4');
      expect(pdf.pages).toHaveLength(1);
      const lines = pageText(pdf.pages[0]);
      const all = lines.join('\n');
      for (const v of ['BERITA ACARA SERAH TERIMA BARANG', 'Handover record of relief items (BAST)', 'BAST-PMY-001', 'Gudang BPBD Provinsi', 'Posko Pemayung', 'Ibu Sari Dewi', 'SJ/BPBD/0007', 'Pak Yusuf', 'BH 8123 KA', receipt.hash, String(receipt.position), 'Halaman 1 dari 1 / Page 1 of 1']) {
        expect([v, all.includes(v)]).toEqual([v, true]);
      }
      expect(lines.find((l) => l.startsWith('1 Beras 5 kg'))).toMatch(/^1 Beras 5 kg \(rice-5kg\) sack 50 44 1 5 0 5 karung kurang, 1 basah/);
      expect(lines.some((l) => l.startsWith('Jumlah / Total 70 64 1 5 0'))).toBe(true);
      expect(pdf.pages[0].lines).toBeGreaterThan(20);
    });

    it('carries a long table over pages, its header repeated, numbered "page i of n"', async () => {
      const r = await stack.get(`/audit/dispatches/${big}/bast?format=pdf`, t.warehouse);
      expect(r.status).toBe(200);
      const pdf = readPdf(Buffer.from(await r.arrayBuffer()));
      expect(pdf.pages.length).toBeGreaterThanOrEqual(2);
      const n = pdf.pages.length;
      pdf.pages.forEach((p, k) => expect(pageText(p).join('\n')).toContain(`Halaman ${k + 1} dari ${n} / Page ${k + 1} of ${n}`));
      // every line once, in order, across the pages; the table header on each page that continues the table
      const rows = pdf.pages.flatMap((p) => pageText(p)).filter((l) => /^\d+ Paket sembako/.test(l));
      expect(rows.map((l) => Number(l.split(' ')[0]))).toEqual(Array.from({ length: MANY }, (_, k) => k + 1));
      expect(pageText(pdf.pages[1]).some((l) => l.startsWith('No. Barang Satuan Dikirim Diterima'))).toBe(true);
      expect(rows[3]).toContain('10 8 0 2 0 dua paket sobek');
    });

    it('is refused with 404 for an unknown dispatch, 409 before delivery, 400 for another format', async () => {
      const unknown = await stack.get('/audit/dispatches/nope/bast', t.auditor);
      expect([unknown.status, ((await unknown.json()) as Loose).error]).toEqual([404, 'not-found']);
      const early = await stack.get(`/audit/dispatches/${inTransit}/bast?format=pdf`, t.auditor);
      expect([early.status, ((await early.json()) as Loose)]).toEqual([409, expect.objectContaining({ error: 'not-delivered', details: { dispatchId: inTransit, status: 'planned' } })]);
      const bad = await stack.get(`/audit/dispatches/${delivered}/bast?format=docx`, t.auditor);
      expect([bad.status, ((await bad.json()) as Loose).errors]).toEqual([400, [{ field: 'format', reason: expect.any(String) }]]);
    });

    it('is printed by the two parties that sign it, and nobody else outside audit', async () => {
      const cases: Array<[keyof Tokens, number, string?]> = [
        ['auditor', 200], ['admin', 200], ['warehouse', 200], ['site', 200],
        ['warehousePmi', 403, 'out-of-scope'], ['siteSengeti', 403, 'out-of-scope'],
        ['eoc', 403, 'role-not-allowed'], ['commander', 403, 'role-not-allowed'], ['pmi', 403, 'role-not-allowed'],
      ];
      for (const [who, status, error] of cases) {
        const r = await stack.get(`/audit/dispatches/${delivered}/bast`, t[who]);
        const body = await r.text();
        expect([who, r.status]).toEqual([who, status]);
        if (error) expect(JSON.parse(body).error).toBe(error);
      }
      expect((await stack.get(`/audit/dispatches/${delivered}/bast`)).status).toBe(401);
    });
  });
});
