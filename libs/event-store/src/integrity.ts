import { createHash } from 'node:crypto';
import type { EventMetadata, JsonValue, RecordedEvent } from './event-store.port';

/**
 * Tamper evidence (DESIGN.md "Events"):
 *  - each event's hash covers its content and the previous event's hash in its stream;
 *  - the global log is a second chain over (position, event hash) in commit order, so removing a
 *    whole stream, or reordering the log, breaks it too.
 * The formulas live here once, so every adapter and every verifier computes exactly the same thing.
 */

export const GENESIS_HASH = '0'.repeat(64);

/** JSON with object keys sorted at every depth: the same value always gives the same text. */
export function canonicalJson(value: JsonValue | undefined): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('non-finite number is not JSON');
    return JSON.stringify(value);
  }
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (Array.isArray(value)) return '[' + value.map((v) => canonicalJson(v)).join(',') + ']';
  const keys = Object.keys(value).filter((k) => value[k] !== undefined).sort();
  return '{' + keys.map((k) => JSON.stringify(k) + ':' + canonicalJson(value[k])).join(',') + '}';
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** What the event hash covers: everything about the event except its global position and the hash itself. */
export interface HashedContent {
  id: string;
  type: string;
  streamId: string;
  revision: number;
  schemaVersion: number;
  data: JsonValue;
  metadata: EventMetadata;
}

export function eventHash(prevHash: string, content: HashedContent): string {
  const body = canonicalJson({
    id: content.id,
    type: content.type,
    streamId: content.streamId,
    revision: content.revision,
    schemaVersion: content.schemaVersion,
    data: content.data,
    metadata: content.metadata as unknown as JsonValue,
  });
  return sha256Hex(prevHash + '|' + body);
}

export function recordedEventHash(prevHash: string, e: RecordedEvent): string {
  return eventHash(prevHash, e);
}

/** The global log chain: position and event hash, linked to the previous log entry. */
export function logHash(prevLogHash: string, position: number, evHash: string): string {
  return sha256Hex(prevLogHash + '|' + position + '|' + evHash);
}
