import { DomainError, httpStatusOfKind } from './domain-error';
import { cmEntries, cmFromEntries, cmGet, cmSet, emptyChunkedMap, type ChunkedMap } from './chunked-map';
import { compact } from './message';
import { parseStreamId, streamIds } from './stream-ids';

describe('domain error', () => {
  it('carries a stable code, a kind mapped to an HTTP status, and details', () => {
    const e = DomainError.rule('insufficient-stock', 'requested 120, available 40', { requested: 120, available: 40 });
    expect(e).toBeInstanceOf(Error);
    expect(e).toMatchObject({ name: 'DomainError', code: 'insufficient-stock', kind: 'rule', message: 'requested 120, available 40', details: { requested: 120, available: 40 } });
    expect(httpStatusOfKind[e.kind]).toBe(409);
    const i = DomainError.invalid('lines[0].quantity', 'must be positive');
    expect(i).toMatchObject({ kind: 'invalid', code: 'invalid-input', field: 'lines[0].quantity' });
    expect(httpStatusOfKind[i.kind]).toBe(400);
    expect(httpStatusOfKind[DomainError.notFound('x', 'y').kind]).toBe(404);
    expect(httpStatusOfKind[DomainError.forbidden('x', 'y').kind]).toBe(403);
    expect(new DomainError('dispatch-already-planned')).toMatchObject({ message: 'dispatch-already-planned', kind: 'rule', details: {} });
  });
});

describe('stream ids', () => {
  it('name one stream per aggregate and parse back', () => {
    expect(streamIds.dispatch('d-1')).toBe('dispatch-d-1');
    expect(streamIds.stock('gd-muara-bulian')).toBe('stock-gd-muara-bulian');
    expect(streamIds.capacity('pmi')).toBe('capacity-pmi');
    expect(parseStreamId('stock-gd-muara-bulian')).toEqual({ category: 'stock', id: 'gd-muara-bulian' });
    expect(parseStreamId('opsplan-p-1')).toEqual({ category: 'operationsPlan', id: 'p-1' });
    expect(parseStreamId('nothing-x')).toBeNull();
    const prefixes = Object.values(streamIds).map((f) => f('').slice(0, -1));
    expect(new Set(prefixes).size).toBe(prefixes.length);
    for (const p of prefixes) expect(p).not.toContain('-');
  });
});

describe('compact', () => {
  it('drops undefined at every depth and keeps everything else', () => {
    expect(compact({ a: 1, b: undefined, c: [{ d: undefined, e: null }], f: { g: undefined, h: 'x' } })).toEqual({ a: 1, c: [{ e: null }], f: { h: 'x' } });
    expect(Object.keys(compact({ a: undefined }))).toEqual([]);
  });
});

describe('ChunkedMap', () => {
  it('gets, sets and lists like a map, and never changes an earlier version', () => {
    let m = emptyChunkedMap<number>();
    const versions: Array<ChunkedMap<number>> = [];
    for (let i = 0; i < 500; i++) {
      versions.push(m);
      m = cmSet(m, `DSP-${i}`, i);
    }
    m = cmSet(m, 'DSP-7', 70);
    expect(m.size).toBe(500);
    expect(cmGet(m, 'DSP-7')).toBe(70);
    expect(cmGet(m, 'DSP-499')).toBe(499);
    expect(cmGet(m, 'nope')).toBeUndefined();
    expect(cmGet(m, 'toString')).toBeUndefined();
    expect(versions[10].size).toBe(10);
    expect(cmGet(versions[10], 'DSP-9')).toBe(9);
    expect(cmGet(versions[10], 'DSP-10')).toBeUndefined();
    expect(cmGet(versions[100], 'DSP-7')).toBe(7);
    expect(cmEntries(versions[3])).toEqual([['DSP-0', 0], ['DSP-1', 1], ['DSP-2', 2]]);
    expect(cmEntries(cmFromEntries(cmEntries(m)))).toEqual(cmEntries(m));
  });

  it('an update copies one bucket and shares every other with the version before', () => {
    let m = emptyChunkedMap<number>();
    for (let i = 0; i < 2_000; i++) m = cmSet(m, `DSP-${i}`, i);
    const next = cmSet(m, 'DSP-2000', 2000);
    const changed = next.buckets.map((b, i) => b !== m.buckets[i]).filter(Boolean);
    expect(changed).toHaveLength(1);
    const bucket = next.buckets.find((b, i) => b !== m.buckets[i])!;
    // 2,000 entries over 64 buckets: the copied one holds a few dozen, not 2,000.
    expect(Object.keys(bucket).length).toBeLessThan(100);
  });
});
