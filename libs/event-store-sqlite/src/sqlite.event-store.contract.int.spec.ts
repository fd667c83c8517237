import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { EventStore } from '@lumbung/event-store';
import { describeEventStoreContract } from '@lumbung/event-store/contract/event-store.contract';
import { SqliteEventStore } from './sqlite.event-store';

const dir = mkdtempSync(join(tmpdir(), 'lumbung-sqlite-contract-'));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes behind the store's back through a second connection, as an attacker with file access would. */
function behindTheStore(store: EventStore, run: (db: Database.Database) => void): void {
  const db = new Database((store as SqliteEventStore).file);
  try {
    db.pragma('busy_timeout = 5000');
    run(db);
  } finally {
    db.close();
  }
}

describeEventStoreContract('sqlite', {
  create: async () => SqliteEventStore.open({ file: join(dir, `store-${++n}.sqlite`) }),
  reopen: async (store) => {
    const file = (store as SqliteEventStore).file;
    await store.close();
    return SqliteEventStore.open({ file });
  },
  tamperData: async (store, position, newData) =>
    behindTheStore(store, (db) => {
      const r = db.prepare('UPDATE events SET data = ? WHERE position = ?').run(JSON.stringify(newData), position);
      if (r.changes !== 1) throw new Error(`no event at position ${position}`);
    }),
  removeStream: async (store, streamId) =>
    behindTheStore(store, (db) => {
      db.prepare('DELETE FROM events WHERE stream_id = ?').run(streamId);
      db.prepare('DELETE FROM streams WHERE stream_id = ?').run(streamId);
    }),
  readAllForProjection: true,
});
