import { Inject, Injectable } from '@nestjs/common';
import {
  commandEventId,
  deterministicUuid,
  handleCommand,
  handleCommands,
  type CommandStep,
  type DecidedEvent,
  type Decider,
  type EventStore,
  type HandleResult,
  type JsonObject,
  type StateCache,
} from '@lumbung/event-store';
import { aggregates, upcastEvent, type CommandMetadata } from '@lumbung/domain';
import { assertSameRequest, commandMetadata, EVENT_STORE, type CommandContext } from '@lumbung/platform';
import { STATE_CACHE } from './state-cache.provider';

export type AggregateKind = keyof typeof aggregates;
type DeciderOf<K extends AggregateKind> = (typeof aggregates)[K]['decider'];
export type StateOf<K extends AggregateKind> = DeciderOf<K>['initialState'];
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** A domain command of the aggregate, without its metadata (the runner adds it from the HTTP context). */
export type CommandOf<K extends AggregateKind> = DistributiveOmit<Parameters<DeciderOf<K>['decide']>[0], 'metadata'>;

/**
 * Concurrent writers of one stream (16 dispatchers planning from the same warehouse) each lose a
 * race at most once per winner: allow as many attempts as there can be contenders, so that a loser
 * is answered by the decider (insufficient stock, with the numbers) rather than by a retry limit.
 */
export const MAX_ATTEMPTS = 40;

/** How long a read of reference data (items, members, warehouses, sites, incidents) is trusted. */
export const REFERENCE_MAX_AGE_MS = 1000;
const MAX_READ_TIMES = 20_000;

export interface LoadOptions {
  /**
   * Trust the cached state if this process read the stream (or wrote it) at most this long ago.
   * For reference data only: a registration is seen at once (an unknown id is always read again),
   * a change made through another instance of the API within this window.
   */
  maxAgeMs?: number;
}

export interface StepOptions {
  /**
   * Name of a step of a flow other than its main one (or of a compensation): its command id is
   * derived from the HTTP command's, so the step is recognised when the same command is retried
   * and never mistaken for another step on the same stream.
   */
  step?: string;
  /** the business conversation (a request's id flows through approval, dispatches and receipts) */
  correlationId?: string;
  reason?: string;
  extra?: JsonObject;
  /** If-Match */
  expectedRevision?: number | 'no-stream';
}

/** One step of a flow for runAll. */
export interface FlowStep<K extends AggregateKind = AggregateKind> {
  kind: K;
  id: string;
  command: CommandOf<K>;
  options?: StepOptions;
}

/** A typed FlowStep (the union of kinds would lose the command's type). */
export const flowStep = <K extends AggregateKind>(kind: K, id: string, command: CommandOf<K>, options?: StepOptions): FlowStep => ({ kind, id, command, options }) as unknown as FlowStep;

export interface Loaded<S> {
  streamId: string;
  state: S;
  /** -1 when the stream does not exist */
  revision: number;
  ids: Map<string, number>;
}

/** A step's result, with what a response needs. */
export interface StepResult<S> extends HandleResult<S, DecidedEvent> {
  streamId: string;
  /** the revision to report: the original append's when this answers a retry, so the answer is the same */
  reportedRevision: number;
  /** the command had been applied before (a retry) */
  replayed: boolean;
  /** this run, or an earlier run of the same command, wrote the step's events */
  wrote: boolean;
}

/**
 * Runs one domain command on one stream through the event store's handleCommand, with the shared
 * StateCache and the domain's upcaster, and the metadata every event carries (who, when, why,
 * which command, which conversation). Also reads aggregate states through the same cache.
 */
@Injectable()
export class CommandRunner {
  /** when each stream was last read to its end by load() */
  private readonly readAt = new Map<string, number>();

  constructor(
    @Inject(EVENT_STORE) readonly store: EventStore,
    @Inject(STATE_CACHE) private readonly cache: StateCache,
  ) {}

  commandIdOf(ctx: CommandContext, step?: string): string {
    return step === undefined ? ctx.commandId : deterministicUuid(ctx.commandId, step);
  }

  async run<K extends AggregateKind>(kind: K, id: string, command: CommandOf<K>, ctx: CommandContext, options: StepOptions = {}): Promise<StepResult<StateOf<K>>> {
    const { decider, streamId } = aggregates[kind];
    const sid = streamId(id);
    const startedAt = Date.now();
    const extra: JsonObject = { ...options.extra };
    if (options.step !== undefined) extra['step'] = options.step;
    const result = await handleCommand(
      this.store,
      sid,
      decider as unknown as Decider<unknown, StateOf<K>, DecidedEvent>,
      {
        commandId: this.commandIdOf(ctx, options.step),
        command: { ...command, metadata: domainMetadata(ctx, options.correlationId) },
        metadata: commandMetadata(ctx, { correlationId: options.correlationId, reason: options.reason, extra }),
      },
      { cache: this.cache, optimistic: true, upcast: upcastEvent, maxAttempts: MAX_ATTEMPTS, expectedRevision: options.expectedRevision },
    );
    // An append at the expected revision proves the cached state was the stored one when this step began.
    if (result.append && !result.append.idempotentReplay) this.markRead(sid, startedAt);
    // A key reused for another request is refused (422) before this step answers or anything follows.
    const replayed = assertSameRequest(result, ctx.requestHash);
    return {
      ...result,
      streamId: sid,
      reportedRevision: result.append ? result.append.nextExpectedRevision : result.revision,
      replayed,
      wrote: result.append !== null,
    };
  }

  /**
   * Several steps of one flow, decided each on its own stream and written in one atomic append
   * (handleCommands): a refusal by any step writes nothing anywhere, so the flow needs no
   * compensation. Results in the order of the steps.
   */
  async runAll(steps: readonly FlowStep[], ctx: CommandContext): Promise<Array<StepResult<unknown>>> {
    const startedAt = Date.now();
    const prepared: CommandStep[] = steps.map((st) => {
      const { decider, streamId } = aggregates[st.kind];
      const options = st.options ?? {};
      const extra: JsonObject = { ...options.extra };
      if (options.step !== undefined) extra['step'] = options.step;
      return {
        streamId: streamId(st.id),
        decider: decider as unknown as Decider<unknown, unknown, DecidedEvent>,
        envelope: {
          commandId: this.commandIdOf(ctx, options.step),
          command: { ...st.command, metadata: domainMetadata(ctx, options.correlationId) },
          metadata: commandMetadata(ctx, { correlationId: options.correlationId, reason: options.reason, extra }),
        },
        ...(options.expectedRevision !== undefined ? { expectedRevision: options.expectedRevision } : {}),
      };
    });
    const results = await handleCommands(this.store, prepared, { cache: this.cache, optimistic: true, upcast: upcastEvent, maxAttempts: MAX_ATTEMPTS });
    return results.map((result, i) => {
      const sid = prepared[i].streamId;
      if (result.append && !result.append.idempotentReplay) this.markRead(sid, startedAt);
      const replayed = assertSameRequest(result, ctx.requestHash);
      return { ...result, streamId: sid, reportedRevision: result.append ? result.append.nextExpectedRevision : result.revision, replayed, wrote: result.append !== null };
    });
  }

  /** The aggregate's current state, reading only what was appended since the cache last saw the stream. */
  async load<K extends AggregateKind>(kind: K, id: string, options: LoadOptions = {}): Promise<Loaded<StateOf<K>>> {
    const { decider, streamId } = aggregates[kind];
    const d = decider as unknown as Decider<unknown, StateOf<K>, DecidedEvent>;
    const sid = streamId(id);
    const cached = this.cache.get<StateOf<K>>(sid, decider);
    if (cached && options.maxAgeMs !== undefined && (cached.state as { status?: string }).status !== 'none') {
      const at = this.readAt.get(sid);
      if (at !== undefined && Date.now() - at <= options.maxAgeMs) return { streamId: sid, state: cached.state, revision: cached.revision, ids: cached.ids };
    }
    const startedAt = Date.now();
    let state = cached ? cached.state : d.initialState;
    let revision = cached ? cached.revision : -1;
    const ids = cached ? cached.ids : new Map<string, number>();
    for await (const e of this.store.readStream(sid, { fromRevision: revision + 1 })) {
      state = d.evolve(state, upcastEvent(e) as unknown as DecidedEvent);
      revision = e.revision;
      ids.set(e.id, e.revision);
    }
    this.cache.set(sid, decider, state, revision, ids);
    this.markRead(sid, startedAt);
    return { streamId: sid, state, revision, ids };
  }

  private markRead(sid: string, at: number): void {
    this.readAt.delete(sid);
    this.readAt.set(sid, at);
    if (this.readAt.size > MAX_READ_TIMES) this.readAt.delete(this.readAt.keys().next().value as string);
  }

  /** true when the given step of this command already wrote to the loaded stream (a retried flow that finished). */
  applied(loaded: Loaded<unknown>, ctx: CommandContext, step?: string): boolean {
    return loaded.ids.has(commandEventId(this.commandIdOf(ctx, step), loaded.streamId, 0));
  }
}

/** What the decider sees of the command's context: the time it arrived and who sent it. */
export function domainMetadata(ctx: CommandContext, correlationId?: string): CommandMetadata {
  const p = ctx.principal;
  return {
    now: ctx.receivedAt,
    actor: p.sub,
    role: p.role,
    ...(p.member !== undefined ? { member: p.member } : {}),
    ...(p.site !== undefined ? { site: p.site } : {}),
    ...(p.warehouses.length > 0 ? { warehouses: [...p.warehouses] } : {}),
    correlationId: correlationId ?? ctx.httpCorrelationId,
    causationId: ctx.commandId,
  };
}
