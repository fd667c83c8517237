import type { DataSource } from 'typeorm';
import { handleCommand, type EventStore, type RecordedEvent } from '@lumbung/event-store';
import { aggregates } from '@lumbung/domain';
import { normalizeRow, projections, type Row } from '@lumbung/projections';
import type { ReadModelWriter } from '../read-model.writer';
import { tablesOf } from '../schema';
import { withExecutor } from '../sql-executor';

/** A scenario step (libs/projections/src/testing/scenario.ts): a domain command on one aggregate's stream. */
export interface ScenarioStep {
  aggregate: keyof typeof aggregates;
  streamId: string;
  command: { type: string; data: Record<string, unknown>; metadata: { now: string; actor: string; role: string } };
}

/** Runs scenario steps through handleCommand on a real store, as the command API would. */
export async function runSteps(store: EventStore, steps: readonly ScenarioStep[], prefix = 'cmd'): Promise<void> {
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i];
    const { decider } = aggregates[s.aggregate] as unknown as { decider: Parameters<typeof handleCommand>[2] };
    await handleCommand(store, s.streamId, decider, {
      commandId: `${prefix}-${i}`,
      command: s.command,
      metadata: { actor: s.command.metadata.actor, role: s.command.metadata.role, correlationId: `${prefix}-${i}`, causationId: `${prefix}-${i}`, occurredAt: s.command.metadata.now },
    });
  }
}

/** Feeds the store's log to a writer in batches, as the projector would (checkpoint = last position). */
export async function feed(store: EventStore, writer: ReadModelWriter, batchSize = 250, source = 'store', after?: number): Promise<number> {
  let position = after ?? (await writer.getCheckpoint(source, 0));
  let batch: RecordedEvent[] = [];
  for await (const e of store.readAll({ after: position })) {
    batch.push(e);
    if (batch.length >= batchSize) {
      await writer.applyBatch(batch, { source, partition: 0, position: e.position });
      batch = [];
    }
    position = e.position;
  }
  if (batch.length) await writer.applyBatch(batch, { source, partition: 0, position });
  return position;
}

/** Every read-model table's rows (stream revisions included), sorted by key: two read models compare equal row for row. */
export async function dumpReadModel(ds: DataSource, names: readonly string[] = projections.map((p) => p.name)): Promise<Record<string, Row[]>> {
  return withExecutor(ds, async (sql) => {
    const out: Record<string, Row[]> = {};
    for (const p of projections.filter((x) => names.includes(x.name))) {
      for (const t of tablesOf(p)) {
        const rows = await sql.query<Row>(`SELECT * FROM ${sql.table(t.name)} ORDER BY ${t.primaryKey.map((k) => `"${k}"`).join(', ')}`);
        out[t.name] = rows.map((r) => normalizeRow(t, r));
      }
    }
    return out;
  });
}
