import { DomainError } from '../shared/domain-error';
import type { CommandMetadata, Decider } from '../shared/message';
import { isDomainEventType } from '../versioning/event-catalogue';

/**
 * given(events) / when(command) / then(events | refusal): the whole domain is tested through this,
 * on the deciders' public functions only. Uses jest's globals and nothing else.
 */
export interface Then<S, E> {
  /** decide returned exactly these events (schemaVersion ignored unless given), and they evolve */
  then(expected: E[]): S;
  /** decide returned no events (an idempotent repeat) */
  thenNothing(): S;
  /** decide refused with this code (and kind, and these details, where given) */
  thenRefused(code: string, expect?: { kind?: DomainError['kind']; details?: Record<string, unknown>; message?: RegExp | string }): DomainError;
  /** the events decide returned, for assertions the forms above do not cover */
  events(): E[];
}

export function scenario<C, S, E extends { type: string; data: unknown; schemaVersion?: number }>(decider: Decider<C, S, E>) {
  return {
    given(...history: E[][] | E[]) {
      const events = (history as unknown[]).flat() as E[];
      const state = events.reduce((s, e) => decider.evolve(s, e), decider.initialState);
      return {
        state,
        when(command: C): Then<S, E> {
          const run = () => decider.decide(command, state);
          const strip = (es: E[]) => es.map((e) => ({ type: e.type, data: e.data }));
          return {
            then(expected) {
              const actual = run();
              expect(strip(actual)).toEqual(strip(expected));
              for (const e of actual) expect({ type: e.type, schemaVersion: e.schemaVersion, catalogued: isDomainEventType(e.type) }).toEqual({ type: e.type, schemaVersion: 1, catalogued: true });
              // Event data must be plain JSON: no Date, no undefined (at any depth), no class instances.
              for (const e of actual) expect(nonJsonPaths(e.data, e.type)).toEqual([]);
              return actual.reduce((s, e) => decider.evolve(s, e), state);
            },
            thenNothing() {
              expect(run()).toEqual([]);
              return state;
            },
            thenRefused(code, want = {}) {
              let caught: unknown;
              try {
                run();
              } catch (err) {
                caught = err;
              }
              expect(caught).toBeInstanceOf(DomainError);
              const err = caught as DomainError;
              expect({ code: err.code }).toEqual({ code });
              if (want.kind) expect(err.kind).toBe(want.kind);
              if (want.details) expect(err.details).toMatchObject(want.details);
              if (want.message) expect(err.message).toMatch(want.message);
              return err;
            },
            events: run,
          };
        },
      };
    },
  };
}

/** Command metadata for tests: a fixed clock and an actor, overridable. */
export function meta(overrides: Partial<CommandMetadata> = {}): CommandMetadata {
  return { now: '2024-03-04T08:00:00Z', actor: 'user-1', role: 'eoc', ...overrides };
}

/** Paths in a value that JSON would not carry exactly (undefined, Date, class instances, NaN...). */
export function nonJsonPaths(value: unknown, path = '$'): string[] {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return [];
  if (typeof value === 'number') return Number.isFinite(value) ? [] : [path];
  if (Array.isArray(value)) return value.flatMap((v, i) => nonJsonPaths(v, `${path}[${i}]`));
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return [path];
    return Object.entries(value as object).flatMap(([k, v]) => nonJsonPaths(v, `${path}.${k}`));
  }
  return [path];
}
