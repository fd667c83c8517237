import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import { dispatchLines, type DepartedDispatch, type SeededCluster } from './cluster-seed';

export type CommandKind = 'plan' | 'receipt';
export const COMMAND_KINDS: readonly CommandKind[] = ['plan', 'receipt'];

interface NextCommand {
  kind: CommandKind;
  path: string;
  token: string;
  body: unknown;
}

/** mulberry32: a small seeded generator, so that two runs send the same sequence of commands. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The measured phase's commands: plans from a random warehouse against one of its approved requests,
 * interleaved with receipts of the dispatches departed during the seeding (each received once, one in
 * ten short by one with a reason), in the proportion `receiptShare`. When the departed dispatches run
 * out, plans follow (counted, so that a run that was too short of them says so).
 */
export class CommandMix {
  private readonly random: () => number;
  private sent = 0;
  private nextReceipt = 0;
  receiptsMissed = 0;

  constructor(
    private readonly cluster: SeededCluster,
    private readonly receiptShare: number,
    seed = 20240304,
  ) {
    this.random = prng(seed);
  }

  get receiptsLeft(): number {
    return this.cluster.departed.length - this.nextReceipt;
  }

  next(): NextCommand {
    const n = this.sent++;
    const receiptTurn = Math.floor((n + 1) * this.receiptShare) > Math.floor(n * this.receiptShare);
    if (receiptTurn) {
      const d = this.cluster.departed[this.nextReceipt];
      if (d !== undefined) {
        this.nextReceipt++;
        return this.receipt(d, n);
      }
      this.receiptsMissed++;
    }
    return this.plan(n);
  }

  private plan(n: number): NextCommand {
    const w = this.cluster.warehouses[Math.floor(this.random() * this.cluster.warehouses.length)];
    const requestId = w.requestIds[Math.floor(this.random() * w.requestIds.length)];
    return {
      kind: 'plan',
      path: '/dispatches',
      token: this.cluster.eocToken,
      body: { warehouseId: w.warehouseId, destination: { kind: 'site', siteId: w.siteId }, requestId, lines: dispatchLines(n) },
    };
  }

  private receipt(d: DepartedDispatch, n: number): NextCommand {
    const short = n % 10 === 0;
    const lines = d.lines.map((l, k) =>
      short && k === 0 ? { itemId: l.itemId, received: l.quantity - 1, reason: '1 missing on arrival' } : { itemId: l.itemId, received: l.quantity },
    );
    return {
      kind: 'receipt',
      path: `/dispatches/${d.dispatchId}/receipt`,
      token: this.cluster.siteTokens.get(d.siteId) as string,
      body: { receivedBy: 'Koordinator posko', lines, ...(short ? { note: 'diterima sebagian' } : {}) },
    };
  }
}

export interface KindStats {
  kind: CommandKind;
  ok: number;
  /** status → count, for the answers that were not 2xx */
  failed: Map<number, number>;
  /** every response's latency in ms, 2xx or not */
  latencies: number[];
}

export interface LoadResult {
  seconds: number;
  ok: number;
  /** status → count, for the answers that were not 2xx */
  failed: Map<number, number>;
  /** connection errors and timeouts (no answer at all) */
  errors: number;
  timeouts: number;
  latencies: number[];
  byKind: Map<CommandKind, KindStats>;
  /** up to 3 answers per status that was not 2xx, to say what went wrong */
  samples: Map<number, string[]>;
  receiptsMissed: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** Sends the mix for `seconds` over `connections` keep-alive connections (one request in flight on each). */
export async function runCommandLoad(baseUrl: string, mix: CommandMix, seconds: number, connections: number): Promise<LoadResult> {
  const byKind = new Map<CommandKind, KindStats>(COMMAND_KINDS.map((kind) => [kind, { kind, ok: 0, failed: new Map(), latencies: [] }]));
  const samples = new Map<number, string[]>();
  // onResponse (which knows the request's kind) runs synchronously just before the instance's 'response'
  // event (which has autocannon's own timing) for the same client: the kind is handed over through this.
  let answered: CommandKind | undefined;
  const instance = autocannon({
    url: baseUrl,
    connections,
    duration: seconds,
    pipelining: 1,
    timeout: 10,
    requests: [
      {
        method: 'POST',
        setupRequest: (request, context) => {
          const c = mix.next();
          context.kind = c.kind;
          return {
            ...request,
            method: 'POST',
            path: c.path,
            headers: { Authorization: `Bearer ${c.token}`, 'Content-Type': 'application/json', 'Idempotency-Key': `bench-${randomUUID()}` },
            body: JSON.stringify(c.body),
          };
        },
        onResponse: (status, body, context) => {
          answered = context.kind as CommandKind;
          if (status < 200 || status >= 300) {
            const s = samples.get(status) ?? [];
            if (s.length < 3) s.push(`${String(context.kind)}: ${body.slice(0, 400)}`);
            samples.set(status, s);
          }
        },
      },
    ],
  });
  instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
    const kind = answered;
    answered = undefined;
    if (kind === undefined) throw new Error('a response without its command kind');
    const k = byKind.get(kind) as KindStats;
    k.latencies.push(ms);
    if (status >= 200 && status < 300) k.ok++;
    else k.failed.set(status, (k.failed.get(status) ?? 0) + 1);
  });
  let last = 0;
  const progress = setInterval(() => {
    const done = [...byKind.values()].reduce((n, k) => n + k.latencies.length, 0);
    process.stderr.write(`\r  measuring: ${done.toLocaleString('en')} answered (${(done - last).toLocaleString('en')}/s), ${mix.receiptsLeft.toLocaleString('en')} departed dispatches left   `);
    last = done;
  }, 1000);
  let result: autocannon.Result;
  try {
    result = await instance;
  } finally {
    clearInterval(progress);
    process.stderr.write('\n');
  }
  const failed = new Map<number, number>();
  for (const k of byKind.values()) {
    k.latencies.sort((a, b) => a - b);
    for (const [status, n] of k.failed) failed.set(status, (failed.get(status) ?? 0) + n);
  }
  const latencies = [...byKind.values()].flatMap((k) => k.latencies).sort((a, b) => a - b);
  const ok = [...byKind.values()].reduce((n, k) => n + k.ok, 0);
  if (ok !== result['2xx']) process.stderr.write(`  warning: ${ok} 2xx counted by kind, autocannon counted ${result['2xx']}\n`);
  return { seconds: result.duration, ok, failed, errors: result.errors, timeouts: result.timeouts, latencies, byKind, samples, receiptsMissed: mix.receiptsMissed };
}
