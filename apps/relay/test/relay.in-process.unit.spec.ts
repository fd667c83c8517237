// The relay's batching, checkpointing and restart-from-checkpoint logic, on the in-memory store and
// the in-process transport (the same code the embedded mode runs). The Kafka suites cover the broker.
import { InMemoryCheckpointStore, InMemoryEventStore, type RecordedEvent } from '@lumbung/event-store';
import { InProcessEventTransport, type EventPublisher } from '@lumbung/messaging';
import { appendInterleaved } from '../../../test/pipeline/support/events';
import { RelayService } from '../src/relay.service';

/** Fails every n-th publish after writing half of the batch: the worst case for a resend. */
class FlakyPublisher implements EventPublisher {
  calls = 0;
  failures = 0;
  constructor(private readonly inner: EventPublisher, private readonly failEvery: number) {}
  connect = () => this.inner.connect();
  disconnect = () => this.inner.disconnect();
  async publish(events: readonly RecordedEvent[]): Promise<void> {
    this.calls++;
    if (this.calls % this.failEvery === 0) {
      this.failures++;
      await this.inner.publish(events.slice(0, Math.ceil(events.length / 2)));
      throw new Error('broker gone (test)');
    }
    await this.inner.publish(events);
  }
}

function delivered(t: InProcessEventTransport): Promise<RecordedEvent[]> {
  // Read back everything through a consumer, like a projector would.
  const out: RecordedEvent[] = [];
  const consumer = t.consumer({ groupId: `read-${Math.random()}` });
  return new Promise((resolve) => {
    const total = t.sizes().reduce((a, b) => a + b, 0);
    void consumer.start({
      appliedOffset: async () => null,
      handleBatch: async (b) => {
        out.push(...b.events.map((d) => d.event));
        if (out.length >= total) void consumer.stop().then(() => resolve(out));
      },
    });
  });
}

describe('RelayService (in-memory store, in-process transport)', () => {
  it('publishes everything in order per stream and checkpoints the last acknowledged position', async () => {
    const store = new InMemoryEventStore();
    const checkpoints = new InMemoryCheckpointStore();
    const transport = new InProcessEventTransport({ partitions: 3 });
    const batches: number[] = [];
    const relay = new RelayService({ store, checkpoints, publisher: transport.publisher(), checkpointName: 'relay:t', batchSize: 50, onBatch: (b) => batches.push(b.events) });
    await appendInterleaved(store, { prefix: 'stream', streams: 10, total: 400, perAppend: 3 });
    relay.start();
    await relay.waitForCheckpoint(400, 5000);
    await appendInterleaved(store, { prefix: 'late', streams: 5, total: 100 });
    await relay.waitForCheckpoint(500, 5000);
    await relay.stop();

    expect(await checkpoints.get('relay:t')).toBe(500);
    expect(Math.max(...batches)).toBeLessThanOrEqual(50);
    const got = await delivered(transport);
    expect(got.map((e) => e.position).sort((a, b) => a - b)).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
    const perStream = new Map<string, number[]>();
    for (const e of got) perStream.set(e.streamId, [...(perStream.get(e.streamId) ?? []), e.revision]);
    for (const [s, revs] of perStream) expect({ s, revs }).toEqual({ s, revs: revs.map((_, i) => i) });
  });

  it('after a failed publish starts again from the checkpoint: nothing lost, first deliveries in order, duplicates only', async () => {
    const store = new InMemoryEventStore();
    const checkpoints = new InMemoryCheckpointStore();
    const transport = new InProcessEventTransport({ partitions: 2 });
    const publisher = new FlakyPublisher(transport.publisher(), 4);
    const relay = new RelayService({ store, checkpoints, publisher, checkpointName: 'relay:t', batchSize: 20, reconnectDelayMs: { initial: 1, max: 5 } });
    relay.start();
    await appendInterleaved(store, { prefix: 's', streams: 7, total: 300, perAppend: 2 });
    await relay.waitForCheckpoint(300, 10_000);
    await relay.stop();

    expect(publisher.failures).toBeGreaterThan(0);
    expect(relay.stats.restarts).toBe(publisher.failures);
    const got = await delivered(transport);
    expect(new Set(got.map((e) => e.position)).size).toBe(300);
    expect(got.length).toBeGreaterThan(300); // the half-written batches were resent
    const heads = new Map<string, number>();
    for (const e of got) {
      const head = heads.get(e.streamId) ?? -1;
      // A revision is either a duplicate of one seen or exactly the next: never a gap.
      expect(e.revision <= head || e.revision === head + 1).toBe(true);
      heads.set(e.streamId, Math.max(head, e.revision));
    }
  });

  it('on stop publishes and checkpoints the batch in hand', async () => {
    const store = new InMemoryEventStore();
    const checkpoints = new InMemoryCheckpointStore();
    const transport = new InProcessEventTransport();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const inner = transport.publisher();
    const slow: EventPublisher = { ...inner, connect: inner.connect, disconnect: inner.disconnect, publish: async (e) => { await gate; await inner.publish(e); } };
    const relay = new RelayService({ store, checkpoints, publisher: slow, checkpointName: 'relay:t', batchSize: 1000, batchMs: 50 });
    await appendInterleaved(store, { prefix: 's', streams: 3, total: 30 });
    relay.start();
    await new Promise((r) => setTimeout(r, 150)); // the batch of 30 is in publish(), held by the gate
    const stopped = relay.stop();
    release();
    await stopped;
    expect(await checkpoints.get('relay:t')).toBe(30);
    expect(transport.sizes().reduce((a, b) => a + b, 0)).toBe(30);
    expect(relay.stats.batches).toBe(1);
  });
});
