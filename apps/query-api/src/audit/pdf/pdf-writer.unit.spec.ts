import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { A4, num, PdfDocument, pdfString, pdfTextString, textWidth, wrapText } from './pdf-writer';
import { pageText, readPdf } from './testing/pdf-reader';
import { decodeWinAnsi, encodeWinAnsi } from './win-ansi';

/** pdftotext (poppler-utils) where the machine has it: an independent reader of the same file. */
function pdftotext(): string | null {
  try {
    return execFileSync('sh', ['-c', 'command -v pdftotext'], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

describe('PDF writer', () => {
  const created = new Date('2024-03-05T03:04:05Z');

  it('writes a PDF 1.4 whose xref offsets, startxref, trailer and stream lengths are right', () => {
    const doc = new PdfDocument({ title: 'Berita Acara (uji)', creationDate: created });
    doc.addPage().text(40, 800, 'Halo', { font: 'bold', size: 14 }).line(40, 790, 555, 790).fillRect(40, 700, 100, 20, 0.9).strokeRect(40, 700, 100, 20);
    doc.addPage().text(40, 800, 'Dua');
    const buf = doc.toBuffer();
    expect(buf.subarray(0, 9).toString('latin1')).toBe('%PDF-1.4\n');
    expect(buf[10]).toBeGreaterThan(127);
    const pdf = readPdf(buf);
    expect(pdf.version).toBe('1.4');
    expect(pdf.objectCount).toBe(1 + 6 + 2 * 2);
    expect(pdf.pages.map((p) => p.mediaBox)).toEqual([[0, 0, A4.width, A4.height], [0, 0, A4.width, A4.height]]);
    expect(pdf.pages[0]).toMatchObject({ lines: 1, rects: 2, runs: [{ font: 'F2', size: 14, x: 40, y: 800, text: 'Halo' }] });
    expect(pdf.info).toContain(`/Title ${pdfTextString('Berita Acara (uji)')}`);
    expect(pdfTextString('Rp–é')).toBe('<FEFF00520070201300E9>');
    expect(pdf.info).toContain('/CreationDate (D:20240305030405Z)');
    for (const f of ['Helvetica', 'Helvetica-Bold', 'Helvetica-Oblique']) expect([...pdf.objects.values()].some((o) => o.includes(`/BaseFont /${f} /Encoding /WinAnsiEncoding`))).toBe(true);
    // The same input gives the same bytes.
    const again = new PdfDocument({ title: 'Berita Acara (uji)', creationDate: created });
    again.addPage().text(40, 800, 'Halo', { font: 'bold', size: 14 }).line(40, 790, 555, 790).fillRect(40, 700, 100, 20, 0.9).strokeRect(40, 700, 100, 20);
    again.addPage().text(40, 800, 'Dua');
    expect(again.toBuffer().equals(buf)).toBe(true);
  });

  it('catches a broken file: a shifted offset or a wrong stream length', () => {
    const doc = new PdfDocument({ creationDate: created });
    doc.addPage().text(10, 10, 'x');
    const good = doc.toBuffer().toString('latin1');
    const shifted = good.replace('%PDF-1.4\n', '%PDF-1.4\n\n');
    expect(() => readPdf(Buffer.from(shifted, 'latin1'))).toThrow(/startxref|xref says object/);
    const badLength = good.replace(/\/Length (\d+)/, (_, n) => `/Length ${Number(n) + 1}`);
    expect(() => readPdf(Buffer.from(badLength, 'latin1'))).toThrow(/xref says object|stream \/Length/);
  });

  it('encodes text as WinAnsi: escapes, accented letters, typographic extras, and ? for what it cannot show', () => {
    const text = 'Rp 1.000 (kotak) \\ café – “Ñ” € — 雨';
    expect(decodeWinAnsi(encodeWinAnsi(text))).toBe('Rp 1.000 (kotak) \\ café – “Ñ” € — ?');
    expect(pdfString('a(b)c\\')).toBe('(a\\(b\\)c\\\\)');
    expect(pdfString('é€')).toBe('(\\351\\200)');
    const doc = new PdfDocument({ creationDate: created });
    doc.addPage().text(40, 700, text);
    const runs = readPdf(doc.toBuffer()).pages[0].runs;
    expect(runs.map((r) => r.text)).toEqual(['Rp 1.000 (kotak) \\ café – “Ñ” € — ?']);
  });

  it('measures and wraps with the Helvetica metrics', () => {
    expect(textWidth('Hello', 'regular', 10)).toBeCloseTo(((722 + 556 + 222 + 222 + 556) * 10) / 1000, 5);
    expect(textWidth('Hello', 'bold', 10)).toBeCloseTo(((722 + 556 + 278 + 278 + 611) * 10) / 1000, 5);
    expect(textWidth('W', 'oblique', 20)).toBe(textWidth('W', 'regular', 20));
    const lines = wrapText('Lima karung beras basah terkena hujan di perjalanan', 80, 'regular', 9);
    expect(lines.length).toBeGreaterThan(1);
    for (const l of lines) expect(textWidth(l, 'regular', 9)).toBeLessThanOrEqual(80);
    expect(lines.join(' ')).toBe('Lima karung beras basah terkena hujan di perjalanan');
    const long = wrapText('SJ/BPBD/2024/0000000000000007', 40, 'regular', 9);
    expect(long.join('')).toBe('SJ/BPBD/2024/0000000000000007');
    for (const l of long) expect(textWidth(l, 'regular', 9)).toBeLessThanOrEqual(40);
    expect(wrapText('satu\ndua', 500)).toEqual(['satu', 'dua']);
  });

  it('formats numbers as PDF does (two decimals at most, no exponent)', () => {
    expect([num(1), num(1.5), num(1.234), num(-0.001), num(595.28), num(0.1 + 0.2)]).toEqual(['1', '1.5', '1.23', '0', '595.28', '0.3']);
    expect(() => num(Number.NaN)).toThrow();
  });

  it('holds many pages, each with its own content, and reads back through pdftotext where it is installed', () => {
    const doc = new PdfDocument({ title: 'many', creationDate: created });
    for (let i = 1; i <= 12; i++) doc.addPage().text(40, 800, `Halaman ${i} dari 12`).text(40, 780, 'Barang: Beras 5 kg – sak');
    const buf = doc.toBuffer();
    const pdf = readPdf(buf);
    expect(pdf.pages).toHaveLength(12);
    expect(pdf.pages.map((p) => pageText(p)[0])).toEqual(Array.from({ length: 12 }, (_, i) => `Halaman ${i + 1} dari 12`));
    const tool = pdftotext();
    if (tool) {
      const dir = mkdtempSync(join(tmpdir(), 'lumbung-pdf-'));
      try {
        writeFileSync(join(dir, 'x.pdf'), buf);
        const text = execFileSync(tool, ['-layout', join(dir, 'x.pdf'), '-'], { encoding: 'utf8' });
        expect(text).toContain('Halaman 12 dari 12');
        expect(text).toContain('Barang: Beras 5 kg – sak');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });
});
