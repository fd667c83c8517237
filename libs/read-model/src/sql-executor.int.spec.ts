import type { DataSource } from 'typeorm';
import { createTestSchema, describeWithPostgres, withClient, type TestSchema } from '../../../test/support/postgres';
import { openReadModel } from './data-source';
import { withExecutor } from './sql-executor';

describeWithPostgres('withExecutor on PostgreSQL (pooled pg clients, no query runner)', () => {
  const POOL = 2;
  let schema: TestSchema;
  let ds: DataSource;
  const pid = () => withExecutor(ds, async (sql) => (await sql.query<{ pid: number }>('SELECT pg_backend_pid() AS pid'))[0].pid);

  beforeAll(async () => {
    schema = await createTestSchema('rm_sql_executor');
    ds = await openReadModel({ type: 'postgres', url: schema.connectionString, schema: schema.schema, poolSize: POOL });
    await withExecutor(ds, (sql) => sql.query(`CREATE TABLE ${sql.table('t')} (id int PRIMARY KEY, name text)`));
    await withExecutor(ds, (sql) => sql.query(`INSERT INTO ${sql.table('t')} VALUES (?, ?), (?, ?)`, [1, 'a', 2, 'b']));
  });
  afterAll(async () => {
    await ds?.destroy();
    await schema?.drop();
  });

  it('reads rows with `?` parameters from the schema’s tables', async () => {
    const rows = await withExecutor(ds, (sql) => sql.query(`SELECT id, name FROM ${sql.table('t')} WHERE id IN (?, ?) AND name <> ? ORDER BY id`, [1, 2, 'b']));
    expect(rows).toEqual([{ id: 1, name: 'a' }]);
  });

  it('gives its client back to the pool, after a failed statement too', async () => {
    for (let i = 0; i < 3 * POOL; i++) {
      await expect(withExecutor(ds, (sql) => sql.query('SELECT * FROM no_such_table'))).rejects.toThrow(/no_such_table/);
    }
    // With a client kept per failure, these would wait for a free client forever.
    const answers = await Promise.all(Array.from({ length: 4 * POOL }, (_, i) => withExecutor(ds, (sql) => sql.query<{ n: number }>('SELECT ?::int AS n', [i]))));
    expect(answers.map((r) => r[0].n)).toEqual(Array.from({ length: 4 * POOL }, (_, i) => i));
  });

  it('does not give a client whose connection died back to the pool', async () => {
    const read = withExecutor(ds, async (sql) => {
      const [{ pid: own }] = await sql.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      await withClient((c) => c.query('SELECT pg_terminate_backend($1)', [own]));
      await sql.query('SELECT 1');
    });
    await expect(read).rejects.toThrow();
    // Every later read gets a live connection.
    const pids = await Promise.all(Array.from({ length: 2 * POOL }, pid));
    expect(pids.every((p) => typeof p === 'number')).toBe(true);
  });

  it('prepared statements (prepare: true) read the table swapped in under the same name, as a rebuild swaps its shadows', async () => {
    const read = () => withExecutor(ds, (sql) => sql.query<{ id: number; name: string }>(`SELECT * FROM ${sql.table('swapped')} WHERE id >= ? ORDER BY id`, [0], { prepare: true }));
    await withExecutor(ds, (sql) => sql.query(`CREATE TABLE ${sql.table('swapped')} (id int PRIMARY KEY, name text)`));
    await withExecutor(ds, (sql) => sql.query(`INSERT INTO ${sql.table('swapped')} VALUES (1, 'old')`));
    // prepared on every pooled connection
    for (let i = 0; i < 2 * POOL; i++) expect(await read()).toEqual([{ id: 1, name: 'old' }]);
    await withExecutor(ds, async (sql) => {
      await sql.query(`CREATE TABLE ${sql.table('swapped_shadow')} (id int PRIMARY KEY, name text)`);
      await sql.query(`INSERT INTO ${sql.table('swapped_shadow')} VALUES (2, 'new'), (3, 'newer')`);
      await sql.query(`ALTER TABLE ${sql.table('swapped')} RENAME TO swapped_old`);
      await sql.query(`ALTER TABLE ${sql.table('swapped_shadow')} RENAME TO swapped`);
      await sql.query(`DROP TABLE ${sql.table('swapped_old')}`);
    });
    const after = await Promise.all(Array.from({ length: 2 * POOL }, read));
    for (const rows of after) expect(rows).toEqual([{ id: 2, name: 'new' }, { id: 3, name: 'newer' }]);
  });
});
