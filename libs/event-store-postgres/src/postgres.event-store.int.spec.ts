import { randomUUID } from 'node:crypto';
import { InvalidAppendError, toArray, type AppendMetadata } from '@lumbung/event-store';
import { createTestSchema, describeWithPostgres, withClient, type TestSchema } from '../../../test/support/postgres';
import { PostgresEventStore } from './postgres.event-store';

/** PostgreSQL-specific behaviour beyond the shared contract: positions, text PostgreSQL refuses, and verify against tampering with the log itself. */

const meta = (over: Partial<AppendMetadata> = {}): AppendMetadata => ({
  actor: 'tester',
  correlationId: 'corr',
  causationId: randomUUID(),
  occurredAt: '2026-03-01T08:00:00.000Z',
  ...over,
});
const ev = (data: Record<string, unknown> = {}) => ({ id: randomUUID(), type: 'Thing', data: data as Record<string, string> });

describeWithPostgres('PostgresEventStore (PostgreSQL specifics)', () => {
  let t: TestSchema;
  let store: PostgresEventStore;

  const connect = (pageSize?: number) => PostgresEventStore.connect({ connectionString: t.connectionString, schema: t.schema, poolSize: 6, pageSize });
  const sql = (text: string, values: unknown[] = []) =>
    withClient(async (c) => {
      await c.query(`SET search_path TO "${t.schema}"`);
      return c.query(text, values);
    });
  /** 4 streams x 5 events, interleaved, sealed: positions 1..20 */
  const seed = async () => {
    for (let i = 0; i < 5; i++) for (let s = 0; s < 4; s++) await store.append(`seed-${s}`, [ev({ i })], i === 0 ? 'no-stream' : i - 1, meta());
    await store.settle();
  };

  beforeEach(async () => {
    t = await createTestSchema('pgspec');
    store = await connect();
  });
  afterEach(async () => {
    await store.close();
    await t.drop();
  });

  describe('appendMultiple in one round trip', () => {
    it('a head another instance moved: the pipelined statements roll back, the locked path reports the conflict, nothing is written', async () => {
      const a = store;
      const b = await connect();
      try {
        await a.append('mr-stock', [ev()], 'no-stream', meta());
        await a.append('mr-request', [ev()], 'any', meta());
        // a now knows both heads at revision 0; b moves one of them.
        await b.append('mr-stock', [ev()], 0, meta());
        const err = await a
          .appendMultiple([
            { streamId: 'mr-request', events: [ev()], expectedRevision: 0, metadata: meta() },
            { streamId: 'mr-stock', events: [ev()], expectedRevision: 0, metadata: meta() },
            { streamId: 'mr-dispatch', events: [ev()], expectedRevision: 'no-stream', metadata: meta() },
          ])
          .catch((e: unknown) => e);
        expect(err).toMatchObject({ streamId: 'mr-stock', expected: 0, actual: 1 });
        expect(await toArray(a.readStream('mr-request'))).toHaveLength(1);
        expect(await a.streamHead('mr-dispatch')).toBeNull();
        // With the head read again, the same flow goes through in one transaction.
        const ok = await a.appendMultiple([
          { streamId: 'mr-request', events: [ev()], expectedRevision: 0, metadata: meta() },
          { streamId: 'mr-stock', events: [ev()], expectedRevision: 1, metadata: meta() },
          { streamId: 'mr-dispatch', events: [ev()], expectedRevision: 'no-stream', metadata: meta() },
        ]);
        expect(ok.map((r) => r.nextExpectedRevision)).toEqual([1, 2, 0]);
        await a.settle();
        expect(await a.verify()).toMatchObject({ ok: true, checked: 6 });
      } finally {
        await b.close();
      }
    });
  });

  describe('positions', () => {
    it('append returns no position; the sealed log assigns it, and a replay reports it', async () => {
      const events = [ev(), ev()];
      const r = await store.append('p-1', events, 'no-stream', meta());
      expect(r).toMatchObject({ firstRevision: 0, nextExpectedRevision: 1, position: null, idempotentReplay: false });
      await store.settle();
      expect((await toArray(store.readStream('p-1'))).map((e) => e.position)).toEqual([1, 2]);
      expect(await store.append('p-1', events, 'no-stream', meta())).toMatchObject({ idempotentReplay: true, position: 2 });
      expect(await store.headPosition()).toBe(2);
    });

    it('a new connection to the same schema continues the log and the hash chains', async () => {
      await seed();
      const other = await connect();
      try {
        await other.append('seed-0', [ev()], 4, meta());
        await other.settle();
        expect(await other.headPosition()).toBe(21);
        expect(await other.verify()).toMatchObject({ ok: true, checked: 21 });
      } finally {
        await other.close();
      }
    });
  });

  describe('text that JSON allows but PostgreSQL cannot store', () => {
    it.each([
      ['a NUL character in data', { s: 'a\u0000b' }, {}],
      ['a lone surrogate in data', { s: 'x\ud800y' }, {}],
      ['a NUL character in metadata', {}, { reason: 'nul\u0000' }],
    ])('refuses %s as invalid input, on both append paths, storing nothing', async (_, data, metaOver) => {
      for (const expected of ['no-stream', 'any'] as const) {
        const err = await store.append('bad-text', [ev(data)], expected, meta(metaOver)).catch((e) => e);
        expect(err).toBeInstanceOf(InvalidAppendError);
      }
      expect(await toArray(store.readStream('bad-text'))).toEqual([]);
      expect(await store.streamHead('bad-text')).toBeNull();
      await store.append('bad-text', [ev({ ok: 'yes' })], 'no-stream', meta());
      expect((await store.verify()).ok).toBe(true);
    });
  });

  describe('verify', () => {
    it('reports progress after every page and checks every event and head', async () => {
      await store.close();
      store = await connect(7);
      await seed();
      const progress: number[] = [];
      const report = await store.verify({ onProgress: (n) => progress.push(n) });
      expect(report).toMatchObject({ ok: true, checked: 20, headPosition: 20 });
      expect(progress.slice(0, 3)).toEqual([7, 14, 20]);
    });

    it('a log row deleted alone in the middle: the position gap', async () => {
      await seed();
      await sql('DELETE FROM log WHERE position = 8');
      const report = await store.verify();
      expect(report).toMatchObject({ ok: false, checked: 7, problem: { kind: 'removed', position: 9 } });
    });

    it('an event deleted together with its log row: the position gap', async () => {
      await seed();
      await sql('DELETE FROM log WHERE position = 12 RETURNING seq').then((r) => sql('DELETE FROM events WHERE seq = $1', [r.rows[0].seq]));
      const report = await store.verify();
      expect(report).toMatchObject({ ok: false, problem: { kind: 'removed', position: 13 } });
    });

    it('the last log row deleted alone: the log ends before the sealer state', async () => {
      await seed();
      await sql('DELETE FROM log WHERE position = 20');
      const report = await store.verify();
      expect(report).toMatchObject({ ok: false, checked: 19, problem: { kind: 'removed', position: 20 } });
    });

    it('the last log row deleted and the sealer state rewound: the event is missing below the cursor', async () => {
      await seed();
      const [last] = await toArray(store.readAll({ after: 19 }));
      await store.close();
      await sql('DELETE FROM log WHERE position = 20');
      await sql('UPDATE sealer_state SET position = 19, log_hash = (SELECT log_hash FROM log WHERE position = 19)');
      store = await connect();
      const report = await store.verify();
      expect(report).toMatchObject({ ok: false, checked: 19, problem: { kind: 'removed', eventId: last.id, streamId: last.streamId } });
    });

    it('a rewritten log hash: the log chain', async () => {
      await seed();
      await sql(`UPDATE log SET log_hash = repeat('a', 64) WHERE position = 3`);
      expect(await store.verify()).toMatchObject({ ok: false, checked: 2, problem: { kind: 'chain-broken', position: 3 } });
    });

    it('a rewritten stream head: the head check', async () => {
      await seed();
      await sql(`UPDATE streams SET last_hash = repeat('b', 64) WHERE stream_id = 'seed-2'`);
      expect(await store.verify()).toMatchObject({ ok: false, checked: 20, problem: { kind: 'altered', streamId: 'seed-2' } });
    });

    it('a stream head ahead of its events (the tail removed with its log rows): the head check', async () => {
      await seed();
      // Remove seed-3's last event, which is the log's last entry, and make the sealer state agree.
      await store.close();
      const r = await sql(`DELETE FROM log WHERE position = 20 RETURNING seq`);
      await sql('DELETE FROM events WHERE seq = $1', [r.rows[0].seq]);
      await sql('UPDATE sealer_state SET position = 19, log_hash = (SELECT log_hash FROM log WHERE position = 19), cursor_seq = cursor_seq - 1');
      store = await connect();
      expect(await store.verify()).toMatchObject({ ok: false, checked: 19, problem: { kind: 'removed', streamId: 'seed-3' } });
    });

    it('appends going on while verify runs are not reported as problems', async () => {
      await store.close();
      store = await connect(5);
      await seed();
      let stop = false;
      const writers = Array.from({ length: 3 }, async (_, w) => {
        let rev: number | 'no-stream' = 'no-stream';
        for (let i = 0; !stop && i < 300; i++) rev = (await store.append(`live-${w}`, [ev({ i })], rev, meta())).nextExpectedRevision;
      });
      const mover = (async () => {
        for (let i = 5; !stop && i < 300; i++) await store.append('seed-1', [ev({ i })], i - 1, meta());
      })();
      await new Promise((r) => setTimeout(r, 100));
      const report = await store.verify();
      stop = true;
      await Promise.all([...writers, mover]);
      expect(report.problem).toBeUndefined();
      expect(report.ok).toBe(true);
      expect(report.checked).toBeGreaterThanOrEqual(20);
      await store.settle();
      expect((await store.verify()).ok).toBe(true);
    });
  });
});
