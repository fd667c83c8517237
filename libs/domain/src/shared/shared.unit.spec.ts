import { DomainError, httpStatusOfKind } from './domain-error';
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
