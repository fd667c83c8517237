import type { DataSource } from 'typeorm';
import { deliver, truncatedChange, type ChangeListener, type ReadModelChanges } from './changes';
import { PostgresReadModelChanges, type PostgresChangesOptions } from './changes.postgres';
import { CHECKPOINTS_TABLE } from './schema';
import { withExecutor } from './sql-executor';

/**
 * For a reader in another process than the writer, on a database without NOTIFY (SQLite): looks at
 * the projectors' checkpoints every `intervalMs` while someone subscribes, and announces a truncated
 * change ("refresh") whenever they moved. Cheap (one small table) and coarse, as such a set-up is.
 */
export class PollingReadModelChanges implements ReadModelChanges {
  private readonly listeners = new Set<ChangeListener>();
  private timer: NodeJS.Timeout | undefined;
  private last: string | undefined;
  private busy = false;
  private firstPoll: Promise<void> | undefined;

  constructor(
    private readonly ds: DataSource,
    private readonly intervalMs = 1000,
  ) {}

  async publishInTransaction(): Promise<void> {}
  publishCommitted(): void {}

  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    if (!this.timer) {
      this.timer = setInterval(() => void this.poll(), this.intervalMs);
      this.timer.unref();
      this.firstPoll = this.poll();
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  }

  /** Once the first look at the checkpoints is taken: later moves are announced. */
  async ready(): Promise<void> {
    await this.firstPoll;
  }

  async close(): Promise<void> {
    this.stop();
    this.listeners.clear();
  }

  private stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.last = undefined;
  }

  private async poll(): Promise<void> {
    if (this.busy || !this.ds.isInitialized) return;
    this.busy = true;
    try {
      const rows = await withExecutor(this.ds, (sql) =>
        sql.query<{ n: string | number; s: string | number; m: string | number; at: string | null }>(
          `SELECT COUNT(*) AS n, COALESCE(SUM("position"), 0) AS s, COALESCE(MAX("position"), 0) AS m, MAX("updated_at") AS at FROM ${sql.table(CHECKPOINTS_TABLE)}`,
        ),
      );
      const r = rows[0];
      const seen = `${r.n}|${r.s}|${r.at ?? ''}`;
      const first = this.last === undefined;
      if (seen !== this.last) {
        this.last = seen;
        if (!first) {
          const change = truncatedChange({ source: 'checkpoints', partition: 0, checkpoint: Number(r.m), position: Number(r.m), events: 0, at: r.at ?? new Date().toISOString() });
          deliver(this.listeners, change);
        }
      }
    } catch {
      // The next tick tries again (a database restarting, a migration holding the lock).
    } finally {
      this.busy = false;
    }
  }
}

/**
 * A reader's changes for the read models behind `ds`, when the writer runs in another process:
 * PostgreSQL's LISTEN, or polling the checkpoints elsewhere.
 */
export function readModelChangesFor(ds: DataSource, o: PostgresChangesOptions & { pollMs?: number } = {}): ReadModelChanges {
  return ds.options.type === 'postgres' ? new PostgresReadModelChanges(ds, o) : new PollingReadModelChanges(ds, o.pollMs);
}
