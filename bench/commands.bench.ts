/**
 * npm run bench:commands — commands over HTTP on PostgreSQL, beside the raw single-event INSERT rate of
 * the store benchmark measured in the same run at the same concurrency (issue #3 targets: >= 1,500
 * commands/s, p99 < 50 ms, >= 0.3x the raw append rate).
 *
 *  1. builds the command API (npx nest build command-api) and starts it as a child process, so that
 *     the load generator does not share its event loop, on PostgreSQL in a fresh schema;
 *  2. seeds a cluster through the API: BENCH_WAREHOUSES warehouses (default 40), each serving its own
 *     posko, with plenty of stock and approved requests, and dispatches planned and departed so that
 *     the receipts of the measured phase close real dispatches;
 *  3. after BENCH_WARMUP_SECONDS (default 3) of the same load unmeasured, for BENCH_SECONDS (default 20) sends a mix of plan-dispatch and receipt commands with autocannon
 *     over BENCH_CONNECTIONS (default 16) connections, each command with its own Idempotency-Key; counts
 *     2xx answers only, and fails if more than 1% of the commands get an error other than a 409;
 *  4. stops the API and measures the raw baseline: plain single-row INSERTs into a same-shaped table
 *     by as many concurrent writers;
 *  5. prints the results, per command type, and where the time went (CPU of the API, of PostgreSQL and
 *     of the load generator; commits and WAL flushes; what the store's connections were doing).
 *
 * Env: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test), BENCH_SECONDS, BENCH_CONNECTIONS,
 * BENCH_WAREHOUSES, BENCH_REQUESTS_PER_WAREHOUSE (default 2), BENCH_RECEIPT_SHARE (default 0.5),
 * BENCH_DEPARTED (dispatches departed for receipts; default: 2.5x what the seeding's rate says the measured
 * phase will need), BENCH_RAW_OPS
 * (default 12,000, as bench:store), BENCH_SKIP_BUILD=1, BENCH_CPU_PROF=<dir> (profile the API with
 * node --cpu-prof and print a summary of the measured phase), BENCH_API_NODE_OPTIONS (NODE_OPTIONS of the API
 * only, e.g. a --require for an experiment), BENCH_KEEP=1 (keep the schema).
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Pool } from 'pg';
import { createPgRawTable, machine, pgRaw, rate, type Measured } from './bench-support';
import { startApiProcess, type ApiProcess } from './support/command-api.process';
import { seedCluster, type SeededCluster } from './support/cluster-seed';
import { CommandMix, COMMAND_KINDS, percentile, runCommandLoad, type CommandKind, type LoadResult } from './support/command-load';
import { formatProfileSummary, summarizeCpuProfile } from './support/cpu-profile.summary';
import { startProfiler, type RunProfile } from './support/run-profile';

const num = (name: string, fallback: number): number => {
  const v = process.env[name];
  if (v === undefined || v.trim() === '') return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name}: must be a non-negative number, got ${JSON.stringify(v)}`);
  return n;
};

const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SECONDS = num('BENCH_SECONDS', 20);
/** the same mix, unmeasured, first: the receipt path has not run during the seeding and is not compiled yet */
const WARMUP_SECONDS = num('BENCH_WARMUP_SECONDS', 3);
const CONNECTIONS = num('BENCH_CONNECTIONS', 16);
const WAREHOUSES = num('BENCH_WAREHOUSES', 40);
const REQUESTS_PER_WAREHOUSE = num('BENCH_REQUESTS_PER_WAREHOUSE', 2);
const RECEIPT_SHARE = num('BENCH_RECEIPT_SHARE', 0.5);
const TARGET_RATE = 1500;
/** fixed number of departed dispatches; by default, 2.5x what the seeding's rate says the measured phase will use */
const DEPARTED = process.env.BENCH_DEPARTED ? num('BENCH_DEPARTED', 0) : undefined;
const MIN_DEPARTED = 1000;
const RAW_OPS = num('BENCH_RAW_OPS', 12_000);
const TARGET_P99_MS = 50;
const TARGET_RATIO = 0.3;
const MAX_ERROR_RATE = 0.01;
/** Events each command appends when it succeeds (the flows of apps/command-api): reservation, claim, plan; delivery. */
const EVENTS_PER_COMMAND: Record<CommandKind, number> = { plan: 3, receipt: 1 };
const LABEL: Record<CommandKind, string> = { plan: 'plan dispatch (POST /dispatches)', receipt: 'record receipt (POST /dispatches/:id/receipt)' };

const withParam = (u: string, key: string, value: string) => `${u}${u.includes('?') ? '&' : '?'}${key}=${encodeURIComponent(value)}`;
const fmt = (n: number) => Math.round(n).toLocaleString('en');
const ms = (n: number) => (Number.isFinite(n) ? `${n.toFixed(1)} ms` : '-');
const nowUs = () => Number(process.hrtime.bigint() / 1000n);

function build(): void {
  if (process.env.BENCH_SKIP_BUILD === '1') return;
  process.stderr.write('  building the command API (npx nest build command-api)\n');
  const r = spawnSync('npx', ['nest', 'build', 'command-api'], { cwd: resolve(__dirname, '..'), stdio: ['ignore', 2, 2] });
  if (r.status !== 0) throw new Error(`npx nest build command-api failed (exit ${r.status})`);
}

interface StoreCheck {
  planned: number;
  delivered: number;
  events: number;
}

async function storeCheck(pool: Pool, schema: string): Promise<StoreCheck> {
  const { rows } = await pool.query<{ planned: string; delivered: string; events: string }>(
    `SELECT count(*) FILTER (WHERE type = 'DispatchPlanned') AS planned, count(*) FILTER (WHERE type = 'DispatchDelivered') AS delivered, count(*) AS events FROM ${schema}.events`,
  );
  return { planned: Number(rows[0].planned), delivered: Number(rows[0].delivered), events: Number(rows[0].events) };
}

function report(o: {
  load: LoadResult;
  raw: Measured;
  seeded: SeededCluster;
  profile: RunProfile;
  rawProfile: RunProfile;
  before: StoreCheck;
  after: StoreCheck;
}): { errorRate: number } {
  const { load, raw, seeded, profile, rawProfile } = o;
  const commandsPerSecond = load.ok / load.seconds;
  const rawRate = rate(raw);
  const ratio = commandsPerSecond / rawRate;
  const p = (q: number) => percentile(load.latencies, q);
  const status = (ok: boolean) => (ok ? 'met' : 'NOT met');
  const answered = load.latencies.length;
  const conflicts = load.failed.get(409) ?? 0;
  const otherFailures = [...load.failed.entries()].filter(([s]) => s !== 409).reduce((n, [, c]) => n + c, 0);
  const errors = otherFailures + load.errors;
  const errorRate = errors / Math.max(1, answered + load.errors);

  const out: string[] = [];
  out.push(`# bench:commands on ${machine()}, ${new Date().toISOString()}`);
  out.push('');
  out.push(
    `PostgreSQL, ${CONNECTIONS} connections for ${SECONDS} s; ${WAREHOUSES} warehouses with ${REQUESTS_PER_WAREHOUSE} approved request(s) each; ` +
      `mix ${Math.round(100 * (1 - RECEIPT_SHARE))}% plan-dispatch / ${Math.round(100 * RECEIPT_SHARE)}% receipt of dispatches departed during the seeding ` +
      `(seeded through the API: ${fmt(seeded.commands)} commands in ${seeded.seconds.toFixed(0)} s), after ${WARMUP_SECONDS} s of warm-up. The API runs as a child process; the raw baseline runs after it has stopped.`,
  );
  out.push('');
  out.push('| scenario | commands/s (2xx) | p50 | p97.5 | p99 | raw INSERT events/s | ratio | targets |');
  out.push('|---|---:|---:|---:|---:|---:|---:|---|');
  out.push(
    `| commands over HTTP, ${CONNECTIONS} connections | ${fmt(commandsPerSecond)} | ${ms(p(50))} | ${ms(p(97.5))} | ${ms(p(99))} | ${fmt(rawRate)} | ${ratio.toFixed(2)}x | ` +
      `>= ${fmt(TARGET_RATE)}/s ${status(commandsPerSecond >= TARGET_RATE)}; p99 < ${TARGET_P99_MS} ms ${status(p(99) < TARGET_P99_MS)}; >= ${TARGET_RATIO}x ${status(ratio >= TARGET_RATIO)} |`,
  );
  out.push('');
  out.push('| command | 2xx | not 2xx | commands/s | events/s | p50 | p97.5 | p99 | max |');
  out.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const kind of COMMAND_KINDS) {
    const k = load.byKind.get(kind);
    if (!k) continue;
    const failed = [...k.failed.values()].reduce((a, b) => a + b, 0);
    const q = (x: number) => percentile(k.latencies, x);
    out.push(
      `| ${LABEL[kind]} | ${fmt(k.ok)} | ${fmt(failed)} | ${fmt(k.ok / load.seconds)} | ${fmt((k.ok * EVENTS_PER_COMMAND[kind]) / load.seconds)} | ${ms(q(50))} | ${ms(q(97.5))} | ${ms(q(99))} | ${ms(k.latencies[k.latencies.length - 1] ?? NaN)} |`,
    );
  }
  out.push('');
  const statuses = [...load.failed.entries()].map(([s, n]) => `${s}: ${fmt(n)}`).join(', ') || 'none';
  out.push(
    `Answers: ${fmt(answered)} in ${load.seconds.toFixed(1)} s, ${fmt(load.ok)} 2xx; not 2xx: ${statuses}; no answer (connection errors, timeouts): ${fmt(load.errors)}. ` +
      `Errors other than 409: ${(100 * errorRate).toFixed(2)}% (limit ${100 * MAX_ERROR_RATE}%).` +
      (conflicts > 0 ? ` 409s are refusals by the state (counted apart from the errors).` : '') +
      (load.receiptsMissed > 0 ? ` The departed dispatches ran out: ${fmt(load.receiptsMissed)} receipts were replaced by plans (raise BENCH_DEPARTED).` : ''),
  );
  for (const [s, bodies] of load.samples) for (const b of bodies) out.push(`- ${s} ${b}`);
  const delivered = o.after.delivered - o.before.delivered;
  const planned = o.after.planned - o.before.planned;
  const recOk = load.byKind.get('receipt')?.ok ?? 0;
  const planOk = load.byKind.get('plan')?.ok ?? 0;
  out.push(
    `Store check: ${fmt(planned)} DispatchPlanned and ${fmt(delivered)} DispatchDelivered appended during the measured phase for ${fmt(planOk)} and ${fmt(recOk)} 2xx answers ` +
      `(a few more when commands were in flight as the load stopped); ${fmt(o.after.events - o.before.events)} events in all.`,
  );
  out.push('');

  const commands = Math.max(1, answered);
  const cpuRow = (what: string, s: number) =>
    `| ${what} | ${s.toFixed(1)} | ${((1000 * s) / commands).toFixed(2)} | ${((100 * s) / profile.seconds).toFixed(0)}% of one core |`;
  out.push(`Where the time went during the measured phase (${profile.seconds.toFixed(1)} s, ${fmt(commands)} commands answered):`);
  out.push('');
  out.push('| process | CPU s | CPU ms per command | load |');
  out.push('|---|---:|---:|---:|');
  out.push(cpuRow(`command API (child process; ${((100 * profile.apiSystemCpu) / Math.max(1e-9, profile.apiCpu)).toFixed(0)}% of it in the kernel)`, profile.apiCpu));
  out.push(cpuRow('PostgreSQL (all its processes)', profile.postgresCpu));
  out.push(cpuRow('load generator (autocannon, this process)', profile.loadCpu));
  const m = profile.machine;
  out.push(cpuRow('everything else (kernel threads, interrupts, other processes)', profile.machineBusy - profile.apiCpu - profile.postgresCpu - profile.loadCpu));
  out.push(
    `| whole machine (user ${m.user.toFixed(1)}, system ${m.system.toFixed(1)}, irq+softirq ${m.irq.toFixed(1)}, steal ${m.steal.toFixed(1)}) | ${profile.machineBusy.toFixed(1)} of ${profile.machineCapacity.toFixed(1)} | ${((1000 * profile.machineBusy) / commands).toFixed(2)} | ${((100 * profile.machineBusy) / Math.max(1e-9, profile.machineCapacity)).toFixed(0)}% busy |`,
  );
  out.push('');
  const pg = profile.pg;
  out.push(
    `PostgreSQL, this run's tables: ${(pg.scans / commands).toFixed(2)} index/table scans (reads), ${(pg.inserted / commands).toFixed(2)} rows inserted and ${(pg.updated / commands).toFixed(2)} updated per command. ` +
      `Database-wide (other clients included): ${(pg.commits / commands).toFixed(2)} commits and ${(pg.rollbacks / commands).toFixed(2)} rollbacks per command, ${fmt(pg.commits / profile.seconds)} commits/s. ` +
      `Cluster-wide WAL: ${fmt(pg.walSyncs / profile.seconds)} flushes/s (${(pg.commits / Math.max(1, pg.walSyncs)).toFixed(1)} commits per flush), ${fmt(pg.walBytes / commands)} bytes per command.`,
  );
  const rp = rawProfile.pg;
  out.push(
    `Raw baseline for comparison (${fmt(raw.events)} INSERTs in ${raw.seconds.toFixed(1)} s): PostgreSQL CPU ${((1000 * rawProfile.postgresCpu) / raw.events).toFixed(2)} ms and load generator CPU ${((1000 * rawProfile.loadCpu) / raw.events).toFixed(2)} ms per INSERT; ` +
      `${fmt(rp.walSyncs / rawProfile.seconds)} WAL flushes/s (${(rp.commits / Math.max(1, rp.walSyncs)).toFixed(1)} commits per flush); machine ${((100 * rawProfile.machineBusy) / Math.max(1e-9, rawProfile.machineCapacity)).toFixed(0)}% busy.`,
  );
  out.push(
    `The API's store connections (sampled every 25 ms): on average ${profile.meanBusyConnections.toFixed(1)} busy; ` +
      profile.activity.slice(0, 8).map((a) => `${a.what} ${(100 * a.share).toFixed(0)}%`).join(', ') +
      (profile.othersActive >= 0.05 ? `. Other clients active in the database meanwhile: ${profile.othersActive.toFixed(1)} on average (other work on the machine).` : '.'),
  );
  console.log(out.join('\n'));
  return { errorRate };
}

async function main(): Promise<void> {
  const schema = `bench_commands_${Date.now()}`;
  const appName = `lumbung-bench-${process.pid}`;
  const secret = randomBytes(32).toString('hex');
  const dataDir = mkdtempSync(join(tmpdir(), 'lumbung-bench-commands-'));
  const profDir = process.env.BENCH_CPU_PROF ? resolve(process.env.BENCH_CPU_PROF) : undefined;
  const admin = new Pool({ connectionString: url, max: CONNECTIONS + 2 });
  let api: ApiProcess | undefined;
  let cleaned: Promise<void> | undefined;
  const cleanup = () =>
    (cleaned ??= (async () => {
      await api?.stop().catch(() => undefined);
      if (process.env.BENCH_KEEP !== '1') await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch((e: Error) => process.stderr.write(`  could not drop schema ${schema}: ${e.message}\n`));
      await admin.end().catch(() => undefined);
      rmSync(dataDir, { recursive: true, force: true });
    })());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\n  ${signal}: stopping the API and dropping the schema\n`);
      void cleanup().finally(() => process.exit(130));
    });
  }

  let errorRate = 0;
  try {
    build();
    if (profDir) mkdirSync(profDir, { recursive: true });
    const profilesBefore = new Set(profDir ? readdirSync(profDir) : []);
    process.stderr.write(`  starting the command API on PostgreSQL, schema ${schema}\n`);
    api = await startApiProcess(
      {
        LUMBUNG_STORE: 'postgres',
        // The URL's application_name wins over the store's own: it tells this run's connections from others'.
        DATABASE_URL: withParam(url, 'application_name', appName),
        DATABASE_SCHEMA: schema,
        LUMBUNG_TOKEN_SECRET: secret,
        LUMBUNG_DATA: dataDir,
        LOG_LEVEL: 'warn',
        ...(process.env.BENCH_API_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_API_NODE_OPTIONS } : {}),
      },
      { nodeArgs: profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [] },
    );
    const seeded = await seedCluster(api.baseUrl, secret, {
      warehouses: WAREHOUSES,
      requestsPerWarehouse: REQUESTS_PER_WAREHOUSE,
      concurrency: CONNECTIONS,
      minDeparted: DEPARTED ?? Math.min(MIN_DEPARTED, Math.ceil(SECONDS * TARGET_RATE * RECEIPT_SHARE)),
      ...(DEPARTED === undefined ? { departedFor: (seedRate: number) => Math.min(200_000, (SECONDS + WARMUP_SECONDS) * seedRate * 2.5 * RECEIPT_SHARE) } : {}),
    });
    const mix = new CommandMix(seeded, RECEIPT_SHARE);
    if (WARMUP_SECONDS > 0) {
      process.stderr.write(`  warming up for ${WARMUP_SECONDS} s (not measured)\n`);
      await runCommandLoad(api.baseUrl, mix, WARMUP_SECONDS, CONNECTIONS);
      mix.receiptsMissed = 0;
    }
    const before = await storeCheck(admin, schema);
    const profiler = await startProfiler(admin, schema, api.pid, [appName]);
    const fromUs = nowUs();
    const load = await runCommandLoad(api.baseUrl, mix, SECONDS, CONNECTIONS);
    const toUs = nowUs();
    const profile = await profiler.stop();
    const after = await storeCheck(admin, schema);
    await api.stop();
    if (api.tail().trim() !== '') process.stderr.write(`  the API's last log lines:\n${api.tail()}\n`);

    const rawTable = await createPgRawTable(admin, schema);
    const rawProfiler = await startProfiler(admin, schema, undefined, [appName]);
    const raw = await pgRaw(admin, rawTable, `raw-${CONNECTIONS}`, RAW_OPS, CONNECTIONS, 1);
    const rawProfile = await rawProfiler.stop();
    ({ errorRate } = report({ load, raw, seeded, profile, rawProfile, before, after }));

    if (profDir) {
      const fresh = readdirSync(profDir).filter((f) => f.endsWith('.cpuprofile') && !profilesBefore.has(f));
      if (fresh.length === 0) process.stderr.write(`  no CPU profile was written into ${profDir}\n`);
      for (const f of fresh) {
        console.log(`\nCPU profile ${join(profDir, f)}\n`);
        console.log(formatProfileSummary(summarizeCpuProfile(join(profDir, f), { fromUs, toUs }), load.latencies.length));
      }
    }
    const delivered = after.delivered - before.delivered;
    const receiptsOk = load.byKind.get('receipt')?.ok ?? 0;
    if (delivered < receiptsOk) throw new Error(`${receiptsOk} receipts were answered 2xx but only ${delivered} DispatchDelivered events were appended`);
  } finally {
    await cleanup();
  }
  if (errorRate > MAX_ERROR_RATE) {
    console.error(`\nFAILED: ${(100 * errorRate).toFixed(2)}% of the commands got an error other than 409 (limit ${100 * MAX_ERROR_RATE}%)`);
    process.exitCode = 1;
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
