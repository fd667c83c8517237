/**
 * npm run bench:queries — the dashboard's reads and the auditor's trail over HTTP on PostgreSQL, each
 * beside the raw SQL of the same read measured in the same run (issue #5 targets: p99 under 100 ms per
 * dashboard endpoint under 16 concurrent readers; the as-of replay of one request's trail under 200 ms).
 *
 *  1. generates an event store of a realistic cluster through the domain deciders, until it holds
 *     --requests requests (default 100,000) and --events events (default 1,000,000), in a schema of its
 *     own that is kept (BENCH_REUSE=<schema> measures it again without generating), and builds the read
 *     models beside it with the operators' rebuild (queries/generate-store.ts, queries/read-models.ts);
 *  2. starts the query API in this process on a loopback port, as distributed mode runs it, and drives
 *     each endpoint from a thread of its own with --connections readers (default 16), one request in
 *     flight each over keep-alive connections, varying ids and filters (queries/endpoints.ts): --warmup
 *     seconds unmeasured, then --max answers or --seconds, whichever comes first;
 *  3. runs the baseline of each endpoint right after it, with as many readers over a pg pool: the raw
 *     SQL of the same read;
 *  4. prints p50/p99/throughput per endpoint, the baseline's, the ratio of the throughputs, and whether
 *     the target is met.
 *
 * Usage: see queries/options.ts (npm run bench:queries -- --requests 5000 --events 50000 for a small run).
 */
import { performance } from 'node:perf_hooks';
import { Pool } from 'pg';
import { machine } from './bench-support';
import { startProfiler } from './support/run-profile';
import { asOfEndpoints } from './queries/as-of';
import { dashboardPageEndpoints } from './queries/dashboard-page';
import { dashboardEndpoints, type EndpointSpec } from './queries/endpoints';
import { generateStore } from './queries/generate-store';
import { HttpLoad } from './queries/http-load';
import { readOptions, USAGE, type BenchOptions } from './queries/options';
import { startQueryApi, type QueryApiHost } from './queries/query-api.host';
import { ensureReadModels, analyzeSchema } from './queries/read-models';
import { cpuTable, met, resultTable, type EndpointResult } from './queries/report';
import { drawSamples } from './queries/samples';
import { runSqlLoad } from './queries/sql-load';
import { describeStore, trailCheck } from './queries/store-facts';

const fmt = (n: number) => Math.round(n).toLocaleString('en');

async function prepare(admin: Pool, o: BenchOptions): Promise<string> {
  if (o.reuse) {
    const { rows } = await admin.query(`SELECT 1 FROM pg_namespace WHERE nspname = $1`, [o.reuse]);
    if (!rows.length) throw new Error(`BENCH_REUSE=${o.reuse}: no such schema`);
    console.log(`reusing the store kept in schema ${o.reuse}`);
    return o.reuse;
  }
  const schema = `bench_queries_${Math.round(o.requests / 1000)}k_${Date.now().toString(36)}`;
  console.log(`generating ${fmt(o.requests)} requests and ${fmt(o.events)} events (at least) into schema ${schema}`);
  const g = await generateStore({ url: o.url, schema, requests: o.requests, events: o.events });
  console.log(`generated ${fmt(g.events)} events (${fmt(g.requests)} requests) in ${fmt(g.appends)} appends in ${g.seconds.toFixed(0)} s (${fmt(g.events / g.seconds)} events/s; the simulator's deciding took ${g.simulatorSeconds.toFixed(0)} s of it)`);
  await analyzeSchema(admin, schema);
  return schema;
}

/**
 * A read that takes longer than this alone is measured with one reader and two answers: the API runs
 * in this process, and 16 such reads at once would hold its event loop (and the run) for minutes. One
 * that takes longer than VERY_SLOW_MS alone is not asked again: its first answer is the measure.
 */
const SLOW_ALONE_MS = 2_000;
const VERY_SLOW_MS = 30_000;

interface Rig {
  host: QueryApiHost;
  http: HttpLoad;
  /** the baseline's pool, as many connections as readers */
  raw: Pool;
  /** for the profiler's own queries */
  admin: Pool;
  schema: string;
}

/** The connections whose activity the profiler samples: the API's read models and store, and the baseline's. */
const APPS = ['lumbung-read-model', 'lumbung-event-store', 'bench-queries-raw'];

/** --no-cache: every answer computed (the read cache bypassed), to see what one computation costs. */
const headersOf = (o: BenchOptions): Record<string, string> => (o.cache ? {} : { 'Cache-Control': 'no-cache' });

async function measure({ host, http, raw, admin, schema }: Rig, e: EndpointSpec, o: BenchOptions): Promise<EndpointResult> {
  const load = { connections: e.connections ?? o.connections, warmupSeconds: e.warmupSeconds ?? o.warmupSeconds, seconds: e.seconds ?? o.seconds, maxRequests: e.maxRequests ?? o.maxRequests };
  const result: EndpointResult = { name: e.name, route: e.route, targetP99Ms: e.targetP99Ms, connections: load.connections, notes: [] };
  const token = host.tokens[e.reader];
  // answers alone first: a route that is missing or refuses is reported, not measured; a slow one is measured alone
  process.stderr.write(`  ${e.route}: answers alone first...`);
  let probeMs = Infinity;
  for (const v of [e.variants[0], e.variants[1 % e.variants.length]]) {
    const t0 = performance.now();
    const probe = await fetch(`${host.baseUrl}${v.path}`, { headers: { ...headersOf(o), Authorization: `Bearer ${token}` } });
    const body = await probe.text();
    const took = performance.now() - t0;
    probeMs = Math.min(probeMs, took);
    if (probe.status !== 200) {
      process.stderr.write(` ${probe.status}\n`);
      result.skipped = `${v.path} answered ${probe.status}: ${body.slice(0, 300)}`;
      return result;
    }
    if (took > VERY_SLOW_MS) {
      process.stderr.write(` ${(took / 1000).toFixed(0)} s: that answer is the measure; raw SQL...`);
      result.connections = 1;
      result.api = { latencies: [took], seconds: took / 1000, statuses: { 200: 1 }, errors: 0, bytes: Buffer.byteLength(body), busyMs: 0, cache: { [probe.headers.get('x-lumbung-cache') ?? 'none']: 1 } };
      result.raw = await runSqlLoad(raw, () => v.raw(raw), { connections: 1, warmupSeconds: 0, seconds: 1, maxRequests: 1 });
      result.notes.push(`one answer alone took ${(took / 1000).toFixed(0)} s: not asked again (the API runs in this process, and a read this long holds it)`);
      process.stderr.write(' done\n');
      return result;
    }
  }
  process.stderr.write(` the faster in ${probeMs.toFixed(0)} ms\n`);
  if (probeMs > SLOW_ALONE_MS && load.connections > 1) {
    Object.assign(load, { connections: 1, maxRequests: 2, warmupSeconds: 0 });
    result.connections = 1;
    result.notes.push(`an answer alone took ${(probeMs / 1000).toFixed(1)} s: measured with 1 reader and 2 answers instead of ${e.connections ?? o.connections} readers`);
  }
  process.stderr.write(`  ${e.route}: HTTP, ${load.connections} reader(s)...`);
  let profiler = await startProfiler(admin, schema, process.pid, APPS, 100);
  const api = await http.run({ baseUrl: host.baseUrl, targets: e.variants.map((v) => ({ path: v.path, token })), headers: headersOf(o), ...load });
  result.apiProfile = await profiler.stop();
  process.stderr.write(` raw SQL...`);
  profiler = await startProfiler(admin, schema, process.pid, APPS, 100);
  const rawOutcome = await runSqlLoad(raw, (pool, n) => e.variants[n % e.variants.length].raw(pool), load);
  result.rawProfile = await profiler.stop();
  process.stderr.write(` done\n`);
  result.notes.push(`served: ${Object.entries(api.cache).map(([how, n]) => `${how} ${fmt(n)}`).join(', ')} (X-Lumbung-Cache)`);
  if (api.failure) result.notes.push(`first answer other than 2xx: ${api.failure.status} for ${api.failure.path}: ${api.failure.body.slice(0, 300)}`);
  if (api.errors) result.notes.push(`${api.errors} requests got no answer`);
  if (rawOutcome.errors) result.notes.push(`raw SQL: ${rawOutcome.errors} errors, the first: ${rawOutcome.firstError}`);
  return { ...result, api, raw: rawOutcome };
}

async function main(): Promise<void> {
  let o: BenchOptions;
  try {
    o = readOptions(process.argv.slice(2), process.env);
  } catch (err) {
    console.error((err as Error).message);
    process.exitCode = 2;
    return;
  }
  const admin = new Pool({ connectionString: o.url, max: 2 });
  let schema: string | undefined;
  let host: QueryApiHost | undefined;
  let load: HttpLoad | undefined;
  const raw = new Pool({ connectionString: o.url, max: o.connections, application_name: 'bench-queries-raw' });
  try {
    console.log(`# bench:queries on ${machine()}; PostgreSQL ${(await admin.query('SHOW server_version')).rows[0].server_version}; ${new Date().toISOString()}\n`);
    schema = await prepare(admin, o);
    const ready = await ensureReadModels(admin, o.url, schema, o.rebuild);
    console.log(
      ready.rebuildSeconds === undefined
        ? `read models already rebuilt at the store's head (${fmt(ready.head)})`
        : `read models rebuilt from ${fmt(ready.rebuiltEvents ?? 0)} events in ${ready.rebuildSeconds.toFixed(0)} s`,
    );
    console.log(await describeStore(admin, schema));
    const samples = await drawSamples(admin, schema);
    const c = samples.counts;
    console.log(
      `read models: ${fmt(c.requests)} requests, ${fmt(c.dispatches)} dispatches (${fmt(c.inTransit)} in transit), ${fmt(c.pledges)} pledges, ${fmt(c.stockRows)} stock rows; ` +
        `${samples.incidents.length} incidents, ${samples.warehouses.length} warehouses sampled, ${samples.districts.length} districts; scenario time now: ${samples.now}`,
    );
    if (o.prepareOnly) return;
    const all = [...dashboardEndpoints(schema, samples), ...dashboardPageEndpoints(schema, samples), ...asOfEndpoints(schema, samples)];
    const named = (e: EndpointSpec, parts: string[]) => parts.some((x) => e.name.includes(x) || e.route.includes(x));
    const endpoints = all.filter((e) => (o.only.length === 0 || named(e, o.only)) && !named(e, o.skip));

    host = await startQueryApi(o.url, schema);
    load = new HttpLoad();
    console.log(`\nquery API in this process at ${host.baseUrl}; load from a worker thread; per endpoint ${o.warmupSeconds} s warm-up, then ${fmt(o.maxRequests)} answers or ${o.seconds} s; baseline right after, same readers over pg; ${o.cache ? 'the read cache allowed (as the dashboard reads)' : 'Cache-Control: no-cache on every request (each answer computed)'}\n`);
    const results: EndpointResult[] = [];
    for (const e of endpoints) results.push(await measure({ host, http: load, raw, admin, schema }, e, o));

    console.log(resultTable(results));
    console.log('');
    console.log(cpuTable(results));
    console.log('');
    const trail = endpoints.find((e) => e.route === 'GET /audit/requests/:id/trail');
    if (trail && host) console.log(await trailCheck(host, raw, trail));
    for (const r of results) for (const n of r.notes) console.log(`- ${r.route}: ${n}`);
    const judged = results.filter((r) => r.targetP99Ms !== undefined);
    const missed = judged.filter((r) => !met(r));
    console.log(`\ntargets: ${judged.length - missed.length} of ${judged.length} met${missed.length ? `; NOT met: ${missed.map((r) => `${r.route} (${r.connections} readers)`).join(', ')}` : ''}`);
  } finally {
    await load?.close();
    await host?.close();
    await raw.end();
    if (schema && !o.reuse && o.drop) {
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      console.log(`dropped schema ${schema}`);
    } else if (schema) {
      console.log(`kept: BENCH_REUSE=${schema} npm run bench:queries   (drop it with: psql "${o.url}" -c 'DROP SCHEMA ${schema} CASCADE')`);
    }
    await admin.end();
  }
}

main().catch((err) => {
  console.error(err);
  console.error(USAGE);
  process.exit(1);
});
