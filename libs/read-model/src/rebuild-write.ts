import { normalizeRow, type Row, type TableDef } from '@lumbung/projections';
import type { TakenWrite } from './rebuild-state';
import type { SqlExecutor } from './sql-executor';

/**
 * A rebuild flush, serialised when it is taken so that the rows may go on changing in memory while it
 * is written in the background. PostgreSQL: rows the shadow table does not have yet as COPY text
 * (the cheapest way in for the server: no JSON to parse, no conflict to check), rows written before as
 * JSON for an upsert. SQLite: normalised rows for its multi-row VALUES upserts.
 */
export interface SerializedWrite {
  table: TableDef;
  deletes: Row[];
  /** COPY text, in chunks of about a megabyte (off the JavaScript heap) */
  copy?: Buffer[];
  json?: string[];
  rows?: Row[];
  count: number;
}

/** rows per upsert statement: bounds the size of one message (a few MB) */
const ROWS_PER_STATEMENT = 10_000;

export function serializeTake(taken: readonly TakenWrite[], dialect: 'postgres' | 'sqlite'): SerializedWrite[] {
  return taken.map(({ table, inserts, upserts, deletes }) => {
    const count = inserts.length + upserts.length + deletes.length;
    if (dialect === 'sqlite') return { table, deletes, rows: [...inserts, ...upserts].map((r) => normalizeRow(table, r)), count };
    const json: string[] = [];
    for (let i = 0; i < upserts.length; i += ROWS_PER_STATEMENT) json.push(JSON.stringify(upserts.length <= ROWS_PER_STATEMENT ? upserts : upserts.slice(i, i + ROWS_PER_STATEMENT)));
    const format = copyFormatter(table);
    const copy = new ChunkWriter();
    for (const r of inserts) copy.write(format(r));
    return { table, deletes, json, copy: copy.end(), count };
  });
}

/** Writes a serialised flush into the tables named by `name`; returns the rows written. */
export async function writeSerialized(sql: SqlExecutor, writes: readonly SerializedWrite[], name: (t: TableDef) => string): Promise<number> {
  let n = 0;
  for (const w of writes) {
    await sql.deleteRows(w.table, w.deletes, name(w.table));
    if (w.copy?.length) await sql.copyIn(w.table, w.copy, name(w.table));
    for (const json of w.json ?? []) await sql.upsertJson(w.table, json, name(w.table));
    if (w.rows) await sql.upsertRows(w.table, w.rows, name(w.table));
    n += w.count;
  }
  return n;
}

/**
 * Lines written straight into Buffers of about a megabyte: far cheaper than one long string built
 * with += (a rope that has to be flattened before it can be sent), and off the JavaScript heap.
 */
class ChunkWriter {
  private readonly chunks: Buffer[] = [];
  private buf = Buffer.allocUnsafe(1 << 20);
  private at = 0;

  write(line: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 code unit
    if (this.buf.length - this.at < line.length * 3) {
      this.chunks.push(this.buf.subarray(0, this.at));
      this.buf = Buffer.allocUnsafe(Math.max(1 << 20, line.length * 3));
      this.at = 0;
    }
    this.at += this.buf.write(line, this.at);
  }

  end(): Buffer[] {
    if (this.at > 0) this.chunks.push(this.buf.subarray(0, this.at));
    return this.chunks;
  }
}

const SPECIAL = /[\\\n\r\t]/;

/** Escapes a text value for COPY's text format (backslash, newline, carriage return, tab). */
export const escapeCopy = (s: string): string =>
  SPECIAL.test(s) ? s.replace(/[\\\n\r\t]/g, (c) => (c === '\\' ? '\\\\' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\t')) : s;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const formatters = new WeakMap<TableDef, (row: Row) => string>();

/**
 * One row as a line of COPY's text format, columns in the table's order, with the values normalizeRow
 * would give (missing int = 0, missing text = NULL, int columns as numbers, text columns as strings).
 * Compiled once per table into straight-line code with a named property read per column (inline
 * caches that stay monomorphic, unlike `row[name]` in a loop over the columns).
 */
export function copyFormatter(t: TableDef): (row: Row) => string {
  let f = formatters.get(t);
  if (f) return f;
  const body = t.columns.map((c, i) => {
    if (!IDENTIFIER.test(c.name)) throw new Error(`copyFormatter: column name ${JSON.stringify(c.name)} is not a plain identifier`);
    const sep = i > 0 ? "s += '\\t'; " : '';
    const value = c.type === 'int'
      ? `v = r.${c.name}; s += v === null || v === undefined ? '0' : typeof v === 'number' ? '' + v : '' + Number(v);`
      : `v = r.${c.name}; s += v === null || v === undefined ? '\\\\N' : esc(typeof v === 'string' ? v : String(v));`;
    return sep + value;
  });
  // generated from the table's own column names, each checked to be a plain identifier above
  f = new Function('esc', `return function copyLine(r) { let v; let s = ''; ${body.join(' ')} return s + '\\n'; };`)(escapeCopy) as (row: Row) => string;
  formatters.set(t, f);
  return f;
}
