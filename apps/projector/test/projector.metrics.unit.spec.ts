import { Registry } from 'prom-client';
import { ProjectorMetrics } from '../src/projector.metrics';

async function gauge(registry: Registry, name: string): Promise<number> {
  const m = (await registry.getMetricsAsJSON()).find((x) => x.name === name);
  if (!m) throw new Error(`no metric ${name}`);
  return (m.values as Array<{ value: number }>)[0]?.value ?? NaN;
}

describe('projector metrics: lag behind the store', () => {
  it("counts the store's events after the newest applied one (the relay's backlog included) and how old that one is", async () => {
    let now = Date.parse('2026-11-27T10:00:10.000Z');
    let head = 120;
    const registry = new Registry();
    const metrics = new ProjectorMetrics(registry, () => now, async () => head);
    metrics.applied(0, 50, [
      { offset: 40, timestamp: now, recordedAt: '2026-11-27T10:00:08.000Z', position: 99 },
      { offset: 41, timestamp: now, recordedAt: '2026-11-27T10:00:09.000Z', position: 100 },
    ]);
    // Kafka says 8 more in this partition; the store has 20 after position 100, some not published yet.
    expect(await gauge(registry, 'lumbung_projector_store_lag_events')).toBe(20);
    expect(await gauge(registry, 'lumbung_projector_store_lag_ms')).toBe(1000);
    now += 4000;
    expect(await gauge(registry, 'lumbung_projector_store_lag_ms')).toBe(5000);
    // Caught up with the store: no lag, whatever the age of the last event.
    head = 100;
    expect(await gauge(registry, 'lumbung_projector_store_lag_events')).toBe(0);
    expect(await gauge(registry, 'lumbung_projector_store_lag_ms')).toBe(0);
  });

  it('has no store-lag gauges when no store head is given', async () => {
    const registry = new Registry();
    new ProjectorMetrics(registry);
    expect((await registry.getMetricsAsJSON()).map((m) => m.name)).not.toContain('lumbung_projector_store_lag_events');
  });
});
