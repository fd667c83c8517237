import { readdirSync, readFileSync } from 'node:fs';
import type { Pool, PoolClient } from 'pg';

/**
 * Where the time of the measured phase goes, seen from outside the API: CPU seconds of the API
 * process, of PostgreSQL (all its processes) and of the load generator, read from /proc; commits and
 * WAL flushes from PostgreSQL's statistics; and what the store's connections were doing (running,
 * waiting on a lock, on the WAL flush, idle waiting for the API), sampled from pg_stat_activity.
 */

const TICKS = 100; // USER_HZ on Linux

interface ProcCpu {
  user: number;
  system: number;
}

function procCpu(pid: number): ProcCpu | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces): utime and stime are fields 14 and 15.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { user: Number(f[11]) / TICKS, system: Number(f[12]) / TICKS };
  } catch {
    return undefined;
  }
}

function procCpuSeconds(pid: number): number | undefined {
  const c = procCpu(pid);
  return c && c.user + c.system;
}

/** CPU seconds of every process named `postgres`, by pid. */
function postgresCpu(): Map<number, number> {
  const out = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== 'postgres') continue;
    } catch {
      continue;
    }
    const s = procCpuSeconds(Number(entry));
    if (s !== undefined) out.set(Number(entry), s);
  }
  return out;
}

interface MachineCpu {
  busy: number;
  total: number;
  user: number;
  system: number;
  /** interrupts and softirq: on loopback, the network stack's receive side */
  irq: number;
  /** time the hypervisor gave this VM's CPUs to someone else */
  steal: number;
}

/** CPU seconds of the whole machine (/proc/stat: user nice system idle iowait irq softirq steal ...). */
function machineCpu(): MachineCpu {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  // guest time is already counted in user
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = v[3] + (v[4] ?? 0);
  return { busy: (total - idle) / TICKS, total: total / TICKS, user: (v[0] + v[1]) / TICKS, system: v[2] / TICKS, irq: (v[5] + v[6]) / TICKS, steal: (v[7] ?? 0) / TICKS };
}

interface PgCounters {
  /** in the whole database (other clients' too) */
  commits: number;
  rollbacks: number;
  walRecords: number;
  walBytes: number;
  walWrites: number;
  walSyncs: number;
  /** in this run's schema only: index and sequential scans (reads), rows inserted and updated */
  scans: number;
  inserted: number;
  updated: number;
}

async function pgCounters(pool: Pool, schema: string): Promise<PgCounters> {
  const { rows } = await pool.query<Record<string, string>>(
    `SELECT d.xact_commit AS commits, d.xact_rollback AS rollbacks, w.wal_records, w.wal_bytes, w.wal_write, w.wal_sync, t.scans, t.inserted, t.updated
       FROM pg_stat_database d, pg_stat_wal w,
            (SELECT coalesce(sum(coalesce(idx_scan, 0) + seq_scan), 0) AS scans, coalesce(sum(n_tup_ins), 0) AS inserted, coalesce(sum(n_tup_upd), 0) AS updated
               FROM pg_stat_user_tables WHERE schemaname = $1) t
      WHERE d.datname = current_database()`,
    [schema],
  );
  const r = rows[0];
  return {
    commits: Number(r.commits),
    rollbacks: Number(r.rollbacks),
    walRecords: Number(r.wal_records),
    walBytes: Number(r.wal_bytes),
    walWrites: Number(r.wal_write),
    walSyncs: Number(r.wal_sync),
    scans: Number(r.scans),
    inserted: Number(r.inserted),
    updated: Number(r.updated),
  };
}

export interface RunProfile {
  seconds: number;
  apiCpu: number;
  /** the API's CPU in the kernel (syscalls: socket reads and writes) */
  apiSystemCpu: number;
  postgresCpu: number;
  loadCpu: number;
  machineBusy: number;
  machineCapacity: number;
  machine: { user: number; system: number; irq: number; steal: number };
  pg: PgCounters;
  /** "state / wait" → share of the samples of the store's connections */
  activity: Array<{ what: string; share: number }>;
  /** mean number of the store's connections in a transaction or running a statement */
  meanBusyConnections: number;
  /** connections of other clients (not this run) seen active in the same database: other work on the machine */
  othersActive: number;
}

export interface Profiler {
  stop(): Promise<RunProfile>;
}

const ACTIVITY_SQL = `SELECT application_name, state, wait_event_type, wait_event FROM pg_stat_activity
  WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'`;

/** Starts measuring; `storeApps` are the application_name of the API's store connections (its pool and sealer). */
export async function startProfiler(pool: Pool, schema: string, apiPid: number | undefined, storeApps: readonly string[], sampleEveryMs = 25): Promise<Profiler> {
  const sampler: PoolClient = await pool.connect();
  const t0 = process.hrtime.bigint();
  const api0 = (apiPid === undefined ? undefined : procCpu(apiPid)) ?? { user: 0, system: 0 };
  const pg0 = postgresCpu();
  const self0 = process.cpuUsage();
  const m0 = machineCpu();
  const c0 = await pgCounters(pool, schema);
  const counts = new Map<string, number>();
  let samples = 0;
  let busy = 0;
  let others = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const { rows } = await sampler.query<{ application_name: string | null; state: string | null; wait_event_type: string | null; wait_event: string | null }>(ACTIVITY_SQL);
      samples++;
      for (const r of rows) {
        if (!storeApps.includes(r.application_name ?? '')) {
          if (r.state === 'active') others++;
          continue;
        }
        const what = r.state === 'active' ? `active: ${r.wait_event_type ? `${r.wait_event_type}/${r.wait_event}` : 'running (CPU)'}` : `${r.state ?? '?'}${r.wait_event && r.wait_event !== 'ClientRead' ? ` ${r.wait_event}` : ''}`;
        counts.set(what, (counts.get(what) ?? 0) + 1);
        if (r.state !== 'idle') busy++;
      }
      await new Promise((r) => setTimeout(r, sampleEveryMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop.catch(() => undefined);
      sampler.release();
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      const pg1 = postgresCpu();
      let pgCpu = 0;
      for (const [pid, s] of pg1) pgCpu += s - (pg0.get(pid) ?? 0);
      const self = process.cpuUsage(self0);
      const m1 = machineCpu();
      const api1 = (apiPid === undefined ? undefined : procCpu(apiPid)) ?? api0;
      // Backends report their counters to the statistics at most once a second.
      await new Promise((r) => setTimeout(r, 1100));
      const c1 = await pgCounters(pool, schema);
      const total = [...counts.values()].reduce((a, b) => a + b, 0);
      return {
        seconds,
        apiCpu: api1.user + api1.system - api0.user - api0.system,
        apiSystemCpu: api1.system - api0.system,
        postgresCpu: pgCpu,
        loadCpu: (self.user + self.system) / 1e6,
        machineBusy: m1.busy - m0.busy,
        machineCapacity: m1.total - m0.total,
        machine: { user: m1.user - m0.user, system: m1.system - m0.system, irq: m1.irq - m0.irq, steal: m1.steal - m0.steal },
        pg: {
          // less the sampler's own queries (each is a transaction) and the first counters query
          commits: c1.commits - c0.commits - samples - 1,
          rollbacks: c1.rollbacks - c0.rollbacks,
          walRecords: c1.walRecords - c0.walRecords,
          walBytes: c1.walBytes - c0.walBytes,
          walWrites: c1.walWrites - c0.walWrites,
          walSyncs: c1.walSyncs - c0.walSyncs,
          scans: c1.scans - c0.scans,
          inserted: c1.inserted - c0.inserted,
          updated: c1.updated - c0.updated,
        },
        activity: [...counts.entries()].map(([what, n]) => ({ what, share: n / Math.max(1, total) })).sort((a, b) => b.share - a.share),
        meanBusyConnections: busy / Math.max(1, samples),
        othersActive: others / Math.max(1, samples),
      };
    },
  };
}
