import { decodeWinAnsi } from '../win-ansi';

/**
 * Reads back what PdfDocument writes, checking the structure on the way (tests of the writer and of
 * the BAST; poppler's pdftotext is not on every machine). It throws on: a missing header or %%EOF, a
 * startxref that does not point at the xref table, an xref entry whose offset is not where its object
 * starts, a trailer /Size that disagrees with the table, a stream whose /Length is not its byte length.
 */

export interface PdfTextRun {
  x: number;
  y: number;
  font: string;
  size: number;
  text: string;
}

export interface ParsedPdf {
  version: string;
  objectCount: number;
  /** object number → its body (between `n 0 obj` and `endobj`) */
  objects: Map<number, string>;
  trailer: string;
  info: string;
  pages: Array<{ mediaBox: number[]; runs: PdfTextRun[]; lines: number; rects: number }>;
}

export function readPdf(buf: Buffer): ParsedPdf {
  const s = buf.toString('latin1');
  const header = /^%PDF-(\d\.\d)\n/.exec(s);
  if (!header) throw new Error('no %PDF header');
  const tail = /startxref\n(\d+)\n%%EOF\n?$/.exec(s);
  if (!tail) throw new Error('no startxref / %%EOF at the end');
  const xrefAt = Number(tail[1]);
  if (!s.startsWith('xref\n', xrefAt)) throw new Error(`startxref ${xrefAt} does not point at the xref table`);
  const sub = /^xref\n0 (\d+)\n/.exec(s.slice(xrefAt));
  if (!sub) throw new Error('malformed xref subsection');
  const count = Number(sub[1]);
  let at = xrefAt + sub[0].length;
  const objects = new Map<number, string>();
  for (let i = 0; i < count; i++, at += 20) {
    const entry = s.slice(at, at + 20);
    const m = /^(\d{10}) (\d{5}) ([nf]) \n$/.exec(entry);
    if (!m) throw new Error(`xref entry ${i} is not 20 bytes of "oooooooooo ggggg n \\n": ${JSON.stringify(entry)}`);
    if (m[3] === 'f') continue;
    const offset = Number(m[1]);
    const start = `${i} 0 obj\n`;
    if (!s.startsWith(start, offset)) throw new Error(`xref says object ${i} starts at ${offset}, found ${JSON.stringify(s.slice(offset, offset + 12))}`);
    const end = s.indexOf('\nendobj\n', offset);
    objects.set(i, s.slice(offset + start.length, end));
  }
  const trailerMatch = /trailer\n(<<.*?>>)\nstartxref/s.exec(s.slice(at));
  if (!trailerMatch) throw new Error('no trailer after the xref table');
  const trailer = trailerMatch[1];
  if (Number(/\/Size (\d+)/.exec(trailer)?.[1]) !== count) throw new Error(`trailer /Size differs from the xref's ${count} entries`);
  const ref = (body: string, key: string): number => {
    const m = new RegExp(`/${key} (\\d+) 0 R`).exec(body);
    if (!m) throw new Error(`no /${key} reference in ${body.slice(0, 80)}`);
    return Number(m[1]);
  };
  const obj = (n: number): string => {
    const o = objects.get(n);
    if (o === undefined) throw new Error(`object ${n} is referenced but not in the xref`);
    return o;
  };
  const catalog = obj(ref(trailer, 'Root'));
  const tree = obj(ref(catalog, 'Pages'));
  const kids = [...(/\/Kids \[([^\]]*)\]/.exec(tree)?.[1] ?? '').matchAll(/(\d+) 0 R/g)].map((m) => Number(m[1]));
  if (Number(/\/Count (\d+)/.exec(tree)?.[1]) !== kids.length) throw new Error('page tree /Count differs from its /Kids');
  const pages = kids.map((k) => {
    const page = obj(k);
    const mediaBox = (/\/MediaBox \[([^\]]*)\]/.exec(page)?.[1] ?? '').trim().split(/\s+/).map(Number);
    const content = streamOf(obj(ref(page, 'Contents')));
    return { mediaBox, runs: textRuns(content), lines: (content.match(/ l S/g) ?? []).length, rects: (content.match(/ re [fS]/g) ?? []).length };
  });
  return { version: header[1], objectCount: count, objects, trailer, info: obj(ref(trailer, 'Info')), pages };
}

function streamOf(body: string): string {
  const m = /^<< \/Length (\d+) >>\nstream\n/.exec(body);
  if (!m) throw new Error('content object is not a stream with a /Length');
  const data = body.slice(m[0].length);
  const end = data.lastIndexOf('\nendstream');
  if (end !== Number(m[1])) throw new Error(`stream /Length ${m[1]} but ${end} bytes before endstream`);
  return data.slice(0, end);
}

/** Unescapes a literal string's body (\\n, \\(, octal...) into its bytes. */
function literalBytes(body: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== '\\') {
      out.push(c.charCodeAt(0));
      continue;
    }
    const next = body[++i];
    const oct = /^[0-7]{1,3}/.exec(body.slice(i));
    if (oct) {
      out.push(parseInt(oct[0], 8));
      i += oct[0].length - 1;
    } else out.push(({ n: 10, r: 13, t: 9, b: 8, f: 12 } as Record<string, number>)[next] ?? next.charCodeAt(0));
  }
  return out;
}

function textRuns(content: string): PdfTextRun[] {
  const runs: PdfTextRun[] = [];
  const re = /BT [\d.]+ g \/(F\d) ([\d.]+) Tf (-?[\d.]+) (-?[\d.]+) Td \(((?:\\[\s\S]|[^\\)])*)\) Tj ET/g;
  for (const m of content.matchAll(re)) {
    runs.push({ font: m[1], size: Number(m[2]), x: Number(m[3]), y: Number(m[4]), text: decodeWinAnsi(literalBytes(m[5])) });
  }
  return runs;
}

/** The page's text as lines, top to bottom, each line's runs left to right (close enough to pdftotext's order for assertions). */
export function pageText(page: ParsedPdf['pages'][number]): string[] {
  const byY = new Map<number, PdfTextRun[]>();
  for (const r of page.runs) {
    const y = Math.round(r.y);
    byY.set(y, [...(byY.get(y) ?? []), r]);
  }
  return [...byY.entries()].sort(([a], [b]) => b - a).map(([, rs]) => rs.sort((a, b) => a.x - b.x).map((r) => r.text).join(' '));
}
