import { createHash, randomUUID } from 'node:crypto';
import { deterministicUuid, type JsonValue, type RecordedEvent } from '@lumbung/event-store';
import { ApiError } from './api-error';

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
export const MAX_IDEMPOTENCY_KEY_LENGTH = 200;
/** Set on a response that answers a retry with the first call's result. */
export const IDEMPOTENT_REPLAY_HEADER = 'Idempotent-Replayed';

// Visible ASCII and inner spaces: a key is an opaque token, and it lands in event metadata and logs.
const KEY = /^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$/;

export interface CommandIdentity {
  /** derived from the key (same key, same user → same command → same event ids), else random */
  commandId: string;
  idempotencyKey?: string;
  /** sha256 of method, path and canonical body: tells a true retry from a reused key */
  requestHash: string;
}

export interface RequestForIdentity {
  method?: string;
  url?: string;
  originalUrl?: string;
  headers: Record<string, string | string[] | undefined>;
  body?: unknown;
}

/** Reads Idempotency-Key (400 when empty, too long or not printable). */
export function readIdempotencyKey(headers: RequestForIdentity['headers']): string | undefined {
  const raw = headers[IDEMPOTENCY_KEY_HEADER];
  if (raw === undefined) return undefined;
  if (Array.isArray(raw)) throw ApiError.badRequest('invalid-idempotency-key', 'Idempotency-Key: give one key, not several');
  if (raw.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    throw ApiError.badRequest('invalid-idempotency-key', `Idempotency-Key: at most ${MAX_IDEMPOTENCY_KEY_LENGTH} characters, got ${raw.length}`);
  }
  if (!KEY.test(raw)) throw ApiError.badRequest('invalid-idempotency-key', 'Idempotency-Key: must be non-empty printable ASCII');
  return raw;
}

/** JSON with object keys sorted at every level, so that key order does not change the hash. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(canonical(value)) ?? 'null';
}

function canonical(value: unknown): JsonValue | undefined {
  if (value === null || typeof value !== 'object') {
    return typeof value === 'function' || typeof value === 'symbol' ? undefined : (value as JsonValue);
  }
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((v) => canonical(v) ?? null);
  const out: Record<string, JsonValue> = {};
  for (const k of Object.keys(value).sort()) {
    const v = canonical((value as Record<string, unknown>)[k]);
    if (v !== undefined) out[k] = v;
  }
  return out;
}

export function requestHash(method: string, path: string, body: unknown): string {
  return createHash('sha256').update(`${method.toUpperCase()}\n${path}\n${canonicalJson(body ?? null)}`).digest('hex');
}

/**
 * The command id and request hash of a command request. The key is scoped to the user: two users
 * choosing the same key issue two different commands.
 */
export function commandIdentity(req: RequestForIdentity, principal: { sub: string }): CommandIdentity {
  const idempotencyKey = readIdempotencyKey(req.headers);
  const path = (req.originalUrl ?? req.url ?? '/').split('?')[0];
  return {
    commandId: idempotencyKey === undefined ? randomUUID() : deterministicUuid('cmd', principal.sub, idempotencyKey),
    ...(idempotencyKey !== undefined ? { idempotencyKey } : {}),
    requestHash: requestHash(req.method ?? 'POST', path, req.body),
  };
}

/**
 * For a result of handleCommand: true when it answers a retry (`replayOf` set), after checking that
 * the retry is the same request as the first call. A key reused for another request is refused with
 * 422 rather than answered with the first request's result, which the client would misread.
 */
export function assertSameRequest(result: { replayOf?: readonly RecordedEvent[]; append?: { idempotentReplay: boolean } | null }, hash: string): boolean {
  const first = result.replayOf?.[0];
  // Two concurrent calls with one key: the loser's append finds the winner's events and the store
  // answers with an idempotent replay, without the stored events to compare hashes with.
  if (!first) return result.append?.idempotentReplay === true;
  const stored = first.metadata.extra?.['requestHash'];
  if (typeof stored === 'string' && stored !== hash) {
    throw new ApiError(422, 'idempotency-key-reused', 'this Idempotency-Key was already used for a different request; use a new key for a new command', {
      streamId: first.streamId,
      revision: first.revision,
    });
  }
  return true;
}
