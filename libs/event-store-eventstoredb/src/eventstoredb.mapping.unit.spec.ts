import { randomUUID } from 'node:crypto';
import {
  ANY, NO_STREAM, STREAM_EXISTS, MaxAppendSizeExceededError, StreamNotFoundError, WrongExpectedVersionError,
  type AllStreamResolvedEvent,
} from '@kurrent/kurrentdb-client';
import {
  ChainVerifier, GENESIS_HASH, InvalidAppendError, WrongExpectedRevisionError, chainEvents, prepareAppend, type AppendMetadata,
} from '@lumbung/event-store';
import {
  ForeignEventError, assertNoReservedMetadataKeys, commitPositionOf, commitToPosition, fromClientCurrentState, fromStoreStreamName,
  fromStoredMetadata, headToClientStreamState, isStreamNotFound, mapAppendError, namespacePrefix, toClientStreamState,
  toRecordedEvent, toStoreStreamName, toStoredMetadata,
} from './eventstoredb.mapping';
import { PositionIndex } from './position-index';

const meta: AppendMetadata = {
  actor: 'user-1',
  member: 'bpbd-jambi',
  role: 'eoc',
  correlationId: 'req-77',
  causationId: 'cmd-1',
  reason: 'road cut',
  occurredAt: '2026-03-01T08:00:00.000Z',
  extra: { incident: 'inc-1', phase: 'tanggap-darurat' },
};

/** What the client hands back for an event the adapter wrote: the stored JSON, parsed again. */
function asRead(
  storeStream: string,
  c: { id: string; type: string; revision: number; data: unknown; metadata: unknown },
  commit: bigint,
): AllStreamResolvedEvent {
  return {
    event: {
      streamId: storeStream,
      id: c.id,
      isJson: true,
      revision: BigInt(c.revision),
      type: c.type,
      created: new Date(),
      data: JSON.parse(JSON.stringify(c.data)),
      metadata: JSON.parse(JSON.stringify(c.metadata)),
      position: { commit, prepare: commit },
    },
  } as AllStreamResolvedEvent;
}

describe('EventStoreDB mapping', () => {
  it('maps expected revisions to the client stream states', () => {
    expect(toClientStreamState('any')).toBe(ANY);
    expect(toClientStreamState('no-stream')).toBe(NO_STREAM);
    expect(toClientStreamState('exists')).toBe(STREAM_EXISTS);
    expect(toClientStreamState(0)).toBe(0n);
    expect(toClientStreamState(41)).toBe(41n);
    // What the adapter sends is always the exact head it chained from.
    expect(headToClientStreamState(-1)).toBe(NO_STREAM);
    expect(headToClientStreamState(0)).toBe(0n);
    expect(headToClientStreamState(7)).toBe(7n);
  });

  it('maps the client WrongExpectedVersionError to ours, against what the caller expected', () => {
    const clientErr = new WrongExpectedVersionError(undefined, { streamName: 'ns/s-1', expected: 2n, current: 3n });
    const mapped = mapAppendError(clientErr, 's-1', 'exists');
    expect(mapped).toBeInstanceOf(WrongExpectedRevisionError);
    expect(mapped).toMatchObject({ streamId: 's-1', expected: 'exists', actual: 3, code: 'wrong-expected-revision' });

    const none = new WrongExpectedVersionError(undefined, { streamName: 'ns/s-2', expected: 0n, current: NO_STREAM });
    expect(mapAppendError(none, 's-2', 0)).toMatchObject({ expected: 0, actual: 'no-stream' });

    const tooBig = MaxAppendSizeExceededError.fromMaxAppendSize(1048576);
    expect(mapAppendError(tooBig, 's-3', 'any')).toBeInstanceOf(InvalidAppendError);

    const other = new Error('unavailable');
    expect(mapAppendError(other, 's-4', 'any')).toBe(other);
    expect(isStreamNotFound(new StreamNotFoundError(undefined, 'ns/x'))).toBe(true);
    expect(isStreamNotFound(other)).toBe(false);
    expect(fromClientCurrentState(NO_STREAM)).toBe('no-stream');
    expect(fromClientCurrentState(12n)).toBe(12);
  });

  it('stores our metadata with EventStoreDB conventions and splits it back exactly', () => {
    const stored = toStoredMetadata({ ...meta, recordedAt: '2026-03-01T08:00:01.000Z' }, 2, 'a'.repeat(64));
    expect(stored).toMatchObject({ actor: 'user-1', schemaVersion: 2, hash: 'a'.repeat(64), $correlationId: 'req-77', $causationId: 'cmd-1' });
    const back = fromStoredMetadata(JSON.parse(JSON.stringify(stored)));
    expect(back).toEqual({ metadata: { ...meta, recordedAt: '2026-03-01T08:00:01.000Z' }, schemaVersion: 2, hash: 'a'.repeat(64) });
    expect(fromStoredMetadata({ actor: 'x' })).toBeNull();
    expect(fromStoredMetadata(new Uint8Array([1, 2]))).toBeNull();
    expect(() => assertNoReservedMetadataKeys({ ...meta, hash: 'mine' })).toThrow(InvalidAppendError);
    expect(() => assertNoReservedMetadataKeys(meta)).not.toThrow();
  });

  it('namespaces stream names and recognises system and foreign records', () => {
    const p = namespacePrefix('test-abc');
    expect(p).toBe('test-abc/');
    expect(namespacePrefix(undefined)).toBe('');
    expect(() => namespacePrefix('$ns')).toThrow(InvalidAppendError);
    expect(toStoreStreamName(p, 'request-1')).toBe('test-abc/request-1');
    expect(fromStoreStreamName(p, 'test-abc/request-1')).toBe('request-1');
    expect(fromStoreStreamName(p, 'test-abd/request-1')).toBeNull();
    const sys = asRead('$stats-127.0.0.1:2113', { id: randomUUID(), type: '$statsCollected', revision: 0, data: {}, metadata: {} }, 100n);
    expect(toRecordedEvent(sys, '')).toBeNull();
    const deleted = asRead('test-abc/request-1', { id: randomUUID(), type: '$streamDeleted', revision: 3, data: {}, metadata: {} }, 200n);
    expect(toRecordedEvent(deleted, p)).toBeNull();
    const otherNs = asRead('other/request-1', { id: randomUUID(), type: 'X', revision: 0, data: {}, metadata: {} }, 300n);
    expect(toRecordedEvent(otherNs, p)).toBeNull();
    const foreign = asRead('test-abc/request-1', { id: randomUUID(), type: 'X', revision: 0, data: {}, metadata: { who: 'someone' } }, 400n);
    expect(() => toRecordedEvent(foreign, p)).toThrow(ForeignEventError);
  });

  it('round-trips chained events through the stored form: hashes recompute and the chain verifies', () => {
    const p = namespacePrefix('t');
    const prepared = prepareAppend(
      'dispatch-1',
      [
        { id: randomUUID(), type: 'DispatchPlanned', schemaVersion: 2, data: { qty: 40, lines: [{ item: 'rice-5kg', n: 1.5 }], note: 'ünïcødé' } },
        { id: randomUUID(), type: 'DispatchLoaded', data: { truck: 'BH 1234 XY' } },
      ],
      'no-stream',
      meta,
    );
    const chained = chainEvents(prepared, -1, GENESIS_HASH, '2026-03-01T08:00:01.000Z');
    const read = chained.map((c, i) =>
      toRecordedEvent(asRead('t/dispatch-1', { ...c, metadata: toStoredMetadata(c.metadata, c.schemaVersion, c.hash) }, BigInt(1000 + i * 250)), p)!,
    );
    expect(read.map((e) => e.position)).toEqual([1000, 1250]);
    expect(read[0]).toMatchObject({ streamId: 'dispatch-1', revision: 0, schemaVersion: 2, type: 'DispatchPlanned', hash: chained[0].hash });
    expect(read[0].metadata).toEqual({ ...meta, recordedAt: '2026-03-01T08:00:01.000Z' });

    // Renumbered as the adapter does, the chain verifies; altered data does not.
    const index = new PositionIndex();
    let prev = 0;
    const numbered = read.map((e) => {
      const position = index.adopt(e.position, prev);
      prev = e.position;
      return { ...e, position };
    });
    const v = new ChainVerifier();
    for (const e of numbered) expect(v.check(e)).toBe(true);
    expect(v.report()).toMatchObject({ ok: true, checked: 2, headPosition: 2 });
    const bad = new ChainVerifier();
    expect(bad.check(numbered[0])).toBe(true);
    expect(bad.check({ ...numbered[1], data: { truck: 'other' } })).toBe(false);
    expect(bad.problem).toMatchObject({ kind: 'altered', position: 2 });
  });

  it('refuses $all positions it cannot number', () => {
    expect(commitPositionOf({ commit: 1234n, prepare: 1234n })).toBe(1234);
    expect(() => commitPositionOf({ commit: 2000n, prepare: 1500n })).toThrow(/explicit transaction/);
    expect(() => commitPositionOf({ commit: 2n ** 60n, prepare: 2n ** 60n })).toThrow(/safe integer/);
    expect(commitToPosition(1234)).toEqual({ commit: 1234n, prepare: 1234n });
    expect(() => commitToPosition(0)).toThrow();
  });
});

describe('PositionIndex', () => {
  it('numbers commit positions 1..n in $all order and finds them again', () => {
    const idx = new PositionIndex();
    expect(idx.length).toBe(0);
    expect(idx.lastCommit).toBe(0);
    expect(idx.commitOf(0)).toBe(0);
    let prev = 0;
    const commits = Array.from({ length: 5000 }, (_, i) => 100 + i * 137);
    commits.forEach((c, i) => {
      expect(idx.adopt(c, prev)).toBe(i + 1);
      prev = c;
    });
    expect(idx.length).toBe(5000);
    expect(idx.lastCommit).toBe(commits[4999]);
    expect(idx.commitOf(1)).toBe(100);
    expect(idx.commitOf(2500)).toBe(commits[2499]);
    expect(idx.positionOf(commits[3333])).toBe(3334);
    expect(idx.positionOf(101)).toBeUndefined();
    // A second reader going over indexed events gets the same numbers.
    expect(idx.adopt(commits[10], commits[9])).toBe(11);
  });

  it('refuses what would make the numbering differ between processes', () => {
    const idx = new PositionIndex();
    idx.adopt(100, 0);
    idx.adopt(200, 100);
    // Not in the index although below its tail: the log changed under this process.
    expect(() => idx.adopt(150, 100)).toThrow(/not in this process/);
    // After the tail, but not read right after it: an event in between would be skipped.
    expect(() => idx.adopt(400, 300)).toThrow(/position index ends at 200/);
    expect(() => idx.commitOf(3)).toThrow();
    expect(idx.adopt(300, 200)).toBe(3);
  });
});
