import { performance } from 'node:perf_hooks';
import type { Pool } from 'pg';

/** One raw read: sends its statement(s) through pg and returns the rows it got (to tell an empty read). */
export type RawRead = (pool: Pool, n: number) => Promise<number>;

export interface SqlOutcome {
  latencies: number[];
  seconds: number;
  errors: number;
  rows: number;
  firstError?: string;
}

/**
 * The baseline's load: `connections` readers over a pg pool of as many connections, each with one read
 * in flight, for `warmupSeconds` unmeasured and then until `maxRequests` reads or `seconds` - the
 * same policy as the HTTP load, so that the two latency distributions compare.
 */
export async function runSqlLoad(pool: Pool, read: RawRead, o: { connections: number; warmupSeconds: number; seconds: number; maxRequests: number }): Promise<SqlOutcome> {
  let next = 0;
  const phase = async (seconds: number, maxRequests: number): Promise<SqlOutcome> => {
    const out: SqlOutcome = { latencies: [], seconds: 0, errors: 0, rows: 0 };
    let started = 0;
    const t0 = performance.now();
    const deadline = t0 + seconds * 1000;
    let last = t0;
    await Promise.all(
      Array.from({ length: o.connections }, async () => {
        while (started < maxRequests && performance.now() < deadline) {
          started++;
          const n = next++;
          const sent = performance.now();
          try {
            out.rows += await read(pool, n);
            last = performance.now();
            out.latencies.push(last - sent);
          } catch (err) {
            last = performance.now();
            out.errors++;
            out.firstError ??= (err as Error).message;
          }
        }
      }),
    );
    out.seconds = (last - t0) / 1000;
    return out;
  };
  if (o.warmupSeconds > 0) await phase(o.warmupSeconds, Number.MAX_SAFE_INTEGER);
  return phase(o.seconds, o.maxRequests);
}
