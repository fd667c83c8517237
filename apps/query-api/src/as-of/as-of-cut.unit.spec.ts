import { InMemoryEventStore } from '@lumbung/event-store';
import { ApiError } from '@lumbung/platform';
import { resolveCut } from './as-of-cut';
import { collect } from './stream-replay';

describe('as-of cut', () => {
  const base = Date.parse('2024-03-05T00:00:00Z');
  let now = base;
  const store = new InMemoryEventStore(() => new Date(now));
  const minute = (k: number) => new Date(base + k * 60_000).toISOString();

  beforeAll(async () => {
    // 20 events, one a minute, on two streams; positions 1..20, recorded at minutes 0..19
    for (let k = 0; k < 20; k++) {
      now = base + k * 60_000;
      await store.append(k % 2 ? 'a-1' : 'b-1', [{ id: `00000000-0000-4000-8000-${String(k).padStart(12, '0')}`, type: 'Noted', data: { k } }], 'any', {
        actor: 'u', correlationId: 'c', causationId: 'c', occurredAt: minute(k),
      });
    }
  });

  it('a position is taken as it is, with the time its event was recorded; none is the head', async () => {
    expect(await resolveCut(store, { position: 7 })).toEqual({ position: 7, recordedAt: minute(6), at: null, head: 20 });
    expect(await resolveCut(store, { position: 0 })).toEqual({ position: 0, recordedAt: null, at: null, head: 20 });
    expect(await resolveCut(store, {})).toEqual({ position: 20, recordedAt: minute(19), at: null, head: 20 });
  });

  it('a position beyond the head is a 400 naming the field', async () => {
    const err = await resolveCut(store, { position: 21 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 400, code: 'invalid-input', errors: [{ field: 'position', reason: 'must be at most the head of the log, 20' }] });
  });

  it('a time is the last position recorded at or before it (binary search), in any offset', async () => {
    for (let k = 0; k < 20; k++) {
      expect((await resolveCut(store, { at: minute(k) })).position).toBe(k + 1);
      expect((await resolveCut(store, { at: new Date(base + k * 60_000 + 30_000).toISOString() })).position).toBe(k + 1);
    }
    expect(await resolveCut(store, { at: '2024-03-04T23:59:59Z' })).toEqual({ position: 0, recordedAt: null, at: '2024-03-04T23:59:59.000Z', head: 20 });
    expect((await resolveCut(store, { at: '2030-01-01T00:00:00Z' })).position).toBe(20);
    expect(await resolveCut(store, { at: '2024-03-05T07:05:00+07:00' })).toMatchObject({ position: 6, recordedAt: minute(5), at: minute(5) });
  });

  it("reads a stream's events up to the cut only", async () => {
    expect((await collect(store, 'a-1', 9)).map((e) => e.position)).toEqual([2, 4, 6, 8]);
    expect((await collect(store, 'b-1', 1)).map((e) => e.data.k)).toEqual([0]);
    expect(await collect(store, 'nope', 20)).toEqual([]);
  });
});
