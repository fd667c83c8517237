import type { DataSource, QueryRunner } from 'typeorm';
import { decodeChange, deliver, encodeChange, truncatedChange, type ChangeListener, type ReadModelChange, type ReadModelChanges } from './changes';
import { hash32, schemaOf, type SqlExecutor } from './sql-executor';

/** The channel's base name; a schema other than public gets its own channel (tests give each run one). */
export const READ_MODEL_CHANNEL = 'lumbung_read_model';

/** The NOTIFY channel of the read models in `schema`, at most 63 bytes (PostgreSQL's identifier length). */
export function channelFor(schema: string | undefined): string {
  const name = !schema || schema === 'public' ? READ_MODEL_CHANNEL : `${READ_MODEL_CHANNEL}_${schema}`;
  return Buffer.byteLength(name) <= 63 ? name : `${READ_MODEL_CHANNEL}_${(hash32(name) >>> 0).toString(36)}`;
}

/** The driver's client as far as LISTEN needs it (TypeORM's query runner hands out the pg client). */
interface NotifyingClient {
  on(event: 'notification', l: (m: { channel: string; payload?: string }) => void): unknown;
  on(event: 'error' | 'end', l: (err?: Error) => void): unknown;
  removeAllListeners(event: string): unknown;
}

export interface PostgresChangesOptions {
  /** default: channelFor(the DataSource's schema) */
  channel?: string;
  /** first reconnect delay; doubles up to maxReconnectMs */
  reconnectMs?: number;
  maxReconnectMs?: number;
  log?: (level: 'info' | 'warn', message: string) => void;
}

/**
 * Distributed mode: the projector's writer issues NOTIFY inside the batch's transaction, so the
 * announcement is delivered only if (and when) the batch commits; a query API LISTENs on a connection
 * of its own, held out of the DataSource's pool for as long as someone subscribes, and reconnects with
 * backoff when that connection drops. Notifications sent while it was away are lost, so after a
 * reconnect subscribers get one truncated change ("refresh everything").
 *
 * The connection is TypeORM's (createQueryRunner().connect() hands out the driver's client): the
 * read-model library stays on TypeORM and does not import the pg driver itself.
 */
export class PostgresReadModelChanges implements ReadModelChanges {
  readonly channel: string;
  private readonly listeners = new Set<ChangeListener>();
  private runner: QueryRunner | undefined;
  private connecting: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private connectedOnce = false;
  private delay: number;
  private readyWaiters: Array<() => void> = [];

  constructor(
    private readonly ds: DataSource,
    private readonly o: PostgresChangesOptions = {},
  ) {
    this.channel = o.channel ?? channelFor(schemaOf(ds));
    this.delay = o.reconnectMs ?? 250;
  }

  async publishInTransaction(sql: SqlExecutor, change: ReadModelChange): Promise<void> {
    await sql.query('SELECT pg_notify(?, ?)', [this.channel, encodeChange(change)]);
  }

  /** Nothing to do: LISTEN delivers to this process's subscribers as to any other's. */
  publishCommitted(): void {}

  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    this.ensureListening();
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Resolves once LISTEN is in place (tests: a NOTIFY before that would not be seen). */
  ready(): Promise<void> {
    if (this.runner) return Promise.resolve();
    this.ensureListening();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  /** Whether the LISTEN connection is up right now. */
  get listening(): boolean {
    return this.runner !== undefined;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.connecting?.catch(() => undefined);
    await this.dropConnection();
    this.listeners.clear();
  }

  private ensureListening(): void {
    if (this.closed || this.runner || this.connecting || this.timer) return;
    this.connecting = this.connect().finally(() => (this.connecting = undefined));
  }

  private async connect(): Promise<void> {
    const runner = this.ds.createQueryRunner();
    try {
      const client = (await runner.connect()) as NotifyingClient;
      client.on('notification', (m) => {
        if (m.channel !== this.channel) return;
        const change = decodeChange(m.payload);
        if (change) deliver(this.listeners, change, (err) => this.o.log?.('warn', `a read-model change listener failed: ${err.message}`));
      });
      const lost = (err?: Error) => {
        if (this.runner !== runner) return;
        this.runner = undefined;
        client.removeAllListeners('notification');
        void runner.release().catch(() => undefined);
        if (!this.closed) {
          this.o.log?.('warn', `read-model change listener lost its connection${err ? ` (${err.message})` : ''}; reconnecting`);
          this.scheduleReconnect();
        }
      };
      client.on('error', lost);
      client.on('end', () => lost());
      await runner.query(`LISTEN "${this.channel.replace(/"/g, '""')}"`);
      if (this.closed) {
        await runner.release();
        return;
      }
      this.runner = runner;
      this.delay = this.o.reconnectMs ?? 250;
      if (this.connectedOnce) {
        // Whatever was notified while the connection was down is gone: tell subscribers to refresh.
        const at = new Date().toISOString();
        deliver(this.listeners, truncatedChange({ source: 'listener-reconnect', partition: 0, checkpoint: 0, position: 0, events: 0, at }));
        this.o.log?.('info', `read-model change listener back on channel ${this.channel}`);
      }
      this.connectedOnce = true;
      for (const w of this.readyWaiters.splice(0)) w();
    } catch (err) {
      await runner.release().catch(() => undefined);
      if (this.closed) return;
      this.o.log?.('warn', `read-model change listener cannot LISTEN (${(err as Error).message}); retrying in ${this.delay} ms`);
      this.scheduleReconnect();
    }
  }

  private scheduleReconnect(): void {
    if (this.closed || this.timer) return;
    const wait = this.delay;
    this.delay = Math.min(this.delay * 2, this.o.maxReconnectMs ?? 5000);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.ensureListening();
    }, wait);
    this.timer.unref();
  }

  private async dropConnection(): Promise<void> {
    const runner = this.runner;
    this.runner = undefined;
    if (!runner) return;
    await runner.query(`UNLISTEN "${this.channel.replace(/"/g, '""')}"`).catch(() => undefined);
    await runner.release().catch(() => undefined);
  }
}
