/**
 * npm run bench:freshness [-- --rate 500 --seconds 20 --sustained-rate N] — part (b) of issue #4:
 * how soon a command's effect is visible in the read models, end to end, on the distributed setup.
 *
 *  1. builds and starts, as child processes on PostgreSQL (a schema for the store, one for the read
 *     models) and Kafka (a topic of its own): the command API (LUMBUNG_MODE=distributed), the relay
 *     and the projector (dist builds, as an operator runs them);
 *  2. seeds a cluster through the API (reference data, stock, approved requests, departed dispatches),
 *     which the relay and projector carry through too;
 *  3. sends plan-dispatch and receipt commands over HTTP at a target rate (default 500/s) for
 *     --seconds, open loop: command i is due at i / rate whatever became of the ones before, so a slow
 *     answer cannot hide its cost (coordinated omission), and command latency is counted from when a
 *     command was due;
 *  4. freshness, per 2xx: from the answer to the moment its effect is visible in the read model. The
 *     answer names the command's main stream (the dispatch's) and the revision it left; the effect is
 *     visible when the shipments projection's per-stream revision table (written in the same
 *     transaction as the projection's rows) holds that revision or a later one. One poller queries
 *     that table by primary key for all the streams still awaited, every BENCH_POLL_MS (default 5 ms):
 *     a few hundred small queries a second whatever the rate, instead of a query per command;
 *  5. if the API did not keep up with the target, again at a rate it sustains (--sustained-rate,
 *     default 70% of the rate it achieved), so that freshness is also seen without a queue in front;
 *  6. while loading, samples how far the pipeline is behind the store: the store's head minus the
 *     relay's checkpoint, plus the projector's Kafka lag (its /health), and the projector's lag in ms;
 *  7. baseline (the API, relay and projector stopped): the same hops without lumbung (INSERT into
 *     PostgreSQL, send to Kafka, a plain consumer INSERTing into another table, the same poller) at
 *     the rate each phase achieved.
 *
 * Kafka: KAFKA_BROKERS (default 127.0.0.1:9092); start one with `bash scripts/kafka.sh start`.
 * Env: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test), BENCH_RATE, BENCH_SECONDS,
 * BENCH_SUSTAINED_RATE, BENCH_RECEIPT_SHARE (default 0.5), BENCH_WAREHOUSES (default 40),
 * BENCH_POLL_MS (default 5), BENCH_VISIBLE_TIMEOUT_MS (default 30,000), BENCH_MAX_IN_FLIGHT (default 32),
 * BENCH_PARTITIONS (default 6), BENCH_SKIP_BUILD=1, BENCH_KEEP=1 (keep the schemas and topics).
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Pool } from 'pg';
import { createKafka } from '@lumbung/messaging';
import { machine } from './bench-support';
import { seedCluster, type SeededCluster } from './support/cluster-seed';
import { startChildApp, type ChildApp } from './support/child-app';
import { freePort, startApiProcess, type ApiProcess } from './support/command-api.process';
import { CommandMix, percentile } from './support/command-load';
import { runOpenLoop, type OpenLoopResult } from './support/open-loop';
import { runRawPipeline, type RawPipelineResult } from './support/raw-pipeline';
import { VisibilityPoller } from './support/visibility-poller';

function option(name: string, env: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const raw = at >= 0 ? process.argv[at + 1] : process.env[env];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} / ${env}: must be a non-negative number, got ${JSON.stringify(raw)}`);
  return n;
}

const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',').map((b) => b.trim()).filter(Boolean);
const RATE = option('rate', 'BENCH_RATE', 500);
const SECONDS = option('seconds', 'BENCH_SECONDS', 20);
const SUSTAINED = option('sustained-rate', 'BENCH_SUSTAINED_RATE', 0);
const RECEIPT_SHARE = option('receipt-share', 'BENCH_RECEIPT_SHARE', 0.5);
const WAREHOUSES = option('warehouses', 'BENCH_WAREHOUSES', 40);
const POLL_MS = option('poll-ms', 'BENCH_POLL_MS', 5);
const VISIBLE_TIMEOUT_MS = option('visible-timeout-ms', 'BENCH_VISIBLE_TIMEOUT_MS', 30_000);
/** commands in flight at most (a client's connection pool); the ones due beyond wait, and the wait counts in their latency */
const MAX_IN_FLIGHT = option('max-in-flight', 'BENCH_MAX_IN_FLIGHT', 32);
const PARTITIONS = option('partitions', 'BENCH_PARTITIONS', 6);
const WARMUP_SECONDS = 3;
/** a phase kept up with its target when it achieved this share of it */
const KEPT_UP = 0.97;

const ROOT = resolve(__dirname, '..');
const MAIN = (app: string) => join(ROOT, 'dist', 'apps', app, 'src', 'main.js');
const fmt = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en') : '-');
const ms = (n: number) => (Number.isFinite(n) ? `${n < 10 ? n.toFixed(1) : Math.round(n).toLocaleString('en')} ms` : '-');

function build(): void {
  if (process.env.BENCH_SKIP_BUILD === '1') return;
  for (const app of ['command-api', 'relay', 'projector']) {
    process.stderr.write(`  building ${app} (npx nest build ${app})\n`);
    const r = spawnSync('npx', ['nest', 'build', app], { cwd: ROOT, stdio: ['ignore', 2, 2] });
    if (r.status !== 0) throw new Error(`npx nest build ${app} failed (exit ${r.status})`);
  }
}

interface LagSample {
  /** events the store holds that the read models do not reflect yet: relay backlog + projector's Kafka lag */
  behindEvents: number;
  relayBacklog: number;
  projectorLagMs: number;
}

/** Samples, every 250 ms, how far behind the store the pipeline is. */
function sampleLag(admin: Pool, storeSchema: string, relayCheckpoint: string, projectorHealth: string): { stop(): Promise<LagSample[]> } {
  const samples: LagSample[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        const [{ rows }, health] = await Promise.all([
          admin.query<{ head: string | null; relayed: string | null }>(
            `SELECT (SELECT max(position) FROM "${storeSchema}".log) AS head, (SELECT position FROM "${storeSchema}".lumbung_checkpoints WHERE name = $1) AS relayed`,
            [relayCheckpoint],
          ),
          fetch(projectorHealth).then((r) => r.json() as Promise<{ lagEvents: number; lagMs: number }>),
        ]);
        const relayBacklog = Math.max(0, Number(rows[0].head ?? 0) - Number(rows[0].relayed ?? 0));
        samples.push({ behindEvents: relayBacklog + health.lagEvents, relayBacklog, projectorLagMs: health.lagMs });
      } catch {
        // a missed sample (the projector between two scrapes of its own)
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return samples;
    },
  };
}

interface PhaseResult {
  label: string;
  rate: number;
  load: OpenLoopResult;
  ok: number;
  failed: Map<number, number>;
  latencyMs: number[];
  freshnessMs: number[];
  notVisible: number;
  lag: LagSample[];
  pollIntervalMs: number;
  receiptsMissed: number;
  /** a few answers per status that was not 2xx */
  samples: Map<number, string[]>;
  /** the projector's own histograms over the phase: mean store-to-Kafka and store-to-read-model delay (ms) */
  projectorMeans: { relayMs: number; freshnessMs: number; events: number };
}

/** sum and count of the projector's two delay histograms (its /metrics) */
async function projectorDelays(metricsUrl: string): Promise<{ relay: [number, number]; fresh: [number, number] }> {
  const text = await (await fetch(metricsUrl)).text();
  const value = (name: string) => Number(new RegExp(`^${name} ([0-9.e+-]+)$`, 'm').exec(text)?.[1] ?? NaN);
  return {
    relay: [value('lumbung_projector_relay_delay_seconds_sum'), value('lumbung_projector_relay_delay_seconds_count')],
    fresh: [value('lumbung_projector_freshness_seconds_sum'), value('lumbung_projector_freshness_seconds_count')],
  };
}

async function runPhase(o: {
  label: string;
  rate: number;
  seconds: number;
  api: ApiProcess;
  mix: CommandMix;
  poller: VisibilityPoller;
  lag: () => ReturnType<typeof sampleLag>;
  metricsUrl: string;
}): Promise<PhaseResult> {
  const delays0 = await projectorDelays(o.metricsUrl);
  const failed = new Map<number, number>();
  const samples = new Map<number, string[]>();
  const latencyMs: number[] = [];
  const freshnessMs: number[] = [];
  const seen: Array<Promise<void>> = [];
  let ok = 0;
  const missedBefore = o.mix.receiptsMissed;
  const sampler = o.lag();
  const polls0 = o.poller.polls;
  process.stderr.write(`  ${o.label}: ${o.rate}/s for ${o.seconds} s\n`);
  const progress = setInterval(() => process.stderr.write(`\r    ${fmt(ok)} 2xx, ${fmt(o.poller.pending)} awaited in the read model   `), 1000);
  const load = await runOpenLoop<ReturnType<CommandMix['next']> & { answer?: { streamId?: string; revision?: number } }>({
    rate: o.rate,
    seconds: o.seconds,
    maxInFlight: MAX_IN_FLIGHT,
    next: () => o.mix.next(),
    send: async (c) => {
      const r = await fetch(`${o.api.baseUrl}${c.path}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${c.token}`, 'Content-Type': 'application/json', 'Idempotency-Key': randomBytes(12).toString('hex') },
        body: JSON.stringify(c.body),
      });
      const text = await r.text();
      if (r.status >= 200 && r.status < 300) c.answer = JSON.parse(text) as { streamId?: string; revision?: number };
      else {
        const s = samples.get(r.status) ?? [];
        if (s.length < 3) samples.set(r.status, [...s, `${c.kind}: ${text.slice(0, 300)}`]);
      }
      return r.status;
    },
    onAnswer: (c, a) => {
      latencyMs.push(a.answeredAt - a.dueAt);
      if (a.status < 200 || a.status >= 300) {
        failed.set(a.status, (failed.get(a.status) ?? 0) + 1);
        return;
      }
      ok++;
      const { streamId, revision } = c.answer ?? {};
      if (typeof streamId !== 'string' || typeof revision !== 'number') throw new Error(`a 2xx without streamId and revision: ${JSON.stringify(c.answer)}`);
      seen.push(
        Promise.race([o.poller.await(streamId, revision), new Promise<number>((r) => setTimeout(() => r(NaN), VISIBLE_TIMEOUT_MS))]).then((at) => {
          if (Number.isFinite(at)) freshnessMs.push(Math.max(0, at - a.answeredAt));
        }),
      );
    },
  });
  await Promise.all(seen);
  clearInterval(progress);
  process.stderr.write('\n');
  const lag = await sampler.stop();
  const polls = o.poller.polls - polls0;
  const delays1 = await projectorDelays(o.metricsUrl);
  const mean = (a: [number, number], b: [number, number]) => (1000 * (b[0] - a[0])) / Math.max(1, b[1] - a[1]);
  return {
    label: o.label,
    rate: o.rate,
    load,
    ok,
    failed,
    latencyMs: latencyMs.sort((a, b) => a - b),
    freshnessMs: freshnessMs.sort((a, b) => a - b),
    notVisible: seen.length - freshnessMs.length,
    lag,
    pollIntervalMs: polls > 0 ? (load.seconds * 1000) / polls : NaN,
    receiptsMissed: o.mix.receiptsMissed - missedBefore,
    samples,
    projectorMeans: { relayMs: mean(delays0.relay, delays1.relay), freshnessMs: mean(delays0.fresh, delays1.fresh), events: delays1.fresh[1] - delays0.fresh[1] },
  };
}

type Baseline = RawPipelineResult & { rate: number };

function report(phases: PhaseResult[], raws: Array<Baseline | undefined>, seeded: SeededCluster): void {
  const out: string[] = [];
  out.push('');
  out.push(
    `Open loop over HTTP; mix ${Math.round(100 * (1 - RECEIPT_SHARE))}% plan-dispatch (3 events on 3 streams) / ${Math.round(100 * RECEIPT_SHARE)}% receipt (1 event); ` +
      `${WAREHOUSES} warehouses, seeded through the API (${fmt(seeded.commands)} commands in ${seeded.seconds.toFixed(0)} s). ` +
      `Freshness: from a command's 2xx to its dispatch stream's revision in the read model (rm_shipments_stream_revisions), polled every ${POLL_MS} ms.`,
  );
  out.push('');
  out.push('| phase | target/s | achieved 2xx/s | 2xx | not 2xx | command latency p50 / p99 (from due) | freshness p50 | p95 | p99 | max | not visible in time | behind the store, events: mean / max | projector lag ms: mean / max |');
  out.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  const row = (label: string, target: number, achieved: number, okCount: number, notOk: number, latency: number[], fresh: number[], notVisible: number, lag?: LagSample[]) => {
    const q = (p: number) => percentile(fresh, p);
    const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
    const behind = lag?.map((s) => s.behindEvents) ?? [];
    const lagMs = lag?.map((s) => s.projectorLagMs) ?? [];
    out.push(
      `| ${label} | ${fmt(target)} | ${fmt(achieved)} | ${fmt(okCount)} | ${fmt(notOk)} | ${ms(percentile(latency, 50))} / ${ms(percentile(latency, 99))} | ${ms(q(50))} | ${ms(q(95))} | ${ms(q(99))} | ${ms(fresh[fresh.length - 1] ?? NaN)} | ${fmt(notVisible)} | ` +
        (lag ? `${fmt(mean(behind))} / ${fmt(Math.max(0, ...behind))} | ${fmt(mean(lagMs))} / ${fmt(Math.max(0, ...lagMs))} |` : '- | - |'),
    );
  };
  phases.forEach((p, i) => {
    const notOk = [...p.failed.values()].reduce((a, b) => a + b, 0);
    row(p.label, p.rate, p.ok / p.load.seconds, p.ok, notOk, p.latencyMs, p.freshnessMs, p.notVisible, p.lag);
    const raw = raws[i];
    if (raw) {
      const fresh = [...raw.freshnessMs].sort((a, b) => a - b);
      row('baseline: INSERT, Kafka, consumer INSERT (no lumbung), at the rate achieved above', raw.rate, raw.freshnessMs.length / raw.load.seconds, raw.freshnessMs.length, 0, [], fresh, raw.notVisible);
    }
  });
  out.push('');
  phases.forEach((p, i) => {
    const raw = raws[i];
    const sortedRaw = raw ? [...raw.freshnessMs].sort((a, b) => a - b) : [];
    const ratio = (q: number) => percentile(p.freshnessMs, q) / percentile(sortedRaw, q);
    const statuses = [...p.failed.entries()].map(([s, n]) => `${s === 0 ? 'no answer' : s}: ${fmt(n)}`).join(', ') || 'none';
    out.push(
      `- ${p.label}: ${fmt(p.load.due)} commands due in ${fmt(p.load.due / p.rate)} s, all answered after ${p.load.seconds.toFixed(1)} s; not 2xx: ${statuses}; ` +
        `largest queue in front of the API ${fmt(p.load.maxBacklog)} (at most ${fmt(MAX_IN_FLIGHT)} in flight); poll every ${p.pollIntervalMs.toFixed(1)} ms on average` +
        (raw ? `; freshness vs baseline: p50 ${ratio(50).toFixed(1)}x, p99 ${ratio(99).toFixed(1)}x` : '') +
        `; the projector's own histograms over the phase (${fmt(p.projectorMeans.events)} events): store to Kafka ${ms(p.projectorMeans.relayMs)} and store to read-model commit ${ms(p.projectorMeans.freshnessMs)} on average` +
        (p.receiptsMissed ? `; the departed dispatches ran out: ${fmt(p.receiptsMissed)} receipts replaced by plans` : '') +
        '.',
    );
    for (const [status, bodies] of p.samples) for (const b of bodies) out.push(`  - ${status} ${b}`);
  });
  console.log(out.join('\n'));
}

async function main(): Promise<void> {
  const tag = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const storeSchema = `bench_fresh_${tag}`;
  const rmSchema = `bench_fresh_rm_${tag}`;
  const topic = `lumbung.bench.freshness.${tag}`;
  const secret = randomBytes(32).toString('hex');
  const dataDir = mkdtempSync(join(tmpdir(), 'lumbung-bench-freshness-'));
  const admin = new Pool({ connectionString: url, max: 6 });
  const kafka = createKafka({ brokers, clientId: `bench-freshness-${tag}` });
  const kafkaAdmin = kafka.admin();
  const apps: Array<ApiProcess | ChildApp> = [];
  let cleaned: Promise<void> | undefined;
  const cleanup = () =>
    (cleaned ??= (async () => {
      for (const a of apps.reverse()) await a.stop().catch(() => undefined);
      if (process.env.BENCH_KEEP !== '1') {
        for (const s of [storeSchema, rmSchema]) await admin.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`).catch(() => undefined);
        await kafkaAdmin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      } else console.log(`kept: schemas ${storeSchema}, ${rmSchema}; topic ${topic}`);
      await kafkaAdmin.disconnect().catch(() => undefined);
      await admin.end().catch(() => undefined);
      rmSync(dataDir, { recursive: true, force: true });
    })());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void cleanup().finally(() => process.exit(130)));

  try {
    try {
      await kafkaAdmin.connect();
      await kafkaAdmin.listTopics();
    } catch (err) {
      throw new Error(`no Kafka at ${brokers.join(',')} (${(err as Error).message}). Start one with: bash scripts/kafka.sh start (KAFKA_PORT=<port> for another port, then KAFKA_BROKERS=127.0.0.1:<port>)`);
    }
    const pgVersion = (await admin.query('SHOW server_version')).rows[0].server_version as string;
    console.log(`bench:freshness (b) — ${machine()}; PostgreSQL ${pgVersion}; Kafka ${brokers.join(',')}, topic of ${PARTITIONS} partitions; target ${RATE} commands/s for ${SECONDS} s`);
    build();
    const common = {
      LUMBUNG_STORE: 'postgres',
      LUMBUNG_MODE: 'distributed',
      DATABASE_URL: url,
      DATABASE_SCHEMA: storeSchema,
      LUMBUNG_TOKEN_SECRET: secret,
      LUMBUNG_DATA: dataDir,
      KAFKA_BROKERS: brokers.join(','),
      LUMBUNG_EVENTS_TOPIC: topic,
      LUMBUNG_EVENTS_PARTITIONS: String(PARTITIONS),
    };
    process.stderr.write(`  starting the command API, the relay and the projector (store schema ${storeSchema}, read models ${rmSchema}, topic ${topic})\n`);
    const api = await startApiProcess({ ...common, LOG_LEVEL: 'warn' });
    apps.push(api);
    const metricsPort = await freePort();
    const isMsg = (m: string) => (e: Record<string, unknown>) => e.msg === m;
    apps.push(await startChildApp('relay', MAIN('relay'), { ...common, LOG_LEVEL: 'info' }, isMsg('relaying from the checkpoint')));
    apps.push(
      await startChildApp(
        'projector',
        MAIN('projector'),
        { ...common, LOG_LEVEL: 'info', READ_MODEL_SCHEMA: rmSchema, PROJECTOR_GROUP: `bench-freshness-${tag}`, PROJECTOR_METRICS_PORT: String(metricsPort) },
        isMsg('projector running'),
      ),
    );
    const health = `http://127.0.0.1:${metricsPort}/health`;

    const receiptsNeeded = Math.ceil(RATE * SECONDS * RECEIPT_SHARE * 1.7 + WARMUP_SECONDS * Math.min(RATE, 200) * RECEIPT_SHARE);
    const seeded = await seedCluster(api.baseUrl, secret, { warehouses: WAREHOUSES, requestsPerWarehouse: 2, concurrency: 16, minDeparted: receiptsNeeded });
    const relayCheckpoint = `relay:${topic}`;
    const caughtUp = async () => {
      for (const deadline = Date.now() + 120_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 250))) {
        const { rows } = await admin.query<{ head: string | null; relayed: string | null }>(
          `SELECT (SELECT max(position) FROM "${storeSchema}".log) AS head, (SELECT position FROM "${storeSchema}".lumbung_checkpoints WHERE name = $1) AS relayed`,
          [relayCheckpoint],
        );
        const h = (await (await fetch(health)).json()) as { lagEvents: number };
        if (rows[0].head !== null && rows[0].head === rows[0].relayed && h.lagEvents === 0) return;
      }
      throw new Error('the relay and projector did not catch up with the seeding within 120 s');
    };
    await caughtUp();

    const poller = new VisibilityPoller(admin, `SELECT stream_id AS key, revision AS version FROM "${rmSchema}".rm_shipments_stream_revisions WHERE stream_id = ANY($1::text[])`, POLL_MS).start();
    const mix = new CommandMix(seeded, RECEIPT_SHARE);
    const lag = () => sampleLag(admin, storeSchema, relayCheckpoint, health);
    const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    const phases: PhaseResult[] = [];
    try {
      await runPhase({ label: 'warm-up (not reported)', rate: Math.min(RATE, 200), seconds: WARMUP_SECONDS, api, mix, poller, lag, metricsUrl });
      await caughtUp();
      const first = await runPhase({ label: `target rate`, rate: RATE, seconds: SECONDS, api, mix, poller, lag, metricsUrl });
      phases.push(first);
      const achieved = first.ok / first.load.seconds;
      const sustained = SUSTAINED > 0 ? SUSTAINED : achieved >= KEPT_UP * RATE ? 0 : Math.max(10, Math.floor((0.7 * achieved) / 10) * 10);
      if (sustained > 0) {
        await caughtUp();
        phases.push(await runPhase({ label: 'a rate the API sustains', rate: sustained, seconds: SECONDS, api, mix, poller, lag, metricsUrl }));
      }
    } finally {
      await poller.stop();
    }
    for (const a of apps.splice(0).reverse()) await a.stop();

    // the baseline, everything else stopped, at the rate each phase achieved
    const raws: Baseline[] = [];
    for (const [i, p] of phases.entries()) {
      const rate = Math.max(1, Math.round(p.ok / p.load.seconds));
      process.stderr.write(`  baseline at ${rate}/s for ${Math.min(SECONDS, 10)} s\n`);
      raws.push({
        rate,
        ...(await runRawPipeline({
          pool: admin,
          kafka,
          schema: storeSchema,
          tables: `raw${i}`,
          topic: `${topic}.raw${i}`,
          partitions: PARTITIONS,
          rate,
          seconds: Math.min(SECONDS, 10),
          pollMs: POLL_MS,
          visibleTimeoutMs: VISIBLE_TIMEOUT_MS,
        })),
      });
    }
    report(phases, raws, seeded);
  } catch (err) {
    for (const a of apps) if ('name' in a) process.stderr.write(`  ${a.name}'s last log lines:\n${a.tail(15)}\n`);
    throw err;
  } finally {
    await cleanup();
  }
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
