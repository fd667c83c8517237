import { once } from 'node:events';
import type { IncomingMessage as Request, ServerResponse as Response } from 'node:http';
import type { Page, PageRequest } from '@lumbung/read-model';
import { columnsOf, csvLine, flattenForCsv } from './csv';
import { MAX_PAGE, pageOf, type PageQueryDto } from './page-query.dto';

type Obj = Record<string, unknown>;

/** CSV when asked by `?format=csv`, or by an Accept header naming text/csv (and `format` not forcing JSON). */
export function wantsCsv(req: Request, format?: string): boolean {
  if (format) return format === 'csv';
  return /\btext\/csv\b/i.test(req.headers.accept ?? '');
}

/** Writes with backpressure: waits for 'drain' when the socket's buffer is full; false once the client has gone. */
export async function write(res: Response, chunk: string): Promise<boolean> {
  if (res.destroyed || res.writableEnded) return false;
  if (!res.write(chunk)) await Promise.race([once(res, 'drain'), once(res, 'close')]);
  return !res.destroyed;
}

export function sendJson(res: Response, body: unknown): void {
  res.statusCode = 200;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(body));
}

export function startCsv(res: Response, name: string): void {
  res.statusCode = 200;
  res.setHeader('Content-Type', 'text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="${name}.csv"`);
  res.setHeader('Cache-Control', 'no-store');
}

/**
 * Streams rows as CSV: columns are those of the first batch (rows of one query share their shape).
 * Each batch is written as soon as it is read, so an export never holds more than a page.
 */
export class CsvStream {
  private columns: string[] | undefined;
  constructor(
    private readonly res: Response,
    private readonly expand = 'lines',
  ) {}

  async rows(items: readonly Obj[]): Promise<boolean> {
    const flat = items.flatMap((i) => flattenForCsv(i, this.expand));
    if (!this.columns) {
      if (flat.length === 0) return true;
      this.columns = columnsOf(flat);
      if (!(await write(this.res, csvLine(this.columns)))) return false;
    }
    const cols = this.columns;
    let chunk = '';
    for (const r of flat) chunk += csvLine(cols.map((c) => r[c]));
    return chunk ? write(this.res, chunk) : true;
  }

  /** An empty list still gets a header when its columns are known up front. */
  end(emptyHeader: readonly string[] = []): void {
    if (!this.columns && emptyHeader.length) this.res.write(csvLine(emptyHeader));
    this.res.end();
  }
}

/**
 * A list endpoint's answer: the page as JSON (`{ items, total, limit, offset }`), or CSV. CSV with
 * neither limit nor offset is the whole list, read page by page.
 */
export async function sendList<T extends object>(
  req: Request,
  res: Response,
  q: PageQueryDto & { sort?: string },
  name: string,
  fetch: (page: PageRequest) => Promise<Page<T>>,
  o: { emptyHeader?: readonly string[] } = {},
): Promise<void> {
  const page = pageOf(q);
  if (!wantsCsv(req, q.format)) {
    sendJson(res, await fetch(page));
    return;
  }
  const whole = q.limit === undefined && q.offset === undefined;
  const first = await fetch(whole ? { ...page, limit: MAX_PAGE, offset: 0 } : page);
  startCsv(res, name);
  const csv = new CsvStream(res);
  let p = first;
  for (;;) {
    if (!(await csv.rows(p.items as unknown as Obj[]))) return;
    const next = p.offset + p.items.length;
    if (!whole || p.items.length === 0 || next >= p.total) break;
    p = await fetch({ ...page, limit: MAX_PAGE, offset: next });
  }
  csv.end(o.emptyHeader);
}

/** A list that is not paged (the gap matrix's rows, per-member readiness): JSON `{ items }` or CSV. */
export async function sendRows(req: Request, res: Response, format: string | undefined, name: string, items: readonly Obj[], extra: Obj = {}): Promise<void> {
  if (!wantsCsv(req, format)) {
    sendJson(res, { ...extra, items });
    return;
  }
  startCsv(res, name);
  const csv = new CsvStream(res);
  await csv.rows(items);
  csv.end();
}

/** One record: JSON as it is, or CSV (its lines one row each). */
export async function sendOne(req: Request, res: Response, format: string | undefined, name: string, item: object): Promise<void> {
  if (!wantsCsv(req, format)) {
    sendJson(res, item);
    return;
  }
  await sendRows(req, res, format, name, [item as Obj]);
}
