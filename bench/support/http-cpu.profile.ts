/**
 * CPU per HTTP request in the query API (and, with --commands, the command API): how much of this
 * process's CPU one answer costs, on a small generated cluster, with the load generator in a child
 * process so that only the API's own CPU is counted. CPU per request (process.cpuUsage delta over the
 * answers) is robust on a shared machine where wall time is not; it includes the pg driver, garbage
 * collection and logging, not PostgreSQL.
 *
 *   node -r ./scripts/support/swc-register.js bench/support/http-cpu.profile.ts \
 *     [--requests 5000] [--repeat 3] [--inflight 8] [--warmup 500] [--log-level info] [--no-cache]
 *     [--profile <dir>] [--commands] [--only <endpoint name part>]... [--keep]
 *   env: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test), HTTP_CPU_REUSE=<schema> (a kept store; else
 *        one is generated and dropped at the end unless --keep)
 *
 * Each endpoint: `warmup` unmeasured requests, then `repeat` rounds of `requests`; the least round and
 * the median are printed. --no-cache sends the reads with `Cache-Control: no-cache`, so that a response
 * cache in front of the handlers is bypassed and the reads' SQL runs every time. --commands also
 * measures two commands on a command API of its own (a fresh `<schema>_cmd` store, seeded here).
 *
 * (`npx ts-node -r tsconfig-paths/register --transpile-only` runs it too, but ts-node loads node's `domain`
 * module, which makes every EventEmitter of the process slower than in a deployed app: see scripts/support/swc-register.js.)
 *
 * --profile writes a .cpuprofile of each endpoint's measured phase (a second pass, profiled through the
 * inspector so that the figures of the first pass are not inflated) and prints where the CPU went by
 * layer and by package (cpu-profile.summary.ts).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Pool, escapeIdentifier } from 'pg';
import { PostgresEventStore } from '@lumbung/event-store-postgres';
import { issueToken, loadConfig, readModelOptionsFor, type LumbungConfig } from '@lumbung/platform';
import { openReadModel } from '@lumbung/read-model';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createCommandApi } from '../../apps/command-api/src/app.factory';
import { createQueryApi } from '../../apps/query-api/src/app.factory';
import { generateStore } from '../queries/generate-store';
import { analyzeSchema, ensureReadModels } from '../queries/read-models';
import { drawSamples } from '../queries/samples';
import { BenchHttpClient } from './bench-http.client';
import { summarizeCpuProfile } from './cpu-profile.summary';
import type { LoadResult, LoadSpec, LoadTarget } from './http-cpu.load';

const { values: args } = parseArgs({
  options: {
    requests: { type: 'string', default: '5000' },
    inflight: { type: 'string', default: '8' },
    warmup: { type: 'string', default: '500' },
    'log-level': { type: 'string', default: 'info' },
    profile: { type: 'string' },
    commands: { type: 'boolean', default: false },
    only: { type: 'string', multiple: true },
    keep: { type: 'boolean', default: false },
    repeat: { type: 'string', default: '3' },
    'no-cache': { type: 'boolean', default: false },
  },
});
const REQUESTS = Number(args.requests);
const INFLIGHT = Number(args.inflight);
const WARMUP = Number(args.warmup);
const LOG_LEVEL = args['log-level'] as string;
/** measured rounds per endpoint: other work on the machine only ever adds CPU per request, so the least round is reported beside the median */
const REPEAT = Number(args.repeat);
const URL_ = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

interface Endpoint {
  name: string;
  baseUrl: string;
  targets: LoadTarget[];
}

/** The load generator: one child process for the whole run, one LoadSpec at a time. */
class Loader {
  private constructor(
    private readonly child: ChildProcess,
    private next = 0,
  ) {}

  static async start(): Promise<Loader> {
    const child = fork(join(__dirname, 'http-cpu.load.ts'), [], { execArgv: ['-r', join(__dirname, '..', '..', 'scripts', 'support', 'swc-register.js')], stdio: 'inherit' });
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`the load generator exited (${code})`)));
    });
    return new Loader(child);
  }

  run(e: Endpoint, count: number): Promise<LoadResult> {
    const spec: LoadSpec = { baseUrl: e.baseUrl, inflight: INFLIGHT, count, firstN: this.next, targets: e.targets };
    this.next += count;
    return new Promise((resolve) => {
      this.child.once('message', (r) => resolve(r as LoadResult));
      this.child.send(spec);
    });
  }

  stop(): void {
    this.child.disconnect();
  }
}

const get = (path: string, token: string): LoadTarget => ({
  method: 'GET',
  path,
  headers: { Authorization: `Bearer ${token}`, Accept: 'application/json', ...(args['no-cache'] ? { 'Cache-Control': 'no-cache' } : {}) },
});
const post = (path: string, token: string, body: unknown): LoadTarget => ({
  method: 'POST',
  path,
  headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'Idempotency-Key': 'http-cpu-{n}' },
  body: JSON.stringify(body),
});

/** Log lines counted, not kept: the cost of writing a line is pino's serialising it, which still happens. */
class LineCounter {
  lines = 0;
  write(): boolean {
    this.lines++;
    return true;
  }
}

async function prepareStore(admin: Pool): Promise<{ schema: string; generated: boolean }> {
  const reuse = process.env.HTTP_CPU_REUSE?.trim();
  if (reuse) return { schema: reuse, generated: false };
  const schema = `bench_http_cpu_${Date.now().toString(36)}`;
  console.log(`generating a small cluster into schema ${schema}`);
  const g = await generateStore({ url: URL_, schema, requests: 300, events: 4_000 });
  console.log(`generated ${g.events} events (${g.requests} requests) in ${g.seconds.toFixed(0)} s`);
  await analyzeSchema(admin, schema);
  return { schema, generated: true };
}

function configFor(schema: string, secret: string): LumbungConfig {
  return loadConfig({
    LUMBUNG_STORE: 'postgres',
    LUMBUNG_MODE: 'distributed',
    DATABASE_URL: URL_,
    DATABASE_SCHEMA: schema,
    LUMBUNG_TOKEN_SECRET: secret,
    LUMBUNG_DATA: tmpdir(),
    LOG_LEVEL: LOG_LEVEL,
  });
}

interface Measure {
  name: string;
  /** CPU µs per request of each round */
  rounds: number[];
  userUs: number;
  systemUs: number;
  logLinesPerRequest: number;
  bytesPerAnswer: number;
}

async function measure(loader: Loader, e: Endpoint, log: LineCounter, profileDir: string | undefined): Promise<Measure> {
  const check = (r: LoadResult, phase: string) => {
    const ok = Object.entries(r.statuses).reduce((n, [s, c]) => n + (Number(s) < 300 ? c : 0), 0);
    if (r.errors || ok === 0 || r.failure) throw new Error(`${e.name} (${phase}): ${JSON.stringify(r)}`);
  };
  check(await loader.run(e, WARMUP), 'warm-up');
  const lines0 = log.lines;
  const rounds: number[] = [];
  let best = { user: Infinity, system: 0 };
  let bytes = 0;
  for (let i = 0; i < REPEAT; i++) {
    const c0 = process.cpuUsage();
    const r = await loader.run(e, REQUESTS);
    const c = process.cpuUsage(c0);
    check(r, 'measured');
    rounds.push((c.user + c.system) / REQUESTS);
    if (c.user + c.system < best.user + best.system) best = c;
    bytes += r.bytes;
  }
  const result: Measure = {
    name: e.name,
    rounds,
    userUs: best.user / REQUESTS,
    systemUs: best.system / REQUESTS,
    logLinesPerRequest: (log.lines - lines0) / (REQUESTS * REPEAT),
    bytesPerAnswer: bytes / (REQUESTS * REPEAT),
  };
  if (profileDir) {
    const session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 100 });
    await session.post('Profiler.start');
    check(await loader.run(e, REQUESTS), 'profiled');
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    const file = join(profileDir, `${e.name.replace(/[^a-z0-9]+/gi, '_')}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    const s = summarizeCpuProfile(file);
    const per = (ms: number) => `${((1000 * ms) / REQUESTS).toFixed(0)} µs`;
    console.log(`\n### ${e.name}: profile ${file} (${per(s.busyMs)} sampled per request)`);
    console.log('by layer:       ' + s.byLayer.slice(0, 14).map(([k, ms]) => `${k} ${per(ms)}`).join('; '));
    console.log('self, package:  ' + s.selfByCategory.slice(0, 16).map(([k, ms]) => `${k} ${per(ms)}`).join('; '));
    console.log('self, function: ' + s.selfByFunction.slice(0, 16).map(([k, ms]) => `${k} ${per(ms)}`).join('; '));
  }
  return result;
}

async function queryEndpoints(admin: Pool, schema: string, secret: string, log: LineCounter): Promise<{ app: NestExpressApplication; endpoints: Endpoint[]; close: () => Promise<void> }> {
  await ensureReadModels(admin, URL_, schema, false);
  const samples = await drawSamples(admin, schema);
  const config = configFor(schema, secret);
  if (config.store.kind !== 'postgres') throw new Error('PostgreSQL only');
  const store = await PostgresEventStore.connect({ connectionString: config.store.url, schema: config.store.schema });
  const readModel = await openReadModel(readModelOptionsFor(config.store));
  const app = await createQueryApi(config, { store, readModel, shutdownHooks: false, logDestination: log });
  await app.listen(0, '127.0.0.1');
  const baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  const commander = issueToken(secret, { sub: 'bench-commander', role: 'commander' }, '12h');
  const auditor = issueToken(secret, { sub: 'bench-auditor', role: 'auditor' }, '12h');
  const endpoints: Endpoint[] = [
    { name: 'GET /query/requests/:id', baseUrl, targets: samples.requests.slice(0, 100).map((id) => get(`/query/requests/${encodeURIComponent(id)}`, commander)) },
    { name: 'GET /query/dashboard/incidents', baseUrl, targets: [get('/query/dashboard/incidents', commander)] },
    { name: 'GET /query/readiness/plans', baseUrl, targets: [get('/query/readiness/plans', commander)] },
    { name: 'GET /query/shipments?status=in-transit', baseUrl, targets: [get('/query/shipments?status=in-transit', commander)] },
    { name: 'GET /audit/requests/:id/trail', baseUrl, targets: samples.dispatchedRequests.slice(0, 100).map((id) => get(`/audit/requests/${encodeURIComponent(id)}/trail`, auditor)) },
  ];
  return {
    app,
    endpoints,
    close: async () => {
      await app.close();
      await store.close();
      await readModel.destroy();
    },
  };
}

const CMD_ITEMS = ['rice-5kg', 'family-kit', 'water-600ml', 'noodles'];
const CMD_WAREHOUSES = 16;

async function commandEndpoints(schema: string, secret: string, log: LineCounter): Promise<{ endpoints: Endpoint[]; close: () => Promise<void> }> {
  const app = await createCommandApi(configFor(schema, secret), { shutdownHooks: false, logDestination: log });
  await app.listen(0, '127.0.0.1');
  const baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  const admin = issueToken(secret, { sub: 'bench-admin', role: 'admin' }, '12h');
  const eoc = issueToken(secret, { sub: 'bench-eoc', role: 'eoc', member: 'bpbd-bench' }, '12h');
  const c = new BenchHttpClient(baseUrl);
  await c.ok('/members', { memberId: 'bpbd-bench', name: 'BPBD (benchmark)', kind: 'government' }, admin);
  for (const itemId of CMD_ITEMS) await c.ok('/items', { itemId, code: itemId.toUpperCase(), name: itemId, unit: 'unit', category: 'food' }, admin);
  const warehouses = Array.from({ length: CMD_WAREHOUSES }, (_, i) => `gd-cpu-${i}`);
  for (const w of warehouses) await c.ok('/warehouses', { warehouseId: w, name: `Gudang ${w}`, ownerMemberId: 'bpbd-bench', district: 'Batanghari', lat: -1.6, lon: 103.4 }, admin);
  const lines = CMD_ITEMS.slice(0, 2).map((itemId) => ({ itemId, quantity: 5 }));
  const endpoints: Endpoint[] = [
    {
      name: 'POST /warehouses/:id/stock/receipts',
      baseUrl,
      targets: warehouses.map((w) => post(`/warehouses/${w}/stock/receipts`, eoc, { source: { kind: 'procurement', reference: 'PO-{n}' }, lines })),
    },
    { name: 'POST /items', baseUrl, targets: [post('/items', admin, { itemId: 'item-{n}', code: 'C-{n}', name: 'Item {n}', unit: 'unit', category: 'food' })] },
  ];
  return { endpoints, close: () => app.close() };
}

async function main(): Promise<void> {
  if ((process as unknown as { moduleLoadList: string[] }).moduleLoadList.includes('NativeModule domain')) {
    console.warn('note: node:domain is loaded (ts-node does), which slows every EventEmitter; run with `node -r ./scripts/support/swc-register.js` for figures like a deployed app');
  }
  const admin = new Pool({ connectionString: URL_, max: 2 });
  const { schema, generated } = await prepareStore(admin);
  const cmdSchema = `${schema}_cmd`;
  // The command API's own store, seeded afresh each run (a kept one would refuse the seeding's ids).
  await admin.query(`DROP SCHEMA IF EXISTS ${escapeIdentifier(cmdSchema)} CASCADE`);
  const secret = randomBytes(32).toString('hex');
  const profileDir = args.profile;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const loader = await Loader.start();
  const results: Measure[] = [];
  const wanted = (e: Endpoint) => !args.only?.length || args.only.some((o) => e.name.includes(o));
  try {
    const log = new LineCounter();
    const q = await queryEndpoints(admin, schema, secret, log);
    try {
      for (const e of q.endpoints.filter(wanted)) results.push(await measure(loader, e, log, profileDir));
    } finally {
      await q.close();
    }
    if (args.commands) {
      const cmd = await commandEndpoints(cmdSchema, secret, log);
      try {
        for (const e of cmd.endpoints.filter(wanted)) results.push(await measure(loader, e, log, profileDir));
      } finally {
        await cmd.close();
      }
    }
  } finally {
    loader.stop();
    if (!args.keep) {
      await admin.query(`DROP SCHEMA IF EXISTS ${escapeIdentifier(cmdSchema)} CASCADE`);
      if (generated) await admin.query(`DROP SCHEMA IF EXISTS ${escapeIdentifier(schema)} CASCADE`);
    } else if (generated) console.log(`kept: HTTP_CPU_REUSE=${schema}`);
    await admin.end();
  }
  console.log(
    `\nAPI process CPU per request (${REPEAT} rounds of ${REQUESTS} requests per endpoint, ${INFLIGHT} in flight, after ${WARMUP} unmeasured; ` +
      `LOG_LEVEL=${LOG_LEVEL}${args['no-cache'] ? '; reads sent with Cache-Control: no-cache' : ''}; Node ${process.version})\n`,
  );
  console.log('| endpoint | CPU µs/request: least round | median | user | system (least round) | log lines/request | bytes/answer |\n|---|---:|---:|---:|---:|---:|---:|');
  for (const r of results) {
    const sorted = [...r.rounds].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)];
    console.log(
      `| ${r.name} | ${sorted[0].toFixed(0)} | ${median.toFixed(0)} | ${r.userUs.toFixed(0)} | ${r.systemUs.toFixed(0)} | ${r.logLinesPerRequest.toFixed(2)} | ${r.bytesPerAnswer.toFixed(0)} |`,
    );
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
