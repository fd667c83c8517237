/* Jest globals: this file is imported by each adapter's spec file, never run on its own. */
import { randomUUID } from 'node:crypto';
import { handleCommand, handleCommands, loadState, StateCache, type Decider } from '../command-handler';
import { ConcurrencyRetriesExhaustedError, DuplicateEventIdError, InvalidAppendError, WrongExpectedRevisionError } from '../errors';
import { readAllForProjection, type AppendMetadata, type EventStore, type NewEvent, type ReadAllOptions, type RecordedEvent, type Subscription } from '../event-store.port';
import { toArray } from '../subscription';
import type { EventStoreContractFixture } from './contract-fixture';

const meta = (over: Partial<AppendMetadata> = {}): AppendMetadata => ({
  actor: 'user-1',
  member: 'bpbd-jambi',
  role: 'eoc',
  correlationId: 'corr-1',
  causationId: randomUUID(),
  occurredAt: '2026-03-01T08:00:00.000Z',
  ...over,
});

const ev = (type = 'Thing', data: Record<string, unknown> = {}): NewEvent => ({ id: randomUUID(), type, data: data as NewEvent['data'] });

/** Takes exactly n events from a subscription, failing if they do not arrive within ms. */
async function take(sub: Subscription, n: number, ms = 20000): Promise<RecordedEvent[]> {
  const got: RecordedEvent[] = [];
  if (n === 0) return got;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`subscription delivered ${got.length} of ${n} events within ${ms} ms`)), ms);
  });
  // next() rather than for-await: breaking out of for-await would end the subscription.
  const it = sub[Symbol.asyncIterator]();
  const run = (async () => {
    while (got.length < n) {
      const r = await it.next();
      if (r.done) throw new Error(`subscription ended after ${got.length} of ${n} events`);
      got.push(r.value);
    }
    return got;
  })();
  try {
    return await Promise.race([run, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function expectOrdered(events: RecordedEvent[]): void {
  const seenIds = new Set<string>();
  const lastRev = new Map<string, number>();
  let lastPos = 0;
  for (const e of events) {
    expect(seenIds.has(e.id)).toBe(false);
    seenIds.add(e.id);
    expect(e.position).toBeGreaterThan(lastPos);
    lastPos = e.position;
    const prev = lastRev.get(e.streamId) ?? -1;
    expect(e.revision).toBe(prev + 1);
    lastRev.set(e.streamId, e.revision);
  }
}

export function describeEventStoreContract(name: string, fixture: EventStoreContractFixture): void {
  describe(`EventStore contract: ${name}`, () => {
    let store: EventStore;
    const settle = async (s: EventStore = store) => fixture.settle?.(s);

    beforeEach(async () => {
      store = await fixture.create();
    });
    afterEach(async () => {
      await store?.close();
    });

    describe('expected revision', () => {
      it('no-stream: creates a new stream, refuses an existing one', async () => {
        const r = await store.append('s-1', [ev(), ev()], 'no-stream', meta());
        expect(r).toMatchObject({ streamId: 's-1', firstRevision: 0, nextExpectedRevision: 1, idempotentReplay: false });
        const err = await store.append('s-1', [ev()], 'no-stream', meta()).catch((e) => e);
        expect(err).toBeInstanceOf(WrongExpectedRevisionError);
        expect(err).toMatchObject({ streamId: 's-1', expected: 'no-stream', actual: 1 });
      });

      it('exists: refuses a new stream, appends to an existing one', async () => {
        const err = await store.append('s-2', [ev()], 'exists', meta()).catch((e) => e);
        expect(err).toBeInstanceOf(WrongExpectedRevisionError);
        expect(err).toMatchObject({ actual: 'no-stream' });
        await store.append('s-2', [ev()], 'no-stream', meta());
        await expect(store.append('s-2', [ev()], 'exists', meta())).resolves.toMatchObject({ firstRevision: 1 });
      });

      it('any: appends whatever the state', async () => {
        await expect(store.append('s-3', [ev()], 'any', meta())).resolves.toMatchObject({ firstRevision: 0 });
        await expect(store.append('s-3', [ev()], 'any', meta())).resolves.toMatchObject({ firstRevision: 1 });
      });

      it('exact revision: appends on a match, refuses a mismatch and a missing stream', async () => {
        const err0 = await store.append('s-4', [ev()], 0, meta()).catch((e) => e);
        expect(err0).toBeInstanceOf(WrongExpectedRevisionError);
        expect(err0).toMatchObject({ expected: 0, actual: 'no-stream' });
        await store.append('s-4', [ev(), ev(), ev()], 'no-stream', meta());
        await expect(store.append('s-4', [ev()], 2, meta())).resolves.toMatchObject({ firstRevision: 3, nextExpectedRevision: 3 });
        const err = await store.append('s-4', [ev()], 2, meta()).catch((e) => e);
        expect(err).toBeInstanceOf(WrongExpectedRevisionError);
        expect(err).toMatchObject({ expected: 2, actual: 3 });
        expect(await toArray(store.readStream('s-4'))).toHaveLength(4);
      });

      it('20 concurrent appends at the same revision: exactly one wins, every round', async () => {
        await store.append('race', [ev()], 'no-stream', meta());
        for (let round = 0; round < 5; round++) {
          const results = await Promise.allSettled(
            Array.from({ length: 20 }, (_, i) => store.append('race', [ev('Raced', { round, i })], round, meta())),
          );
          const won = results.filter((r) => r.status === 'fulfilled');
          const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
          expect(won).toHaveLength(1);
          expect(lost).toHaveLength(19);
          for (const l of lost) expect(l.reason).toBeInstanceOf(WrongExpectedRevisionError);
        }
        const events = await toArray(store.readStream('race'));
        expect(events.map((e) => e.revision)).toEqual([0, 1, 2, 3, 4, 5]);
      });

      it('concurrent no-stream appends creating one stream: exactly one wins', async () => {
        const results = await Promise.allSettled(Array.from({ length: 10 }, () => store.append('fresh', [ev()], 'no-stream', meta())));
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(WrongExpectedRevisionError);
      });
    });

    describe('idempotency by event id', () => {
      it('a retried append returns the original result and stores nothing twice', async () => {
        await store.append('idem', [ev()], 'no-stream', meta());
        const batch = [ev('A'), ev('B')];
        const first = await store.append('idem', batch, 0, meta());
        const again = await store.append('idem', batch, 0, meta());
        const againAny = await store.append('idem', batch, 'any', meta());
        expect(again).toMatchObject({ firstRevision: first.firstRevision, nextExpectedRevision: first.nextExpectedRevision, idempotentReplay: true });
        expect(againAny).toMatchObject({ firstRevision: 1, nextExpectedRevision: 2, idempotentReplay: true });
        expect(await toArray(store.readStream('idem'))).toHaveLength(3);
      });

      it('concurrent retries of one append store it once', async () => {
        const batch = [ev('A'), ev('B')];
        const results = await Promise.allSettled(Array.from({ length: 8 }, () => store.append('idem-c', batch, 'no-stream', meta())));
        // Each caller either gets the result (original or replay) or, having lost the race before the ids were
        // visible, a WrongExpectedRevision; a retry then returns the original result.
        for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(WrongExpectedRevisionError);
        expect(results.some((r) => r.status === 'fulfilled')).toBe(true);
        await expect(store.append('idem-c', batch, 'no-stream', meta())).resolves.toMatchObject({ idempotentReplay: true, nextExpectedRevision: 1 });
        expect(await toArray(store.readStream('idem-c'))).toHaveLength(2);
      });

      it('an id stored elsewhere, or only part of an append stored, is refused', async () => {
        const a = ev('A');
        const b = ev('B');
        await store.append('idem-1', [a], 'no-stream', meta());
        if (fixture.globalEventIdIndex !== false) {
          await expect(store.append('idem-2', [a], 'any', meta())).rejects.toBeInstanceOf(DuplicateEventIdError);
        }
        await expect(store.append('idem-1', [a, b], 'any', meta())).rejects.toBeInstanceOf(DuplicateEventIdError);
        if (fixture.globalEventIdIndex !== false) expect(await toArray(store.readStream('idem-2'))).toHaveLength(0);
        expect(await toArray(store.readStream('idem-1'))).toHaveLength(1);
      });
    });

    describe('refused input changes nothing', () => {
      it('refuses an event over 1 MiB, an empty stream id, and data that is not JSON', async () => {
        const big = 'x'.repeat(1024 * 1024);
        const cases: Array<[string, NewEvent[]]> = [
          ['', [ev()]],
          ['   ', [ev()]],
          ['s-big', [ev('Big', { big })]],
          ['s-fn', [ev('Fn', { f: (() => 1) as unknown as string })]],
          ['s-nan', [ev('Nan', { n: NaN })]],
          ['s-date', [ev('Date', { d: new Date() as unknown as string })]],
          ['s-undef', [ev('U', { u: undefined as unknown as string })]],
          ['s-bigint', [ev('B', { b: BigInt(1) as unknown as string })]],
          ['s-atomic', [ev('Ok'), ev('Bad', { n: Infinity })]],
          ['s-noid', [{ id: 'not-a-uuid', type: 'X', data: {} }]],
          ['s-notype', [{ id: randomUUID(), type: '', data: {} }]],
        ];
        for (const [sid, events] of cases) {
          const err = await store.append(sid, events, 'any', meta()).catch((e) => e);
          expect(err).toBeInstanceOf(InvalidAppendError);
          expect((err as InvalidAppendError).field).toBeTruthy();
        }
        const circular: Record<string, unknown> = {};
        circular.self = circular;
        await expect(store.append('s-circ', [ev('C', circular)], 'any', meta())).rejects.toBeInstanceOf(InvalidAppendError);
        await expect(store.append('s-meta', [ev()], 'any', { ...meta(), actor: '' })).rejects.toBeInstanceOf(InvalidAppendError);
        await expect(store.append('s-meta', [ev()], 'any', { ...meta(), occurredAt: 'yesterday' })).rejects.toBeInstanceOf(InvalidAppendError);
        await settle();
        expect(await toArray(store.readAll())).toHaveLength(0);
        expect(await store.headPosition()).toBe(0);
      });

      it('accepts an event just under 1 MiB', async () => {
        const data = { blob: 'y'.repeat(1024 * 1024 - 2000) };
        await store.append('s-near', [ev('Near', data)], 'no-stream', meta());
        const [e] = await toArray(store.readStream('s-near'));
        expect((e.data as { blob: string }).blob.length).toBe(data.blob.length);
      });
    });

    describe('envelope', () => {
      it('records type, data, schema version, metadata and a hash', async () => {
        const e = { id: randomUUID(), type: 'DispatchPlanned', schemaVersion: 2, data: { qty: 40, lines: [{ item: 'rice-5kg', n: 1.5 }], note: 'ünïcødé' } };
        const m = meta({ reason: 'road cut at Muara Tembesi', correlationId: 'req-77', extra: { incident: 'inc-1' } });
        await store.append('dispatch-1', [e], 'no-stream', m);
        await settle();
        const [r] = await toArray(store.readStream('dispatch-1'));
        expect(r).toMatchObject({ id: e.id, type: 'DispatchPlanned', streamId: 'dispatch-1', revision: 0, schemaVersion: 2, data: e.data });
        expect(r.metadata).toMatchObject({ ...m });
        expect(Date.parse(r.metadata.recordedAt)).not.toBeNaN();
        expect(r.hash).toMatch(/^[0-9a-f]{64}$/);
        const [a] = await toArray(store.readAll());
        expect(a.id).toBe(e.id);
        expect(a.position).toBe(1);
        expect(a.hash).toBe(r.hash);
        expect(await store.streamHead('dispatch-1')).toEqual({ streamId: 'dispatch-1', revision: 0, hash: r.hash });
        expect(await store.streamHead('nope')).toBeNull();
        expect(a.schemaVersion).toBe(2);
        const [d] = await toArray(store.readStream('dispatch-1'));
        expect(d.metadata.extra).toEqual({ incident: 'inc-1' });
      });
    });

    describe('reading', () => {
      it('reads a stream forwards and backwards from a revision, with a max count, across pages', async () => {
        const n = 1234;
        for (let i = 0; i < n; i += 100) {
          const batch = Array.from({ length: Math.min(100, n - i) }, (_, j) => ev('N', { i: i + j }));
          await store.append('long', batch, i === 0 ? 'no-stream' : i - 1, meta());
        }
        await store.append('other', [ev()], 'no-stream', meta());
        const all = await toArray(store.readStream('long'));
        expect(all.map((e) => (e.data as { i: number }).i)).toEqual(Array.from({ length: n }, (_, i) => i));
        const from = await toArray(store.readStream('long', { fromRevision: 1000, maxCount: 5 }));
        expect(from.map((e) => e.revision)).toEqual([1000, 1001, 1002, 1003, 1004]);
        const back = await toArray(store.readStream('long', { direction: 'backwards' }));
        expect(back.map((e) => e.revision)).toEqual(Array.from({ length: n }, (_, i) => n - 1 - i));
        const backFrom = await toArray(store.readStream('long', { direction: 'backwards', fromRevision: 600, maxCount: 3 }));
        expect(backFrom.map((e) => e.revision)).toEqual([600, 599, 598]);
        expect(await toArray(store.readStream('missing'))).toEqual([]);
        expect(await toArray(store.readStream('long', { fromRevision: 5000 }))).toEqual([]);
      });

      it('reads the global log after a position, across pages', async () => {
        for (let i = 0; i < 12; i++) await store.append(`g-${i % 3}`, Array.from({ length: 100 }, () => ev()), 'any', meta());
        await settle();
        const all = await toArray(store.readAll());
        expect(all).toHaveLength(1200);
        expectOrdered(all);
        expect(all.map((e) => e.position)).toEqual(Array.from({ length: 1200 }, (_, i) => i + 1));
        const tail = await toArray(store.readAll({ after: 1150 }));
        expect(tail.map((e) => e.position)).toEqual(Array.from({ length: 50 }, (_, i) => 1151 + i));
        const some = await toArray(store.readAll({ after: 10, maxCount: 7 }));
        expect(some.map((e) => e.position)).toEqual([11, 12, 13, 14, 15, 16, 17]);
        expect(await store.headPosition()).toBe(1200);
      });

      it('reads the global log for projections, in pages: readAll\'s events with only type, stream, revision, position, schema version and data', async () => {
        expect(typeof store.readAllForProjection === 'function').toBe(fixture.readAllForProjection ?? false);
        for (let i = 0; i < 12; i++) {
          const events = Array.from({ length: 100 }, (_, j) => ({ ...ev(`T${j % 3}`, { i: 100 * i + j, lines: [{ item: 'rice-5kg', n: 1.5 }], note: 'ünïcødé', none: null }), schemaVersion: 1 + (j % 2) }));
          await store.append(`p-${i % 3}`, events, 'any', meta({ extra: { incident: 'inc-1' } }));
        }
        await settle();
        const lean = ({ type, streamId, revision, position, schemaVersion, data }: RecordedEvent) => ({ type, streamId, revision, position, schemaVersion, data });
        const full = await toArray(store.readAll());
        const expected = store.readAllForProjection ? full.map(lean) : full;
        const read = async (options?: ReadAllOptions) => {
          const pages = await toArray(readAllForProjection(store, options));
          for (const page of pages) expect(page.length).toBeGreaterThan(0);
          return pages.flat();
        };
        // toEqual: a store's own lean read carries exactly these fields (no metadata, id or hash)
        expect(await read()).toEqual(expected);
        expect(await read({ after: 1150 })).toEqual(expected.slice(1150));
        expect(await read({ after: 10, maxCount: 7 })).toEqual(expected.slice(10, 17));
        expect(await read({ after: 1200 })).toEqual([]);
      });
    });

    describe('subscriptions', () => {
      it('8 writers x 500 events while one subscriber follows live and another catches up from 0: each sees every event once, in order', async () => {
        const live = store.subscribeToAll({ after: 0 });
        const liveP = take(live, 4000, 60000);
        await Promise.all(
          Array.from({ length: 8 }, async (_, w) => {
            for (let i = 0; i < 500; i++) await store.append(`w-${w}`, [ev('W', { w, i })], i === 0 ? 'no-stream' : i - 1, meta());
          }),
        );
        const catchUp = store.subscribeToAll({ after: 0 });
        const [a, b] = await Promise.all([liveP, take(catchUp, 4000, 60000)]);
        await live.close();
        await catchUp.close();
        for (const got of [a, b]) {
          expect(got).toHaveLength(4000);
          expectOrdered(got);
          for (let w = 0; w < 8; w++) {
            expect(got.filter((e) => e.streamId === `w-${w}`).map((e) => (e.data as { i: number }).i)).toEqual(Array.from({ length: 500 }, (_, i) => i));
          }
        }
        expect(a.map((e) => e.id)).toEqual(b.map((e) => e.id));
      });

      it('resumes after a checkpoint with exactly the rest, then follows live appends', async () => {
        for (let i = 0; i < 30; i++) await store.append('r', [ev('R', { i })], i === 0 ? 'no-stream' : i - 1, meta());
        await settle();
        const sub = store.subscribeToAll({ after: 20 });
        const first = await take(sub, 10);
        expect(first.map((e) => e.position)).toEqual(Array.from({ length: 10 }, (_, i) => 21 + i));
        const more = take(sub, 5);
        for (let i = 30; i < 35; i++) await store.append('r', [ev('R', { i })], i - 1, meta());
        const next = await more;
        expect(next.map((e) => (e.data as { i: number }).i)).toEqual([30, 31, 32, 33, 34]);
        await sub.close();
      });

      it('close() ends a subscriber waiting for events', async () => {
        const sub = store.subscribeToAll();
        const done = (async () => {
          let n = 0;
          for await (const _ of sub) n++;
          return n;
        })();
        await new Promise((r) => setTimeout(r, 50));
        await sub.close();
        await expect(done).resolves.toBe(0);
      });
    });

    if (fixture.reopen) {
      it('an acknowledged append survives closing and reopening the store', async () => {
        const r = await store.append('durable', [ev('D', { n: 1 }), ev('D', { n: 2 })], 'no-stream', meta());
        store = await fixture.reopen!(store);
        await settle();
        const events = await toArray(store.readStream('durable'));
        expect(events.map((e) => e.data)).toEqual([{ n: 1 }, { n: 2 }]);
        expect(r.nextExpectedRevision).toBe(1);
        await expect(store.append('durable', [ev()], 1, meta())).resolves.toMatchObject({ firstRevision: 2 });
        expect((await store.verify()).ok).toBe(true);
      });
    }

    describe('integrity', () => {
      const seed = async () => {
        for (let i = 0; i < 5; i++) {
          await store.append(`stock-${i}`, [ev('Received', { qty: 10 * i }), ev('Reserved', { qty: i })], 'no-stream', meta());
        }
        await settle();
      };

      it('verify reports that every event checks out', async () => {
        await seed();
        const progress: number[] = [];
        const report = await store.verify({ onProgress: (n) => progress.push(n) });
        expect(report).toMatchObject({ ok: true, checked: 10, headPosition: 10 });
        expect(report.headLogHash).toMatch(/^[0-9a-f]{64}$/);
      });

      if (fixture.tamperData) {
        it('verify reports the first event changed behind the store', async () => {
          await seed();
          await fixture.tamperData!(store, 6, { qty: 999 });
          const report = await store.verify();
          expect(report.ok).toBe(false);
          expect(report.problem).toMatchObject({ kind: 'altered', position: 6 });
          expect(report.checked).toBe(5);
        });
      }

      if (fixture.removeStream) {
        it('verify reports a whole stream removed behind the store', async () => {
          await seed();
          await fixture.removeStream!(store, 'stock-2');
          const report = await store.verify();
          expect(report.ok).toBe(false);
          expect(report.problem?.kind).toMatch(/removed|chain-broken/);
        });
      }
    });

    describe('handleCommand', () => {
      type Cmd = { type: 'Add'; n: number };
      type Ev = { type: 'Added'; data: { n: number } };
      const counter: Decider<Cmd, number, Ev> = {
        initialState: 0,
        evolve: (s, e) => s + e.data.n,
        decide: (c, s) => {
          if (s + c.n > 100) throw new Error('over capacity');
          return [{ type: 'Added', data: { n: c.n } }];
        },
      };

      it('retries lost races with a fresh read, so every concurrent command takes effect once', async () => {
        const results = await Promise.all(
          Array.from({ length: 10 }, () =>
            handleCommand(store, 'counter', counter, { commandId: randomUUID(), command: { type: 'Add', n: 1 }, metadata: meta() }, { maxAttempts: 50 }),
          ),
        );
        expect(results.every((r) => r.append)).toBe(true);
        const events = await toArray(store.readStream('counter'));
        expect(events).toHaveLength(10);
      });

      it('gives up after the bounded attempts, and insists on If-Match', async () => {
        await handleCommand(store, 'c2', counter, { commandId: randomUUID(), command: { type: 'Add', n: 1 }, metadata: meta() });
        const stale = await handleCommand(store, 'c2', counter, { commandId: randomUUID(), command: { type: 'Add', n: 1 }, metadata: meta() }, { expectedRevision: 5 }).catch((e) => e);
        expect(stale).toBeInstanceOf(WrongExpectedRevisionError);
        const racing = await Promise.allSettled(
          Array.from({ length: 10 }, () => handleCommand(store, 'c3', counter, { commandId: randomUUID(), command: { type: 'Add', n: 1 }, metadata: meta() }, { maxAttempts: 1 })),
        );
        const failures = racing.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        for (const f of failures) expect(f.reason).toBeInstanceOf(ConcurrencyRetriesExhaustedError);
        expect(await toArray(store.readStream('c3'))).toHaveLength(10 - failures.length);
      });

      it('with a state cache: concurrent commands from two caches converge, a retry is still recognised', async () => {
        const caches = [new StateCache(), new StateCache()];
        const ids = Array.from({ length: 12 }, () => randomUUID());
        await Promise.all(
          ids.map((commandId, i) =>
            handleCommand(store, 'cached', counter, { commandId, command: { type: 'Add', n: 1 }, metadata: meta() }, { cache: caches[i % 2], optimistic: i % 2 === 1, maxAttempts: 50 }),
          ),
        );
        const fresh = await loadState(store, 'cached', counter);
        expect(fresh).toMatchObject({ state: 12, revision: 11 });
        // Each cache catches up by reading only what the other appended.
        const next = await handleCommand(store, 'cached', counter, { commandId: randomUUID(), command: { type: 'Add', n: 1 }, metadata: meta() }, { cache: caches[0] });
        expect(next).toMatchObject({ state: 13, revision: 12 });
        // caches[1] is stale (caches[0] appended since) and optimistic: its append is refused, the retry reads.
        const stale = await handleCommand(store, 'cached', counter, { commandId: randomUUID(), command: { type: 'Add', n: 1 }, metadata: meta() }, { cache: caches[1], optimistic: true });
        expect(stale).toMatchObject({ state: 14, revision: 13 });
        const retry = await handleCommand(store, 'cached', counter, { commandId: ids[3], command: { type: 'Add', n: 1 }, metadata: meta() }, { cache: caches[1], optimistic: true });
        expect(retry.append?.idempotentReplay).toBe(true);
        expect(retry.replayOf).toHaveLength(1);
        expect(await toArray(store.readStream('cached'))).toHaveLength(14);
      });

      it('optimistic cache: a refusal is re-checked against the stored state before it is given', async () => {
        const a = new StateCache();
        const b = new StateCache();
        const cmd = (n: number, cache: StateCache) =>
          handleCommand(store, 'opt', counter, { commandId: randomUUID(), command: { type: 'Add', n }, metadata: meta() }, { cache, optimistic: true });
        await cmd(95, b);
        await cmd(-50, a); // b's cache still says 95
        await expect(cmd(10, b)).resolves.toMatchObject({ state: 55, revision: 2 });
      });

      it('a refused command appends nothing; a retried command id is stored once', async () => {
        await expect(handleCommand(store, 'c4', counter, { commandId: randomUUID(), command: { type: 'Add', n: 101 }, metadata: meta() })).rejects.toThrow('over capacity');
        expect(await toArray(store.readStream('c4'))).toHaveLength(0);
        const commandId = randomUUID();
        const first = await handleCommand(store, 'c5', counter, { commandId, command: { type: 'Add', n: 1 }, metadata: meta() });
        const ids = (await toArray(store.readStream('c5'))).map((e) => e.id);
        // A client that retries a command the server already applied sends the same command id: same event ids.
        const replay = await store.append('c5', [{ id: ids[0], type: 'Added', data: { n: 1 } }], 'no-stream', meta());
        expect(replay).toMatchObject({ idempotentReplay: true, nextExpectedRevision: first.revision });
        // The same command handled again is recognised before deciding: its original append is returned,
        // even though deciding again on today's state would be refused (here: over capacity).
        await handleCommand(store, 'c5', counter, { commandId: randomUUID(), command: { type: 'Add', n: 99 }, metadata: meta() });
        const again = await handleCommand(store, 'c5', counter, { commandId, command: { type: 'Add', n: 1 }, metadata: meta() });
        expect(again.append).toMatchObject({ idempotentReplay: true, firstRevision: 0, nextExpectedRevision: 0 });
        expect(again.replayOf?.map((e) => e.id)).toEqual([ids[0]]);
        expect(await toArray(store.readStream('c5'))).toHaveLength(2);
      });
    });

    describe('appendMultiple', () => {
      const atomic = fixture.atomicMultiStream !== false;

      it('writes every stream, each at its own expected revision, in one call', async () => {
        await store.append('m-a', [ev()], 'no-stream', meta());
        const [a, b] = await store.appendMultiple([
          { streamId: 'm-a', events: [ev('A1'), ev('A2')], expectedRevision: 0, metadata: meta({ correlationId: 'flow-1' }) },
          { streamId: 'm-b', events: [ev('B1')], expectedRevision: 'no-stream', metadata: meta({ correlationId: 'flow-1' }) },
        ]);
        expect(a).toMatchObject({ streamId: 'm-a', firstRevision: 1, nextExpectedRevision: 2, idempotentReplay: false });
        expect(b).toMatchObject({ streamId: 'm-b', firstRevision: 0, nextExpectedRevision: 0, idempotentReplay: false });
        expect((await toArray(store.readStream('m-a'))).map((e) => e.type)).toEqual(['Thing', 'A1', 'A2']);
        expect((await toArray(store.readStream('m-b'))).map((e) => e.type)).toEqual(['B1']);
        await settle();
        const log = await toArray(store.readAll());
        expectOrdered(log);
        expect(log).toHaveLength(4);
        await expect(store.verify()).resolves.toMatchObject({ ok: true, checked: 4 });
      });

      (atomic ? it : it.skip)('all or none: one stream at the wrong revision writes nothing anywhere', async () => {
        await store.append('n-a', [ev()], 'no-stream', meta());
        await store.append('n-c', [ev(), ev()], 'no-stream', meta());
        const err = await store
          .appendMultiple([
            { streamId: 'n-a', events: [ev('A')], expectedRevision: 0, metadata: meta() },
            { streamId: 'n-b', events: [ev('B')], expectedRevision: 'no-stream', metadata: meta() },
            { streamId: 'n-c', events: [ev('C')], expectedRevision: 0, metadata: meta() },
          ])
          .catch((e) => e);
        expect(err).toBeInstanceOf(WrongExpectedRevisionError);
        expect(err).toMatchObject({ streamId: 'n-c', expected: 0, actual: 1 });
        expect(await toArray(store.readStream('n-a'))).toHaveLength(1);
        expect(await toArray(store.readStream('n-b'))).toHaveLength(0);
        expect(await store.streamHead('n-b')).toBeNull();
        expect(await toArray(store.readStream('n-c'))).toHaveLength(2);
        // The same parts at the right revisions then go through.
        await expect(
          store.appendMultiple([
            { streamId: 'n-a', events: [ev('A')], expectedRevision: 0, metadata: meta() },
            { streamId: 'n-b', events: [ev('B')], expectedRevision: 'no-stream', metadata: meta() },
          ]),
        ).resolves.toHaveLength(2);
      });

      it('a retried call is recognised per stream: stored parts replay, nothing is written twice', async () => {
        const parts = [
          { streamId: 'r-a', events: [ev('A')], expectedRevision: 'no-stream' as const, metadata: meta() },
          { streamId: 'r-b', events: [ev('B1'), ev('B2')], expectedRevision: 'no-stream' as const, metadata: meta() },
        ];
        const first = await store.appendMultiple(parts);
        const again = await store.appendMultiple(parts);
        expect(again.map((r) => r.idempotentReplay)).toEqual([true, true]);
        expect(again.map((r) => r.nextExpectedRevision)).toEqual(first.map((r) => r.nextExpectedRevision));
        expect(await toArray(store.readStream('r-b'))).toHaveLength(2);
      });

      it('refuses a stream twice, an id twice across parts, an empty list; nothing written', async () => {
        const dup = ev();
        await expect(store.appendMultiple([])).rejects.toBeInstanceOf(InvalidAppendError);
        await expect(
          store.appendMultiple([
            { streamId: 'd-a', events: [ev()], expectedRevision: 'any', metadata: meta() },
            { streamId: 'd-a', events: [ev()], expectedRevision: 'any', metadata: meta() },
          ]),
        ).rejects.toMatchObject({ field: 'appends[1].streamId' });
        await expect(
          store.appendMultiple([
            { streamId: 'd-a', events: [dup], expectedRevision: 'any', metadata: meta() },
            { streamId: 'd-b', events: [dup], expectedRevision: 'any', metadata: meta() },
          ]),
        ).rejects.toBeInstanceOf(InvalidAppendError);
        expect(await store.streamHead('d-a')).toBeNull();
      });

      it('8 concurrent flows over shared streams in opposite orders: no deadlock, every flow once', async () => {
        const decider: Decider<{ type: 'Add'; n: number }, number, { type: 'Added'; data: { n: number } }> = {
          initialState: 0,
          evolve: (s, e) => s + e.data.n,
          decide: (c) => [{ type: 'Added', data: { n: c.n } }],
        };
        const flows = Array.from({ length: 8 }, (_, k) => {
          const streams = k % 2 === 0 ? ['x-1', 'x-2', 'x-3'] : ['x-3', 'x-2', 'x-1'];
          const commandId = randomUUID();
          return () =>
            handleCommands(
              store,
              streams.map((streamId) => ({ streamId, decider, envelope: { commandId, command: { type: 'Add', n: k + 1 }, metadata: meta() } })),
              { maxAttempts: 40 },
            );
        });
        await Promise.all(flows.map((f) => f()));
        for (const sid of ['x-1', 'x-2', 'x-3']) {
          const { state } = await loadState(store, sid, decider);
          expect(state).toBe(36);
        }
      });

      (atomic ? it : it.skip)('handleCommands: a refusal by any step writes nothing on any stream', async () => {
        const capped: Decider<{ type: 'Add'; n: number }, number, { type: 'Added'; data: { n: number } }> = {
          initialState: 0,
          evolve: (s, e) => s + e.data.n,
          decide: (c, s) => {
            if (s + c.n > 10) throw new Error('over capacity');
            return [{ type: 'Added', data: { n: c.n } }];
          },
        };
        await store.append('h-2', [{ id: randomUUID(), type: 'Added', data: { n: 8 } }], 'no-stream', meta());
        const commandId = randomUUID();
        const steps = (n: number) =>
          ['h-1', 'h-2'].map((streamId) => ({ streamId, decider: capped, envelope: { commandId, command: { type: 'Add' as const, n }, metadata: meta() } }));
        await expect(handleCommands(store, steps(5))).rejects.toThrow('over capacity');
        expect(await toArray(store.readStream('h-1'))).toHaveLength(0);
        const ok = await handleCommands(store, steps(2));
        expect(ok.map((r) => r.revision)).toEqual([0, 1]);
        // Repeating the command answers with what it wrote, even though deciding again would be refused.
        const again = await handleCommands(store, steps(2));
        expect(again.map((r) => r.append?.idempotentReplay)).toEqual([true, true]);
        expect(await toArray(store.readStream('h-2'))).toHaveLength(2);
      });
    });

    describe('readByCorrelationId', () => {
      it('reads one conversation across streams in global order, after a position, up to a position, with a max count', async () => {
        for (let i = 0; i < 30; i++) {
          await store.append(`c-${i % 4}`, [ev(`E${i}`)], 'any', meta({ correlationId: i % 3 === 0 ? 'req-9' : `other-${i}` }));
        }
        await settle();
        const trail = await toArray(store.readByCorrelationId('req-9'));
        expect(trail.map((e) => e.type)).toEqual(Array.from({ length: 10 }, (_, k) => `E${k * 3}`));
        expect(trail.every((e, k) => k === 0 || e.position > trail[k - 1].position)).toBe(true);
        expect(trail.every((e) => e.metadata.correlationId === 'req-9')).toBe(true);
        const cut = trail[4].position;
        expect((await toArray(store.readByCorrelationId('req-9', { toPosition: cut }))).map((e) => e.type)).toEqual(trail.slice(0, 5).map((e) => e.type));
        expect((await toArray(store.readByCorrelationId('req-9', { after: cut, maxCount: 2 }))).map((e) => e.type)).toEqual(trail.slice(5, 7).map((e) => e.type));
        expect(await toArray(store.readByCorrelationId('nobody'))).toEqual([]);
      });
    });
  });
}
