import { randomUUID } from 'node:crypto';
import { Client, Pool } from 'pg';
import {
  chainEvents, GENESIS_HASH, prepareAppend, toArray, WrongExpectedRevisionError,
  type AppendMetadata, type RecordedEvent, type Subscription,
} from '@lumbung/event-store';
import { createTestSchema, describeWithPostgres, type TestSchema } from '../../../test/support/postgres';
import { ADVISORY_LOCK_NAMESPACE, MIGRATIONS, MIGRATIONS_TABLE, runMigrations } from '.';
import { PostgresEventStore } from './postgres.event-store';

/**
 * Interleavings that only a real PostgreSQL produces, scripted with separate connections that hold
 * transactions open. The horizon the sealer waits for is cluster-wide, so every scripted transaction
 * here is kept as short as the scenario allows.
 */

const meta = (): AppendMetadata => ({ actor: 'tester', correlationId: 'corr', causationId: randomUUID(), occurredAt: '2026-03-01T08:00:00.000Z' });
const ev = (type = 'Thing', data: Record<string, number | string> = {}) => ({ id: randomUUID(), type, data });

/** Takes exactly n events, failing if they do not arrive within ms. */
async function take(sub: Subscription, n: number, ms: number): Promise<RecordedEvent[]> {
  const got: RecordedEvent[] = [];
  const it = sub[Symbol.asyncIterator]();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`got ${got.length} of ${n} events within ${ms} ms`)), ms);
  });
  const run = (async () => {
    while (got.length < n) {
      const r = await it.next();
      if (r.done) throw new Error(`subscription ended after ${got.length} of ${n}`);
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

function expectExactlyOnceInOrder(events: RecordedEvent[], after = 0): void {
  expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
  events.forEach((e, i) => expect(e.position).toBe(after + i + 1));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describeWithPostgres('PostgresEventStore interleavings', () => {
  let t: TestSchema;
  const clients: Client[] = [];
  const stores: PostgresEventStore[] = [];

  const rawClient = async (): Promise<Client> => {
    const c = new Client({ connectionString: t.connectionString });
    c.on('error', () => undefined);
    await c.connect();
    await c.query(`SET search_path TO "${t.schema}"`);
    clients.push(c);
    return c;
  };
  const open = async (schema = t.schema): Promise<PostgresEventStore> => {
    const s = await PostgresEventStore.connect({ connectionString: t.connectionString, schema, poolSize: 6, sealer: { takeoverMs: 200 } });
    stores.push(s);
    return s;
  };

  /**
   * What an append does, done by hand on a raw connection inside a transaction the test controls:
   * a valid event (correct hash chain from GENESIS) in a new stream, with its head row.
   */
  const rawAppendNewStream = async (c: Client, streamId: string, opts: { head?: boolean } = {}) => {
    const p = prepareAppend(streamId, [ev('Slow')], 'no-stream', meta());
    const [e] = chainEvents(p, -1, GENESIS_HASH, new Date().toISOString());
    if (opts.head !== false) await c.query('INSERT INTO streams (stream_id, revision, last_hash) VALUES ($1, 0, $2)', [streamId, e.hash]);
    const r = await c.query<{ seq: string }>(
      `INSERT INTO events (id, stream_id, revision, type, schema_version, data, metadata, recorded_at, hash)
       VALUES ($1, $2, 0, $3, $4, $5, $6, $7, $8) RETURNING seq`,
      [e.id, streamId, e.type, e.schemaVersion, e.dataJson, e.metadataJson, e.metadata.recordedAt, e.hash],
    );
    return { id: e.id, hash: e.hash, seq: Number(r.rows[0].seq) };
  };

  const seqOf = async (ids: string[]) => {
    const c = await rawClient();
    const { rows } = await c.query<{ seq: string }>('SELECT seq FROM events WHERE id = ANY($1::uuid[]) ORDER BY seq', [ids]);
    return rows.map((r) => Number(r.seq));
  };

  beforeEach(async () => {
    t = await createTestSchema('interleave');
  });
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
    for (const c of clients.splice(0)) await c.end().catch(() => undefined);
    await t.drop();
  });

  it('(a) a transaction that took an earlier seq but commits last: a live subscriber gets every event once, in order', async () => {
    const store = await open();
    const sub = store.subscribeToAll();
    await store.append('before', [ev(), ev()], 'no-stream', meta());
    const first = await take(sub, 2, 5000);
    expectExactlyOnceInOrder(first);

    const slow = await rawClient();
    await slow.query('BEGIN');
    const slowEvent = await rawAppendNewStream(slow, 'slow-stream');
    // Later appends take later seqs and commit while the slow transaction is still open.
    const later = [];
    for (let i = 0; i < 5; i++) later.push(await store.append(`later-${i}`, [ev('Later', { i })], 'no-stream', meta()));
    const laterIds = (await Promise.all(later.map((r) => toArray(store.readStream(r.streamId))))).flat().map((e) => e.id);
    const laterSeqs = await seqOf(laterIds);
    expect(Math.min(...laterSeqs)).toBeGreaterThan(slowEvent.seq);
    // A reader following seq would now deliver the later events and skip the slow one forever. The
    // sealer does not move past the open transaction: nothing after it is sealed yet.
    await sleep(300);
    expect(await store.headPosition()).toBe(2);

    await slow.query('COMMIT');
    const rest = await take(sub, 6, 10_000);
    expectExactlyOnceInOrder(rest, 2);
    expect(rest[0].id).toBe(slowEvent.id);
    expect(rest.slice(1).map((e) => e.id).sort()).toEqual([...laterIds].sort());
    // Nothing more arrives: each event was delivered exactly once.
    await store.append('after', [ev()], 'no-stream', meta());
    const [after] = await take(sub, 1, 5000);
    expect(after.streamId).toBe('after');
    expect(after.position).toBe(9);
    await sub.close();
    expect((await store.verify()).ok).toBe(true);
  });

  it('(b) a rolled-back append leaves a seq gap: the subscriber does not stall', async () => {
    const store = await open();
    const sub = store.subscribeToAll();
    await store.append('b-1', [ev()], 'no-stream', meta());
    await take(sub, 1, 5000);

    const doomed = await rawClient();
    await doomed.query('BEGIN');
    const gone = await rawAppendNewStream(doomed, 'b-doomed');
    const pending = take(sub, 1, 10_000);
    await sleep(100);
    await doomed.query('ROLLBACK');

    const started = Date.now();
    await store.append('b-2', [ev()], 'no-stream', meta());
    const [next] = await pending;
    expect(Date.now() - started).toBeLessThan(2000);
    expect(next).toMatchObject({ streamId: 'b-2', position: 2 });
    const [b2] = await toArray(store.readStream('b-2'));
    // The rolled-back event's seq is a hole below b-2's.
    expect((await seqOf([b2.id]))[0]).toBeGreaterThan(gone.seq);
    expect(await seqOf([gone.id])).toEqual([]);
    await sub.close();
  });

  it('(c) a losing writer after nextval (WrongExpectedRevision) leaves a gap: later events still arrive promptly', async () => {
    const store = await open();
    const sub = store.subscribeToAll();
    await store.append('c-0', [ev()], 'no-stream', meta());
    await take(sub, 1, 5000);

    // Another writer holds revision 0 of c-1 uncommitted; the store's append takes its seq, then waits on
    // the unique (stream_id, revision) entry, and loses when that writer commits.
    const winner = await rawClient();
    await winner.query('BEGIN');
    const won = await rawAppendNewStream(winner, 'c-1', { head: false });
    const losing = store.append('c-1', [ev('Loser')], 'no-stream', meta()).catch((e) => e);
    await sleep(200);
    await winner.query('COMMIT');
    const err = await losing;
    // The winner wrote no head row (touching it inside its transaction would deadlock with the loser's
    // pending head insert); add it now so that the store and verify see a consistent stream.
    await winner.query('INSERT INTO streams (stream_id, revision, last_hash) VALUES ($1, 0, $2)', ['c-1', won.hash]);
    expect(err).toBeInstanceOf(WrongExpectedRevisionError);
    expect(err).toMatchObject({ streamId: 'c-1', expected: 'no-stream', actual: 0 });

    const started = Date.now();
    await store.append('c-2', [ev()], 'no-stream', meta());
    const got = await take(sub, 2, 5000);
    expect(Date.now() - started).toBeLessThan(2000);
    expectExactlyOnceInOrder(got, 1);
    expect(got.map((e) => e.streamId).sort()).toEqual(['c-1', 'c-2']);
    // The loser's seq is a hole between the two events.
    const seqs = await seqOf(got.map((e) => e.id));
    expect(seqs[1] - seqs[0]).toBeGreaterThan(1);
    await sub.close();
    expect((await store.verify()).ok).toBe(true);
  });

  it('(d) two store instances on one schema: one seals at a time, and the other takes over when it closes', async () => {
    const a = await open();
    const b = await open();
    const holders = async () => {
      const c = await rawClient();
      const { rows } = await c.query<{ n: string }>(
        `SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = $1 AND objid = (hashtext($2)::bigint & 4294967295)::oid AND objsubid = 2`,
        [ADVISORY_LOCK_NAMESPACE.sealer, t.schema],
      );
      await c.end();
      clients.splice(clients.indexOf(c), 1);
      return Number(rows[0].n);
    };
    const sub = b.subscribeToAll();
    let appended = 0;
    for (let round = 0; round < 10; round++) {
      await a.append(`d-a-${round}`, [ev()], 'no-stream', meta());
      await b.append(`d-b-${round}`, [ev()], 'no-stream', meta());
      appended += 2;
      expect([a.isSealing, b.isSealing].filter(Boolean).length).toBeLessThanOrEqual(1);
    }
    await a.settle();
    expect([a.isSealing, b.isSealing].filter(Boolean)).toHaveLength(1);
    expect(await holders()).toBe(1);
    const [sealing, other] = a.isSealing ? [a, b] : [b, a];
    const seen = await take(sub, appended, 10_000);
    expectExactlyOnceInOrder(seen);

    await sealing.close();
    stores.splice(stores.indexOf(sealing), 1);
    const started = Date.now();
    while (!other.isSealing && Date.now() - started < 10_000) await sleep(20);
    expect(other.isSealing).toBe(true);
    expect(await holders()).toBe(1);
    const sub2 = other === b ? sub : other.subscribeToAll({ after: appended });
    for (let i = 0; i < 5; i++) await other.append(`d-after-${i}`, [ev()], 'no-stream', meta());
    const more = await take(sub2, 5, 10_000);
    expectExactlyOnceInOrder(more, appended);
    if (sub2 !== sub) await sub2.close();
    await sub.close();
    const report = await other.verify();
    expect(report).toMatchObject({ ok: true, checked: appended + 5, headPosition: appended + 5 });
  });

  it('(e) migrations run concurrently from several instances without error', async () => {
    const fresh = `${t.schema}_m`;
    try {
      const opened = await Promise.all(Array.from({ length: 4 }, () => open(fresh)));
      expect(opened).toHaveLength(4);
      const pool = new Pool({ connectionString: t.connectionString, max: 4 });
      try {
        const applied = await Promise.all(Array.from({ length: 4 }, () => runMigrations(pool, fresh, MIGRATIONS)));
        expect(applied.flat()).toEqual([]);
        const { rows } = await pool.query(`SELECT id FROM "${fresh}".${MIGRATIONS_TABLE} ORDER BY id`);
        expect(rows.map((r) => r.id)).toEqual(MIGRATIONS.map((m) => m.id));
      } finally {
        await pool.end();
      }
      await opened[0].append('e-1', [ev()], 'no-stream', meta());
      await opened[0].settle();
      expect(await opened[3].headPosition()).toBe(1);
    } finally {
      for (const s of stores.splice(0)) await s.close();
      const c = await rawClient();
      await c.query(`DROP SCHEMA IF EXISTS "${fresh}" CASCADE`);
    }
  });

  it('(f) unique-violation races end in WrongExpectedRevisionError for every loser', async () => {
    // Two instances, so that neither can settle the race in its own memory: PostgreSQL decides.
    const a = await open();
    const b = await open();
    for (let round = 0; round < 5; round++) {
      const sid = `f-new-${round}`;
      const results = await Promise.allSettled([a.append(sid, [ev()], 'no-stream', meta()), b.append(sid, [ev()], 'no-stream', meta())]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const lost = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')!;
      expect(lost.reason).toBeInstanceOf(WrongExpectedRevisionError);
      expect(lost.reason).toMatchObject({ expected: 'no-stream', actual: 0 });
    }

    await a.append('f-race', [ev()], 'no-stream', meta());
    await b.streamHead('f-race'); // b knows the head too, so both take the one-round-trip path
    for (let round = 0; round < 5; round++) {
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).append('f-race', [ev('Raced', { round, i })], round, meta())),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(lost).toHaveLength(19);
      for (const l of lost) {
        expect(l.reason).toBeInstanceOf(WrongExpectedRevisionError);
        expect(l.reason).toMatchObject({ expected: round, actual: round + 1 });
      }
    }
    expect((await toArray(a.readStream('f-race'))).map((e) => e.revision)).toEqual([0, 1, 2, 3, 4, 5]);
    expect((await a.verify()).ok).toBe(true);
  });
});
