/**
 * npm run projections -- rebuild <name|all> [name...]
 *
 * Rebuilds read models from the event store alone into shadow tables, catches up with the store and
 * swaps them in, while the live projector keeps serving (libs/read-model/src/rebuild.ts).
 * Names: reference, stock, fulfilment, pledges, shipments, readiness, gap (= the tables the gap matrix
 * query reads), all.
 *
 * Environment (as the apps read it):
 *   LUMBUNG_STORE=sqlite (default)   LUMBUNG_DATA (default ./data): events in <data>/lumbung.db, read models in <data>/read-models.db
 *   LUMBUNG_STORE=postgres           DATABASE_URL, DATABASE_SCHEMA (default public) for the store;
 *                                    READ_MODEL_URL, READ_MODEL_SCHEMA for the read models (default: the store's)
 *
 * `npm run projections` runs with --max-semi-space-size=32 (as bench:projections runs the rebuild):
 * the events of a page die young in V8's heap, so the collector copies less per event.
 */
import { join, resolve } from 'node:path';
import type { EventStore } from '@lumbung/event-store';
import { PostgresEventStore } from '@lumbung/event-store-postgres';
import { SqliteEventStore } from '@lumbung/event-store-sqlite';
import { projectionAliases, projections } from '@lumbung/projections';
import { openReadModel, rebuildProjections, type RebuildProgress } from '@lumbung/read-model';

const usage = `usage: npm run projections -- rebuild <${[...projections.map((p) => p.name), ...Object.keys(projectionAliases), 'all'].join('|')}> [more names]`;

function bar(p: RebuildProgress, width = 30): string {
  const total = Math.max(p.total, p.done, 1);
  const frac = Math.min(1, p.done / total);
  const full = Math.round(frac * width);
  const eta = p.etaSeconds === null ? '--' : p.etaSeconds < 90 ? `${Math.ceil(p.etaSeconds)}s` : `${Math.floor(p.etaSeconds / 60)}m${Math.round(p.etaSeconds % 60)}s`;
  return `[${'#'.repeat(full)}${'-'.repeat(width - full)}] ${(frac * 100).toFixed(1).padStart(5)}%  ${p.done.toLocaleString('en')}/${total.toLocaleString('en')} events  ${p.eventsPerSecond.toLocaleString('en')} ev/s  ETA ${eta}  ${p.phase}`;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...names] = argv;
  if (command !== 'rebuild' || names.length === 0) {
    process.stderr.write(`${usage}\n`);
    return 2;
  }
  const env = process.env;
  const kind = env.LUMBUNG_STORE ?? 'sqlite';
  let store: EventStore;
  let ds;
  if (kind === 'postgres') {
    const url = env.DATABASE_URL;
    if (!url) throw new Error('DATABASE_URL is required with LUMBUNG_STORE=postgres');
    const schema = env.DATABASE_SCHEMA ?? 'public';
    // pages of 1,000 events: the rebuild applies one while the next arrives (rebuild.ts, CHUNK)
    store = await PostgresEventStore.connect({ connectionString: url, schema, pageSize: 1000 });
    ds = await openReadModel({ type: 'postgres', url: env.READ_MODEL_URL ?? url, schema: env.READ_MODEL_SCHEMA ?? schema });
  } else if (kind === 'sqlite') {
    const file = join(resolve(env.LUMBUNG_DATA ?? './data'), 'lumbung.db');
    store = await SqliteEventStore.open({ file });
    ds = await openReadModel({ type: 'better-sqlite3', file: join(resolve(env.LUMBUNG_DATA ?? './data'), 'read-models.db') });
  } else {
    throw new Error(`LUMBUNG_STORE=${kind}: the rebuild reads a PostgreSQL or SQLite store`);
  }
  const tty = process.stderr.isTTY;
  try {
    const result = await rebuildProjections(store, ds, names.includes('all') ? 'all' : names, {
      onProgress: (p) => process.stderr.write(tty ? `\r${bar(p)}\u001b[K` : `${bar(p)}\n`),
    });
    process.stderr.write('\n');
    process.stdout.write(
      `rebuilt ${result.projections.join(', ')}: ${result.events.toLocaleString('en')} events up to position ${result.position} in ${result.seconds.toFixed(1)} s ` +
        `(${Math.round(result.events / Math.max(result.seconds, 0.001)).toLocaleString('en')} events/s)\n`,
    );
    return 0;
  } finally {
    await store.close();
    await ds.destroy();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`\nprojections: ${err.message}\n`);
    process.exit(1);
  },
);
