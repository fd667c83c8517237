import { Inject, Injectable, Logger, Optional, type BeforeApplicationShutdown } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { READ_MODEL, READ_MODEL_CHANGES } from '@lumbung/platform';
import { queryChangeContext, type ReadModelChange, type ReadModelChanges } from '@lumbung/read-model';
import type { DataSource } from 'typeorm';
import { sseMessage, viewOf, type Audience } from './change-view';

/** A comment line every 15 s keeps proxies and load balancers from closing an idle stream. */
export const HEARTBEAT_MS = 15_000;
/** How long a browser waits before reconnecting after the stream ends. */
export const RETRY_MS = 3_000;
/** How long `ready` waits for the change feed to be in place. */
const READY_WAIT_MS = 5_000;
/** A client this far behind (bytes queued on its socket) is dropped: it reconnects and refreshes. */
const MAX_QUEUED_BYTES = 512 * 1024;

interface Client {
  res: ServerResponse;
  audience: Audience;
  /** ends the stream when its credentials expire */
  expiry?: NodeJS.Timeout;
}

/** The longest a Node timer waits (about 24.8 days); a later expiry is reached in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The open event streams of this process, fed from the read models' change announcements. It
 * subscribes only while a stream is open; each change is looked at once (the incidents of the requests
 * it names, the owners of its warehouses) and then sent to every stream whose audience may hear of it.
 * Before the HTTP server closes on shutdown it ends every stream, so shutdown never waits on them.
 */
@Injectable()
export class LiveFeed implements BeforeApplicationShutdown {
  private readonly log = new Logger('LiveFeed');
  private readonly clients = new Set<Client>();
  private unsubscribe: (() => void) | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private queue: Promise<void> = Promise.resolve();
  private closing = false;

  constructor(
    @Inject(READ_MODEL) private readonly ds: DataSource,
    @Optional() @Inject(READ_MODEL_CHANGES) private readonly changes?: ReadModelChanges,
  ) {}

  /** Whether streams can be served: announcements are wired and shutdown has not begun. */
  get available(): boolean {
    return !!this.changes && !this.closing;
  }

  get connections(): number {
    return this.clients.size;
  }

  /**
   * Starts the stream on `res` (headers, retry, a first `ready` event) and keeps it until the client
   * goes, or until `validUntilMs` (epoch ms), when the token it was opened with expires: then it sends
   * `event: expired` and ends, so that a stream never outlives its credentials (a browser's
   * EventSource reconnecting with the old token is refused, 401).
   */
  open(res: ServerResponse, audience: Audience, validUntilMs?: number): void {
    res.statusCode = 200;
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store, no-transform');
    res.setHeader('Connection', 'keep-alive');
    // nginx and the like would otherwise buffer the stream
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    const client: Client = { res, audience };
    this.clients.add(client);
    res.on('close', () => this.drop(client));
    res.write(`retry: ${RETRY_MS}\n: lumbung read-model changes\n\n`);
    this.follow();
    if (validUntilMs !== undefined) this.expireAt(client, validUntilMs);
    // `ready` once every later commit will be heard (LISTEN in place): a client that reads its data
    // after `ready` misses nothing. Sent anyway after a few seconds, should the database be slow.
    const ready = this.changes?.ready?.() ?? Promise.resolve();
    void Promise.race([ready, new Promise((r) => setTimeout(r, READY_WAIT_MS).unref())]).then(() => {
      if (this.clients.has(client)) this.send(client, sseMessage('ready', { incident: audience.incident ?? null, role: audience.principal.role, heartbeatMs: HEARTBEAT_MS }));
    });
  }

  beforeApplicationShutdown(): void {
    this.closing = true;
    for (const c of [...this.clients]) {
      c.res.end(sseMessage('shutdown', { reason: 'server shutting down' }));
      this.drop(c);
    }
    this.stopFollowing();
  }

  private follow(): void {
    if (this.unsubscribe || !this.changes) return;
    this.unsubscribe = this.changes.subscribe((c) => {
      // One change at a time, in order: a later one must not overtake an earlier one being enriched.
      this.queue = this.queue.then(() => this.dispatch(c)).catch((err: Error) => this.log.warn(`live change not sent: ${err.message}`));
    });
    this.heartbeat = setInterval(() => this.beat(), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  private stopFollowing(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  private expireAt(c: Client, validUntilMs: number): void {
    const wait = validUntilMs - Date.now();
    if (wait <= 0) {
      c.res.end(sseMessage('expired', { reason: 'token expired' }));
      this.drop(c);
      return;
    }
    c.expiry = setTimeout(() => this.clients.has(c) && this.expireAt(c, validUntilMs), Math.min(wait, MAX_TIMER_MS));
    c.expiry.unref();
  }

  private drop(c: Client): void {
    clearTimeout(c.expiry);
    this.clients.delete(c);
    if (this.clients.size === 0) this.stopFollowing();
  }

  private async dispatch(change: ReadModelChange): Promise<void> {
    if (!this.clients.size) return;
    const enriched = await this.enrich(change);
    for (const c of this.clients) {
      const view = viewOf(enriched, c.audience);
      if (view) this.send(c, sseMessage('changed', view, enriched.position || undefined));
    }
  }

  /** Adds the incidents of the named requests and the owners of the named warehouses (what the filters need). */
  private async enrich(c: ReadModelChange): Promise<ReadModelChange> {
    if (c.truncated || (!c.requests.length && !c.warehouses.length)) return c;
    const ctx = await queryChangeContext(this.ds, c.requests, c.warehouses);
    const union = (a: string[], b: string[]) => [...new Set([...a, ...b])].sort();
    return { ...c, incidents: union(c.incidents, ctx.incidents), members: union(c.members, ctx.owners) };
  }

  private beat(): void {
    const line = `: heartbeat ${new Date().toISOString()}\n\n`;
    for (const c of this.clients) this.send(c, line);
  }

  private send(c: Client, chunk: string): void {
    if (c.res.destroyed || c.res.writableEnded) return this.drop(c);
    if (c.res.writableLength > MAX_QUEUED_BYTES) {
      this.log.warn('an event stream client is too far behind: closing it (it will reconnect)');
      c.res.destroy();
      return this.drop(c);
    }
    c.res.write(chunk);
  }
}
