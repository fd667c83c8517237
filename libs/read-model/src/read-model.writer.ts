import type { DataSource } from 'typeorm';
import type { RecordedEvent } from '@lumbung/event-store';
import { keyString, ProjectionState, projections as allProjections, type Projection, type Row, type TableDef } from '@lumbung/projections';
import { summarizeBatch, type ReadModelChange, type ReadModelChanges } from './changes';
import { loadStreams, writeChanges } from './projection-store';
import { CHECKPOINTS_TABLE } from './schema';
import { distinctKeys, hash32, inTransaction, type SqlExecutor } from './sql-executor';

export interface Checkpoint {
  /** the log the events came from (a Kafka topic, the in-process bus, the store's subscription) */
  source: string;
  partition: number;
  position: number;
}

/** Advisory lock namespaces (PostgreSQL): the rebuild's swap, then streams, then rows. */
export const LOCK_SWAP: [number, number] = [7342, 2];
const LOCK_STREAMS = 7343;
const LOCK_ROWS = 7344;
const LOCK_ROLLUPS = 7345;

/**
 * Applies batches of events to every projection's rows and stores the source's checkpoint in the same
 * transaction. Per projection and stream it keeps the applied revision: an event at or below it (a
 * redelivery, from any source) has no second effect.
 *
 * Per batch: one IN query per projection for its streams' revisions, one per table for the rows the
 * batch touches, then the changes applied in memory and written back with multi-row upserts.
 *
 * Several projector processes may write at once (PostgreSQL): each batch takes transaction advisory
 * locks on its streams and then on its rows, in sorted order, so two batches touching the same row
 * (say, one member's pledge record from two partitions) never lose an update. A rebuild's swap takes
 * the swap lock exclusively; batches take it shared.
 */
export class ReadModelWriter {
  private readonly projections: readonly Projection[];
  private readonly changes: ReadModelChanges | undefined;

  constructor(
    private readonly ds: DataSource,
    /** changes: announces each committed batch (changes.ts: in-process, or NOTIFY in the transaction) */
    options: { projections?: readonly Projection[]; changes?: ReadModelChanges } = {},
  ) {
    this.projections = options.projections ?? allProjections;
    this.changes = options.changes;
  }

  async applyBatch(events: RecordedEvent[], checkpoint: Checkpoint): Promise<void> {
    let change: ReadModelChange | undefined;
    await inTransaction(this.ds, async (sql) => {
      const pg = sql.dialect === 'postgres';
      if (pg) await sql.query('SELECT pg_advisory_xact_lock_shared(?, ?)', LOCK_SWAP);
      const states = await applyEvents(sql, this.projections, events, pg);
      await saveCheckpoint(sql, checkpoint);
      if (this.changes) {
        change = summarizeBatch(states, events, checkpoint);
        if (change) await this.changes.publishInTransaction(sql, change);
      }
    });
    if (change) this.changes?.publishCommitted(change);
  }

  async getCheckpoint(source: string, partition: number): Promise<number> {
    return inTransaction(this.ds, async (sql) => {
      const rows = await sql.query<{ position: string | number }>(`SELECT "position" FROM ${sql.table(CHECKPOINTS_TABLE)} WHERE "source" = ? AND "partition" = ?`, [source, partition]);
      return rows.length ? Number(rows[0].position) : 0;
    });
  }
}

async function lock(sql: SqlExecutor, namespace: number, keys: Iterable<string>): Promise<void> {
  const ids = [...new Set([...keys].map(hash32))].sort((a, b) => a - b);
  if (!ids.length) return;
  // Sorted, so two writers wanting overlapping sets queue instead of deadlocking.
  await sql.query(`SELECT count(pg_advisory_xact_lock(?, k)) FROM unnest(?::int[]) AS k`, [namespace, ids]);
}

/** The core of applyBatch, inside a transaction. Returns the states, which hold the rows the batch touched. */
export async function applyEvents(sql: SqlExecutor, projections: readonly Projection[], events: readonly RecordedEvent[], lockRows: boolean): Promise<ProjectionState[]> {
  const states = projections.map((p) => new ProjectionState(p, { deferRollups: true }));
  const streamsOf = states.map((s) => [...new Set(events.filter((e) => s.handles(e)).map((e) => e.streamId))]);
  if (lockRows) await lock(sql, LOCK_STREAMS, states.flatMap((s, i) => streamsOf[i].map((id) => `${s.projection.name}|${id}`)));
  for (let i = 0; i < states.length; i++) await loadStreams(sql, states[i], streamsOf[i]);

  const plans = states.map((s) => s.plan(events));
  const keys = new Map<TableDef, Row[]>();
  for (const plan of plans) for (const step of plan) for (const c of step.changes) {
    const l = keys.get(c.table);
    if (l) l.push(c.key);
    else keys.set(c.table, [c.key]);
  }
  if (lockRows) await lock(sql, LOCK_ROWS, [...keys].flatMap(([t, ks]) => ks.map((k) => `${t.name}|${keyString(t, k)}`)));
  for (let i = 0; i < states.length; i++) {
    for (const t of states[i].projection.tables) {
      const ks = keys.get(t);
      if (!ks) continue;
      for (const r of await sql.loadRows(t, distinctKeys(t, ks))) states[i].seedRow(t, r, r);
    }
    for (const step of plans[i]) states[i].applyPlanned(step);
    await applyRollups(sql, states[i], lockRows);
    await writeChanges(sql, states[i]);
  }
  return states;
}

/**
 * The batch's amounts for the projection's rollup tables (maintained sums, libs/projections' rollup.ts),
 * level by level: lock the target rows, load them, add. Every writer takes the levels in ascending
 * order and each level's keys sorted, after its stream and row locks, so two writers never wait on
 * each other in a cycle; a hot target row (an incident's figures) is held only from here to commit.
 */
async function applyRollups(sql: SqlExecutor, state: ProjectionState, lockRows: boolean): Promise<void> {
  for (let amounts = state.pendingRollups(); amounts; amounts = state.pendingRollups()) {
    if (lockRows) await lock(sql, LOCK_ROLLUPS, amounts.map((a) => `${a.table.name}|${a.k}`));
    const byTable = new Map<TableDef, Row[]>();
    for (const a of amounts) {
      const l = byTable.get(a.table);
      if (l) l.push(a.key);
      else byTable.set(a.table, [a.key]);
    }
    for (const [t, ks] of byTable) for (const r of await sql.loadRows(t, distinctKeys(t, ks))) state.seedRow(t, r, r);
    state.applyRollups(amounts);
  }
}

export async function saveCheckpoint(sql: SqlExecutor, c: Checkpoint): Promise<void> {
  const max = sql.dialect === 'postgres' ? 'GREATEST' : 'MAX';
  await sql.query(
    `INSERT INTO ${sql.table(CHECKPOINTS_TABLE)} ("source", "partition", "position", "updated_at") VALUES (?, ?, ?, ?)
     ON CONFLICT ("source", "partition") DO UPDATE SET "position" = ${max}(${sql.table(CHECKPOINTS_TABLE)}."position", excluded."position"), "updated_at" = excluded."updated_at"`,
    [c.source, c.partition, c.position, new Date().toISOString()],
  );
}
