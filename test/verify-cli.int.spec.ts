// npm run verify, as an operator runs it: on an untouched SQLite store it exits 0; after a row is changed
// behind the store's back it exits 2 and names the altered event.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteEventStore } from '../libs/event-store-sqlite/src';

const root = join(__dirname, '..');

function runVerify(dataDir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'scripts/verify.ts'],
      { cwd: root, env: { ...process.env, LUMBUNG_STORE: 'sqlite', LUMBUNG_DATA: dataDir, TS_NODE_PROJECT: join(root, 'tsconfig.json') }, timeout: 60_000 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('npm run verify', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lumbung-verify-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reports that all events check out, then catches a row altered behind the store', async () => {
    const store = SqliteEventStore.open({ file: join(dir, 'lumbung.db') });
    const meta = { actor: 'gudang-1', correlationId: 'req-1', causationId: randomUUID(), occurredAt: '2026-03-01T08:00:00.000Z' };
    for (let i = 0; i < 5; i++) {
      await store.append(`stock-gd-${i}`, [{ id: randomUUID(), type: 'StockReceived', data: { itemId: 'rice-5kg', quantity: 100 + i } }], 'no-stream', meta);
    }
    await store.close();

    const clean = await runVerify(dir);
    expect(clean.code).toBe(0);
    expect(JSON.parse(clean.stdout)).toMatchObject({ ok: true, checked: 5, headPosition: 5 });

    const db = new Database(join(dir, 'lumbung.db'));
    db.prepare("UPDATE events SET data = json_set(data, '$.quantity', 999) WHERE position = 3").run();
    db.close();
    const tampered = await runVerify(dir);
    expect(tampered.code).toBe(2);
    expect(JSON.parse(tampered.stdout)).toMatchObject({ ok: false, checked: 2, problem: { kind: 'altered', position: 3 } });
    expect(tampered.stderr).toContain('PROBLEM: altered at position 3');
  });
});
