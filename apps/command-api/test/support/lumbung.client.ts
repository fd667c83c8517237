import { randomUUID } from 'node:crypto';
import { loadState, type EventStore, type RecordedEvent } from '@lumbung/event-store';
import { aggregates, upcastEvent } from '@lumbung/domain';
import { EVENT_STORE, type TokenClaims } from '@lumbung/platform';
import type { RunningApi } from './command-api.harness';

// Response bodies are checked field by field with expect(); a loose type keeps those checks readable.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Loose = any;

export interface Reply {
  status: number;
  body: Loose;
  headers: Headers;
}

export interface SendOptions {
  token: string;
  key?: string;
  ifMatch?: string;
  method?: string;
  signal?: AbortSignal;
}

/** A thin HTTP client over the running app, plus direct reads of the store for the checks. */
export class LumbungClient {
  constructor(readonly api: RunningApi) {}

  get store(): EventStore {
    return this.api.app.get<EventStore>(EVENT_STORE);
  }

  token(claims: TokenClaims): string {
    return this.api.token(claims);
  }

  async send(path: string, json: unknown, o: SendOptions): Promise<Reply> {
    const headers: Record<string, string> = {};
    if (o.key !== undefined) headers['Idempotency-Key'] = o.key;
    if (o.ifMatch !== undefined) headers['If-Match'] = o.ifMatch;
    const r = await this.api.call(path, { token: o.token, json, method: o.method ?? 'POST', headers, ...(o.signal ? { signal: o.signal } : {}) });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : undefined, headers: r.headers };
  }

  /** POST that must succeed: fails the test with the body otherwise. */
  async ok(path: string, json: unknown, o: SendOptions): Promise<Reply> {
    const r = await this.send(path, json, { key: randomUUID(), ...o });
    if (r.status >= 300) throw new Error(`POST ${path} answered ${r.status}: ${JSON.stringify(r.body)}`);
    return r;
  }

  async events(streamId: string): Promise<RecordedEvent[]> {
    const out: RecordedEvent[] = [];
    for await (const e of this.store.readStream(streamId)) out.push(e);
    return out;
  }

  /** The aggregate's state folded from the store (not from the app's cache). */
  async state<K extends keyof typeof aggregates>(kind: K, id: string): Promise<(typeof aggregates)[K]['decider']['initialState']> {
    const { decider, streamId } = aggregates[kind];
    const { state } = await loadState(this.store, streamId(id), decider as never, upcastEvent as never);
    return state as (typeof aggregates)[K]['decider']['initialState'];
  }

  /** The global head, once everything committed is sealed (PostgreSQL seals behind the appends). */
  async settledHead(): Promise<number> {
    const s = this.store as EventStore & { settle?: () => Promise<void> };
    if (typeof s.settle === 'function') await s.settle();
    return this.store.headPosition();
  }
}
