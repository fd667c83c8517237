// The CheckpointStore port on both adapters, on their real databases: 0 when unset, durable across a
// reopen, never moving backwards, and the table created by whichever process comes first.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CheckpointStore } from '../../libs/event-store/src';
import { PostgresCheckpointStore } from '../../libs/event-store-postgres/src';
import { SqliteCheckpointStore } from '../../libs/event-store-sqlite/src';
import { describeWithPostgres } from '../support/infra';
import { createTestSchema, type TestSchema } from '../support/postgres';

function contract(name: string, open: () => Promise<CheckpointStore>): void {
  it(`${name}: 0 for a name never set, then the stored position, per name`, async () => {
    const s = await open();
    try {
      expect(await s.get('relay:a')).toBe(0);
      await s.set('relay:a', 41);
      await s.set('relay:b', 7);
      expect(await s.get('relay:a')).toBe(41);
      expect(await s.get('relay:b')).toBe(7);
    } finally {
      await s.close();
    }
  });

  it(`${name}: never moves backwards, and a reopened store reads what was set`, async () => {
    const s = await open();
    await s.set('relay:c', 100);
    await s.set('relay:c', 99);
    await s.set('relay:c', 0);
    expect(await s.get('relay:c')).toBe(100);
    await s.set('relay:c', 2 ** 40);
    await s.close();
    const again = await open();
    try {
      expect(await again.get('relay:c')).toBe(2 ** 40);
      await expect(again.set('relay:c', -1)).rejects.toThrow(/non-negative integer/);
      await expect(again.set('', 1)).rejects.toThrow(/name/);
    } finally {
      await again.close();
    }
  });

  it(`${name}: several stores opened at once agree`, async () => {
    const stores = await Promise.all([open(), open(), open()]);
    try {
      await Promise.all(stores.map((s, i) => s.set('relay:d', 10 + i)));
      for (const s of stores) expect(await s.get('relay:d')).toBe(12);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });
}

describe('SqliteCheckpointStore', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lumbung-ckpt-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  contract('sqlite', async () => SqliteCheckpointStore.open({ file: join(dir, 'sub', 'events.db') }));
});

describeWithPostgres('PostgresCheckpointStore', () => {
  let schema: TestSchema;
  beforeAll(async () => {
    schema = await createTestSchema('ckpt');
  });
  afterAll(async () => schema?.drop());
  contract('postgres', () => PostgresCheckpointStore.connect({ connectionString: schema.connectionString, schema: `${schema.schema}_x` }));
  afterAll(async () => {
    // the store created its own schema beside the test's: drop it too
    const { withClient } = await import('../support/postgres');
    await withClient((c) => c.query(`DROP SCHEMA IF EXISTS "${schema.schema}_x" CASCADE`));
  });
});
