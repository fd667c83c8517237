import type { IncomingMessage as Request, ServerResponse as Response } from 'node:http';
import { csvLine } from '../common/csv';
import { startCsv, wantsCsv, write } from '../common/responder';
import { AUDIT_COLUMNS, type AuditEntry } from './audit-entry';

/**
 * Streams audit entries as they are found, JSON (`{ ...head, items: [...], ...tail }`) or CSV, so an
 * answer built from a scan of the log never holds more than one event: the head goes out first, the
 * tail (the cursor, the scan's extent) once the scan ends.
 */
export class AuditWriter {
  private readonly csv: boolean;
  private started = false;
  private count = 0;

  constructor(
    req: Request,
    private readonly res: Response,
    format: string | undefined,
    private readonly name: string,
    private readonly head: Record<string, unknown>,
  ) {
    this.csv = wantsCsv(req, format);
  }

  private async start(): Promise<boolean> {
    if (this.started) return true;
    this.started = true;
    if (this.csv) {
      startCsv(this.res, this.name);
      return write(this.res, csvLine(AUDIT_COLUMNS));
    }
    this.res.statusCode = 200;
    this.res.setHeader('Content-Type', 'application/json; charset=utf-8');
    this.res.setHeader('Cache-Control', 'no-store');
    const head = JSON.stringify(this.head);
    return write(this.res, `${head.slice(0, -1)}${head.length > 2 ? ',' : ''}"items":[`);
  }

  /** false once the client has gone: the scan should stop. */
  async entry(e: AuditEntry): Promise<boolean> {
    if (!(await this.start())) return false;
    const chunk = this.csv ? csvLine(AUDIT_COLUMNS.map((c) => e[c])) : `${this.count ? ',' : ''}${JSON.stringify(e)}`;
    this.count++;
    return write(this.res, chunk);
  }

  async end(tail: Record<string, unknown>): Promise<void> {
    if (!(await this.start())) return;
    if (!this.csv) {
      const t = JSON.stringify({ ...tail, count: this.count });
      this.res.write(`],${t.slice(1)}`);
    }
    this.res.end();
  }
}
