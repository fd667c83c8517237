/**
 * RFC 4180 CSV: CRLF line ends, a header row, every cell that holds a comma, quote, CR or LF quoted
 * with inner quotes doubled. Text that a spreadsheet would run as a formula (=, +, -, @, tab, CR at the
 * start) is prefixed with a single quote (OWASP's CSV injection advice); numbers are left as they are.
 */
export function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  let s = typeof v === 'string' ? v : JSON.stringify(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const csvLine = (values: readonly unknown[]): string => `${values.map(csvCell).join(',')}\r\n`;

type Obj = Record<string, unknown>;

/**
 * One CSV row per nested line (`lines` of a request, pledge, plan), the parent's scalar columns
 * repeated, the line's columns prefixed `line_`; an item without lines is one row. Other nested
 * values become JSON text in their cell.
 */
export function flattenForCsv(item: Obj, expand = 'lines'): Obj[] {
  const parent: Obj = {};
  for (const [k, v] of Object.entries(item)) if (k !== expand) parent[k] = v;
  const lines = item[expand];
  if (!Array.isArray(lines) || lines.length === 0) return [parent];
  return lines.map((l: Obj) => {
    const row: Obj = { ...parent };
    for (const [k, v] of Object.entries(l)) if (!(k in parent && parent[k] === v)) row[`line_${k}`] = v;
    return row;
  });
}

/** Column names in first-seen order over rows. */
export function columnsOf(rows: readonly Obj[]): string[] {
  const seen = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r)) seen.add(k);
  return [...seen];
}
