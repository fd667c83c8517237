export interface PageRequest {
  limit?: number;
  offset?: number;
  /** a column name the query allows sorting by */
  sort?: string;
  direction?: 'asc' | 'desc';
}

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

/** Bounded limit/offset and an ORDER BY built only from the query's own whitelist (never from input text). */
export function paging(p: PageRequest, sortable: Record<string, string>, fallback: string, tieBreak: string) {
  const limit = Math.min(Math.max(1, Math.floor(p.limit ?? 50)), 1000);
  const offset = Math.max(0, Math.floor(p.offset ?? 0));
  const column = sortable[p.sort ?? fallback] ?? sortable[fallback];
  const dir = p.direction === 'desc' ? 'DESC' : 'ASC';
  return { limit, offset, orderBy: `ORDER BY ${column} ${dir}, ${tieBreak} ASC` };
}

/** Builds a WHERE clause from optional conditions. */
export class Where {
  private readonly parts: string[] = [];
  readonly params: unknown[] = [];
  add(sql: string, ...params: unknown[]): this {
    this.parts.push(sql);
    this.params.push(...params);
    return this;
  }
  when(cond: unknown, sql: string, ...params: unknown[]): this {
    return cond === undefined || cond === null || cond === '' ? this : this.add(sql, ...params);
  }
  toString(): string {
    return this.parts.length ? `WHERE ${this.parts.join(' AND ')}` : '';
  }
}

export const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
export const pct = (part: number, whole: number): number => (whole > 0 ? Math.floor((Math.min(part, whole) * 100) / whole) : 0);
export const seconds = (from: unknown, to: unknown): number | null =>
  typeof from === 'string' && typeof to === 'string' ? Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / 1000)) : null;

/**
 * Normalises numeric columns of raw rows (PostgreSQL returns bigint and sums as text), in place: the
 * rows are the driver's, fresh for each statement and owned by the query that read them, and a copy of
 * every row (a 28-column shipment, 500 to a page) was most of what a list cost here.
 */
export function numbers<T extends object>(row: T, cols: readonly string[]): T {
  const r = row as Record<string, unknown>;
  for (const c of cols) if (c in r) r[c] = num(r[c]);
  return row;
}

/** Rows grouped by a key, each group in the rows' order (one pass). */
export function groupBy<T>(rows: readonly T[], keyOf: (r: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const r of rows) {
    const k = keyOf(r);
    const l = m.get(k);
    if (l) l.push(r);
    else m.set(k, [r]);
  }
  return m;
}
