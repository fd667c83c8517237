import type { JsonObject, RecordedEvent } from '@lumbung/event-store';

/** One event as the auditor reads it: where it sits, what it says, who decided, when, why and on what cause. */
export interface AuditEntry {
  position: number;
  streamId: string;
  revision: number;
  eventId: string;
  type: string;
  schemaVersion: number;
  actor: string;
  member: string | null;
  role: string | null;
  occurredAt: string;
  recordedAt: string;
  reason: string | null;
  correlationId: string;
  causationId: string;
  data: JsonObject;
  extra: JsonObject | null;
  hash: string;
}

export function auditEntry(e: RecordedEvent): AuditEntry {
  const m = e.metadata;
  return {
    position: e.position,
    streamId: e.streamId,
    revision: e.revision,
    eventId: e.id,
    type: e.type,
    schemaVersion: e.schemaVersion,
    actor: m.actor,
    member: m.member ?? null,
    role: m.role ?? null,
    occurredAt: m.occurredAt,
    recordedAt: m.recordedAt,
    reason: m.reason ?? null,
    correlationId: m.correlationId,
    causationId: m.causationId,
    data: e.data,
    extra: m.extra ?? null,
    hash: e.hash,
  };
}

export const AUDIT_COLUMNS: Array<keyof AuditEntry> = [
  'position', 'streamId', 'revision', 'eventId', 'type', 'schemaVersion', 'actor', 'member', 'role', 'occurredAt', 'recordedAt', 'reason', 'correlationId', 'causationId', 'data', 'extra', 'hash',
];
