// Event generation for the pipeline tests: many streams, appended interleaved, so per-stream order has
// to survive batching, partitioning and restarts.
import { randomUUID } from 'node:crypto';
import type { AppendMetadata, EventStore, NewEvent } from '../../../libs/event-store/src';

export function meta(i: number): AppendMetadata {
  return { actor: 'pipeline-test', correlationId: randomUUID(), causationId: randomUUID(), occurredAt: new Date(Date.UTC(2025, 2, 1, 0, 0, i % 60)).toISOString() };
}

export function testEvent(streamId: string, seq: number): NewEvent {
  return { id: randomUUID(), type: 'PipelineTested', data: { streamId, seq, pad: 'x'.repeat(seq % 7) } };
}

/**
 * Appends `total` events over `streams` streams in rounds (stream 0 #0, stream 1 #0, ..., stream 0 #1...),
 * `perAppend` events per append call, optionally paced; returns the number of events appended.
 */
export async function appendInterleaved(
  store: EventStore,
  o: { prefix: string; streams: number; total: number; perAppend?: number; concurrency?: number; pauseEveryMs?: { every: number; ms: number } },
): Promise<number> {
  const perAppend = o.perAppend ?? 1;
  const revisions = new Map<string, number>();
  const jobs: Array<{ streamId: string; count: number }> = [];
  let planned = 0;
  for (let round = 0; planned < o.total; round++) {
    for (let s = 0; s < o.streams && planned < o.total; s++) {
      const count = Math.min(perAppend, o.total - planned);
      jobs.push({ streamId: `${o.prefix}-${s}`, count });
      planned += count;
    }
  }
  // Streams proceed in parallel (up to `concurrency` appends in flight) but each stream's appends run in order.
  const concurrency = o.concurrency ?? 4;
  const queues = new Map<string, Promise<void>>();
  let inFlight: Promise<void>[] = [];
  let done = 0;
  for (const job of jobs) {
    const prev = queues.get(job.streamId) ?? Promise.resolve();
    const p = prev.then(async () => {
      const rev = revisions.get(job.streamId) ?? -1;
      const events = Array.from({ length: job.count }, (_, k) => testEvent(job.streamId, rev + 1 + k));
      await store.append(job.streamId, events, rev < 0 ? 'no-stream' : rev, meta(done));
      revisions.set(job.streamId, rev + job.count);
      done += job.count;
    });
    queues.set(job.streamId, p);
    inFlight.push(p);
    if (inFlight.length >= concurrency) {
      await Promise.all(inFlight);
      inFlight = [];
      if (o.pauseEveryMs && done % o.pauseEveryMs.every < perAppend * concurrency) await new Promise((r) => setTimeout(r, o.pauseEveryMs!.ms));
    }
  }
  await Promise.all(inFlight);
  return planned;
}
