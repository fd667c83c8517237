import { Client, escapeIdentifier } from 'pg';
import { logHash, type Notifier } from '@lumbung/event-store';
import { ADVISORY_LOCK_NAMESPACE } from './postgres.migration-runner';

export interface SealerOptions {
  connectionString: string;
  schema: string;
  /** events sealed per statement (default 1000) */
  batchSize?: number;
  /** pause after a batch that found work (default 20 ms); a local append wakes the sealer sooner */
  busyPollMs?: number;
  /** the pause doubles while idle, up to this (default 50 ms); bounds the delay for other processes' appends (end-to-end freshness) */
  idlePollMs?: number;
  /** how often an instance that does not hold the sealer lock tries to take it (default 500 ms) */
  takeoverMs?: number;
  /** notified by local appends: wakes the sealer */
  appendNotifier: Notifier;
  /** notified after each sealed batch: wakes local subscriptions and settle() */
  sealNotifier: Notifier;
  onError?: (err: Error) => void;
}

interface SealerState {
  cursorTx: string;
  cursorSeq: string;
  position: number;
  logHash: string;
}

/**
 * Seals the global log behind the appends (DESIGN.md "Events"), with the technique Emmett uses for
 * PostgreSQL. Appends take seq from a sequence, but a transaction that took an earlier seq may commit
 * after one that took a later seq, so a reader following seq would skip the late committer (the
 * problem behind marten#4749/#4952 and Eventuous#222). Instead, each pass reads only events whose
 * writing transaction id is below pg_snapshot_xmin(pg_current_snapshot()): every transaction below
 * that horizon has finished, and no transaction that starts later can receive a smaller id, so
 * nothing can ever appear behind the cursor again. Those events are numbered 1, 2, 3... in
 * (tx_id, seq) order and chained with logHash into the insert-only log table.
 *
 * Caveat: the horizon is cluster-wide. A long-running transaction that holds a transaction id
 * anywhere in the cluster (any database, any application, an idle-in-transaction session, a
 * prepared transaction) holds the horizon back, and so delays sealing of every later event until it
 * ends. It never loses or reorders anything: the events are sealed as soon as the horizon moves.
 *
 * Any number of store instances may run against one schema; exactly one seals at a time. It holds a
 * session-level pg_try_advisory_lock on its own dedicated connection and seals on that connection,
 * so if its process dies the lock and any half-done batch go with the connection, and another
 * instance, retrying every takeoverMs, takes over from the state in the table.
 */
export class LogSealer {
  private readonly s: string;
  private readonly batchSize: number;
  private readonly busyPollMs: number;
  private readonly idlePollMs: number;
  private readonly takeoverMs: number;
  private client: Client | undefined;
  private holding = false;
  private state: SealerState | undefined;
  private stopped = false;
  private loop: Promise<void> | undefined;
  private pending: { cancel: () => void } | undefined;

  constructor(private readonly o: SealerOptions) {
    this.s = escapeIdentifier(o.schema);
    this.batchSize = o.batchSize ?? 1000;
    this.busyPollMs = o.busyPollMs ?? 20;
    this.idlePollMs = o.idlePollMs ?? 50;
    this.takeoverMs = o.takeoverMs ?? 500;
  }

  /** true while this instance holds the sealer lock */
  get isSealing(): boolean {
    return this.holding;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Wakes the sealer now (if it holds the lock, it runs a pass). */
  wake(): void {
    this.pending?.cancel();
  }

  /** Stops the loop after its current pass and closes the connection, which releases the lock. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.pending?.cancel();
    await this.loop;
    await this.dropConnection();
  }

  private async run(): Promise<void> {
    let idle = this.busyPollMs;
    while (!this.stopped) {
      let delay = this.takeoverMs;
      let foundWork = false;
      try {
        if (!this.holding) await this.tryAcquire();
        if (this.holding) {
          const n = await this.sealBatch();
          foundWork = n > 0;
          if (n >= this.batchSize) {
            delay = 0;
          } else if (foundWork) {
            idle = this.busyPollMs;
            delay = this.busyPollMs;
          } else {
            idle = Math.min(idle * 2, this.idlePollMs);
            delay = idle;
          }
        }
      } catch (err) {
        if (this.stopped) break;
        this.o.onError?.(err as Error);
        // Whatever went wrong, start again from a fresh connection and the state in the table.
        await this.dropConnection();
      }
      if (delay > 0 && !this.stopped) {
        // An idle lock holder wakes on the next local append. After a pass that found work it sleeps
        // the busy interval regardless, so a burst of appends is sealed in a few large batches rather
        // than one small transaction per append. Non-holders only retry the lock on their timer.
        const w = this.holding && !foundWork ? this.o.appendNotifier.wait(delay) : sleep(delay);
        this.pending = w;
        await w.promise;
        this.pending = undefined;
      }
    }
  }

  private async tryAcquire(): Promise<void> {
    if (!this.client) {
      const c = new Client({ connectionString: this.o.connectionString, application_name: 'lumbung-sealer' });
      // Without a listener an 'error' on an idle connection would crash the process.
      c.on('error', (err) => {
        if (this.client === c) {
          this.holding = false;
          this.state = undefined;
          this.client = undefined;
          this.o.onError?.(err);
        }
      });
      this.client = c;
      await c.connect();
      // The log is derived data: if the server crashes before this commit is flushed, the log rows and
      // the state row vanish together, and the next pass re-seals the same events in the same order
      // (the horizon only moves forward), so positions and hashes come out identical. Not waiting for
      // the flush keeps the sealer from competing with appends for WAL fsyncs.
      await c.query('SET synchronous_commit = off');
    }
    const c = this.client;
    const { rows } = await c.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok', [ADVISORY_LOCK_NAMESPACE.sealer, this.o.schema]);
    if (!rows[0].ok) return;
    const st = await c.query<{ cursor_tx: string; cursor_seq: string; position: string; log_hash: string }>(
      `SELECT cursor_tx::text, cursor_seq::text, position::text, log_hash FROM ${this.s}.sealer_state`,
    );
    if (st.rows.length !== 1) throw new Error('sealer_state must hold exactly one row');
    const r = st.rows[0];
    this.state = { cursorTx: r.cursor_tx, cursorSeq: r.cursor_seq, position: Number(r.position), logHash: r.log_hash };
    this.holding = true;
  }

  /** One pass: seals up to batchSize events that can no longer be overtaken. Returns how many. */
  private async sealBatch(): Promise<number> {
    const c = this.client!;
    const st = this.state!;
    const { rows } = await c.query<{ seq: string; tx_id: string; hash: string }>({
      name: 'lumbung_seal_candidates',
      // Qualified ORDER BY: the bare names would sort by the text output columns ('99' > '100').
      text: `SELECT e.seq::text AS seq, e.tx_id::text AS tx_id, e.hash FROM ${this.s}.events e
              WHERE (e.tx_id, e.seq) > ($1::xid8, $2::bigint)
                AND e.tx_id < pg_snapshot_xmin(pg_current_snapshot())
              ORDER BY e.tx_id, e.seq
              LIMIT $3`,
      values: [st.cursorTx, st.cursorSeq, this.batchSize],
    });
    if (rows.length === 0) return 0;
    const positions: string[] = [];
    const seqs: string[] = [];
    const hashes: string[] = [];
    let position = st.position;
    let prev = st.logHash;
    for (const r of rows) {
      position++;
      prev = logHash(prev, position, r.hash);
      positions.push(String(position));
      seqs.push(r.seq);
      hashes.push(prev);
    }
    const last = rows[rows.length - 1];
    // One statement, so the log rows and the state that describes them commit together. The state
    // update only matches if nobody else sealed since this instance read the state: a second sealer
    // (after a lost lock) would insert nothing instead of forking the log.
    const res = await c.query({
      name: 'lumbung_seal_insert',
      text: `WITH st AS (
               UPDATE ${this.s}.sealer_state
                  SET cursor_tx = $4::xid8, cursor_seq = $5::bigint, position = $6::bigint, log_hash = $7
                WHERE position = $8::bigint
                RETURNING 1
             )
             INSERT INTO ${this.s}.log (position, seq, log_hash)
             SELECT p, s, h FROM unnest($1::bigint[], $2::bigint[], $3::text[]) AS u(p, s, h)
              WHERE EXISTS (SELECT 1 FROM st)`,
      values: [positions, seqs, hashes, last.tx_id, last.seq, String(position), prev, String(st.position)],
    });
    if (res.rowCount !== rows.length) {
      this.holding = false;
      throw new Error(`sealer state moved under this sealer (expected position ${st.position}); reloading`);
    }
    this.state = { cursorTx: last.tx_id, cursorSeq: last.seq, position, logHash: prev };
    this.o.sealNotifier.notify();
    return rows.length;
  }

  private async dropConnection(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    this.holding = false;
    this.state = undefined;
    // Ending the session releases the advisory lock.
    if (c) await c.end().catch(() => undefined);
  }
}

function sleep(ms: number): { promise: Promise<void>; cancel: () => void } {
  let timer: NodeJS.Timeout | undefined;
  let done!: () => void;
  const promise = new Promise<void>((resolve) => {
    done = resolve;
    timer = setTimeout(resolve, ms);
  });
  return {
    promise,
    cancel: () => {
      clearTimeout(timer);
      done();
    },
  };
}
