import { deterministicUuid, type RecordedEvent } from '@lumbung/event-store';
import { ApiError } from './api-error';
import { parseIfMatch, formatEtag } from './etag';
import { assertSameRequest, canonicalJson, commandIdentity, requestHash } from './idempotency';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const req = (headers: Record<string, string | string[]>, body: unknown = { a: 1 }) => ({ method: 'POST', originalUrl: '/requests?x=1', headers, body });

describe('idempotency', () => {
  it('derives the command id from the user and the key', () => {
    const a = commandIdentity(req({ 'idempotency-key': 'k-1' }), { sub: 'u1' });
    expect(a.commandId).toBe(deterministicUuid('cmd', 'u1', 'k-1'));
    expect(a.idempotencyKey).toBe('k-1');
    expect(commandIdentity(req({ 'idempotency-key': 'k-1' }), { sub: 'u1' }).commandId).toBe(a.commandId);
    expect(commandIdentity(req({ 'idempotency-key': 'k-1' }), { sub: 'u2' }).commandId).not.toBe(a.commandId);
  });

  it('uses a random command id without a key', () => {
    const a = commandIdentity(req({}), { sub: 'u1' });
    const b = commandIdentity(req({}), { sub: 'u1' });
    expect(a.commandId).toMatch(UUID);
    expect(a.commandId).not.toBe(b.commandId);
    expect(a.idempotencyKey).toBeUndefined();
  });

  it('refuses keys that are too long, empty, repeated or not printable', () => {
    const bad = (headers: Record<string, string | string[]>): ApiError => {
      try {
        commandIdentity(req(headers), { sub: 'u' });
      } catch (e) {
        return e as ApiError;
      }
      throw new Error('expected a refusal');
    };
    expect(bad({ 'idempotency-key': 'x'.repeat(201) })).toMatchObject({ status: 400, code: 'invalid-idempotency-key', message: expect.stringContaining('at most 200') });
    expect(() => commandIdentity(req({ 'idempotency-key': 'x'.repeat(200) }), { sub: 'u' })).not.toThrow();
    expect(bad({ 'idempotency-key': '' }).status).toBe(400);
    expect(bad({ 'idempotency-key': 'a\u0001b' }).status).toBe(400);
    expect(bad({ 'idempotency-key': ['a', 'b'] }).status).toBe(400);
  });

  it('hashes method, path and canonical body; key order does not matter, the query does not count', () => {
    expect(canonicalJson({ b: [{ z: 1, y: 2 }], a: null, u: undefined })).toBe('{"a":null,"b":[{"y":2,"z":1}]}');
    const h = commandIdentity(req({}, { b: 1, a: [1, 2] }), { sub: 'u' }).requestHash;
    expect(h).toBe(requestHash('POST', '/requests', { a: [1, 2], b: 1 }));
    expect(h).not.toBe(requestHash('POST', '/requests', { a: [2, 1], b: 1 }));
    expect(h).not.toBe(requestHash('PUT', '/requests', { a: [1, 2], b: 1 }));
    expect(h).not.toBe(requestHash('POST', '/pledges', { a: [1, 2], b: 1 }));
  });

  it('accepts a true retry and refuses a reused key with 422', () => {
    const stored = { streamId: 's-1', revision: 0, metadata: { extra: { requestHash: 'h1' } } } as unknown as RecordedEvent;
    expect(assertSameRequest({}, 'h1')).toBe(false);
    expect(assertSameRequest({ replayOf: [stored] }, 'h1')).toBe(true);
    expect(assertSameRequest({ append: { idempotentReplay: true } }, 'h1')).toBe(true);
    expect(assertSameRequest({ append: { idempotentReplay: false } }, 'h1')).toBe(false);
    expect(() => assertSameRequest({ replayOf: [stored] }, 'h2')).toThrow(expect.objectContaining({ status: 422, code: 'idempotency-key-reused' }));
  });
});

describe('ETag and If-Match', () => {
  it('formats and parses', () => {
    expect(formatEtag('stock-w1', 41)).toBe('"stock-w1:41"');
    expect(parseIfMatch('"stock-w1:41"', 'stock-w1')).toBe(41);
    expect(parseIfMatch('"dispatch-a:b:7"', 'dispatch-a:b')).toBe(7);
    expect(parseIfMatch(undefined)).toBeUndefined();
    expect(parseIfMatch('*')).toBeUndefined();
  });

  it('refuses malformed, weak and lists of tags with 400, and another stream with 412', () => {
    for (const h of ['W/"s:1"', '"s:1", "s:2"', 'nonsense', '"s:x"', '"s:1']) {
      expect(() => parseIfMatch(h, 's')).toThrow(expect.objectContaining({ status: 400, code: 'invalid-if-match' }));
    }
    expect(() => parseIfMatch('"other:1"', 's')).toThrow(expect.objectContaining({ status: 412, code: 'precondition-failed' }));
  });
});
