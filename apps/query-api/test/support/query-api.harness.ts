import type { AddressInfo } from 'node:net';
import type { EventStore } from '@lumbung/event-store';
import { EVENT_STORE, READ_MODEL, READ_MODEL_CHANGES, STORE_PROJECTOR, type StoreProjector } from '@lumbung/platform';
import type { ReadModelChanges } from '@lumbung/read-model';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { DataSource } from 'typeorm';
import { startCommandApi, type RunningApi } from '../../../command-api/test/support/command-api.harness';
import { createQueryApi } from '../../src/app.factory';

export interface Stack {
  commands: RunningApi;
  query: NestExpressApplication;
  queryUrl: string;
  store: EventStore;
  readModel: DataSource;
  /** waits until the read models hold everything the store has sealed */
  settle(): Promise<number>;
  get(path: string, token?: string, headers?: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
}

/**
 * The command API with embedded projections (read models beside the store) and the query API as a
 * second app over the same store and read-model DataSource, each on its own port.
 */
export async function startStack(env: Record<string, string>): Promise<Stack> {
  const commands = await startCommandApi(env, { projections: true });
  const store = commands.app.get<EventStore>(EVENT_STORE);
  const readModel = commands.app.get<DataSource>(READ_MODEL);
  // The read models' announcements of the writer that feeds them (in-process here), as a host hands them over:
  // they drive the live stream and invalidate the query API's read cache.
  const changes = commands.app.get<ReadModelChanges>(READ_MODEL_CHANGES);
  const query = await createQueryApi(commands.config, { store, readModel, changes, shutdownHooks: false, logDestination: { write: () => undefined } });
  await query.listen(0, '127.0.0.1');
  const queryUrl = `http://127.0.0.1:${(query.getHttpServer().address() as AddressInfo).port}`;
  return {
    commands,
    query,
    queryUrl,
    store,
    readModel,
    settle: async () => {
      const s = store as EventStore & { settle?: () => Promise<void> };
      if (typeof s.settle === 'function') await s.settle();
      const head = await store.headPosition();
      await commands.app.get<StoreProjector>(STORE_PROJECTOR).waitFor(head);
      return head;
    },
    get: (path, token, headers = {}) => fetch(`${queryUrl}${path}`, { headers: { ...headers, ...(token ? { Authorization: `Bearer ${token}` } : {}) } }),
    close: async () => {
      await query.close();
      await commands.close();
    },
  };
}

/** A strict RFC 4180 parser (quoted cells, doubled quotes, CRLF): the tests read CSV back with it. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 2;
      } else if (ch === '"') {
        quoted = false;
        i++;
      } else {
        cell += ch;
        i++;
      }
    } else if (ch === '"') {
      if (cell !== '') throw new Error(`quote inside an unquoted cell at ${i}`);
      quoted = true;
      i++;
    } else if (ch === ',') {
      row.push(cell);
      cell = '';
      i++;
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i += 2;
    } else if (ch === '\n') {
      throw new Error(`bare LF at ${i}`);
    } else {
      cell += ch;
      i++;
    }
  }
  if (quoted) throw new Error('unterminated quote');
  if (cell !== '' || row.length) throw new Error('last line without CRLF');
  const width = rows[0]?.length;
  rows.forEach((r, n) => {
    if (r.length !== width) throw new Error(`row ${n} has ${r.length} cells, header ${width}`);
  });
  return rows;
}

/** CSV rows as objects keyed by the header. */
export function csvObjects(text: string): Array<Record<string, string>> {
  const [header, ...rows] = parseCsv(text);
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
}
