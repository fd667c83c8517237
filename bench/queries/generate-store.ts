import { randomUUID } from 'node:crypto';
import { PostgresEventStore } from '@lumbung/event-store-postgres';
import { ScenarioSimulator } from '../../libs/projections/src/testing/scenario';
import { AppendPipeline } from './append-pipeline';
import { CommandApiCorrelations } from './correlations';
import { Progress } from './progress';

export interface GenerateOptions {
  url: string;
  schema: string;
  /** at least this many requests submitted... */
  requests: number;
  /** ...and at least this many events in all */
  events: number;
  /** appends in flight (default 16) */
  concurrency?: number;
  seed?: number;
}

export interface Generated {
  events: number;
  requests: number;
  appends: number;
  seconds: number;
  /** of which the simulator's deciding (the rest: waiting for the appends to catch up, sealing) */
  simulatorSeconds: number;
}

/** Commands the simulator decides between two looks at the append backlog (and two progress lines). */
const CHUNK_COMMANDS = 200;
/** Decided events the generator may run ahead of the appends. */
const MAX_BACKLOG = 4_000;

const withOptions = (u: string, opts: string) => `${u}${u.includes('?') ? '&' : '?'}options=${encodeURIComponent(opts)}`;
const fmt = (n: number) => Math.round(n).toLocaleString('en');

/**
 * Fills a PostgreSQL event store with a realistic cluster: the scenario simulator of
 * libs/projections drives the real domain deciders (requests submitted, approved, rejected, closed;
 * dispatches reserved, claimed, planned, departed, delivered short or damaged, cancelled, lost;
 * pledges offered, accepted, delivered, withdrawn, lapsed; stock received, counted, adjusted,
 * transferred; equipment returned), until both `requests` requests and `events` events exist. The
 * cluster grows with the volume as in bench:projections (a province's worth per 100,000 events).
 * Each command is one append with its own metadata, correlated as the command API does it
 * (correlations.ts), in decision order, 16 in flight (synchronous_commit off for the generation only).
 */
export async function generateStore(o: GenerateOptions): Promise<Generated> {
  const concurrency = o.concurrency ?? 16;
  const store = await PostgresEventStore.connect({ connectionString: withOptions(o.url, '-c synchronous_commit=off'), schema: o.schema, poolSize: concurrency + 1 });
  const pipeline = new AppendPipeline(store, concurrency);
  const correlations = new CommandApiCorrelations();
  const t0 = Date.now();
  let decided = 0;
  let requests = 0;
  let simNs = 0n;
  const bar = new Progress();
  const progress = (force = false) => {
    const secs = Math.max(0.001, (Date.now() - t0) / 1000);
    const rate = pipeline.appendedEvents / secs;
    const share = Math.min(decided / o.events, requests / o.requests);
    const eta = share > 0.01 ? ((1 - share) * secs) / share : undefined;
    const line =
      `  generating: ${fmt(decided)}/${fmt(o.events)} events decided, ${fmt(requests)}/${fmt(o.requests)} requests; ${fmt(pipeline.appendedEvents)} appended (${fmt(rate)} events/s)` +
      `${eta === undefined ? '' : `, ETA ${Math.max(0, eta).toFixed(0)} s`}`;
    if (force) bar.done(line);
    else bar.show(line);
  };
  const scale = Math.max(1, o.events / 100_000);
  const sim = new ScenarioSimulator(
    {
      seed: o.seed ?? 42,
      warehouses: Math.round(20 * scale),
      sites: Math.round(80 * scale),
      items: 60,
      members: Math.round(10 * scale),
      incidents: Math.max(2, Math.round(scale)),
      onStep: (step, events) => {
        if (events.length === 0) return;
        const first = events[0].revision;
        pipeline.submit({
          streamId: step.streamId,
          events: events.map((e) => ({ id: randomUUID(), type: e.type, schemaVersion: e.schemaVersion, data: e.data })),
          expected: first === 0 ? 'no-stream' : first - 1,
          metadata: correlations.metadataOf(step),
        });
        decided += events.length;
        for (const e of events) if (e.type === 'RequestSubmitted') requests++;
      },
    },
    false,
  );
  try {
    sim.setup();
    while (decided < o.events || requests < o.requests) {
      const s0 = process.hrtime.bigint();
      sim.run(CHUNK_COMMANDS);
      simNs += process.hrtime.bigint() - s0;
      correlations.endOfChunk();
      // let the appends' answers in, and hold the simulator back when they fall behind
      await new Promise((r) => setImmediate(r));
      await pipeline.below(MAX_BACKLOG);
      progress();
    }
    await pipeline.drain();
    progress(true);
    // readAll (the rebuild, the trail's log scan) sees sealed events only: wait for the sealer
    const sealing = new Progress();
    for (;;) {
      const head = await store.headPosition();
      const line = `  sealing: ${fmt(head)}/${fmt(pipeline.appendedEvents)}`;
      if (head >= pipeline.appendedEvents) {
        sealing.done(line);
        break;
      }
      sealing.show(line);
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    await store.close();
  }
  return { events: pipeline.appendedEvents, requests, appends: pipeline.appends, seconds: (Date.now() - t0) / 1000, simulatorSeconds: Number(simNs) / 1e9 };
}
