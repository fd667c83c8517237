import type { RunProfile } from '../support/run-profile';
import type { LoadOutcome } from './http-load';
import type { SqlOutcome } from './sql-load';

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export interface EndpointResult {
  name: string;
  route: string;
  /** none: reported, not judged */
  targetP99Ms?: number;
  /** readers (connections) of this row */
  connections: number;
  api?: LoadOutcome;
  raw?: SqlOutcome;
  /** CPU of this process (the API and the load thread), of PostgreSQL and of the machine while each ran */
  apiProfile?: RunProfile;
  rawProfile?: RunProfile;
  /** why the endpoint was not measured */
  skipped?: string;
  notes: string[];
}

export interface Figures {
  answers: number;
  ok: number;
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
}

export function figures(latencies: readonly number[], seconds: number, ok = latencies.length): Figures {
  const sorted = [...latencies].sort((a, b) => a - b);
  return { answers: sorted.length, ok, perSecond: sorted.length / Math.max(seconds, 1e-9), p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) ?? NaN };
}

const ms = (v: number) => (Number.isFinite(v) ? `${v < 10 ? v.toFixed(2) : v.toFixed(1)} ms` : '-');
const int = (v: number) => Math.round(v).toLocaleString('en');

export const okCount = (o: LoadOutcome): number => Object.entries(o.statuses).reduce((n, [status, c]) => n + (Number(status) >= 200 && Number(status) < 300 ? c : 0), 0);

/** true when every answer was a 2xx, nothing failed, and the p99 is under the target. */
export function met(r: EndpointResult): boolean {
  if (!r.api || r.targetP99Ms === undefined) return false;
  const f = figures(r.api.latencies, r.api.seconds);
  return r.api.errors === 0 && okCount(r.api) === f.answers && f.answers > 0 && f.p99 < r.targetP99Ms;
}

export function resultTable(results: readonly EndpointResult[]): string {
  const lines = [
    '| endpoint | readers | answers (2xx) | req/s | p50 | p99 | max | KB/answer | raw SQL q/s | raw p50 | raw p99 | ratio (req/s) | target p99 |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const r of results) {
    const label = `${r.name}<br>\`${r.route}\``;
    if (!r.api) {
      lines.push(`| ${label} | ${r.connections} | - | - | - | - | - | - | - | - | - | - | not measured: ${r.skipped ?? '?'} |`);
      continue;
    }
    const a = figures(r.api.latencies, r.api.seconds, okCount(r.api));
    const raw = r.raw ? figures(r.raw.latencies, r.raw.seconds) : undefined;
    const ratio = raw ? `${(a.perSecond / raw.perSecond).toFixed(2)}x` : '-';
    const kb = a.answers ? (r.api.bytes / a.answers / 1024).toFixed(1) : '-';
    lines.push(
      `| ${label} | ${r.connections} | ${int(a.answers)}${a.ok === a.answers ? '' : ` (${int(a.ok)})`} | ${int(a.perSecond)} | ${ms(a.p50)} | ${ms(a.p99)} | ${ms(a.max)} | ${kb} | ` +
        `${raw ? int(raw.perSecond) : '-'} | ${raw ? ms(raw.p50) : '-'} | ${raw ? ms(raw.p99) : '-'} | ${ratio} | ${r.targetP99Ms === undefined ? 'none (reported)' : `< ${r.targetP99Ms} ms ${met(r) ? 'met' : '**NOT met**'}`} |`,
    );
  }
  return lines.join('\n');
}

const cpu = (seconds: number, per: number) => (per > 0 ? (seconds * 1000) / per : NaN);

/**
 * Where the time went, per answer: this process's CPU less the load thread's (the API: HTTP, Nest,
 * TypeORM, JSON), the load thread's, PostgreSQL's (all its processes: other clients' work on the
 * machine is in it too, hence the last column); and the baseline's PostgreSQL and pg-client CPU per read.
 */
export function cpuTable(results: readonly EndpointResult[]): string {
  const lines = [
    '| endpoint | API CPU ms/answer | load thread ms/answer | PostgreSQL CPU ms/answer | raw: PostgreSQL CPU ms/read | raw: pg client ms/read | machine busy (HTTP phase) | CPU of other processes (HTTP phase) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of results) {
    const a = r.apiProfile;
    const w = r.rawProfile;
    if (!r.api || !a) continue;
    const n = r.api.latencies.length;
    const m = r.raw?.latencies.length ?? 0;
    const apiCpu = a.apiCpu - r.api.busyMs / 1000;
    const others = Math.max(0, a.machineBusy - a.apiCpu - a.postgresCpu);
    lines.push(
      `| ${r.route} (${r.connections}) | ${ms0(cpu(apiCpu, n))} | ${ms0(cpu(r.api.busyMs / 1000, n))} | ${ms0(cpu(a.postgresCpu, n))} | ${w ? ms0(cpu(w.postgresCpu, m)) : '-'} | ${w ? ms0(cpu(w.apiCpu, m)) : '-'} | ` +
        `${pct(a.machineBusy, a.machineCapacity)} | ${(others / Math.max(a.seconds, 1e-9)).toFixed(2)} cores |`,
    );
  }
  return lines.join('\n');
}

const ms0 = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : '-');
const pct = (part: number, whole: number) => (whole > 0 ? `${Math.round((100 * part) / whole)}%` : '-');
