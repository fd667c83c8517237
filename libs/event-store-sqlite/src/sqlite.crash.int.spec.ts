import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { toArray, WrongExpectedRevisionError, type AppendMetadata, type RecordedEvent, type Subscription } from '@lumbung/event-store';
import { SqliteEventStore, type SqliteSynchronous } from './sqlite.event-store';

/**
 * Durability and multi-writer behaviour on real files: a writer process is SIGKILLed mid-loop, and
 * several connections/processes append to one file at once.
 */

const ROOT = resolve(__dirname, '../../..');
const CHILD = join(__dirname, 'testing', 'append-loop.child.ts');

interface Ack {
  p: number;
  s: string;
  r: number;
  ids: string[];
}

/** A child process running append-loop.child.ts, collecting the appends it acknowledged. */
class Writer {
  readonly acks: Ack[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr = '';
  done: { conflicts: number } | undefined;
  ready = false;
  private readonly proc: ChildProcess;
  private buffered = '';
  private waiters: Array<() => void> = [];

  constructor(env: Record<string, string>) {
    this.proc = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', CHILD], {
      cwd: ROOT,
      env: { ...process.env, TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'), ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      this.buffered += chunk;
      let nl: number;
      while ((nl = this.buffered.indexOf('\n')) >= 0) {
        const line = this.buffered.slice(0, nl);
        this.buffered = this.buffered.slice(nl + 1);
        const msg = JSON.parse(line) as Ack & { done?: boolean; conflicts?: number; ready?: boolean };
        if (msg.done) this.done = { conflicts: msg.conflicts ?? 0 };
        else if (msg.ready) this.ready = true;
        else this.acks.push(msg);
      }
      const ws = this.waiters;
      this.waiters = [];
      ws.forEach((w) => w());
    });
    this.proc.stderr!.setEncoding('utf8').on('data', (c: string) => (this.stderr += c));
    this.exited = new Promise((res) => this.proc.on('exit', (code, signal) => res({ code, signal })));
  }

  /** Resolves once at least n appends were acknowledged (n = 0: once the store is open). */
  async waitForAcks(n: number, ms = 90000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!this.ready || this.acks.length < n) {
      if (Date.now() > deadline) throw new Error(`writer acknowledged ${this.acks.length} of ${n} appends within ${ms} ms; stderr: ${this.stderr}`);
      if (this.proc.exitCode !== null) throw new Error(`writer exited with ${this.proc.exitCode} after ${this.acks.length} acks; stderr: ${this.stderr}`);
      await new Promise<void>((res) => {
        const t = setTimeout(res, 200);
        this.waiters.push(() => {
          clearTimeout(t);
          res();
        });
      });
    }
  }

  /** Starts a writer spawned with APPEND_WAIT_FOR_GO=1. */
  go(): void {
    this.proc.stdin!.end('go\n');
  }

  kill(): void {
    this.proc.kill('SIGKILL');
  }
}

const meta = (): AppendMetadata => ({ actor: 'parent', correlationId: randomUUID(), causationId: randomUUID(), occurredAt: new Date().toISOString() });

/** Takes exactly n events from a subscription, failing if they do not arrive within ms. */
async function take(sub: Subscription, n: number, ms = 30000): Promise<RecordedEvent[]> {
  const got: RecordedEvent[] = [];
  const it = sub[Symbol.asyncIterator]();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`subscription delivered ${got.length} of ${n} within ${ms} ms`)), ms);
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

/**
 * Everything the file must satisfy after any crash: SQLite's own integrity check, positions 1..head
 * with no gap, every stream's revisions 0..n, every append whole (all its events or none), the hash
 * chains verifying, and every acknowledged append stored exactly where it was acknowledged.
 */
async function expectConsistent(file: string, acks: Ack[]): Promise<{ events: RecordedEvent[]; batches: number }> {
  const raw = new Database(file, { readonly: true });
  try {
    expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
  } finally {
    raw.close();
  }
  const store = SqliteEventStore.open({ file });
  try {
    const events = await toArray(store.readAll());
    const head = await store.headPosition();
    expect(events.map((e) => e.position)).toEqual(Array.from({ length: head }, (_, i) => i + 1));
    const lastRev = new Map<string, number>();
    const batches = new Map<string, RecordedEvent[]>();
    for (const e of events) {
      expect(e.revision).toBe((lastRev.get(e.streamId) ?? -1) + 1);
      lastRev.set(e.streamId, e.revision);
      const b = (e.data as { batchId: string }).batchId;
      batches.set(b, [...(batches.get(b) ?? []), e]);
    }
    for (const [streamId, revision] of lastRev) expect((await store.streamHead(streamId))?.revision).toBe(revision);
    for (const batch of batches.values()) {
      const { of } = batch[0].data as { of: number };
      expect(batch.map((e) => (e.data as { k: number }).k)).toEqual(Array.from({ length: of }, (_, k) => k));
      expect(batch.map((e) => e.position)).toEqual(Array.from({ length: of }, (_, k) => batch[0].position + k));
    }
    const byId = new Map(events.map((e) => [e.id, e]));
    for (const a of acks) {
      const stored = a.ids.map((id) => byId.get(id));
      expect(stored.every((e) => e !== undefined)).toBe(true);
      const last = stored[stored.length - 1]!;
      expect({ p: last.position, s: last.streamId, r: last.revision }).toEqual({ p: a.p, s: a.s, r: a.r });
    }
    const report = await store.verify();
    expect(report).toMatchObject({ ok: true, checked: head, headPosition: head });
    return { events, batches: batches.size };
  } finally {
    await store.close();
  }
}

describe('SqliteEventStore: crashes and several writers on one file', () => {
  let dir: string;
  const writers: Writer[] = [];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lumbung-sqlite-crash-'));
  });
  afterEach(async () => {
    for (const w of writers.splice(0)) {
      w.kill();
      await w.exited;
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each<SqliteSynchronous>(['NORMAL', 'FULL'])(
    'synchronous=%s: a writer SIGKILLed mid-loop, three times, loses no acknowledged append and leaves nothing half-written',
    async (synchronous) => {
      const file = join(dir, `killed-${synchronous}.sqlite`);
      const acks: Ack[] = [];
      for (let round = 0; round < 3; round++) {
        const w = new Writer({ APPEND_FILE: file, APPEND_WRITER: 'k', APPEND_SYNCHRONOUS: synchronous, APPEND_MAX_BATCH: '5', APPEND_PADDING: '2000' });
        writers.push(w);
        // Kill at a different point each round, while the child is appending as fast as it can.
        await w.waitForAcks(100 + Math.floor(Math.random() * 300));
        w.kill();
        expect((await w.exited).signal).toBe('SIGKILL');
        writers.splice(writers.indexOf(w), 1);
        acks.push(...w.acks);
        const { batches } = await expectConsistent(file, acks);
        // The append in flight at the kill may have committed without being acknowledged: at most one per kill.
        expect(batches - acks.length).toBeGreaterThanOrEqual(0);
        expect(batches - acks.length).toBeLessThanOrEqual(round + 1);
      }
    },
    // generous: a 2-core machine shared with other suites starts ts-node children slowly
    240000,
  );

  it('two store instances on one file appending concurrently: no lost append, contiguous positions, and each sees the other', async () => {
    const file = join(dir, 'two-instances.sqlite');
    const a = SqliteEventStore.open({ file, synchronous: 'NORMAL', pollMs: 20 });
    const b = SqliteEventStore.open({ file, synchronous: 'NORMAL', pollMs: 20 });
    try {
      const subA = a.subscribeToAll();
      const perWriter = 150;
      // 3 writers on each instance on their own streams, and all 6 racing on one shared stream with exact
      // expected revisions read through their own instance (retrying on a conflict).
      let conflicts = 0;
      const results = await Promise.all(
        [a, a, a, b, b, b].map(async (store, w) => {
          let sharedCount = 0;
          for (let i = 0; i < perWriter; i++) {
            await store.append(`own-${w}`, [{ id: randomUUID(), type: 'Own', data: { w, i } }], i === 0 ? 'no-stream' : i - 1, meta());
            if (i % 5 === 0) {
              for (;;) {
                const head = await store.streamHead('shared');
                try {
                  await store.append('shared', [{ id: randomUUID(), type: 'Shared', data: { w, i } }], head ? head.revision : 'no-stream', meta());
                  sharedCount++;
                  break;
                } catch (e) {
                  if (!(e instanceof WrongExpectedRevisionError)) throw e;
                  conflicts++;
                }
              }
            }
            // let the other instance's writers in between appends
            if (i % 3 === 0) await new Promise((r) => setImmediate(r));
          }
          return sharedCount;
        }),
      );
      const sharedTotal = results.reduce((x, y) => x + y, 0);
      const total = 6 * perWriter + sharedTotal;
      expect(await a.headPosition()).toBe(total);
      expect(await b.headPosition()).toBe(total);
      for (const store of [a, b]) {
        const all = await toArray(store.readAll());
        expect(all.map((e) => e.position)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
        const shared = await toArray(store.readStream('shared'));
        expect(shared.map((e) => e.revision)).toEqual(Array.from({ length: sharedTotal }, (_, i) => i));
      }
      const seen = await take(subA, total);
      expect(seen.map((e) => e.position)).toEqual(Array.from({ length: total }, (_, i) => i + 1));

      // Appends by b alone never notify a's subscriber: it finds them by polling the file.
      const tail = take(subA, 40);
      for (let i = 0; i < 40; i++) await b.append('only-b', [{ id: randomUUID(), type: 'OnlyB', data: { i } }], i === 0 ? 'no-stream' : i - 1, meta());
      expect((await tail).map((e) => (e.data as { i: number }).i)).toEqual(Array.from({ length: 40 }, (_, i) => i));
      await subA.close();
      expect((await b.verify()).ok).toBe(true);
      expect(conflicts).toBeGreaterThanOrEqual(0);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('two writer processes and a subscribing third on one file: every acknowledged append, once, in one contiguous log', async () => {
    const file = join(dir, 'two-processes.sqlite');
    // The parent opens first so the children find the schema; a subscriber follows from position 0.
    const watcher = SqliteEventStore.open({ file, pollMs: 20 });
    const sub = watcher.subscribeToAll();
    try {
      const count = 1000;
      const ws = ['x', 'y'].map((name) => {
        const w = new Writer({ APPEND_FILE: file, APPEND_WRITER: name, APPEND_COUNT: String(count), APPEND_SHARED_EVERY: '3', APPEND_MAX_BATCH: '3', APPEND_SYNCHRONOUS: 'NORMAL', APPEND_WAIT_FOR_GO: '1' });
        writers.push(w);
        return w;
      });
      await Promise.all(ws.map((w) => w.waitForAcks(0)));
      ws.forEach((w) => w.go());
      const exits = await Promise.all(ws.map((w) => w.exited));
      for (const [i, e] of exits.entries()) expect({ code: e.code, stderr: ws[i].stderr }).toEqual({ code: 0, stderr: '' });
      const acks = ws.flatMap((w) => w.acks);
      expect(acks).toHaveLength(2 * count);
      const { events } = await expectConsistent(file, acks);
      const eventCount = acks.reduce((n, a) => n + a.ids.length, 0);
      expect(events).toHaveLength(eventCount);
      const shared = events.filter((e) => e.streamId === 'shared');
      expect(shared.length).toBe(acks.filter((a) => a.s === 'shared').reduce((n, a) => n + a.ids.length, 0));
      const seen = await take(sub, eventCount);
      expect(seen.map((e) => e.id)).toEqual(events.map((e) => e.id));
      // Both writers interleaved in the log: they really ran at the same time.
      const firstY = events.findIndex((e) => (e.data as { writer: string }).writer === 'y');
      const lastX = events.map((e) => (e.data as { writer: string }).writer).lastIndexOf('x');
      expect(firstY).toBeLessThan(lastX);
      process.stdout.write(`two processes: shared-stream conflicts retried: ${ws.map((w) => w.done?.conflicts).join(', ')}\n`);
    } finally {
      await sub.close();
      await watcher.close();
    }
  }, 180000);
});
