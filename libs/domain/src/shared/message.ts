import type { JsonObject } from './json';

/**
 * What comes in with every command. Times and ids come from here and from the command's data:
 * a decider never reads a clock or a random source, so a replay decides the same thing.
 */
export type CommandMetadata = {
  /** ISO-8601 time the command was issued; deciders stamp events with it */
  now: string;
  /** user id */
  actor: string;
  /** member organisation the actor acts for */
  member?: string;
  /** role used: eoc, warehouse, member, site, commander, auditor, admin, system */
  role: string;
  /** the site the actor is an officer of (site role) */
  site?: string;
  /** warehouses the actor is an officer of (warehouse role) */
  warehouses?: string[];
  correlationId?: string;
  causationId?: string;
};

export type Command<T extends string, D> = {
  type: T;
  data: D;
  metadata: CommandMetadata;
};

/** Plain data, past tense, explicit type string (DESIGN.md "Events"). */
export type DomainEvent<T extends string = string, D extends JsonObject = JsonObject> = {
  type: T;
  data: D;
  schemaVersion?: number;
};

/** The decider shape of libs/event-store's `Decider`, matched structurally (no import). */
export interface Decider<C, S, E> {
  initialState: S;
  evolve(state: S, event: E): S;
  decide(command: C, state: S): E[];
}

/** The current schema version of every event type emitted now. */
export const CURRENT_SCHEMA_VERSION = 1;

/**
 * An event builder for one aggregate's event union: the data is checked against the type's own
 * data shape, and the event is stamped with the current schema version.
 */
export function emitter<E extends DomainEvent>() {
  return <K extends E['type']>(type: K, data: Extract<E, { type: K }>['data']): E =>
    ({ type, data: compact(data), schemaVersion: CURRENT_SCHEMA_VERSION }) as unknown as E;
}

/**
 * Copies plain data without its undefined values, at every depth: event data never carries
 * undefined (it is not JSON, and the store refuses it), so optional fields are left out instead.
 */
export function compact<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => compact(v)) as T;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as object)) if (v !== undefined) out[k] = compact(v);
  return out as T;
}

/** A copy of `o` without the given keys (evolve uses it to keep event-only fields such as timestamps out of state). */
export function omit<T extends object, K extends keyof T>(o: T, ...keys: K[]): Omit<T, K> {
  const out = { ...o };
  for (const k of keys) delete out[k];
  return out;
}
