import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { InMemoryEventStore, type EventStore } from '@lumbung/event-store';
import { PostgresEventStore } from '@lumbung/event-store-postgres';
import { SqliteEventStore } from '@lumbung/event-store-sqlite';
import { ApiError } from '@lumbung/platform';
import { createTestSchema, describeWithPostgres, withClient, type TestSchema } from '../../../../test/support/postgres';
import { resolveCut, type AsOfCut } from './as-of-cut';
import type { AsOfQueryDto } from './as-of-query.dto';

/**
 * The stores' own cut (EventStore.logCut: one statement on PostgreSQL, the position and recorded_at
 * columns on SQLite) against the search over the port's reads that any other store gets: the same
 * cut for every position, for no cut, and for times around every recordedAt of a log whose recordedAt
 * goes back and forth (as commits that overtake each other leave it on PostgreSQL), also with a
 * position missing from the log.
 */

const base = Date.parse('2024-03-05T00:00:00Z');
/** recordedAt of the k-th append, in seconds after base: out of order, with repeats */
const SECONDS = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3, 2, 3, 8, 4, 6, 2, 6, 4, 3, 3, 8, 3, 2, 7, 9, 5];
/** the k-th append's events: one, or two in one append (same recordedAt, consecutive positions) */
const sizeOf = (k: number) => (k % 5 === 2 ? 2 : 1);

/** The store seen through the port alone: resolveCut then searches the log with readAll. */
const portOnly = (store: EventStore): EventStore =>
  ({ headPosition: () => store.headPosition(), readAll: (o) => store.readAll(o) }) as Pick<EventStore, 'headPosition' | 'readAll'> as EventStore;

async function seed(store: EventStore, clock: { now: number }): Promise<void> {
  for (let k = 0; k < SECONDS.length; k++) {
    clock.now = base + SECONDS[k] * 1000;
    const events = Array.from({ length: sizeOf(k) }, (_, j) => ({ id: randomUUID(), type: 'Noted', data: { k, j } }));
    await store.append(`s-${k % 3}`, events, 'any', { actor: 'u', correlationId: `c-${k % 4}`, causationId: randomUUID(), occurredAt: new Date(clock.now).toISOString() });
  }
}

const cutOrError = (store: EventStore, q: AsOfQueryDto): Promise<AsOfCut | ApiError> => resolveCut(store, q).catch((e: unknown) => e as ApiError);

/** Every cut asked of `store` (which reads cuts itself) is the one its port alone gives. */
async function expectSameCuts(store: EventStore & Required<Pick<EventStore, 'logCut'>>): Promise<number> {
  const head = await store.headPosition();
  const queries: AsOfQueryDto[] = [{}];
  for (let p = 0; p <= head + 1; p++) queries.push({ position: p });
  for (let s = -1; s <= 10; s++) {
    for (const ms of [-1, 0, 1, 500]) queries.push({ at: new Date(base + s * 1000 + ms).toISOString() });
  }
  // the same instant with an offset, and digits below the millisecond (dropped, as Date.parse drops them)
  queries.push({ at: '2024-03-05T07:00:04+07:00' }, { at: '2024-03-05T00:00:04.9999Z' }, { at: '2024-03-05T00:00:03.0001Z' });
  for (const q of queries) {
    const own = await cutOrError(store, q);
    const searched = await cutOrError(portOnly(store), q);
    expect([q, own]).toEqual([q, searched]);
  }
  // the answers are not trivial: the times land inside the log, and beyond the head is refused
  const middle = await resolveCut(store, { at: new Date(base + 5000).toISOString() });
  expect(middle.position).toBeGreaterThan(0);
  expect(middle.position).toBeLessThan(head);
  expect(Date.parse(middle.recordedAt!)).toBeLessThanOrEqual(base + 5000);
  expect(await cutOrError(store, { position: head + 1 })).toMatchObject({ status: 400, errors: [{ field: 'position' }] });
  return head;
}

const total = SECONDS.reduce((n, _, k) => n + sizeOf(k), 0);

describe('as-of cut: the store reads it as the search over its port would', () => {
  it('the in-memory store has no cut of its own (the search is its path)', () => {
    expect(typeof (new InMemoryEventStore() as EventStore).logCut).toBe('undefined');
  });

  describe('SQLite', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'lumbung-as-of-cut-'));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('same cuts, on an empty log, on a log recorded out of order, and with a position removed', async () => {
      const file = join(dir, 'cut.sqlite');
      const clock = { now: base };
      const store = SqliteEventStore.open({ file, synchronous: 'NORMAL', clock: () => new Date(clock.now) });
      try {
        expect(await store.logCut({})).toEqual({ head: 0, position: 0, recordedAt: null });
        expect(await store.logCut({ at: new Date(base).toISOString() })).toEqual({ head: 0, position: 0, recordedAt: null });
        await seed(store, clock);
        expect(await expectSameCuts(store)).toBe(total);
        expect(await store.logCut({ position: 3 })).toEqual({ head: total, position: 3, recordedAt: new Date(base + 4000).toISOString() });
        // Rows removed behind the store's back (verify reports it): both step over the gap the same way.
        const db = new Database(file);
        try {
          db.prepare('DELETE FROM events WHERE position IN (?, ?)').run(Math.ceil(total / 2), Math.ceil(total / 2) + 1);
        } finally {
          db.close();
        }
        await expectSameCuts(store);
      } finally {
        await store.close();
      }
    });
  });

  describeWithPostgres('PostgreSQL', () => {
    let t: TestSchema;
    let store: PostgresEventStore;
    const clock = { now: base };
    beforeAll(async () => {
      t = await createTestSchema('as_of_cut');
      store = await PostgresEventStore.connect({ connectionString: t.connectionString, schema: t.schema, poolSize: 4, clock: () => new Date(clock.now) });
    });
    afterAll(async () => {
      await store?.close();
      await t?.drop();
    });

    it('same cuts on an empty log', async () => {
      expect(await store.logCut({})).toEqual({ head: 0, position: 0, recordedAt: null });
      expect(await store.logCut({ position: 0 })).toEqual({ head: 0, position: 0, recordedAt: null });
      expect(await store.logCut({ at: new Date(base).toISOString() })).toEqual({ head: 0, position: 0, recordedAt: null });
    });

    it('same cuts on a log recorded out of order, as a named statement run many times (its generic plan too)', async () => {
      await seed(store, clock);
      await store.settle();
      expect(await expectSameCuts(store)).toBe(total);
      expect(await store.logCut({ position: 3 })).toEqual({ head: total, position: 3, recordedAt: new Date(base + 4000).toISOString() });
    });

    it('same cuts with a position removed from the log behind the store (verify reports it)', async () => {
      await withClient(async (c) => {
        await c.query(`SET search_path TO "${t.schema}"`);
        await c.query('DELETE FROM log WHERE position = $1', [Math.ceil(total / 2)]);
      });
      await expectSameCuts(store);
    });
  });
});
