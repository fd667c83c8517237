import type { ChangeListener, ReadModelChange, ReadModelChanges } from '@lumbung/read-model';
import { READ_CACHE_MAX_AGE_MS, READ_CACHE_MAX_BYTES, ReadCache, type Lookup } from './read-cache';
import { scopeKey } from './read-cache.interceptor';

class FakeChanges implements ReadModelChanges {
  readonly listeners = new Set<ChangeListener>();
  listening = true;
  private release!: () => void;
  private readonly whenReady = new Promise<void>((r) => (this.release = r));
  async publishInTransaction(): Promise<void> {}
  publishCommitted(): void {}
  subscribe(l: ChangeListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
  ready(): Promise<void> {
    return this.whenReady;
  }
  async open(): Promise<void> {
    this.release();
    await this.whenReady;
  }
  announce(): void {
    for (const l of this.listeners) l({} as ReadModelChange);
  }
  async close(): Promise<void> {}
}

const miss = (l: Lookup) => {
  if (l.kind !== 'miss') throw new Error(`expected a miss, got ${l.kind}`);
  return l.slot;
};

describe('ReadCache', () => {
  let now: number;
  let changes: FakeChanges;
  let cache: ReadCache;

  beforeEach(async () => {
    now = 1_000_000;
    changes = new FakeChanges();
    cache = new ReadCache(changes, () => now);
    cache.onModuleInit();
    await changes.open();
  });

  it('is off until the change listener is in place, and while it is down', async () => {
    const c2 = new FakeChanges();
    const early = new ReadCache(c2, () => now);
    early.onModuleInit();
    expect(early.active).toBe(false);
    await c2.open();
    expect(early.active).toBe(true);
    c2.listening = false;
    expect(early.active).toBe(false);
    expect(new ReadCache(undefined).active).toBe(false);
  });

  it('answers the second reader with the first answer, until the read models change', () => {
    const slot = miss(cache.lookup('all /q'));
    slot.store('{"a":1}');
    slot.settle();
    expect(cache.lookup('all /q')).toEqual({ kind: 'hit', body: '{"a":1}' });
    changes.announce();
    expect(cache.lookup('all /q').kind).toBe('miss');
  });

  it('lets readers arriving during a computation wait for it, and not keep it when a change came meanwhile', async () => {
    const slot = miss(cache.lookup('all /q'));
    const waiting = cache.lookup('all /q');
    expect(waiting.kind).toBe('wait');
    changes.announce();
    // after the change a new reader computes for itself
    const fresh = cache.lookup('all /q');
    expect(fresh.kind).toBe('miss');
    slot.store('{"old":true}');
    slot.settle();
    await expect((waiting as { body: Promise<string | undefined> }).body).resolves.toBe('{"old":true}');
    // the answer begun before the change is not kept
    miss(fresh).settle();
    expect(cache.lookup('all /q').kind).toBe('miss');
  });

  it('sends waiters to compute for themselves when the first reader wrote no answer (an error)', async () => {
    const slot = miss(cache.lookup('all /q'));
    const waiting = cache.lookup('all /q') as { kind: 'wait'; body: Promise<string | undefined> };
    slot.settle();
    await expect(waiting.body).resolves.toBeUndefined();
    expect(cache.lookup('all /q').kind).toBe('miss');
  });

  it('forgets an answer after its maximum age, changes or not', () => {
    const slot = miss(cache.lookup('all /q'));
    slot.store('x');
    now += READ_CACHE_MAX_AGE_MS - 1;
    expect(cache.lookup('all /q').kind).toBe('hit');
    now += 1;
    expect(cache.lookup('all /q').kind).toBe('miss');
    expect(cache.size.bytes).toBe(0);
  });

  it('keeps at most its byte budget, dropping the least recently used first', () => {
    const big = 'x'.repeat(READ_CACHE_MAX_BYTES / 5);
    for (const k of ['a', 'b', 'c', 'd', 'e']) miss(cache.lookup(k)).store(big);
    expect(cache.lookup('a').kind).toBe('hit'); // a is now the most recently used
    miss(cache.lookup('f')).store(big);
    expect(cache.size.bytes).toBeLessThanOrEqual(READ_CACHE_MAX_BYTES);
    expect(cache.lookup('a').kind).toBe('hit');
    expect(cache.lookup('b').kind).toBe('miss');
  });

  it('keys answers by scope: everyone who sees all shares, scoped readers have their own', () => {
    const commander = scopeKey({ sub: 'c', role: 'commander', warehouses: [] });
    expect(scopeKey({ sub: 'a', role: 'auditor', warehouses: [] })).toBe(commander);
    const w1 = scopeKey({ sub: 'w', role: 'warehouse', member: 'm1', warehouses: ['b', 'a'] });
    expect(w1).not.toBe(commander);
    expect(scopeKey({ sub: 'w2', role: 'warehouse', member: 'm1', warehouses: ['a', 'b'] })).toBe(w1);
    expect(scopeKey({ sub: 'w3', role: 'warehouse', member: 'm1', warehouses: ['a'] })).not.toBe(w1);
    expect(scopeKey({ sub: 's', role: 'site', member: 'm1', site: 'x', warehouses: [] })).not.toBe(scopeKey({ sub: 's', role: 'site', member: 'm1', site: 'y', warehouses: [] }));
  });
});
