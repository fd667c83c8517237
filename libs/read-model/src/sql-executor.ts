import { createHash } from 'node:crypto';
import type { DataSource, QueryRunner } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { keyString, normalizeRow, type Row, type TableDef } from '@lumbung/projections';
import { quote, type Dialect } from './schema';

/** Keeps statements under both databases' parameter limits (SQLite 32,766; PostgreSQL 65,535). */
const MAX_PARAMS = 30_000;

/** What the executor needs of a connection: SQL in the database's own placeholders, rows out. */
export interface SqlConnection {
  /** `name`: run as a named (prepared) statement where the connection can (a pooled pg client) */
  query(text: string, params: unknown[], name?: string): Promise<unknown>;
  /** PostgreSQL: the pg client itself, for COPY's sub-protocol */
  readonly pgClient?: unknown;
}

/** A TypeORM query runner as a connection (transactions, and everything on SQLite). */
function runnerConnection(runner: QueryRunner): SqlConnection {
  return {
    query: (text, params) => runner.query(text, params),
    get pgClient() {
      return (runner as unknown as { databaseConnection?: unknown }).databaseConnection;
    },
  };
}

/** The pg client's query, as `query(text, values)` answers it. */
interface PgClient {
  query(text: string, values: unknown[]): Promise<{ rows: unknown[] }>;
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
  on(event: 'error', listener: (err: Error) => void): unknown;
  removeListener(event: 'error', listener: (err: Error) => void): unknown;
}

/**
 * A transaction's (or a plain connection's) raw SQL, written once with `?` placeholders for both
 * databases. Only multi-row statements: the writer and the rebuild never save rows one by one.
 */
export class SqlExecutor {
  constructor(
    readonly connection: SqlConnection,
    readonly dialect: Dialect,
    readonly schema: string | undefined,
  ) {}

  table(name: string): string {
    return this.dialect === 'postgres' && this.schema ? `${quote(this.schema)}.${quote(name)}` : quote(name);
  }

  async query<T = Record<string, unknown>>(sql: string, params: unknown[] = [], options: { prepare?: boolean } = {}): Promise<T[]> {
    const text = this.dialect === 'postgres' ? numberedPlaceholders(sql) : sql;
    const name = options.prepare && this.dialect === 'postgres' ? statementName(text) : undefined;
    const res = await this.inTurn(() => this.connection.query(text, params, name));
    return (Array.isArray(res) ? res : []) as T[];
  }

  /**
   * One statement at a time on the connection: callers may start several at once (the rebuild loads
   * rows for every projection together), and a connection runs one query at a time; pg queues them
   * itself, but that is deprecated and goes in pg 9.
   */
  private inTurn<T>(work: () => Promise<T>): Promise<T> {
    const run = this.tail.then(work);
    this.tail = run.catch(() => undefined);
    return run;
  }
  private tail: Promise<unknown> = Promise.resolve();

  /** Rows of `table` (under `name`) with these keys, normalised; absent keys are simply missing. */
  async loadRows(t: TableDef, keys: Row[], name = t.name): Promise<Row[]> {
    const out: Row[] = [];
    for (const { sql, params } of this.keyMatches(t, keys, name)) {
      const rows = await this.query<Row>(`SELECT t.* FROM ${this.table(name)} AS t ${sql}`, params);
      for (const r of rows) out.push(normalizeRow(t, r));
    }
    return out;
  }

  async deleteRows(t: TableDef, keys: Row[], name = t.name): Promise<void> {
    for (const { sql, params } of this.keyMatches(t, keys, name, true)) await this.query(`DELETE FROM ${this.table(name)} AS t ${sql}`, params);
  }

  /**
   * The clause that picks the rows with these keys, in statements of a bounded size. PostgreSQL joins
   * the keys as one JSON parameter (a long row-value IN list exceeds its expression depth); SQLite
   * takes a tuple IN list of at most 500 keys.
   */
  private *keyMatches(t: TableDef, keys: Row[], name: string, forDelete = false): Generator<{ sql: string; params: unknown[] }> {
    const pk = t.primaryKey;
    if (this.dialect === 'postgres') {
      const on = pk.map((c) => `t.${quote(c)} = k.${quote(c)}`).join(' AND ');
      for (let i = 0; i < keys.length; i += 20_000) {
        const chunk = keys.slice(i, i + 20_000).map((k) => Object.fromEntries(pk.map((c) => [c, k[c]])));
        const source = `json_populate_recordset(NULL::${this.table(name)}, ?::json) k`;
        yield { sql: forDelete ? `USING ${source} WHERE ${on}` : `JOIN ${source} ON ${on}`, params: [JSON.stringify(chunk)] };
      }
      return;
    }
    const per = pk.length === 1 ? 5_000 : 500;
    for (let i = 0; i < keys.length; i += per) {
      const chunk = keys.slice(i, i + per);
      const params = chunk.flatMap((k) => pk.map((c) => k[c]));
      const where = pk.length === 1
        ? `t.${quote(pk[0])} IN (${chunk.map(() => '?').join(', ')})`
        : `(${pk.map((c) => `t.${quote(c)}`).join(', ')}) IN (${chunk.map(() => `(${pk.map(() => '?').join(', ')})`).join(', ')})`;
      yield { sql: `WHERE ${where}`, params };
    }
  }

  /**
   * PostgreSQL: upserts rows given as one JSON array (already serialised, e.g. by the rebuild while
   * it goes on changing its rows in memory). Properties that are not columns are ignored, a missing
   * int column is 0 and a missing text column null, as normalizeRow makes them.
   */
  async upsertJson(t: TableDef, json: string, name = t.name): Promise<void> {
    if (this.dialect !== 'postgres') throw new Error('upsertJson: PostgreSQL only');
    const cols = t.columns.map((c) => quote(c.name));
    const values = t.columns.map((c) => (c.type === 'int' ? `coalesce(${quote(c.name)}, 0)` : quote(c.name)));
    await this.query(`INSERT INTO ${this.table(name)} (${cols.join(', ')}) SELECT ${values.join(', ')} FROM json_populate_recordset(NULL::${this.table(name)}, ?::json) ${onConflictOf(t)}`, [json]);
  }

  /**
   * PostgreSQL: COPY ... FROM STDIN of rows in COPY's text format (copyFormatter), on this
   * transaction's connection: the cheapest way to insert rows the table does not have yet (a key it
   * has fails the whole statement). Speaks the copy-in sub-protocol through the pg client's
   * submittable interface, as pg-copy-streams does, without another dependency.
   */
  async copyIn(t: TableDef, data: readonly Buffer[], name = t.name): Promise<void> {
    if (this.dialect !== 'postgres') throw new Error('copyIn: PostgreSQL only');
    if (!data.length) return;
    const client = this.connection.pgClient as { query(q: object): unknown } | undefined;
    if (!client || typeof client.query !== 'function') throw new Error('copyIn: no PostgreSQL connection in hand');
    const columns = t.columns.map((c) => quote(c.name)).join(', ');
    await this.inTurn(() => new Promise<void>((resolve, reject) => client.query(new CopyIn(`COPY ${this.table(name)} (${columns}) FROM STDIN`, data, (err) => (err ? reject(err) : resolve())))));
  }

  /** INSERT ... ON CONFLICT (key) DO UPDATE, many rows a statement. */
  async upsertRows(t: TableDef, rows: Row[], name = t.name): Promise<void> {
    if (!rows.length) return;
    const cols = t.columns.map((c) => c.name);
    const onConflict = onConflictOf(t);
    if (this.dialect === 'postgres') {
      // The rows as one JSON parameter, unpacked by the server into the table's row type: one native
      // JSON.stringify here, and the parsing happens on the database's side.
      for (let i = 0; i < rows.length; i += 20_000) {
        const chunk = rows.slice(i, i + 20_000);
        await this.query(
          `INSERT INTO ${this.table(name)} (${cols.map(quote).join(', ')}) SELECT ${cols.map(quote).join(', ')} FROM json_populate_recordset(NULL::${this.table(name)}, ?::json) ${onConflict}`,
          [JSON.stringify(chunk)],
        );
      }
      return;
    }
    const per = Math.max(1, Math.floor(MAX_PARAMS / cols.length));
    const tuple = `(${cols.map(() => '?').join(', ')})`;
    for (let i = 0; i < rows.length; i += per) {
      const chunk = rows.slice(i, i + per);
      const params: unknown[] = [];
      for (const r of chunk) for (const c of cols) params.push(r[c] ?? (t.columns.find((x) => x.name === c)!.type === 'int' ? 0 : null));
      await this.query(`INSERT INTO ${this.table(name)} (${cols.map(quote).join(', ')}) VALUES ${chunk.map(() => tuple).join(', ')} ${onConflict}`, params);
    }
  }


}

/**
 * `?` placeholders as PostgreSQL's `$1, $2, ...`. A loop over indexOf rather than a regex replace with
 * a callback: every read pays it on every statement, and the loop costs half as much.
 */
export function numberedPlaceholders(sql: string): string {
  let at = sql.indexOf('?');
  if (at === -1) return sql;
  let out = '';
  let from = 0;
  for (let n = 1; at !== -1; n++) {
    out += `${sql.slice(from, at)}$${n}`;
    from = at + 1;
    at = sql.indexOf('?', from);
  }
  return out + sql.slice(from);
}

/** What the copy-in submittable uses of pg's connection. */
interface PgConnection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
}

/** A pg submittable running one COPY FROM STDIN with the data in hand (pg calls these methods as the server answers). */
class CopyIn {
  private settled = false;
  constructor(
    readonly text: string,
    private readonly data: readonly Buffer[],
    private readonly done: (err?: Error) => void,
  ) {}

  submit(connection: PgConnection): void {
    connection.query(this.text);
  }

  handleCopyInResponse(connection: PgConnection): void {
    for (const chunk of this.data) connection.sendCopyFromChunk(chunk);
    connection.endCopyFrom();
  }

  handleError(err: Error): void {
    this.finish(err);
  }

  handleReadyForQuery(): void {
    this.finish();
  }

  handleCommandComplete(): void {}
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyData(): void {}

  private finish(err?: Error): void {
    if (this.settled) return;
    this.settled = true;
    this.done(err);
  }
}

function onConflictOf(t: TableDef): string {
  const nonKey = t.columns.map((c) => c.name).filter((c) => !t.primaryKey.includes(c));
  return nonKey.length
    ? `ON CONFLICT (${t.primaryKey.map(quote).join(', ')}) DO UPDATE SET ${nonKey.map((c) => `${quote(c)} = excluded.${quote(c)}`).join(', ')}`
    : `ON CONFLICT (${t.primaryKey.map(quote).join(', ')}) DO NOTHING`;
}

/** Distinct keys (by the table's key string). */
export function distinctKeys(t: TableDef, keys: Iterable<Row>): Row[] {
  const m = new Map<string, Row>();
  for (const k of keys) m.set(keyString(t, k), k);
  return [...m.values()];
}

/** One writer at a time per SQLite DataSource: better-sqlite3 has one connection, and a transaction on it is shared by every caller. */
const locks = new WeakMap<DataSource, Promise<void>>();
async function exclusive<T>(ds: DataSource, run: () => Promise<T>): Promise<T> {
  const prev = locks.get(ds) ?? Promise.resolve();
  let release!: () => void;
  const next = new Promise<void>((r) => (release = r));
  locks.set(ds, prev.then(() => next));
  await prev;
  try {
    return await run();
  } finally {
    release();
  }
}

export function dialectOf(ds: DataSource): Dialect {
  return ds.options.type === 'postgres' ? 'postgres' : 'sqlite';
}

export function schemaOf(ds: DataSource): string | undefined {
  return ds.options.type === 'postgres' ? ((ds.options as { schema?: string }).schema ?? 'public') : undefined;
}

/**
 * Runs `work` in one database transaction. SQLite: BEGIN IMMEDIATE (takes the write lock up front, so
 * a concurrent writer in another process waits on busy_timeout instead of failing mid-transaction).
 */
export async function inTransaction<T>(ds: DataSource, work: (sql: SqlExecutor) => Promise<T>): Promise<T> {
  const dialect = dialectOf(ds);
  const run = async () => {
    const runner = ds.createQueryRunner();
    await runner.connect();
    const sql = new SqlExecutor(runnerConnection(runner), dialect, schemaOf(ds));
    try {
      if (dialect === 'postgres') await runner.startTransaction();
      else await runner.query('BEGIN IMMEDIATE');
      const out = await work(sql);
      if (dialect === 'postgres') await runner.commitTransaction();
      else await runner.query('COMMIT');
      return out;
    } catch (err) {
      if (dialect === 'postgres') await runner.rollbackTransaction().catch(() => undefined);
      else await runner.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      await runner.release();
    }
  };
  return dialect === 'sqlite' ? exclusive(ds, run) : run();
}

/**
 * Plain reads (queries): no transaction, but on SQLite still behind the writer's turn. On PostgreSQL
 * the reads go to a pooled pg client straight, not through a TypeORM query runner: the runner adds,
 * per query, its event broadcasts, result wrapping and several promises, and per read its own
 * bookkeeping, which made up about a tenth of a light read's CPU in the query API. The pool is
 * TypeORM's own (same connections, same limits); a client that failed is not given back to it.
 */
export async function withExecutor<T>(ds: DataSource, work: (sql: SqlExecutor) => Promise<T>): Promise<T> {
  if (dialectOf(ds) === 'postgres') return withPgClient(ds, work);
  return exclusive(ds, async () => {
    const runner = ds.createQueryRunner();
    await runner.connect();
    try {
      return await work(new SqlExecutor(runnerConnection(runner), 'sqlite', undefined));
    } finally {
      await runner.release();
    }
  });
}

async function withPgClient<T>(ds: DataSource, work: (sql: SqlExecutor) => Promise<T>): Promise<T> {
  const [client, release] = (await (ds.driver as PostgresDriver).obtainMasterConnection()) as [PgClient, (err?: Error) => void];
  // An error the connection itself raises (the server went away) means the client is broken.
  let broken: Error | undefined;
  const onError = (err: Error) => (broken = err);
  client.on('error', onError);
  const connection: SqlConnection = {
    query: async (text, params, name) => (name ? await client.query({ name, text, values: params }) : await client.query(text, params)).rows,
    pgClient: client,
  };
  try {
    return await work(new SqlExecutor(connection, 'postgres', schemaOf(ds)));
  } finally {
    client.removeListener('error', onError);
    release(broken);
  }
}

/**
 * The name a statement is prepared under on each pooled connection (pg keeps a connection's prepared
 * statements for its life, and PostgreSQL reuses their plans: no parsing and planning per answer).
 * Only statements whose text is one of a bounded set take one (`prepare: true`: the dashboard's
 * fixed reads, never an IN list of as many ids as asked), so a connection holds a few dozen at most.
 */
const statementNames = new Map<string, string>();
function statementName(text: string): string {
  let name = statementNames.get(text);
  if (!name) statementNames.set(text, (name = `rm_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`));
  return name;
}

/** 32-bit FNV-1a: advisory lock keys for rows and streams (collisions only make two writers wait). */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}
