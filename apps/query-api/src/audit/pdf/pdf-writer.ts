import { BASE_FONTS, glyphWidth, type FontStyle } from './helvetica-metrics';
import { encodeWinAnsi } from './win-ansi';

/**
 * A small PDF 1.4 writer with no dependencies: pages of text in the standard Helvetica faces
 * (WinAnsiEncoding, nothing embedded), straight lines and filled rectangles. Enough for printable
 * records such as the BAST; not a layout engine (see bast-pdf.ts for the layout).
 *
 * The file is: header, one object per catalog / page tree / font / info / page / content stream,
 * the cross-reference table with each object's byte offset, the trailer and `startxref`. Content
 * streams are uncompressed and pure ASCII (non-ASCII bytes of strings are octal escapes), so the
 * output is deterministic for the same input and easy to inspect.
 */

export const A4 = { width: 595.28, height: 841.89 } as const;

/** Fill / stroke colour as a grey level, 0 black to 1 white. */
export type Gray = number;

export interface TextOptions {
  font?: FontStyle;
  size?: number;
  gray?: Gray;
}

export interface LineOptions {
  width?: number;
  gray?: Gray;
}

export interface DocumentInfo {
  title?: string;
  subject?: string;
  author?: string;
  /** fixed for reproducible output (default: now) */
  creationDate?: Date;
}

const FONT_KEYS: Readonly<Record<FontStyle, string>> = { regular: 'F1', bold: 'F2', oblique: 'F3' };

/** A number as PDF writes it: at most two decimals, no exponent, no trailing zeros. */
export function num(v: number): string {
  if (!Number.isFinite(v)) throw new Error(`not a finite number: ${v}`);
  const s = (Math.round(v * 100) / 100).toFixed(2).replace(/\.?0+$/, '');
  return s === '-0' ? '0' : s;
}

/** A PDF literal string of WinAnsi bytes: parentheses and backslash escaped, bytes outside printable ASCII as octal. */
export function pdfString(text: string): string {
  let out = '(';
  for (const b of encodeWinAnsi(text)) {
    if (b === 0x28 || b === 0x29 || b === 0x5c) out += `\\${String.fromCharCode(b)}`;
    else if (b < 0x20 || b > 0x7e) out += `\\${b.toString(8).padStart(3, '0')}`;
    else out += String.fromCharCode(b);
  }
  return `${out})`;
}

/** A PDF text string (document information) in UTF-16BE with its byte order mark, as hex: any Unicode text. */
export function pdfTextString(text: string): string {
  let hex = '<FEFF';
  for (let i = 0; i < text.length; i++) hex += text.charCodeAt(i).toString(16).toUpperCase().padStart(4, '0');
  return `${hex}>`;
}

/** Width of a text in points, at a size, in one of the faces. */
export function textWidth(text: string, font: FontStyle = 'regular', size = 10): number {
  let units = 0;
  for (const b of encodeWinAnsi(text)) units += glyphWidth(font, b);
  return (units * size) / 1000;
}

/**
 * Breaks a text into lines no wider than `maxWidth`: at spaces where it can, inside a word only when
 * the word alone is too wide. Line ends in the text are kept.
 */
export function wrapText(text: string, maxWidth: number, font: FontStyle = 'regular', size = 10): string[] {
  const out: string[] = [];
  for (const paragraph of text.split(/\r?\n/)) {
    let line = '';
    for (const word of paragraph.split(/ +/)) {
      const candidate = line ? `${line} ${word}` : word;
      if (textWidth(candidate, font, size) <= maxWidth) {
        line = candidate;
        continue;
      }
      if (line) out.push(line);
      line = '';
      let rest = word;
      while (textWidth(rest, font, size) > maxWidth && rest.length > 1) {
        let cut = rest.length - 1;
        while (cut > 1 && textWidth(rest.slice(0, cut), font, size) > maxWidth) cut--;
        out.push(rest.slice(0, cut));
        rest = rest.slice(cut);
      }
      line = rest;
    }
    out.push(line);
  }
  return out;
}

/** One page's drawing operations, in PDF user space (origin bottom left, y up, 1 unit = 1/72 inch). */
export class PdfPage {
  private readonly ops: string[] = [];

  constructor(
    readonly width: number,
    readonly height: number,
  ) {}

  text(x: number, y: number, text: string, o: TextOptions = {}): this {
    const size = o.size ?? 10;
    this.ops.push(`BT ${num(o.gray ?? 0)} g /${FONT_KEYS[o.font ?? 'regular']} ${num(size)} Tf ${num(x)} ${num(y)} Td ${pdfString(text)} Tj ET`);
    return this;
  }

  line(x1: number, y1: number, x2: number, y2: number, o: LineOptions = {}): this {
    this.ops.push(`${num(o.width ?? 0.5)} w ${num(o.gray ?? 0)} G ${num(x1)} ${num(y1)} m ${num(x2)} ${num(y2)} l S`);
    return this;
  }

  /** A filled rectangle (x, y its lower left corner). */
  fillRect(x: number, y: number, w: number, h: number, gray: Gray): this {
    this.ops.push(`${num(gray)} g ${num(x)} ${num(y)} ${num(w)} ${num(h)} re f`);
    return this;
  }

  strokeRect(x: number, y: number, w: number, h: number, o: LineOptions = {}): this {
    this.ops.push(`${num(o.width ?? 0.5)} w ${num(o.gray ?? 0)} G ${num(x)} ${num(y)} ${num(w)} ${num(h)} re S`);
    return this;
  }

  content(): string {
    return this.ops.join('\n');
  }
}

export class PdfDocument {
  readonly pages: PdfPage[] = [];

  constructor(
    private readonly info: DocumentInfo = {},
    readonly pageSize: { width: number; height: number } = A4,
  ) {}

  addPage(): PdfPage {
    const p = new PdfPage(this.pageSize.width, this.pageSize.height);
    this.pages.push(p);
    return p;
  }

  /** The whole file. Object numbers: 1 catalog, 2 page tree, 3-5 fonts, 6 info, then a page and its content per page. */
  toBuffer(): Buffer {
    if (this.pages.length === 0) this.addPage();
    const objects: string[] = [];
    const pageRefs = this.pages.map((_, i) => `${7 + 2 * i} 0 R`);
    objects.push('<< /Type /Catalog /Pages 2 0 R >>');
    objects.push(`<< /Type /Pages /Kids [${pageRefs.join(' ')}] /Count ${this.pages.length} >>`);
    for (const style of ['regular', 'bold', 'oblique'] as const) {
      objects.push(`<< /Type /Font /Subtype /Type1 /BaseFont /${BASE_FONTS[style]} /Encoding /WinAnsiEncoding >>`);
    }
    objects.push(this.infoDictionary());
    const fonts = `/Font << ${(['regular', 'bold', 'oblique'] as const).map((s, i) => `/${FONT_KEYS[s]} ${3 + i} 0 R`).join(' ')} >>`;
    this.pages.forEach((p, i) => {
      objects.push(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${num(p.width)} ${num(p.height)}] /Resources << ${fonts} /ProcSet [/PDF /Text] >> /Contents ${8 + 2 * i} 0 R >>`);
      const content = p.content();
      objects.push(`<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`);
    });

    // The header's second line holds bytes above 127, so that transfer tools treat the file as binary.
    const chunks: Buffer[] = [Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
    let offset = chunks[0].length;
    const offsets: number[] = [];
    objects.forEach((body, i) => {
      offsets.push(offset);
      const chunk = Buffer.from(`${i + 1} 0 obj\n${body}\nendobj\n`, 'latin1');
      chunks.push(chunk);
      offset += chunk.length;
    });
    const xref = [`xref\n0 ${objects.length + 1}\n`, '0000000000 65535 f \n', ...offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`)].join('');
    chunks.push(Buffer.from(`${xref}trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Info 6 0 R >>\nstartxref\n${offset}\n%%EOF\n`, 'latin1'));
    return Buffer.concat(chunks);
  }

  private infoDictionary(): string {
    const d = this.info.creationDate ?? new Date();
    const p2 = (n: number) => String(n).padStart(2, '0');
    const date = `D:${d.getUTCFullYear()}${p2(d.getUTCMonth() + 1)}${p2(d.getUTCDate())}${p2(d.getUTCHours())}${p2(d.getUTCMinutes())}${p2(d.getUTCSeconds())}Z`;
    const entries = [
      this.info.title !== undefined ? `/Title ${pdfTextString(this.info.title)}` : '',
      this.info.subject !== undefined ? `/Subject ${pdfTextString(this.info.subject)}` : '',
      this.info.author !== undefined ? `/Author ${pdfTextString(this.info.author)}` : '',
      '/Producer (lumbung)',
      `/CreationDate (${date})`,
    ].filter(Boolean);
    return `<< ${entries.join(' ')} >>`;
  }
}
