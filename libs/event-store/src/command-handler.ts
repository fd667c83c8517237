import { deterministicUuid } from './deterministic-id';
import { ConcurrencyRetriesExhaustedError, WrongExpectedRevisionError } from './errors';
import type { AppendMetadata, AppendResult, EventStore, JsonObject, RecordedEvent } from './event-store.port';

/** An event as a decider emits it: plain data with an explicit type string. */
export interface DecidedEvent {
  type: string;
  data: JsonObject;
  schemaVersion?: number;
}

/**
 * A decider (DESIGN.md "Code shape"): three pure functions. The domain library defines its deciders
 * with this shape without importing this file (structural typing keeps libs/domain framework-free).
 */
export interface Decider<C, S, E extends DecidedEvent = DecidedEvent> {
  initialState: S;
  evolve(state: S, event: E): S;
  decide(command: C, state: S): E[];
}

export interface CommandEnvelope<C> {
  /** unique per command; event ids are derived from it, so a retry of the same command is idempotent */
  commandId: string;
  command: C;
  metadata: AppendMetadata;
}

export interface HandleOptions<E> {
  /** attempts on WrongExpectedRevision before giving up (default 5) */
  maxAttempts?: number;
  /** If-Match: insist on the revision the client saw; a mismatch is not retried */
  expectedRevision?: number | 'no-stream';
  /** turns a stored event (of any schema version) into the current domain event */
  upcast?: (e: RecordedEvent) => E;
  /** folded states of recent streams: read only what was appended since (see StateCache) */
  cache?: StateCache;
  /**
   * With a cache: decide on the cached state without reading first; a stale cache is caught by the
   * append's expected revision (and the retry reads). Saves a round trip per command when one process
   * writes a stream. Never with expectedRevision (If-Match must compare with the stored revision).
   */
  optimistic?: boolean;
}

export interface HandleResult<S, E> {
  state: S;
  events: E[];
  /** null when the decider decided nothing (no append) */
  append: AppendResult | null;
  /** the stream's revision after the command (-1 = stream does not exist) */
  revision: number;
  /** set when the command had already been applied: the events it wrote then */
  replayOf?: RecordedEvent[];
}

/** A command writes at most this many events to one stream (retries are recognised by these ids). */
export const MAX_EVENTS_PER_COMMAND = 64;

const defaultUpcast = <E>(e: RecordedEvent): E => ({ type: e.type, data: e.data, schemaVersion: e.schemaVersion }) as unknown as E;

/** Folds a stream into state, page by page. */
export async function loadState<S, E extends DecidedEvent>(
  store: EventStore,
  streamId: string,
  decider: Pick<Decider<unknown, S, E>, 'initialState' | 'evolve'>,
  upcast: (e: RecordedEvent) => E = defaultUpcast,
  /** ids to look out for while folding: the events a retried command would have written */
  watch?: ReadonlySet<string>,
): Promise<{ state: S; revision: number; seen: RecordedEvent[] }> {
  let state = decider.initialState;
  let revision = -1;
  const seen: RecordedEvent[] = [];
  for await (const e of store.readStream(streamId)) {
    state = decider.evolve(state, upcast(e));
    revision = e.revision;
    if (watch?.has(e.id)) seen.push(e);
  }
  return { state, revision, seen };
}

/** The event ids a command writes to a stream: derived, so a retry of the same command writes the same ids. */
export const commandEventId = (commandId: string, streamId: string, index: number): string => deterministicUuid(commandId, streamId, index);

/**
 * Reads the stream, folds evolve, runs decide, appends with the revision it read, and on a lost race
 * starts again from a fresh read, a bounded number of times. Domain errors thrown by decide propagate
 * unchanged (a refused command appends nothing).
 */
/**
 * Keeps the folded state of recently used streams, so a command reads only the events appended since
 * (instead of the whole stream) before deciding. Deciders' evolve is pure and never mutates its input,
 * so a cached state is shared safely. It also remembers each event id's revision, so a retried command
 * is still recognised without re-reading the stream. Bounded: least recently used streams are dropped.
 */
export class StateCache {
  private readonly entries = new Map<string, { decider: unknown; state: unknown; revision: number; ids: Map<string, number> }>();

  constructor(private readonly maxStreams = 2000) {}

  get<S>(streamId: string, decider: unknown): { state: S; revision: number; ids: Map<string, number> } | undefined {
    const e = this.entries.get(streamId);
    if (!e || e.decider !== decider) return undefined;
    this.entries.delete(streamId);
    this.entries.set(streamId, e);
    return e as { state: S; revision: number; ids: Map<string, number> };
  }

  set(streamId: string, decider: unknown, state: unknown, revision: number, ids: Map<string, number>): void {
    const e = this.entries.get(streamId);
    if (e && e.decider === decider && e.revision >= revision) return;
    this.entries.delete(streamId);
    this.entries.set(streamId, { decider, state, revision, ids });
    if (this.entries.size > this.maxStreams) this.entries.delete(this.entries.keys().next().value as string);
  }

  clear(): void {
    this.entries.clear();
  }
}

/**
 * Reads the stream, folds evolve, runs decide, appends with the revision it read, and on a lost race
 * starts again from a fresh read, a bounded number of times. Domain errors thrown by decide propagate
 * unchanged (a refused command appends nothing).
 */
export async function handleCommand<C, S, E extends DecidedEvent>(
  store: EventStore,
  streamId: string,
  decider: Decider<C, S, E>,
  envelope: CommandEnvelope<C>,
  options: HandleOptions<E> = {},
): Promise<HandleResult<S, E>> {
  const maxAttempts = options.maxAttempts ?? 5;
  const upcast = options.upcast ?? defaultUpcast<E>;
  const cache = options.cache;
  // A retried command (same command id) whose events are already in the stream has had its effect:
  // answer with the original append instead of deciding again on a state that already contains it.
  const firstId = commandEventId(envelope.commandId, streamId, 0);
  for (let attempt = 1; ; attempt++) {
    const cached = cache?.get<S>(streamId, decider);
    let state = cached ? cached.state : decider.initialState;
    let revision = cached ? cached.revision : -1;
    const ids = cached ? cached.ids : new Map<string, number>();
    // Optimistic: on the first attempt a cached state is trusted without a read. If anything was
    // appended since, the append's expected revision refuses it and the next attempt reads.
    const skipRead = !!cached && options.optimistic === true && options.expectedRevision === undefined && attempt === 1;
    if (!skipRead) {
      for await (const e of store.readStream(streamId, { fromRevision: revision + 1 })) {
        state = decider.evolve(state, upcast(e));
        revision = e.revision;
        ids.set(e.id, e.revision);
      }
      cache?.set(streamId, decider, state, revision, ids);
    }
    const replayRevision = ids.get(firstId);
    if (replayRevision !== undefined) {
      const seen: RecordedEvent[] = [];
      for await (const e of store.readStream(streamId, { fromRevision: replayRevision, maxCount: MAX_EVENTS_PER_COMMAND })) {
        if (e.id !== commandEventId(envelope.commandId, streamId, seen.length)) break;
        seen.push(e);
      }
      const last = seen[seen.length - 1];
      return {
        state,
        events: seen.map(upcast),
        append: { streamId, firstRevision: replayRevision, nextExpectedRevision: last.revision, position: last.position, idempotentReplay: true },
        revision,
        replayOf: seen,
      };
    }
    if (options.expectedRevision !== undefined) {
      const want = options.expectedRevision === 'no-stream' ? -1 : options.expectedRevision;
      if (want !== revision) {
        throw new WrongExpectedRevisionError(streamId, options.expectedRevision, revision < 0 ? 'no-stream' : revision);
      }
    }
    let events: E[];
    try {
      events = decider.decide(envelope.command, state);
    } catch (err) {
      // A refusal must rest on the stored state, not on a cache another process may have outdated.
      if (skipRead) continue;
      throw err;
    }
    if (events.length === 0) {
      if (skipRead) continue;
      return { state, events, append: null, revision };
    }
    if (events.length > MAX_EVENTS_PER_COMMAND) throw new Error(`a command decided ${events.length} events; the limit is ${MAX_EVENTS_PER_COMMAND}`);
    try {
      const newEvents = events.map((e, i) => ({ id: commandEventId(envelope.commandId, streamId, i), type: e.type, data: e.data, schemaVersion: e.schemaVersion }));
      const append = await store.append(streamId, newEvents, revision < 0 ? 'no-stream' : revision, envelope.metadata);
      const newState = events.reduce((s, e) => decider.evolve(s, e), state);
      if (cache && !append.idempotentReplay) {
        newEvents.forEach((e, i) => ids.set(e.id, append.firstRevision + i));
        cache.set(streamId, decider, newState, append.nextExpectedRevision, ids);
      }
      return { state: newState, events, append, revision: append.nextExpectedRevision };
    } catch (err) {
      if (!(err instanceof WrongExpectedRevisionError) || options.expectedRevision !== undefined) throw err;
      if (attempt >= maxAttempts) throw new ConcurrencyRetriesExhaustedError(streamId, attempt);
      // Small jittered backoff so that competing writers do not collide again in lockstep.
      await new Promise((r) => setTimeout(r, Math.random() * 5 * attempt));
    }
  }
}

/** One stream's part of a multi-stream command (a flow whose steps must all happen or none). */
export interface CommandStep<C = unknown, S = unknown, E extends DecidedEvent = DecidedEvent> {
  streamId: string;
  decider: Decider<C, S, E>;
  envelope: CommandEnvelope<C>;
  /** If-Match for this stream: a mismatch is not retried */
  expectedRevision?: number | 'no-stream';
}

export type MultiHandleOptions<E> = Omit<HandleOptions<E>, 'expectedRevision'>;

interface StepState {
  state: unknown;
  revision: number;
  ids: Map<string, number>;
  read: boolean;
}

/**
 * handleCommand over several streams at once: each step is decided on its own stream's state, and
 * everything the steps decide is written by one appendMultiple (one transaction: all or none). A lost
 * race on any stream starts every step again from fresh reads, a bounded number of times. A refusal
 * by any step's decider propagates and nothing is written anywhere, so a flow needs no compensations.
 *
 * Retries: a step whose events are already stored (its command id's first event id is in the stream)
 * answers with what it wrote; the other steps are decided again, and deciders keyed by the flow's id
 * decide nothing for what is already done. So a repeated command has its effect once, and a flow that
 * a non-atomic store left part-way (EventStoreDB's appendMultiple) is finished by repeating it.
 */
export async function handleCommands(store: EventStore, steps: readonly CommandStep[], options: MultiHandleOptions<DecidedEvent> = {}): Promise<Array<HandleResult<unknown, DecidedEvent>>> {
  if (steps.length === 0) return [];
  const maxAttempts = options.maxAttempts ?? 5;
  const upcast = options.upcast ?? defaultUpcast<DecidedEvent>;
  const cache = options.cache;
  for (let attempt = 1; ; attempt++) {
    const skipAllowed = options.optimistic === true && attempt === 1;
    // Reads of the streams in parallel: each from the cache's revision on, or not at all when optimistic.
    const states: StepState[] = await Promise.all(
      steps.map(async (step) => {
        const cached = cache?.get<unknown>(step.streamId, step.decider);
        const s: StepState = cached
          ? { state: cached.state, revision: cached.revision, ids: cached.ids, read: false }
          : { state: step.decider.initialState, revision: -1, ids: new Map(), read: false };
        if (cached && skipAllowed && step.expectedRevision === undefined) return s;
        for await (const e of store.readStream(step.streamId, { fromRevision: s.revision + 1 })) {
          s.state = step.decider.evolve(s.state, upcast(e));
          s.revision = e.revision;
          s.ids.set(e.id, e.revision);
        }
        s.read = true;
        cache?.set(step.streamId, step.decider, s.state, s.revision, s.ids);
        return s;
      }),
    );
    const allRead = states.every((s) => s.read);

    const results: Array<HandleResult<unknown, DecidedEvent> | undefined> = new Array(steps.length);
    const decided: Array<DecidedEvent[] | undefined> = new Array(steps.length);
    let retry = false;
    for (let i = 0; i < steps.length && !retry; i++) {
      const step = steps[i];
      const s = states[i];
      const replayRevision = s.ids.get(commandEventId(step.envelope.commandId, step.streamId, 0));
      if (replayRevision !== undefined) {
        results[i] = await replayResult(store, step, s, replayRevision, upcast);
        continue;
      }
      if (step.expectedRevision !== undefined) {
        const want = step.expectedRevision === 'no-stream' ? -1 : step.expectedRevision;
        if (want !== s.revision) throw new WrongExpectedRevisionError(step.streamId, step.expectedRevision, s.revision < 0 ? 'no-stream' : s.revision);
      }
      let events: DecidedEvent[];
      try {
        events = step.decider.decide(step.envelope.command, s.state);
      } catch (err) {
        // A refusal must rest on the stored state, not on a cache another process may have outdated.
        if (!s.read) {
          retry = true;
          break;
        }
        throw err;
      }
      if (events.length > MAX_EVENTS_PER_COMMAND) throw new Error(`a command decided ${events.length} events; the limit is ${MAX_EVENTS_PER_COMMAND}`);
      if (events.length === 0 && !s.read) {
        retry = true;
        break;
      }
      decided[i] = events;
    }
    if (retry) continue;

    const writing = steps.map((_, i) => i).filter((i) => decided[i] !== undefined && decided[i]!.length > 0);
    const parts = writing.map((i) => ({
      streamId: steps[i].streamId,
      events: decided[i]!.map((e, k) => ({ id: commandEventId(steps[i].envelope.commandId, steps[i].streamId, k), type: e.type, data: e.data, schemaVersion: e.schemaVersion })),
      expectedRevision: states[i].revision < 0 ? ('no-stream' as const) : states[i].revision,
      metadata: steps[i].envelope.metadata,
    }));
    try {
      const appended = parts.length === 0 ? [] : parts.length === 1 ? [await store.append(parts[0].streamId, parts[0].events, parts[0].expectedRevision, parts[0].metadata)] : await store.appendMultiple(parts);
      const byStep = new Map(writing.map((i, k) => [i, { append: appended[k], part: parts[k] }]));
      return steps.map((step, i) => {
        if (results[i]) return results[i]!;
        const s = states[i];
        const events = decided[i] ?? [];
        const w = byStep.get(i);
        if (!w) return { state: s.state, events, append: null, revision: s.revision };
        const newState = events.reduce((st, e) => step.decider.evolve(st, e), s.state);
        if (cache && !w.append.idempotentReplay) {
          w.part.events.forEach((e, k) => s.ids.set(e.id, w.append.firstRevision + k));
          cache.set(step.streamId, step.decider, newState, w.append.nextExpectedRevision, s.ids);
        }
        return { state: newState, events, append: w.append, revision: w.append.nextExpectedRevision };
      });
    } catch (err) {
      if (!(err instanceof WrongExpectedRevisionError)) throw err;
      if (steps.some((st) => st.streamId === err.streamId && st.expectedRevision !== undefined)) throw err;
      if (attempt >= maxAttempts) throw new ConcurrencyRetriesExhaustedError(err.streamId, attempt);
      if (!allRead || attempt > 1) await new Promise((r) => setTimeout(r, Math.random() * 5 * attempt));
    }
  }
}

/** What a step wrote the first time, read back from its stream (a retried command). */
async function replayResult(
  store: EventStore,
  step: CommandStep,
  s: StepState,
  replayRevision: number,
  upcast: (e: RecordedEvent) => DecidedEvent,
): Promise<HandleResult<unknown, DecidedEvent>> {
  const seen: RecordedEvent[] = [];
  for await (const e of store.readStream(step.streamId, { fromRevision: replayRevision, maxCount: MAX_EVENTS_PER_COMMAND })) {
    if (e.id !== commandEventId(step.envelope.commandId, step.streamId, seen.length)) break;
    seen.push(e);
  }
  const last = seen[seen.length - 1];
  return {
    state: s.state,
    events: seen.map(upcast),
    append: { streamId: step.streamId, firstRevision: replayRevision, nextExpectedRevision: last.revision, position: last.position, idempotentReplay: true },
    revision: s.revision,
    replayOf: seen,
  };
}
