import type { ProjectionEvent } from '../projection';

/** Builds recorded events for unit tests: revisions per stream and positions count up by themselves. */
export function eventLog() {
  const revisions = new Map<string, number>();
  let position = 0;
  const events: ProjectionEvent[] = [];
  const at = (minute: number) => new Date(Date.parse('2024-03-04T08:00:00Z') + minute * 60_000).toISOString();
  return {
    events,
    at,
    add(streamId: string, type: string, data: Record<string, unknown>): ProjectionEvent {
      const revision = (revisions.get(streamId) ?? -1) + 1;
      revisions.set(streamId, revision);
      const e: ProjectionEvent = {
        id: `${streamId}:${revision}`, type, streamId, revision, position: ++position, schemaVersion: 1, data: data as ProjectionEvent['data'],
        metadata: { actor: 'u', correlationId: 'c', causationId: 'c', occurredAt: at(position), recordedAt: at(position) }, hash: '',
      };
      events.push(e);
      return e;
    },
  };
}
