// ProjectorService over the in-process transport: batches reach the sink with their checkpoint, a
// failed batch is redelivered, two members of one group share the partitions, and a restart resumes
// after the sink's checkpoint. The Kafka suites run the same service against the broker.
import type { RecordedEvent } from '@lumbung/event-store';
import { InMemoryEventStore, toArray } from '@lumbung/event-store';
import { InProcessEventTransport } from '@lumbung/messaging';
import { appendInterleaved } from '../../../test/pipeline/support/events';
import { RecordingSink } from '../../../test/pipeline/support/recording-sink';
import { ProjectorService } from '../src/projector.service';

async function until(done: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function publishedStore(n: number): Promise<{ events: RecordedEvent[]; transport: InProcessEventTransport }> {
  const store = new InMemoryEventStore();
  await appendInterleaved(store, { prefix: 's', streams: 9, total: n, perAppend: 2 });
  const events = await toArray(store.readAll());
  const transport = new InProcessEventTransport({ partitions: 4 });
  const pub = transport.publisher();
  for (let i = 0; i < events.length; i += 25) await pub.publish(events.slice(i, i + 25));
  return { events, transport };
}

describe('ProjectorService (in-process transport)', () => {
  it('applies every event once, in stream order, with per-partition checkpoints; a failed batch comes again', async () => {
    const { events, transport } = await publishedStore(300);
    const sink = new RecordingSink();
    sink.failNext = 2;
    const projector = new ProjectorService({ transport, sink, maxBatchEvents: 40 });
    await projector.start();
    await until(() => sink.applied === 300);
    await projector.stop();
    expect(sink.gaps).toEqual([]);
    expect(sink.duplicatesSkipped).toBe(0);
    const sizes = transport.sizes();
    for (let p = 0; p < sizes.length; p++) if (sizes[p] > 0) expect(await sink.getCheckpoint(transport.source, p)).toBe(sizes[p]); // the next offset to read
    expect(events).toHaveLength(300);
    const metrics = await projector.metrics.registry.getSingleMetricAsString('lumbung_projector_events_total');
    expect(metrics).toContain('lumbung_projector_events_total 300');
  });

  it('two members of a group share the partitions; a restarted member resumes after the checkpoint', async () => {
    const { transport } = await publishedStore(200);
    const sink = new RecordingSink();
    const a = new ProjectorService({ transport, sink, groupId: 'g', maxBatchEvents: 10 });
    const b = new ProjectorService({ transport, sink, groupId: 'g', maxBatchEvents: 10 });
    await a.start();
    await b.start();
    await until(() => sink.applied === 200);
    await a.stop();
    await b.stop();
    expect(sink.gaps).toEqual([]);
    const batches = sink.batches;
    const c = new ProjectorService({ transport, sink, groupId: 'g-new' }); // no offsets in Kafka terms, but the sink has its checkpoints
    await c.start();
    await new Promise((r) => setTimeout(r, 100));
    await c.stop();
    expect(sink.batches).toBe(batches);
    expect(sink.duplicatesSkipped).toBe(0);
  });
});
