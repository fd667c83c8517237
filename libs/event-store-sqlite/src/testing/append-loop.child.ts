/**
 * Child process for the crash and multi-process tests (sqlite.crash.int.spec.ts), never imported.
 * Appends batches to an SQLite event store and prints one JSON line per acknowledged append, only
 * after append() resolved: whatever the parent has read is, by definition, acknowledged.
 *
 * Run: node -r ts-node/register/transpile-only -r tsconfig-paths/register append-loop.child.ts
 * with the settings in the environment (APPEND_*), see below.
 */
import { randomUUID } from 'node:crypto';
import { WrongExpectedRevisionError, type ExpectedRevision } from '@lumbung/event-store';
import { SqliteEventStore, type SqliteSynchronous } from '../sqlite.event-store';

const env = (k: string, d?: string): string => {
  const v = process.env[k] ?? d;
  if (v === undefined) throw new Error(`${k} is required`);
  return v;
};

const file = env('APPEND_FILE');
const writer = env('APPEND_WRITER', 'w');
/** how many appends, 0 = until killed */
const count = Number(env('APPEND_COUNT', '0'));
const streams = Number(env('APPEND_STREAMS', '4'));
/** events per append are 1..maxBatch, so a kill can land in a multi-event transaction */
const maxBatch = Number(env('APPEND_MAX_BATCH', '4'));
/** every n-th append goes to a stream shared with the other writers, with exact expected revisions */
const sharedEvery = Number(env('APPEND_SHARED_EVERY', '0'));
const synchronous = env('APPEND_SYNCHRONOUS', 'FULL') as SqliteSynchronous;
const padding = 'p'.repeat(Number(env('APPEND_PADDING', '200')));

async function main(): Promise<void> {
  const store = SqliteEventStore.open({ file, synchronous, busyTimeoutMs: 10000 });
  const expected = new Map<string, ExpectedRevision>();
  const revisionOf = async (streamId: string): Promise<ExpectedRevision> => {
    if (!expected.has(streamId)) {
      const head = await store.streamHead(streamId);
      expected.set(streamId, head ? head.revision : 'no-stream');
    }
    return expected.get(streamId)!;
  };
  process.stdout.write(JSON.stringify({ ready: true, pid: process.pid }) + '\n');
  if (env('APPEND_WAIT_FOR_GO', '0') === '1') {
    // Start line for several writers: process start-up times differ by more than a whole run takes.
    await new Promise<void>((res) => process.stdin.once('data', () => res()));
    process.stdin.destroy();
  }
  let conflicts = 0;
  for (let seq = 0; count === 0 || seq < count; seq++) {
    const shared = sharedEvery > 0 && seq % sharedEvery === 0;
    const streamId = shared ? 'shared' : `${writer}-${seq % streams}`;
    const size = 1 + (seq % maxBatch);
    const batchId = randomUUID();
    const events = Array.from({ length: size }, (_, k) => ({ id: randomUUID(), type: 'Appended', data: { writer, seq, k, of: size, batchId, padding } }));
    for (;;) {
      try {
        const r = await store.append(streamId, events, await revisionOf(streamId), {
          actor: writer,
          correlationId: batchId,
          causationId: batchId,
          occurredAt: new Date().toISOString(),
        });
        expected.set(streamId, r.nextExpectedRevision);
        process.stdout.write(JSON.stringify({ p: r.position, s: streamId, r: r.nextExpectedRevision, ids: events.map((e) => e.id) }) + '\n');
        break;
      } catch (e) {
        // Another process appended to the shared stream first: read the head again and retry.
        if (!(e instanceof WrongExpectedRevisionError)) throw e;
        conflicts++;
        expected.delete(streamId);
      }
    }
  }
  await store.close();
  process.stdout.write(JSON.stringify({ done: true, conflicts }) + '\n');
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
