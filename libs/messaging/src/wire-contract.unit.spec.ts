import type { RecordedEvent } from '@lumbung/event-store';
import { decodeEvent, encodeEvent, streamCategory, WIRE_CONTRACT_V1, WireContractError } from './wire-contract';

const event: RecordedEvent = {
  id: '0b6f1c52-6d1e-4e0a-9a57-0d5f3a1f2c11',
  type: 'DispatchPlanned',
  streamId: 'dispatch-d-17',
  revision: 3,
  position: 1042,
  schemaVersion: 2,
  data: { lines: [{ item: 'rice-5kg', qty: 40 }], note: 'jalan lintas ❤' },
  metadata: {
    actor: 'u-1',
    member: 'm-bpbd',
    role: 'eoc',
    correlationId: 'c-9',
    causationId: 'cmd-3',
    occurredAt: '2025-03-01T08:00:00.000Z',
    recordedAt: '2025-03-01T08:00:00.120Z',
  },
  hash: 'ab'.repeat(32),
};

describe('wire contract lumbung.event.v1', () => {
  it('round-trips an event through key, value and headers', () => {
    const m = encodeEvent(event);
    expect(m.key).toBe('dispatch-d-17');
    expect(m.headers).toEqual({
      contract: WIRE_CONTRACT_V1,
      'content-type': 'application/json',
      'event-id': event.id,
      'event-type': 'DispatchPlanned',
      'stream-id': 'dispatch-d-17',
      'stream-category': 'dispatch',
      'stream-revision': '3',
      'global-position': '1042',
      'correlation-id': 'c-9',
    });
    expect(JSON.parse(m.value.toString('utf8')).contract).toBe(WIRE_CONTRACT_V1);
    // As kafkajs delivers it: Buffers everywhere.
    const headers = Object.fromEntries(Object.entries(m.headers).map(([k, v]) => [k, Buffer.from(v)]));
    expect(decodeEvent({ key: Buffer.from(m.key), value: m.value, headers })).toEqual(event);
  });

  it('reads a message without headers from its value alone', () => {
    expect(decodeEvent({ key: null, value: encodeEvent(event).value })).toEqual(event);
  });

  it('refuses an unknown contract version, from the header or from the value, naming it', () => {
    const m = encodeEvent(event);
    const v2 = { ...m.headers, contract: 'lumbung.event.v2' };
    expect(() => decodeEvent({ key: m.key, value: m.value, headers: v2 })).toThrow(/unsupported wire contract "lumbung\.event\.v2".*reads lumbung\.event\.v1/);
    const body = { ...JSON.parse(m.value.toString()), contract: 'lumbung.event.v9' };
    try {
      decodeEvent({ key: m.key, value: Buffer.from(JSON.stringify(body)) });
      throw new Error('accepted');
    } catch (e) {
      expect(e).toBeInstanceOf(WireContractError);
      expect((e as WireContractError).code).toBe('unsupported-contract');
    }
  });

  it('refuses malformed messages with a reason', () => {
    const m = encodeEvent(event);
    const body = JSON.parse(m.value.toString());
    const cases: Array<[string, () => unknown]> = [
      ['not JSON', () => decodeEvent({ value: Buffer.from('{nope') })],
      ['tombstone', () => decodeEvent({ value: null })],
      ['no contract', () => decodeEvent({ value: Buffer.from(JSON.stringify({ ...body, contract: undefined })) })],
      ['revision', () => decodeEvent({ value: Buffer.from(JSON.stringify({ ...body, revision: -1 })) })],
      ['position', () => decodeEvent({ value: Buffer.from(JSON.stringify({ ...body, position: '7' })) })],
      ['data', () => decodeEvent({ value: Buffer.from(JSON.stringify({ ...body, data: [1] })) })],
      ['metadata', () => decodeEvent({ value: Buffer.from(JSON.stringify({ ...body, metadata: { ...body.metadata, recordedAt: 5 } })) })],
      ['key', () => decodeEvent({ key: 'dispatch-other', value: m.value })],
      ['header', () => decodeEvent({ value: m.value, headers: { ...m.headers, 'stream-revision': '4' } })],
      ['content type', () => decodeEvent({ value: m.value, headers: { ...m.headers, 'content-type': 'application/avro' } })],
    ];
    for (const [what, run] of cases) {
      expect({ what, thrown: (() => { try { run(); return null; } catch (e) { return (e as Error).name; } })() }).toEqual({ what, thrown: 'WireContractError' });
    }
  });

  it('takes the category from the stream id prefix', () => {
    expect(streamCategory('stock-wh-1')).toBe('stock');
    expect(streamCategory('opsplan-p-2')).toBe('opsplan');
    expect(streamCategory('nodash')).toBe('nodash');
  });
});
