/**
 * Where a follower of the global log (the relay, an embedded projector) keeps the last position it
 * has handled, under a name of its own ('relay:lumbung.events'). It lives in the event store's own
 * database, so it is as durable as the events, and needs no other service.
 *
 * Positions are global log positions (1-based); 0 means nothing handled yet, and is what `get`
 * returns for a name never set, so `subscribeToAll({ after: await get(name) })` always works.
 */
export interface CheckpointStore {
  /** The last position stored under the name, 0 when there is none. */
  get(name: string): Promise<number>;
  /**
   * Stores the position; durable when the promise resolves. Never moves backwards: a position
   * lower than the stored one is ignored (two relay instances racing after a failover, or a
   * delayed write, must not make the next start publish everything again).
   */
  set(name: string, position: number): Promise<void>;
  close(): Promise<void>;
}

export function assertCheckpoint(name: string, position: number): void {
  if (typeof name !== 'string' || name.trim() === '' || name.length > 200) throw new Error(`checkpoint name must be a non-empty string of at most 200 characters`);
  if (!Number.isSafeInteger(position) || position < 0) throw new Error(`checkpoint position must be a non-negative integer, got ${String(position)}`);
}

/** Checkpoints of the in-memory store (tests, LUMBUNG_STORE=memory): gone with the process, like its events. */
export class InMemoryCheckpointStore implements CheckpointStore {
  private readonly positions = new Map<string, number>();

  async get(name: string): Promise<number> {
    assertCheckpoint(name, 0);
    return this.positions.get(name) ?? 0;
  }

  async set(name: string, position: number): Promise<void> {
    assertCheckpoint(name, position);
    if (position > (this.positions.get(name) ?? 0)) this.positions.set(name, position);
  }

  async close(): Promise<void> {}
}
