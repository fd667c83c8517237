/**
 * npm run verify — walks the event store's integrity chains (each stream's hash chain and the sealed
 * global log) and reports the first altered, removed or reordered event, or that all N events check out.
 * Prints the head position and log hash: keep them outside the system as an anchor for the next check.
 *
 * Store from the environment, as the apps read it (LUMBUNG_STORE, LUMBUNG_DATA, DATABASE_URL, DATABASE_SCHEMA,
 * EVENTSTORE_URL). Exit code 0 when everything checks out, 2 when a problem is found, 1 on any other failure.
 */
import { describeStore, loadConfig } from '@lumbung/platform/config';
import { openEventStore } from '@lumbung/platform/event-store/open-event-store';

async function main(): Promise<number> {
  const config = loadConfig({ LUMBUNG_TOKEN_SECRET: 'v'.repeat(32), ...process.env });
  const store = await openEventStore(config.store);
  const started = Date.now();
  try {
    process.stderr.write(`verifying ${describeStore(config.store)}\n`);
    const report = await store.verify({
      onProgress: (n) => process.stderr.write(`\r  checked ${n.toLocaleString('en')} events (${Math.round(n / ((Date.now() - started) / 1000 || 1)).toLocaleString('en')}/s)`),
    });
    process.stderr.write('\n');
    console.log(JSON.stringify({ ...report, elapsedMs: Date.now() - started }, null, 2));
    if (!report.ok) {
      const p = report.problem!;
      console.error(`PROBLEM: ${p.kind} at position ${p.position ?? '?'} (stream ${p.streamId ?? '?'}, revision ${p.revision ?? '?'}): ${p.detail}`);
      return 2;
    }
    console.error(`OK: all ${report.checked.toLocaleString('en')} events check out; head position ${report.headPosition}, log hash ${report.headLogHash}`);
    return 0;
  } finally {
    await store.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`verify failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
