/**
 * npm run bench:projections — part (a): rebuild rate of every projection on PostgreSQL.
 *
 *  1. generates BENCH_EVENTS (default 1,000,000) events of a realistic mix into a PostgreSQL event
 *     store: the scenario simulator drives the real domain deciders (requests, approvals, dispatches
 *     reserved/claimed/planned/departed/delivered short or damaged/cancelled/lost, pledges, receipts,
 *     counts, adjustments, transfers, equipment), and the events are appended per stream in batches by
 *     16 concurrent writers (synchronous_commit off for the generation only);
 *  2. in a child process (so that its peak memory is the rebuild's alone), times the baseline, a raw
 *     paged SELECT over the events table (the store's log order, 5,000 rows a page, rows parsed), and
 *     then the rebuild of all projections from the store into shadow tables and the swap;
 *  3. prints events/s of both, the ratio, the CPU each took (the measuring process, its main thread,
 *     and the PostgreSQL backends serving it, apart from other clients), and the child's peak RSS.
 * Targets (issue #4): rebuild >= 30,000 events/s (1M under 35 s), peak memory < 400 MB.
 *
 * Env: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test), BENCH_EVENTS, BENCH_KEEP=1 keeps the schemas,
 * BENCH_REUSE=<schema> measures again on a kept store, BENCH_LIMIT=N on its first N events only (a slice),
 * BENCH_RAW=0 skips the baseline (profiling), BENCH_NODE_FLAGS (the child's node flags; default
 * --max-old-space-size=256 --max-semi-space-size=32: a young generation that a page of events can die in),
 * e.g. "... --cpu-prof --cpu-prof-dir=/tmp/prof" to profile the rebuild, BENCH_THREADS=1 (the child's CPU by
 * thread), and the rebuild's knobs: BENCH_PAGE (the store's page size, default 1,000), BENCH_CHUNK,
 * BENCH_AHEAD, BENCH_FLUSH_EVERY (RebuildOptions; e.g. BENCH_FLUSH_EVERY=20000 on a 200k store evicts and
 * loads back rows about as a 1M store does with the default 100,000).
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import type { NewEvent } from '@lumbung/event-store';
import { PostgresEventStore } from '@lumbung/event-store-postgres';
import { openReadModel, rebuildProjections } from '@lumbung/read-model';
import { ScenarioSimulator } from '../libs/projections/src/testing/scenario';
import { machine } from './bench-support';
import { BackendCpu, procCpuSeconds } from './support/backend-cpu';

const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const TARGET_EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
/** BENCH_LIMIT=N: measure on the store's first N events only (a slice of a kept store; profiling). */
const LIMIT = process.env.BENCH_LIMIT ? Number(process.env.BENCH_LIMIT) : undefined;

/** CPU seconds of a phase: the measuring process, and PostgreSQL's backends serving it (BackendCpu). */
interface PhaseCpu {
  self: number;
  /** of which the main thread (JavaScript; the rest is GC helpers and libuv's threads) */
  mainThread: number;
  postgres: number;
}

interface ChildResult {
  raw: { events: number; seconds: number; cpu: PhaseCpu };
  rebuild: { events: number; seconds: number; cpu: PhaseCpu; timings: Awaited<ReturnType<typeof rebuildProjections>>['timings'] };
  maxRssMb: number;
  sampledPeakRssMb: number;
  heapPeakMb: number;
  baselineRssMb: number;
}

const withOptions = (u: string, opts: string) => `${u}${u.includes('?') ? '&' : '?'}options=${encodeURIComponent(opts)}`;

async function generate(schema: string): Promise<number> {
  const store = await PostgresEventStore.connect({ connectionString: withOptions(url, '-c synchronous_commit=off'), schema, poolSize: 17 });
  const pending = new Map<string, { first: number; events: NewEvent[]; meta: { actor: string; role: string; occurredAt: string } }>();
  let generated = 0;
  let appended = 0;
  const t0 = Date.now();
  const progress = () => process.stderr.write(`\r  generating: ${generated.toLocaleString('en')} decided, ${appended.toLocaleString('en')} appended (${Math.round(appended / ((Date.now() - t0) / 1000)).toLocaleString('en')} events/s)   `);
  const flush = async () => {
    const batches = [...pending.entries()];
    pending.clear();
    let next = 0;
    await Promise.all(Array.from({ length: 16 }, async () => {
      for (;;) {
        const k = next++;
        if (k >= batches.length) return;
        const [streamId, b] = batches[k];
        await store.append(streamId, b.events, b.first === 0 ? 'no-stream' : b.first - 1, {
          actor: b.meta.actor, role: b.meta.role, correlationId: randomUUID(), causationId: randomUUID(), occurredAt: b.meta.occurredAt,
        });
        appended += b.events.length;
        if ((k & 255) === 0) progress();
      }
    }));
  };
  // Scale the cluster with the volume, so that streams stay realistically short (a province's worth per 100k events).
  const scale = Math.max(1, TARGET_EVENTS / 100_000);
  const sim = new ScenarioSimulator({
    seed: 42, warehouses: Math.round(20 * scale), sites: Math.round(80 * scale), items: 60, members: Math.round(10 * scale), incidents: Math.max(2, Math.round(scale)),
    onStep: (step, events) => {
      for (const e of events) {
        let b = pending.get(e.streamId);
        if (!b) pending.set(e.streamId, (b = { first: e.revision, events: [], meta: { actor: step.command.metadata.actor, role: step.command.metadata.role, occurredAt: step.command.metadata.now } }));
        b.events.push({ id: randomUUID(), type: e.type, schemaVersion: e.schemaVersion, data: e.data });
        // a command writes at most 64 events to a stream; keep appends of that order
        if (b.events.length >= 60) {
          pending.delete(e.streamId);
          pending.set(`${e.streamId}`, b);
        }
        generated++;
      }
    },
  }, false);
  sim.setup();
  while (generated < TARGET_EVENTS) {
    sim.run(Math.min(20_000, Math.ceil((TARGET_EVENTS - generated) / 1.1)));
    if (generated - appended >= 100_000 || generated >= TARGET_EVENTS) await flush();
    progress();
  }
  await flush();
  // readAll sees sealed events only: wait for the sealer to number all of them
  for (;;) {
    const head = await store.headPosition();
    process.stderr.write(`\r  sealing: ${head.toLocaleString('en')}/${appended.toLocaleString('en')}                         `);
    if (head >= appended) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  process.stderr.write('\n');
  await store.close();
  return appended;
}

/** CPU seconds of this process's threads (V8's GC helpers and compiler, libuv, main), by name/tid. */
function threadsCpu(): string {
  const by = new Map<string, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    let name = '?';
    try {
      name = readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim();
    } catch {
      continue;
    }
    by.set(`${name}/${tid}`, procCpuSeconds(`self/task/${tid}`) ?? 0);
  }
  return [...by].sort((a, b) => b[1] - a[1]).map(([n, s]) => `${n} ${s.toFixed(1)}`).join(', ');
}

/** Child: the raw read baseline, then the rebuild, with this process's memory peak. */
async function child(storeSchema: string, rmSchema: string): Promise<ChildResult> {
  const baselineRss = process.memoryUsage().rss;
  let peak = 0;
  let heapPeak = 0;
  const sample = setInterval(() => {
    const m = process.memoryUsage();
    peak = Math.max(peak, m.rss);
    heapPeak = Math.max(heapPeak, m.heapUsed);
  }, 200);
  const admin = new Pool({ connectionString: url, max: 1 });
  const backends = new BackendCpu(admin).start();
  const mainThread = () => procCpuSeconds(`${process.pid}/task/${process.pid}`) ?? 0;
  const cpuFrom = async () => ({ self: process.cpuUsage(), main: mainThread(), postgres: await backends.read() });
  const cpuSince = async (from: Awaited<ReturnType<typeof cpuFrom>>): Promise<PhaseCpu> => {
    const u = process.cpuUsage(from.self);
    return { self: (u.user + u.system) / 1e6, mainThread: mainThread() - from.main, postgres: (await backends.read()) - from.postgres };
  };
  // (1) raw: the store's own read query (log joined to events, in position order), paged, rows parsed by pg
  const pool = new Pool({ connectionString: url, max: 2 });
  const rawCpu = await cpuFrom();
  const t0 = process.hrtime.bigint();
  let after = 0;
  let rawEvents = 0;
  // BENCH_RAW=0 skips it (profiling the rebuild alone)
  while (process.env.BENCH_RAW !== '0') {
    const { rows } = await pool.query(
      `SELECT e.id, e.stream_id, e.revision, e.type, e.schema_version, e.data, e.metadata, e.hash, l.position
         FROM "${storeSchema}".log l JOIN "${storeSchema}".events e ON e.seq = l.seq WHERE l.position > $1 ORDER BY l.position LIMIT $2`,
      // (an upper bound on the position in the WHERE clause would make PostgreSQL sort what is left at every page)
      [after, Math.min(5000, (LIMIT ?? Infinity) - rawEvents)],
    );
    if (!rows.length) break;
    rawEvents += rows.length;
    after = Number(rows[rows.length - 1].position);
  }
  const rawSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const rawCpuUsed = await cpuSince(rawCpu);
  await pool.end();
  // (2) the rebuild of every projection, shadow tables and swap included
  const store = await PostgresEventStore.connect({ connectionString: url, schema: storeSchema, pageSize: Number(process.env.BENCH_PAGE ?? 1000) });
  const ds = await openReadModel({ type: 'postgres', url, schema: rmSchema });
  const rebuildCpu = await cpuFrom();
  if (process.env.BENCH_RAW === '0') process.stderr.write(`  rebuild starts at ${Math.round(performance.now())} ms of the process\n`);
  const t1 = process.hrtime.bigint();
  const knob = (name: string) => (process.env[name] ? Number(process.env[name]) : undefined);
  const result = await rebuildProjections(store, ds, 'all', {
    untilPosition: LIMIT,
    chunkSize: knob('BENCH_CHUNK'),
    readAhead: knob('BENCH_AHEAD'),
    flushEvery: knob('BENCH_FLUSH_EVERY'),
    onProgress: (p) => process.stderr.write(`\r  rebuild: ${p.done.toLocaleString('en')}/${p.total.toLocaleString('en')} ${p.eventsPerSecond.toLocaleString('en')} ev/s ETA ${p.etaSeconds?.toFixed(0) ?? '--'}s ${p.phase}   `),
  });
  const rebuildSeconds = Number(process.hrtime.bigint() - t1) / 1e9;
  const rebuildCpuUsed = await cpuSince(rebuildCpu);
  if (process.env.BENCH_THREADS === '1') process.stderr.write(`\n  CPU s by thread (whole process life): ${threadsCpu()}\n`);
  backends.stop();
  await admin.end();
  process.stderr.write('\n');
  clearInterval(sample);
  await store.close();
  await ds.destroy();
  return {
    raw: { events: rawEvents, seconds: rawSeconds, cpu: rawCpuUsed },
    rebuild: { events: result.events, seconds: rebuildSeconds, cpu: rebuildCpuUsed, timings: result.timings },
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    sampledPeakRssMb: peak / 2 ** 20,
    heapPeakMb: heapPeak / 2 ** 20,
    baselineRssMb: baselineRss / 2 ** 20,
  };
}

async function main(): Promise<void> {
  const at = process.argv.indexOf('--child');
  if (at >= 0) {
    const r = await child(process.argv[at + 1], process.argv[at + 2]);
    process.send!(r, () => process.disconnect());
    return;
  }
  const tag = Date.now().toString(36);
  // BENCH_REUSE=<schema>: measure again on a store a previous run kept (BENCH_KEEP=1) instead of generating
  const reuse = process.env.BENCH_REUSE;
  const storeSchema = reuse ?? `bench_proj_store_${tag}`;
  const rmSchema = `bench_proj_rm_${tag}`;
  const admin = new Pool({ connectionString: url, max: 1 });
  console.log(
    `bench:projections (a) — ${machine()}; PostgreSQL ${(await admin.query('SHOW server_version')).rows[0].server_version}; ` +
      `${reuse ? `store ${reuse}` : `${TARGET_EVENTS.toLocaleString('en')} events`}${LIMIT ? `, its first ${LIMIT.toLocaleString('en')} events` : ''}`,
  );
  try {
    const tg = Date.now();
    const events = reuse ? (await admin.query(`SELECT count(*)::int AS n FROM "${storeSchema}".log`)).rows[0].n : await generate(storeSchema);
    const byType = await admin.query(`SELECT type, count(*)::int AS n FROM "${storeSchema}".events GROUP BY type ORDER BY n DESC`);
    const streams = await admin.query(`SELECT count(*)::int AS n FROM "${storeSchema}".streams`);
    console.log(`${reuse ? 'reusing' : 'generated'} ${events.toLocaleString('en')} events in ${streams.rows[0].n.toLocaleString('en')} streams in ${((Date.now() - tg) / 1000).toFixed(0)} s; mix: ${byType.rows.slice(0, 12).map((r) => `${r.type} ${(100 * r.n / events).toFixed(1)}%`).join(', ')}, ...`);
    const r = await new Promise<ChildResult>((resolve, reject) => {
      // The measuring process compiles TypeScript with swc (a require hook) rather than ts-node: loading
      // the TypeScript compiler alone costs ~95 MB of RSS, which would be charged to the rebuild.
      const hook = `
        const swc = require('@swc/core'); const fs = require('fs');
        require.extensions['.ts'] = (m, file) => m._compile(swc.transformSync(fs.readFileSync(file, 'utf8'), { filename: file, module: { type: 'commonjs' },
          jsc: { target: 'es2022', parser: { syntax: 'typescript', decorators: true }, transform: { legacyDecorator: true, decoratorMetadata: true } } }).code, file);
        require('tsconfig-paths/register');
        process.argv.splice(2, 0, '--child', ${JSON.stringify(storeSchema)}, ${JSON.stringify(rmSchema)});
        require(${JSON.stringify(__filename)});`;
      const c = spawn(process.execPath, [...(process.env.BENCH_NODE_FLAGS ?? '--max-old-space-size=256 --max-semi-space-size=32').split(' ').filter(Boolean), '-e', hook], { stdio: ['inherit', 'inherit', 'inherit', 'ipc'], cwd: process.cwd() });
      c.on('message', (m) => resolve(m as ChildResult));
      c.on('exit', (code) => (code ? reject(new Error(`child exited with ${code}`)) : undefined));
    });
    const rawRate = r.raw.events / r.raw.seconds;
    const rebuildRate = r.rebuild.events / r.rebuild.seconds;
    console.log('');
    const us = (s: number, events: number) => ((1e6 * s) / events).toFixed(1);
    const cpu = (m: { events: number; cpu: PhaseCpu }) =>
      `${m.cpu.self.toFixed(1)} (main thread ${m.cpu.mainThread.toFixed(1)}) | ${m.cpu.postgres.toFixed(1)} | ${us(m.cpu.self, m.events)} (${us(m.cpu.mainThread, m.events)}) | ${us(m.cpu.postgres, m.events)}`;
    console.log('| measure | events | seconds | events/s | CPU s: this process | CPU s: its PostgreSQL backends | CPU µs/event: process (main thread) | CPU µs/event: PostgreSQL |');
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
    console.log(`| raw paged SELECT over the events table (baseline) | ${r.raw.events.toLocaleString('en')} | ${r.raw.seconds.toFixed(1)} | ${Math.round(rawRate).toLocaleString('en')} | ${cpu(r.raw)} |`);
    console.log(`| rebuild of all projections (shadow tables + swap) | ${r.rebuild.events.toLocaleString('en')} | ${r.rebuild.seconds.toFixed(1)} | ${Math.round(rebuildRate).toLocaleString('en')} | ${cpu(r.rebuild)} |`);
    console.log('');
    console.log(`rebuild / raw read: ${(rebuildRate / rawRate).toFixed(2)}x`);
    const tm = r.rebuild.timings;
    console.log(
      `rebuild time: waiting for the store's pages ${(tm.readWaitMs / 1000).toFixed(1)} s, applying ${(tm.applyMs / 1000).toFixed(1)} s (${tm.rowsLoaded.toLocaleString('en')} evicted rows loaded back), ` +
        `serialising rows ${(tm.serializeMs / 1000).toFixed(1)} s (these three in the main loop); in the background, writing ${tm.rowsWritten.toLocaleString('en')} rows to the shadow tables ${(tm.flushMs / 1000).toFixed(1)} s; ` +
        `then the last write, durable shadows and their indexes ${(tm.finishMs / 1000).toFixed(1)} s, the swap ${(tm.swapMs / 1000).toFixed(1)} s`,
    );
    console.log(`peak RSS of the measuring process: ${r.maxRssMb.toFixed(0)} MB (resourceUsage maxRSS; sampled ${r.sampledPeakRssMb.toFixed(0)} MB, heap ${r.heapPeakMb.toFixed(0)} MB; ${r.baselineRssMb.toFixed(0)} MB of it before reading anything)`);
    console.log(`targets: rebuild >= 30,000 events/s: ${rebuildRate >= 30_000 ? 'met' : 'NOT met'}; peak memory < 400 MB: ${r.maxRssMb < 400 ? 'met' : 'NOT met'}`);
  } finally {
    if (process.env.BENCH_KEEP === '1') console.log(`kept: BENCH_REUSE=${storeSchema}`);
    else {
      if (!reuse) await admin.query(`DROP SCHEMA IF EXISTS "${storeSchema}" CASCADE`);
      await admin.query(`DROP SCHEMA IF EXISTS "${rmSchema}" CASCADE`);
    }
    await admin.end();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
