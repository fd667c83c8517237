import type { FontStyle } from '../pdf/helvetica-metrics';
import { A4, PdfDocument, textWidth, wrapText, type PdfPage } from '../pdf/pdf-writer';
import { wib } from '../html';
import { totals, type BastModel } from './bast.model';

const M = 40; // page margin (pt)
const BOTTOM = 56; // room kept for the footer
const W = A4.width - 2 * M;
const EN_GRAY = 0.4; // English captions: smaller and grey under the Indonesian

/** A cursor over pages, with y measured from the top (the writer's y is from the bottom). */
class Flow {
  page!: PdfPage;
  y = M;

  constructor(readonly doc: PdfDocument) {
    this.newPage();
  }

  newPage(): void {
    this.page = this.doc.addPage();
    this.y = M;
  }

  /** Starts a new page unless `height` more points fit on this one. */
  need(height: number): boolean {
    if (this.y + height <= A4.height - BOTTOM) return false;
    this.newPage();
    return true;
  }

  text(x: number, top: number, s: string, size: number, font: FontStyle = 'regular', gray = 0): void {
    this.page.text(x, A4.height - top - size * 0.8, s, { size, font, gray });
  }

  hline(top: number, x1 = M, x2 = M + W, width = 0.5): void {
    this.page.line(x1, A4.height - top, x2, A4.height - top, { width });
  }

  vline(x: number, top: number, bottom: number): void {
    this.page.line(x, A4.height - top, x, A4.height - bottom, { width: 0.5 });
  }

  /** An Indonesian heading with its English beside it in smaller grey type. */
  heading(id: string, en: string): void {
    this.need(40);
    this.y += 8;
    this.text(M, this.y, id, 10.5, 'bold');
    this.text(M + textWidth(id, 'bold', 10.5) + 6, this.y + 2.5, en, 8, 'oblique', EN_GRAY);
    this.y += 14;
    this.hline(this.y, M, M + W, 0.8);
    this.y += 4;
  }

  /** Label (Indonesian, with the English under it) and value pairs in a column starting at x. */
  fields(x: number, width: number, rows: Array<[string, string, string]>, top = this.y): number {
    const labelW = 118;
    let y = top;
    for (const [id, en, value] of rows) {
      const lines = wrapText(value || '-', width - labelW, 'regular', 9);
      this.text(x, y, id, 8.5, 'bold');
      this.text(x, y + 10, en, 6.5, 'oblique', EN_GRAY);
      lines.forEach((l, i) => this.text(x + labelW, y + i * 11, l, 9));
      y += Math.max(20, lines.length * 11 + 4);
    }
    return y;
  }
}

interface Column {
  id: string;
  en: string;
  width: number;
  align: 'left' | 'right';
}

const COLUMNS: Column[] = [
  { id: 'No.', en: '#', width: 22, align: 'right' },
  { id: 'Barang', en: 'Item', width: 140, align: 'left' },
  { id: 'Satuan', en: 'Unit', width: 42, align: 'left' },
  { id: 'Dikirim', en: 'Sent', width: 42, align: 'right' },
  { id: 'Diterima', en: 'Received', width: 46, align: 'right' },
  { id: 'Rusak', en: 'Damaged', width: 42, align: 'right' },
  { id: 'Kurang', en: 'Short', width: 38, align: 'right' },
  { id: 'Lebih', en: 'Over', width: 34, align: 'right' },
  { id: 'Keterangan', en: 'Remarks', width: 0, align: 'left' },
];
COLUMNS[COLUMNS.length - 1].width = W - COLUMNS.slice(0, -1).reduce((s, c) => s + c.width, 0);
const PAD = 3;
const CELL = 8.5;
const LINE = 10.5;

function tableHeader(f: Flow): void {
  const h = 24;
  f.page.fillRect(M, A4.height - f.y - h, W, h, 0.92);
  let x = M;
  for (const c of COLUMNS) {
    const tx = (s: string, size: number, font: FontStyle) => (c.align === 'right' ? x + c.width - PAD - textWidth(s, font, size) : x + PAD);
    f.text(tx(c.id, 8, 'bold'), f.y + 3, c.id, 8, 'bold');
    f.text(tx(c.en, 6.5, 'oblique'), f.y + 13, c.en, 6.5, 'oblique', EN_GRAY);
    x += c.width;
  }
  tableRules(f, f.y, f.y + h);
  f.y += h;
}

function tableRules(f: Flow, top: number, bottom: number): void {
  f.hline(top);
  f.hline(bottom);
  let x = M;
  f.vline(x, top, bottom);
  for (const c of COLUMNS) {
    x += c.width;
    f.vline(x, top, bottom);
  }
}

function tableRow(f: Flow, cells: string[], font: FontStyle = 'regular'): void {
  const wrapped = cells.map((s, i) => wrapText(s, COLUMNS[i].width - 2 * PAD, font, CELL));
  const h = Math.max(...wrapped.map((w) => w.length)) * LINE + 2 * PAD;
  if (f.need(h)) tableHeader(f);
  let x = M;
  wrapped.forEach((lines, i) => {
    const c = COLUMNS[i];
    lines.forEach((l, k) => l && f.text(c.align === 'right' ? x + c.width - PAD - textWidth(l, font, CELL) : x + PAD, f.y + PAD + k * LINE, l, CELL, font));
    x += c.width;
  });
  tableRules(f, f.y, f.y + h);
  f.y += h;
}

function signatures(f: Flow, b: BastModel): void {
  const h = 120;
  f.need(h);
  f.y += 18;
  const w = W / 3;
  const blocks: Array<[string, string, string, string]> = [
    ['Yang menyerahkan', 'Handed over by', b.departedBy ?? '', b.sender.warehouseName ?? b.sender.memberName ?? ''],
    ['Pengemudi', 'Driver', b.driver ?? '', b.vehicle ?? ''],
    ['Yang menerima', 'Received by', b.receiver.receivedBy, b.receiver.name ?? ''],
  ];
  blocks.forEach(([id, en, name, sub], i) => {
    const cx = M + w * i + w / 2;
    const centre = (s: string, top: number, size: number, font: FontStyle, gray = 0) => f.text(cx - textWidth(s, font, size) / 2, top, s, size, font, gray);
    centre(id, f.y, 9, 'bold');
    centre(en, f.y + 11, 7, 'oblique', EN_GRAY);
    f.hline(f.y + 72, cx - w / 2 + 14, cx + w / 2 - 14);
    centre(name, f.y + 76, 9, 'regular');
    centre(sub, f.y + 88, 7, 'oblique', EN_GRAY);
  });
  f.y += h - 18;
}

/** The BAST as a PDF (A4 portrait, Helvetica): the same content as the HTML page, table rows carried over pages with their header. */
export function renderBastPdf(b: BastModel): Buffer {
  const doc = new PdfDocument({ title: `Berita Acara Serah Terima ${b.receiptId}`, subject: `Dispatch ${b.dispatchId}`, author: 'lumbung', creationDate: new Date(b.printedAt) });
  const f = new Flow(doc);

  f.text(M, f.y, 'BERITA ACARA SERAH TERIMA BARANG', 15, 'bold');
  f.text(M, f.y + 18, 'Handover record of relief items (BAST)', 9, 'oblique', EN_GRAY);
  f.y += 34;
  f.text(M, f.y, `Nomor / Receipt: ${b.receiptId}`, 9, 'bold');
  f.text(M + W / 2, f.y, `Pengiriman / Dispatch: ${b.dispatchId}`, 9);
  f.y += 16;
  for (const l of wrapText(`Pada ${wib(b.deliveredAt)} telah dilakukan serah terima barang bantuan dengan rincian sebagai berikut.`, W, 'regular', 9)) {
    f.text(M, f.y, l, 9);
    f.y += 11;
  }
  f.text(M, f.y, `On ${b.deliveredAt} the relief items below were handed over.`, 7.5, 'oblique', EN_GRAY);
  f.y += 12;

  const half = W / 2 - 8;
  f.heading('Para pihak', 'Parties');
  f.text(M, f.y, 'Pihak Pertama: yang menyerahkan', 9, 'bold');
  f.text(M, f.y + 11, 'First party: sender', 7, 'oblique', EN_GRAY);
  f.text(M + W / 2, f.y, 'Pihak Kedua: yang menerima', 9, 'bold');
  f.text(M + W / 2, f.y + 11, 'Second party: receiver', 7, 'oblique', EN_GRAY);
  const top = f.y + 26;
  const left = f.fields(M, half, [
    ['Gudang', 'Warehouse', [b.sender.warehouseName, b.sender.warehouseId && `(${b.sender.warehouseId})`].filter(Boolean).join(' ')],
    ['Anggota klaster', 'Member organisation', [b.sender.memberName, b.sender.memberId && `(${b.sender.memberId})`].filter(Boolean).join(' ')],
    ['Kabupaten/kota', 'District', b.sender.district ?? ''],
  ], top);
  const right = f.fields(M + W / 2, half, [
    [b.receiver.kind === 'site' ? 'Lokasi / posko' : 'Gudang tujuan', b.receiver.kind === 'site' ? 'Site' : 'Destination warehouse', `${b.receiver.name ?? ''} (${b.receiver.id})`],
    ['Kabupaten/kota', 'District', b.receiver.district ?? ''],
    ['Diterima oleh', 'Received by', b.receiver.receivedBy],
  ], top);
  f.y = Math.max(left, right);

  f.heading('Pengiriman', 'Shipment');
  const sTop = f.y;
  const sl = f.fields(M, half, [
    ['Nomor surat jalan', 'Waybill', b.waybillNumber ?? ''],
    ['Kendaraan', 'Vehicle', b.vehicle ?? ''],
    ['Pengemudi', 'Driver', b.driver ?? ''],
  ], sTop);
  const sr = f.fields(M + W / 2, half, [
    ['Berangkat', 'Departed', wib(b.departedAt)],
    ['Tiba / diterima', 'Delivered', wib(b.deliveredAt)],
    ...(b.requestId ? ([['Permintaan', 'Request', b.requestId]] as Array<[string, string, string]>) : []),
    ...(b.incident ? ([['Kejadian bencana', 'Incident', `${b.incident.name ?? ''} (${b.incident.id})`]] as Array<[string, string, string]>) : []),
  ], sTop);
  f.y = Math.max(sl, sr);

  f.heading('Rincian barang', 'Items');
  f.need(24 + 2 * LINE + 2 * PAD);
  tableHeader(f);
  b.lines.forEach((l, i) =>
    tableRow(f, [String(i + 1), l.itemName ? `${l.itemName} (${l.itemId})` : l.itemId, l.unit ?? '', String(l.sent), String(l.received), String(l.damaged), String(l.short), String(l.over), l.reason ?? '']),
  );
  const t = totals(b.lines);
  tableRow(f, ['', 'Jumlah / Total', '', String(t.sent), String(t.received), String(t.damaged), String(t.short), String(t.over), ''], 'bold');
  if (b.note) {
    f.y += 6;
    for (const l of wrapText(`Catatan / Note: ${b.note}`, W, 'regular', 9)) {
      f.need(12);
      f.text(M, f.y, l, 9);
      f.y += 11;
    }
  }

  f.heading('Bukti integritas', 'Integrity proof');
  f.y = f.fields(M, W, [
    ['Peristiwa penerimaan', 'Receipt event', `${b.receipt.eventId} (${b.receipt.streamId} #${b.receipt.revision})`],
    ['Posisi di log', 'Global position', b.receipt.position === null ? 'belum disegel / not sealed yet' : String(b.receipt.position)],
    ['Hash integritas', 'Integrity hash (SHA-256)', b.receipt.hash],
    ['Dicatat', 'Recorded', `${wib(b.receipt.recordedAt, true)} by ${b.receipt.actor}${b.receipt.role ? ` (${b.receipt.role})` : ''}`],
  ]);

  signatures(f, b);

  const n = doc.pages.length;
  doc.pages.forEach((p, i) => {
    const y = BOTTOM - 28;
    p.line(M, y + 10, M + W, y + 10, { width: 0.3, gray: 0.5 });
    p.text(M, y, `lumbung · BAST ${b.receiptId} · dicetak / printed ${wib(b.printedAt, true)}`, { size: 7, gray: EN_GRAY });
    const pageNo = `Halaman ${i + 1} dari ${n} / Page ${i + 1} of ${n}`;
    p.text(M + W - textWidth(pageNo, 'regular', 7), y, pageNo, { size: 7, gray: EN_GRAY });
  });
  return doc.toBuffer();
}
