// Writes a random but valid cluster scenario (libs/projections' simulator: every command through the
// real deciders) into a real event store, so the read models have real work to do.
import { deterministicUuid, type EventStore } from '../../../libs/event-store/src';
import { ScenarioSimulator } from '../../../libs/projections/src/testing/scenario';

/** Appends the scenario's events, one append per command (as the command API would); returns how many. */
export async function appendScenario(store: EventStore, o: { seed: number; commands: number; concurrency?: number }): Promise<number> {
  const sim = new ScenarioSimulator({ seed: o.seed, warehouses: 4, sites: 6, items: 10, members: 5, incidents: 2 }).setup().run(o.commands);
  // One append per consecutive run of events of one stream and command.
  const appends: Array<{ streamId: string; events: typeof sim.events }> = [];
  for (const e of sim.events) {
    const last = appends[appends.length - 1];
    if (last && last.streamId === e.streamId && last.events[0].metadata.correlationId === e.metadata.correlationId) last.events.push(e);
    else appends.push({ streamId: e.streamId, events: [e] });
  }
  // Streams in parallel, each stream's appends in order.
  const tails = new Map<string, Promise<void>>();
  let inFlight: Promise<void>[] = [];
  for (const a of appends) {
    const p = (tails.get(a.streamId) ?? Promise.resolve()).then(async () => {
      const first = a.events[0];
      const m = first.metadata;
      await store.append(
        a.streamId,
        a.events.map((e) => ({ id: deterministicUuid('pipeline', o.seed, e.id), type: e.type, schemaVersion: e.schemaVersion, data: e.data })),
        first.revision === 0 ? 'no-stream' : first.revision - 1,
        { actor: m.actor, role: m.role, correlationId: m.correlationId, causationId: m.causationId, occurredAt: m.occurredAt },
      );
    });
    tails.set(a.streamId, p);
    inFlight.push(p);
    if (inFlight.length >= (o.concurrency ?? 8)) {
      await Promise.all(inFlight);
      inFlight = [];
    }
  }
  await Promise.all(inFlight);
  return sim.events.length;
}
