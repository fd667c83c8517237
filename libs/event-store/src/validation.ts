import { InvalidAppendError } from './errors';
import type { AppendMetadata, ExpectedRevision, JsonObject, JsonValue, NewEvent, StreamAppend } from './event-store.port';

export const MAX_EVENT_BYTES = 1024 * 1024;
export const MAX_STREAM_ID_LENGTH = 200;
export const MAX_TYPE_LENGTH = 200;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A validated event, with its JSON already serialised once for the adapter to store. */
export interface PreparedEvent {
  id: string;
  type: string;
  schemaVersion: number;
  data: JsonObject;
  dataJson: string;
}

export interface PreparedAppend {
  streamId: string;
  events: PreparedEvent[];
  metadata: AppendMetadata;
  metadataJson: string;
}

function assertJson(value: unknown, path: string, seen: Set<object>): asserts value is JsonValue {
  if (value === null) return;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value)) throw new InvalidAppendError(path, 'number is not finite (NaN/Infinity are not JSON)');
      return;
    case 'object': {
      if (seen.has(value as object)) throw new InvalidAppendError(path, 'circular reference is not JSON');
      seen.add(value as object);
      if (Array.isArray(value)) {
        value.forEach((v, i) => assertJson(v, `${path}[${i}]`, seen));
      } else {
        const proto = Object.getPrototypeOf(value);
        if (proto !== Object.prototype && proto !== null) {
          throw new InvalidAppendError(path, `${(value as object).constructor?.name ?? 'object'} is not plain JSON data`);
        }
        for (const [k, v] of Object.entries(value as object)) {
          if (v === undefined) throw new InvalidAppendError(`${path}.${k}`, 'undefined is not JSON');
          assertJson(v, `${path}.${k}`, seen);
        }
      }
      seen.delete(value as object);
      return;
    }
    default:
      throw new InvalidAppendError(path, `${typeof value} is not JSON`);
  }
}

function requireString(value: unknown, field: string, max = 1000): string {
  if (typeof value !== 'string' || value.trim() === '') throw new InvalidAppendError(field, 'must be a non-empty string');
  if (value.length > max) throw new InvalidAppendError(field, `longer than ${max} characters`);
  return value;
}

export function validateStreamId(streamId: unknown): string {
  const s = requireString(streamId, 'streamId', MAX_STREAM_ID_LENGTH);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(s)) throw new InvalidAppendError('streamId', 'contains control characters');
  if (s.startsWith('$')) throw new InvalidAppendError('streamId', 'names starting with $ are reserved for the store');
  return s;
}

export function validateExpectedRevision(expected: unknown): ExpectedRevision {
  if (expected === 'no-stream' || expected === 'exists' || expected === 'any') return expected;
  if (typeof expected === 'number' && Number.isSafeInteger(expected) && expected >= 0) return expected;
  throw new InvalidAppendError('expectedRevision', "must be a revision (integer >= 0), 'no-stream', 'exists' or 'any'");
}

/** Checks everything an adapter must refuse before it touches storage. Throws InvalidAppendError. */
export function prepareAppend(streamId: unknown, events: unknown, expected: unknown, metadata: unknown): PreparedAppend {
  const sid = validateStreamId(streamId);
  validateExpectedRevision(expected);
  if (!Array.isArray(events) || events.length === 0) throw new InvalidAppendError('events', 'must be a non-empty array');
  if (!metadata || typeof metadata !== 'object') throw new InvalidAppendError('metadata', 'is required');
  const m = metadata as AppendMetadata;
  requireString(m.actor, 'metadata.actor');
  requireString(m.correlationId, 'metadata.correlationId');
  requireString(m.causationId, 'metadata.causationId');
  requireString(m.occurredAt, 'metadata.occurredAt');
  if (Number.isNaN(Date.parse(m.occurredAt))) throw new InvalidAppendError('metadata.occurredAt', 'is not an ISO-8601 time');
  for (const f of ['member', 'role', 'reason'] as const) {
    if (m[f] !== undefined && typeof m[f] !== 'string') throw new InvalidAppendError(`metadata.${f}`, 'must be a string');
  }
  assertJson(metadata, 'metadata', new Set());
  const metadataJson = JSON.stringify(metadata);
  const ids = new Set<string>();
  const prepared = (events as NewEvent[]).map((e, i) => {
    const at = `events[${i}]`;
    if (!e || typeof e !== 'object') throw new InvalidAppendError(at, 'must be an object');
    if (typeof e.id !== 'string' || !UUID.test(e.id)) throw new InvalidAppendError(`${at}.id`, 'must be a UUID');
    const id = e.id.toLowerCase();
    if (ids.has(id)) throw new InvalidAppendError(`${at}.id`, 'appears twice in one append');
    ids.add(id);
    const type = requireString(e.type, `${at}.type`, MAX_TYPE_LENGTH);
    const schemaVersion = e.schemaVersion ?? 1;
    if (!Number.isSafeInteger(schemaVersion) || schemaVersion < 1) throw new InvalidAppendError(`${at}.schemaVersion`, 'must be an integer >= 1');
    if (!e.data || typeof e.data !== 'object' || Array.isArray(e.data)) throw new InvalidAppendError(`${at}.data`, 'must be a JSON object');
    assertJson(e.data, `${at}.data`, new Set());
    const dataJson = JSON.stringify(e.data);
    const bytes = Buffer.byteLength(dataJson, 'utf8') + Buffer.byteLength(metadataJson, 'utf8');
    if (bytes > MAX_EVENT_BYTES) throw new InvalidAppendError(`${at}`, `is ${bytes} bytes; the limit is ${MAX_EVENT_BYTES} (1 MiB)`);
    // Store exactly what JSON can carry, so the hash computed now equals the hash recomputed on read.
    return { id, type, schemaVersion, data: JSON.parse(dataJson) as JsonObject, dataJson };
  });
  return { streamId: sid, events: prepared, metadata: JSON.parse(metadataJson) as AppendMetadata, metadataJson };
}

/** Most parts one appendMultiple takes (a flow touches a handful of streams). */
export const MAX_APPEND_PARTS = 16;

/**
 * Validates an appendMultiple: each part as an append, the streams distinct, no event id twice
 * across the parts. Parts come back in the order given.
 */
export function prepareAppends(appends: unknown): Array<PreparedAppend & { expectedRevision: ExpectedRevision }> {
  if (!Array.isArray(appends) || appends.length === 0) throw new InvalidAppendError('appends', 'must be a non-empty array');
  if (appends.length > MAX_APPEND_PARTS) throw new InvalidAppendError('appends', `at most ${MAX_APPEND_PARTS} streams in one append`);
  const streams = new Set<string>();
  const ids = new Set<string>();
  return appends.map((a: StreamAppend, i) => {
    if (!a || typeof a !== 'object') throw new InvalidAppendError(`appends[${i}]`, 'must be an object');
    const p = prepareAppend(a.streamId, a.events, a.expectedRevision, a.metadata);
    if (streams.has(p.streamId)) throw new InvalidAppendError(`appends[${i}].streamId`, `stream ${p.streamId} appears twice in one append`);
    streams.add(p.streamId);
    for (const e of p.events) {
      if (ids.has(e.id)) throw new InvalidAppendError(`appends[${i}].events`, `event id ${e.id} appears twice in one append`);
      ids.add(e.id);
    }
    return { ...p, expectedRevision: a.expectedRevision };
  });
}
