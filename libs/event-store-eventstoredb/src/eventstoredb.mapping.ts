import {
  ANY, NO_STREAM, STREAM_EXISTS, ErrorType,
  type AllStreamResolvedEvent, type AppendStreamState, type Position, type ResolvedEvent,
} from '@kurrent/kurrentdb-client';
import {
  EventStoreError, InvalidAppendError, WrongExpectedRevisionError,
  type EventMetadata, type ExpectedRevision, type JsonObject, type RecordedEvent,
} from '@lumbung/event-store';

/**
 * Pure translations between the lumbung event store port and the KurrentDB (EventStoreDB) client.
 * Kept apart from the adapter so that they are unit-tested without a server.
 *
 * Positions: KurrentDB gives each event a $all position {commit, prepare}. Events written by an ordinary
 * append are "implicitly committed" prepares, for which commit == prepare == the event's own byte
 * offset in the transaction log (AllReader builds TFPos(prepare.LogPosition, prepare.LogPosition) for
 * them): unique per event and strictly increasing in $all order, but not contiguous. The functions here
 * deal in that commit position; the adapter renumbers it to the port's contiguous 1-based position with
 * its PositionIndex (position-index.ts, README.md).
 */

/** Keys of the stored metadata JSON that belong to the adapter, not to the caller's AppendMetadata. */
export const RESERVED_METADATA_KEYS = ['schemaVersion', 'hash', '$correlationId', '$causationId'] as const;

/** A stored event did not come from this adapter (no lumbung metadata), or cannot be mapped. */
export class ForeignEventError extends EventStoreError {
  constructor(readonly storeStreamName: string, readonly eventId: string, readonly reason: string) {
    super(`event ${eventId} in stream ${storeStreamName} is not a lumbung event: ${reason}`, 'foreign-event');
  }
}

/** Expected revision as the caller meant it, in the client's terms. */
export function toClientStreamState(expected: ExpectedRevision): AppendStreamState {
  switch (expected) {
    case 'any':
      return ANY;
    case 'no-stream':
      return NO_STREAM;
    case 'exists':
      return STREAM_EXISTS;
    default:
      return BigInt(expected);
  }
}

/**
 * What the adapter actually sends: always the exact state of the head it chained from (-1 = no stream).
 * Sending 'any' or 'stream_exists' would let a concurrent writer slip in between the head read and the
 * write, and two events would then both claim the same previous hash: the chain would fork.
 */
export function headToClientStreamState(current: number): AppendStreamState {
  return current < 0 ? NO_STREAM : BigInt(current);
}

/** The client's CurrentStreamState (NO_STREAM or a bigint revision) as our actual revision. */
export function fromClientCurrentState(state: unknown): number | 'no-stream' {
  if (typeof state === 'bigint') return bigintToSafeNumber(state, 'stream revision');
  if (typeof state === 'number' && Number.isSafeInteger(state) && state >= 0) return state;
  return 'no-stream';
}

function errorType(err: unknown): unknown {
  return err && typeof err === 'object' ? (err as { type?: unknown }).type : undefined;
}

/** Duck-typed on the client's `type` tag, so a second copy of the client module still matches. */
export function isWrongExpectedVersion(err: unknown): err is { type: ErrorType.WRONG_EXPECTED_VERSION; actualState: unknown } {
  return errorType(err) === ErrorType.WRONG_EXPECTED_VERSION;
}

export function isStreamNotFound(err: unknown): boolean {
  return errorType(err) === ErrorType.STREAM_NOT_FOUND;
}

export function isStreamDeleted(err: unknown): boolean {
  const t = errorType(err);
  return t === ErrorType.STREAM_DELETED || t === ErrorType.STREAM_TOMBSTONED;
}

/**
 * The client's WrongExpectedVersionError as ours, reported against what the caller expected (not the
 * exact revision the adapter sent on its behalf); the server's size limits as InvalidAppendError.
 * Anything else is returned unchanged.
 */
export function mapAppendError(err: unknown, streamId: string, expected: ExpectedRevision): unknown {
  if (isWrongExpectedVersion(err)) {
    return new WrongExpectedRevisionError(streamId, expected, fromClientCurrentState(err.actualState));
  }
  const t = errorType(err);
  if (t === ErrorType.MAXIMUM_APPEND_SIZE_EXCEEDED || t === ErrorType.APPEND_RECORD_SIZE_EXCEEDED || t === ErrorType.TRANSACTION_MAX_SIZE_EXCEEDED) {
    // The server's own limit (MaxAppendSize, 1 MiB per append by default) refused it: refused input, nothing written.
    return new InvalidAppendError('events', `the server refused the append as too large (${(err as Error).message || String(t)})`);
  }
  return err;
}

/** Stream names: an optional namespace keeps one store's streams apart from another's in one database. */
export function namespacePrefix(namespace: string | undefined): string {
  if (namespace === undefined || namespace === '') return '';
  if (namespace.startsWith('$')) throw new InvalidAppendError('namespace', 'names starting with $ are reserved for the store');
  if (namespace.includes('/')) throw new InvalidAppendError('namespace', "must not contain '/'");
  return `${namespace}/`;
}

export function toStoreStreamName(prefix: string, streamId: string): string {
  return prefix + streamId;
}

/** Our stream id for a stored stream name, or null when the stream is not in this namespace. */
export function fromStoreStreamName(prefix: string, name: string): string | null {
  if (!name.startsWith(prefix)) return null;
  return name.slice(prefix.length);
}

/** System streams and events ($-prefixed) belong to the database, never to the application's log. */
export function isSystemEvent(storeStreamName: string, type: string): boolean {
  return storeStreamName.startsWith('$') || type.startsWith('$');
}

function bigintToSafeNumber(v: bigint, what: string): number {
  if (v < 0n || v > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new EventStoreError(`${what} ${v} is outside the safe integer range`, 'position-out-of-range');
  }
  return Number(v);
}

/** The commit position as a number. Only implicitly committed events (commit == prepare) map. */
export function commitPositionOf(p: Position): number {
  if (p.commit !== p.prepare) {
    throw new EventStoreError(
      `$all position ${p.commit}/${p.prepare} has commit != prepare (an explicit transaction, which this adapter never writes): it has no numeric position`,
      'position-not-mappable',
    );
  }
  return bigintToSafeNumber(p.commit, '$all position');
}

/** The exact $all position of an event's commit position (from commitPositionOf). */
export function commitToPosition(n: number): Position {
  if (!Number.isSafeInteger(n) || n < 1) throw new EventStoreError(`commit position ${n} is not an event's position`, 'invalid-position');
  const b = BigInt(n);
  return { commit: b, prepare: b };
}

/** The metadata JSON stored with each event: the caller's metadata, our chain data, and EventStoreDB's conventions. */
export function toStoredMetadata(metadata: EventMetadata, schemaVersion: number, hash: string): JsonObject {
  return {
    ...(metadata as unknown as JsonObject),
    schemaVersion,
    hash,
    // EventStoreDB's own conventions, so its $correlationId / $causationId projections see our conversations.
    $correlationId: metadata.correlationId,
    $causationId: metadata.causationId,
  };
}

/** Refuses caller metadata that would collide with the keys the adapter stores beside it. */
export function assertNoReservedMetadataKeys(metadata: object): void {
  for (const k of RESERVED_METADATA_KEYS) {
    if (Object.prototype.hasOwnProperty.call(metadata, k)) {
      throw new InvalidAppendError(`metadata.${k}`, 'is reserved by the EventStoreDB adapter');
    }
  }
}

/** Splits stored metadata back into exactly the EventMetadata that was hashed, plus schemaVersion and hash. */
export function fromStoredMetadata(stored: unknown): { metadata: EventMetadata; schemaVersion: number; hash: string } | null {
  if (!stored || typeof stored !== 'object' || Array.isArray(stored) || stored instanceof Uint8Array) return null;
  const { schemaVersion, hash, $correlationId: _c, $causationId: _k, ...rest } = stored as Record<string, unknown>;
  if (typeof hash !== 'string' || !/^[0-9a-f]{64}$/.test(hash)) return null;
  if (typeof schemaVersion !== 'number' || !Number.isSafeInteger(schemaVersion) || schemaVersion < 1) return null;
  return { metadata: rest as unknown as EventMetadata, schemaVersion, hash };
}

/**
 * A client event as our RecordedEvent, with `position` holding the $all commit position (the adapter
 * replaces it with the contiguous position from its index). Returns null for what is not part of this store's log (system
 * streams and events, other namespaces, unresolved links); throws ForeignEventError for an event in
 * our namespace that this adapter did not write.
 */
export function toRecordedEvent(resolved: ResolvedEvent | AllStreamResolvedEvent, prefix: string): RecordedEvent | null {
  const ev = resolved.event;
  if (!ev) return null;
  if (isSystemEvent(ev.streamId, ev.type)) return null;
  const streamId = fromStoreStreamName(prefix, ev.streamId);
  if (streamId === null) return null;
  const id = ev.id.toLowerCase();
  if (!ev.isJson) throw new ForeignEventError(ev.streamId, id, 'not a JSON event');
  const meta = fromStoredMetadata(ev.metadata);
  if (!meta) throw new ForeignEventError(ev.streamId, id, 'metadata has no lumbung schemaVersion/hash');
  const data = ev.data;
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw new ForeignEventError(ev.streamId, id, 'data is not a JSON object');
  const pos = ev.position ?? (resolved.commitPosition !== undefined ? { commit: resolved.commitPosition, prepare: resolved.commitPosition } : undefined);
  if (!pos) throw new EventStoreError(`event ${id} was read without a $all position (server older than 22.6?)`, 'position-missing');
  return {
    id,
    type: ev.type,
    streamId,
    revision: bigintToSafeNumber(ev.revision, 'stream revision'),
    position: commitPositionOf(pos),
    schemaVersion: meta.schemaVersion,
    data: data as JsonObject,
    metadata: meta.metadata,
    hash: meta.hash,
  };
}
