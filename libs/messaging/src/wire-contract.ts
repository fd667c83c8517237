import type { EventMetadata, JsonObject, RecordedEvent } from '@lumbung/event-store';

/**
 * The wire contract of events on the bus: what other agencies' systems read from Kafka, so it is
 * versioned on its own, apart from the store's schema and the events' schema versions. A change
 * that a v1 reader could misread gets a new contract name (lumbung.event.v2) and is published beside
 * v1 until readers have moved; readers refuse a contract they do not know instead of guessing.
 *
 * Value: JSON of WireEventV1 (UTF-8). Key: the stream id, so that one stream's events land on one
 * partition, in order. Headers repeat what a consumer needs to route or filter without parsing the
 * value (type, category, revision, position, correlation id).
 */
export const WIRE_CONTRACT_V1 = 'lumbung.event.v1';
export const SUPPORTED_CONTRACTS: readonly string[] = [WIRE_CONTRACT_V1];
export const WIRE_CONTENT_TYPE = 'application/json';

export const WIRE_HEADERS = {
  contract: 'contract',
  contentType: 'content-type',
  eventId: 'event-id',
  eventType: 'event-type',
  streamId: 'stream-id',
  /** the stream's category (the stream id's prefix: request, stock, dispatch...), for filtering by header */
  streamCategory: 'stream-category',
  streamRevision: 'stream-revision',
  globalPosition: 'global-position',
  correlationId: 'correlation-id',
} as const;

export interface WireEventV1 {
  contract: typeof WIRE_CONTRACT_V1;
  id: string;
  type: string;
  streamId: string;
  revision: number;
  position: number;
  schemaVersion: number;
  data: JsonObject;
  metadata: EventMetadata;
  hash: string;
}

/** A message as every transport carries it: the key, the value bytes, string headers. */
export interface WireMessage {
  key: string;
  value: Buffer;
  headers: Record<string, string>;
}

/** A message that does not follow a contract this build reads. Never retried: the bytes will not change. */
export class WireContractError extends Error {
  constructor(
    message: string,
    readonly code: 'unsupported-contract' | 'malformed',
  ) {
    super(message);
    this.name = 'WireContractError';
  }
}

/** The stream id's prefix before the first dash ('stock-wh-1' → 'stock'); the whole id when it has none. */
export function streamCategory(streamId: string): string {
  const dash = streamId.indexOf('-');
  return dash > 0 ? streamId.slice(0, dash) : streamId;
}

export function encodeEvent(e: RecordedEvent): WireMessage {
  const wire: WireEventV1 = {
    contract: WIRE_CONTRACT_V1,
    id: e.id,
    type: e.type,
    streamId: e.streamId,
    revision: e.revision,
    position: e.position,
    schemaVersion: e.schemaVersion,
    data: e.data,
    metadata: e.metadata,
    hash: e.hash,
  };
  return {
    key: e.streamId,
    value: Buffer.from(JSON.stringify(wire), 'utf8'),
    headers: {
      [WIRE_HEADERS.contract]: WIRE_CONTRACT_V1,
      [WIRE_HEADERS.contentType]: WIRE_CONTENT_TYPE,
      [WIRE_HEADERS.eventId]: e.id,
      [WIRE_HEADERS.eventType]: e.type,
      [WIRE_HEADERS.streamId]: e.streamId,
      [WIRE_HEADERS.streamCategory]: streamCategory(e.streamId),
      [WIRE_HEADERS.streamRevision]: String(e.revision),
      [WIRE_HEADERS.globalPosition]: String(e.position),
      [WIRE_HEADERS.correlationId]: e.metadata.correlationId,
    },
  };
}

/** Header values as kafkajs hands them over (Buffer, string, arrays of either, or missing). */
export type RawHeaders = Record<string, Buffer | string | (Buffer | string)[] | undefined>;

export function headerString(headers: RawHeaders | undefined, name: string): string | undefined {
  const v = headers?.[name];
  if (v === undefined) return undefined;
  const one = Array.isArray(v) ? v[v.length - 1] : v;
  return one === undefined ? undefined : Buffer.isBuffer(one) ? one.toString('utf8') : one;
}

/**
 * Reads a message back into the event it carries. Checks the contract first (header, then the body's
 * own field: a message without headers is still readable), then every field's type, and that the
 * key and headers agree with the body, so a message built by hand or damaged on the way is refused
 * with a reason instead of reaching a projection half-right.
 */
export function decodeEvent(message: { key?: Buffer | string | null; value: Buffer | string | null; headers?: RawHeaders }): RecordedEvent {
  const headerContract = headerString(message.headers, WIRE_HEADERS.contract);
  if (headerContract !== undefined && !SUPPORTED_CONTRACTS.includes(headerContract)) {
    throw unsupported(headerContract);
  }
  const contentType = headerString(message.headers, WIRE_HEADERS.contentType);
  if (contentType !== undefined && contentType !== WIRE_CONTENT_TYPE) {
    throw new WireContractError(`unsupported content-type ${JSON.stringify(contentType)}: this build reads ${WIRE_CONTENT_TYPE}`, 'malformed');
  }
  if (message.value === null || message.value === undefined) throw new WireContractError('message has no value (a tombstone?)', 'malformed');
  let body: unknown;
  try {
    body = JSON.parse(Buffer.isBuffer(message.value) ? message.value.toString('utf8') : message.value);
  } catch (e) {
    throw new WireContractError(`value is not JSON: ${(e as Error).message}`, 'malformed');
  }
  if (!isObject(body)) throw new WireContractError('value is not a JSON object', 'malformed');
  const contract = body.contract;
  if (typeof contract !== 'string') throw new WireContractError('value has no "contract" field', 'malformed');
  if (!SUPPORTED_CONTRACTS.includes(contract)) throw unsupported(contract);
  if (headerContract !== undefined && headerContract !== contract) {
    throw new WireContractError(`contract header ${headerContract} disagrees with the value's ${contract}`, 'malformed');
  }

  const event: RecordedEvent = {
    id: str(body, 'id'),
    type: str(body, 'type'),
    streamId: str(body, 'streamId'),
    revision: int(body, 'revision', 0),
    position: int(body, 'position', 1),
    schemaVersion: int(body, 'schemaVersion', 1),
    data: obj(body, 'data'),
    metadata: obj(body, 'metadata') as unknown as EventMetadata,
    hash: str(body, 'hash'),
  };
  for (const f of ['actor', 'correlationId', 'causationId', 'occurredAt', 'recordedAt'] as const) {
    if (typeof event.metadata[f] !== 'string') throw new WireContractError(`metadata.${f} must be a string`, 'malformed');
  }

  const key = message.key === null || message.key === undefined ? undefined : Buffer.isBuffer(message.key) ? message.key.toString('utf8') : message.key;
  if (key !== undefined && key !== event.streamId) {
    throw new WireContractError(`key ${JSON.stringify(key)} is not the event's stream id ${JSON.stringify(event.streamId)}`, 'malformed');
  }
  const agree: Array<[string, string]> = [
    [WIRE_HEADERS.eventId, event.id],
    [WIRE_HEADERS.eventType, event.type],
    [WIRE_HEADERS.streamId, event.streamId],
    [WIRE_HEADERS.streamRevision, String(event.revision)],
    [WIRE_HEADERS.globalPosition, String(event.position)],
  ];
  for (const [name, expected] of agree) {
    const h = headerString(message.headers, name);
    if (h !== undefined && h !== expected) {
      throw new WireContractError(`header ${name}=${JSON.stringify(h)} disagrees with the value (${JSON.stringify(expected)})`, 'malformed');
    }
  }
  return event;
}

function unsupported(contract: string): WireContractError {
  return new WireContractError(
    `unsupported wire contract ${JSON.stringify(contract)}: this build reads ${SUPPORTED_CONTRACTS.join(', ')} (upgrade this consumer to read it)`,
    'unsupported-contract',
  );
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(b: Record<string, unknown>, f: string): string {
  const v = b[f];
  if (typeof v !== 'string' || v === '') throw new WireContractError(`${f} must be a non-empty string`, 'malformed');
  return v;
}

function int(b: Record<string, unknown>, f: string, min: number): number {
  const v = b[f];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) throw new WireContractError(`${f} must be an integer >= ${min}`, 'malformed');
  return v;
}

function obj(b: Record<string, unknown>, f: string): JsonObject {
  const v = b[f];
  if (!isObject(v)) throw new WireContractError(`${f} must be a JSON object`, 'malformed');
  return v as JsonObject;
}
