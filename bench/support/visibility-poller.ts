import type { Pool } from 'pg';

/**
 * Watches when a write becomes visible in a table, for many writes at once, with one query every
 * `everyMs`: `SELECT key, version FROM table WHERE key = ANY($1)` over the keys still awaited, by the
 * table's primary key. One poller for the whole run (not one per command): its load on PostgreSQL is a
 * primary-key lookup of the pending keys a few hundred times a second, whatever the command rate.
 *
 * A write is visible once its key's version reaches the awaited one. It is recorded as visible at the
 * start of the query that first saw it (the query's snapshot is taken then): an upper bound, at most
 * one polling interval (plus scheduling delays, reported as the mean interval) after the fact.
 */
export class VisibilityPoller {
  private readonly waiting = new Map<string, Array<{ version: number; seen: (at: number) => void }>>();
  private running = false;
  private loop: Promise<void> | undefined;
  polls = 0;
  private firstPoll = 0;
  private lastPoll = 0;

  constructor(
    private readonly pool: Pool,
    /** a query with one parameter, the keys (text[]), answering rows { key, version } */
    private readonly sql: string,
    private readonly everyMs = 5,
  ) {}

  start(): this {
    this.running = true;
    this.loop = this.run();
    return this;
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  get pending(): number {
    let n = 0;
    for (const w of this.waiting.values()) n += w.length;
    return n;
  }

  /** mean time between two polls (ms) */
  get meanIntervalMs(): number {
    return this.polls > 1 ? (this.lastPoll - this.firstPoll) / (this.polls - 1) : NaN;
  }

  /** Resolves with the time (performance.now()) the poller first saw `key` at `version` or later. */
  await(key: string, version: number): Promise<number> {
    return new Promise((resolve) => {
      const w = this.waiting.get(key);
      const entry = { version, seen: resolve };
      if (w) w.push(entry);
      else this.waiting.set(key, [entry]);
    });
  }

  private async run(): Promise<void> {
    while (this.running) {
      const started = performance.now();
      if (this.waiting.size > 0) {
        const keys = [...this.waiting.keys()];
        const { rows } = await this.pool.query<{ key: string; version: string | number }>(this.sql, [keys]);
        this.polls++;
        if (this.polls === 1) this.firstPoll = started;
        this.lastPoll = started;
        for (const r of rows) {
          const w = this.waiting.get(r.key);
          if (!w) continue;
          const version = Number(r.version);
          const still = w.filter((x) => {
            if (x.version > version) return true;
            x.seen(started);
            return false;
          });
          if (still.length) this.waiting.set(r.key, still);
          else this.waiting.delete(r.key);
        }
      }
      const left = this.everyMs - (performance.now() - started);
      await new Promise((r) => setTimeout(r, Math.max(0, left)));
    }
  }
}
