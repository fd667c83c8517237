import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { EventStoreClosedError, toArray, type AppendMetadata, type NewEvent } from '@lumbung/event-store';
import { SqliteEventStore } from './sqlite.event-store';
import { MIGRATIONS } from './sqlite.schema';

/** What the SQLite adapter promises beyond the shared contract: schema, pragmas, locking, verify, close. */

const ROOT = resolve(__dirname, '../../..');
const meta = (): AppendMetadata => ({ actor: 'u', correlationId: 'c', causationId: randomUUID(), occurredAt: '2026-03-01T08:00:00.000Z' });
const ev = (data: Record<string, number | string> = {}): NewEvent => ({ id: randomUUID(), type: 'T', data });

describe('SqliteEventStore', () => {
  let dir: string;
  let file: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lumbung-sqlite-'));
  });
  beforeEach(() => {
    file = join(dir, `${randomUUID()}.sqlite`);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const raw = <T>(run: (db: Database.Database) => T): T => {
    const db = new Database(file);
    try {
      db.pragma('busy_timeout = 5000');
      return run(db);
    } finally {
      db.close();
    }
  };

  describe('open', () => {
    it('creates the file (and its directory) in WAL mode with the schema applied once', async () => {
      file = join(dir, 'nested', 'deeper', 'events.sqlite');
      const store = SqliteEventStore.open({ file });
      expect(existsSync(file)).toBe(true);
      await store.close();
      const again = SqliteEventStore.open({ file });
      await again.close();
      raw((db) => {
        expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
        const versions = db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all();
        expect(versions).toEqual(MIGRATIONS.map((m) => m.version));
        const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").pluck().all();
        expect(tables).toEqual(expect.arrayContaining(['events', 'streams', 'log_head', 'schema_migrations']));
      });
    });

    it('refuses a file written by a newer schema, rather than misreading it', async () => {
      await SqliteEventStore.open({ file }).close();
      raw((db) => db.prepare("INSERT INTO schema_migrations VALUES (999, 'from the future', '2030-01-01')").run());
      expect(() => SqliteEventStore.open({ file })).toThrow(/schema version 999/);
    });

    it('refuses an unknown synchronous setting', () => {
      expect(() => SqliteEventStore.open({ file, synchronous: 'OFF' as never })).toThrow(/synchronous/);
    });
  });

  describe('another process holding the write lock', () => {
    /** A separate node process takes the write lock and keeps it for holdMs (a real second writer). */
    async function holdWriteLock(holdMs: number): Promise<{ exited: Promise<number | null> }> {
      const script = `
        const Database = require('better-sqlite3');
        const db = new Database(process.argv[1]);
        db.exec('BEGIN IMMEDIATE');
        process.stdout.write('locked\\n');
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Number(process.argv[2]));
        db.exec('COMMIT');
        db.close();`;
      const child = spawn(process.execPath, ['-e', script, file, String(holdMs)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
      const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
      await new Promise<void>((res, rej) => {
        child.stdout.once('data', () => res());
        child.once('exit', (code) => rej(new Error(`lock holder exited early (${code})`)));
      });
      // wrapped: an async function returning the promise itself would wait for the child to exit
      return { exited };
    }

    it('an append waits for the lock (busy_timeout) instead of failing', async () => {
      const store = SqliteEventStore.open({ file, busyTimeoutMs: 10000 });
      try {
        const { exited } = await holdWriteLock(700);
        const t0 = Date.now();
        const r = await store.append('s', [ev()], 'no-stream', meta());
        const waited = Date.now() - t0;
        expect(r.position).toBe(1);
        expect(waited).toBeGreaterThanOrEqual(300);
        expect(await exited).toBe(0);
      } finally {
        await store.close();
      }
    });

    it('with a short busy timeout the append fails and writes nothing', async () => {
      const store = SqliteEventStore.open({ file, busyTimeoutMs: 50 });
      try {
        const { exited } = await holdWriteLock(1000);
        await expect(store.append('s', [ev()], 'no-stream', meta())).rejects.toMatchObject({ code: 'SQLITE_BUSY' });
        expect(await exited).toBe(0);
        expect(await store.headPosition()).toBe(0);
        await expect(store.append('s', [ev()], 'no-stream', meta())).resolves.toMatchObject({ position: 1 });
      } finally {
        await store.close();
      }
    });
  });

  describe('verify', () => {
    const seed = async (store: SqliteEventStore, streams: number, perStream: number) => {
      for (let s = 0; s < streams; s++) {
        for (let i = 0; i < perStream; i += 10) await store.append(`s-${s}`, Array.from({ length: 10 }, () => ev({ s, i })), 'any', meta());
      }
    };

    it('walks the log page by page, reporting progress', async () => {
      const store = SqliteEventStore.open({ file, pageSize: 100 });
      try {
        await seed(store, 5, 100);
        const progress: number[] = [];
        const report = await store.verify({ onProgress: (n) => progress.push(n) });
        expect(report).toMatchObject({ ok: true, checked: 500, headPosition: 500 });
        expect(progress).toEqual([100, 200, 300, 400, 500, 500]);
        raw((db) => expect(db.prepare('SELECT log_hash FROM log_head').pluck().get()).toBe(report.headLogHash));
      } finally {
        await store.close();
      }
    });

    it('stays consistent while appends go on during the walk (snapshot)', async () => {
      const store = SqliteEventStore.open({ file, pageSize: 20, synchronous: 'NORMAL' });
      try {
        await seed(store, 4, 200);
        const verifying = store.verify();
        const appending = (async () => {
          for (let i = 0; i < 50; i++) await store.append(`s-${i % 4}`, [ev({ late: i })], 'any', meta());
        })();
        const [report] = await Promise.all([verifying, appending]);
        // The walk saw the log as it was when verify began, although the appends landed meanwhile.
        expect(report).toMatchObject({ ok: true, checked: 800, headPosition: 800 });
        expect(await store.headPosition()).toBe(850);
        expect((await store.verify()).checked).toBe(850);
      } finally {
        await store.close();
      }
    });

    it('reports events removed from the end of the log, which no gap betrays', async () => {
      const store = SqliteEventStore.open({ file });
      try {
        await seed(store, 3, 10);
        raw((db) => {
          db.prepare("DELETE FROM events WHERE stream_id = 's-2'").run();
          db.prepare("DELETE FROM streams WHERE stream_id = 's-2'").run();
        });
        const report = await store.verify();
        expect(report.ok).toBe(false);
        expect(report.problem).toMatchObject({ kind: 'removed', position: 20 });
        // The next append does not paper over it: it continues after the recorded head.
        await store.append('s-3', [ev()], 'no-stream', meta());
        expect((await store.verify()).problem).toMatchObject({ kind: 'removed', position: 31 });
      } finally {
        await store.close();
      }
    });

    it('reports a rewritten log hash, a rewritten stream head, and stored data that is not JSON', async () => {
      const store = SqliteEventStore.open({ file });
      try {
        await seed(store, 2, 10);
        raw((db) => db.prepare("UPDATE events SET log_hash = '" + 'f'.repeat(64) + "' WHERE position = 4").run());
        expect((await store.verify()).problem).toMatchObject({ kind: 'chain-broken', position: 4 });
      } finally {
        await store.close();
      }
      file = join(dir, `${randomUUID()}.sqlite`);
      const s2 = SqliteEventStore.open({ file });
      try {
        await seed(s2, 2, 10);
        raw((db) => db.prepare("UPDATE streams SET revision = 12 WHERE stream_id = 's-0'").run());
        expect((await s2.verify()).problem).toMatchObject({ kind: 'removed', streamId: 's-0' });
        raw((db) => db.prepare("UPDATE streams SET revision = 9 WHERE stream_id = 's-0'").run());
        expect((await s2.verify()).ok).toBe(true);
        raw((db) => db.prepare("UPDATE events SET data = '{not json' WHERE position = 7").run());
        expect((await s2.verify()).problem).toMatchObject({ kind: 'altered', position: 7 });
      } finally {
        await s2.close();
      }
    });
  });

  describe('close', () => {
    it('ends live subscriptions, and every later call throws EventStoreClosedError', async () => {
      const store = SqliteEventStore.open({ file });
      await store.append('s', [ev()], 'no-stream', meta());
      const sub = store.subscribeToAll();
      const consumed = (async () => {
        let n = 0;
        for await (const _ of sub) n++;
        return n;
      })();
      await new Promise((r) => setTimeout(r, 50));
      await store.close();
      await expect(consumed).resolves.toBe(1);
      await store.close();
      await expect(store.append('s', [ev()], 0, meta())).rejects.toBeInstanceOf(EventStoreClosedError);
      await expect(toArray(store.readStream('s'))).rejects.toBeInstanceOf(EventStoreClosedError);
      await expect(toArray(store.readAll())).rejects.toBeInstanceOf(EventStoreClosedError);
      await expect(store.streamHead('s')).rejects.toBeInstanceOf(EventStoreClosedError);
      await expect(store.headPosition()).rejects.toBeInstanceOf(EventStoreClosedError);
      await expect(store.verify()).rejects.toBeInstanceOf(EventStoreClosedError);
      expect(() => store.subscribeToAll()).toThrow(EventStoreClosedError);
    });

    it('a reader part-way through a page sequence gets EventStoreClosedError, not a driver error', async () => {
      const store = SqliteEventStore.open({ file, pageSize: 10 });
      await store.append('s', Array.from({ length: 25 }, () => ev()), 'no-stream', meta());
      const it = store.readAll()[Symbol.asyncIterator]();
      for (let i = 0; i < 10; i++) await it.next();
      await store.close();
      await expect(it.next()).rejects.toBeInstanceOf(EventStoreClosedError);
    });
  });
});
