import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { parentPort } from 'node:worker_threads';

/**
 * The load generator's thread (started by http-load.ts): `connections` readers, each with one request
 * in flight over its own keep-alive connection, send GETs from a list of targets in turn, first for
 * `warmupSeconds` unmeasured, then until `maxRequests` answers or `seconds` have passed. It runs on its
 * own event loop, so that the query API on the main thread is not slowed by it beyond the CPU it takes.
 * Only node:* modules here: the thread loads this file alone.
 */

export interface LoadTarget {
  path: string;
  token: string;
}

export interface LoadSpec {
  baseUrl: string;
  connections: number;
  targets: LoadTarget[];
  warmupSeconds: number;
  seconds: number;
  maxRequests: number;
  /** sent with every request besides Authorization and Accept (e.g. Cache-Control: no-cache) */
  headers?: Record<string, string>;
}

export interface LoadOutcome {
  /** ms from sending the request to the last byte of the answer, every answer of the measured phase */
  latencies: number[];
  seconds: number;
  /** answers by status */
  statuses: Record<string, number>;
  /** requests without an answer (connection errors) */
  errors: number;
  /** bytes of the answers' bodies */
  bytes: number;
  /** answers by how the query API says it served them (its X-Lumbung-Cache header: hit, miss, bypass; none without it) */
  cache: Record<string, number>;
  /** ms this thread's event loop was busy during the measured phase (its CPU, near enough), to tell the load's CPU from the API's */
  busyMs: number;
  /** the first 2xx answer, and the first other one, to tell what was read */
  sample?: { path: string; status: number; body: string };
  failure?: { path: string; status: number; body: string };
}

interface Answer {
  status: number;
  bytes: number;
  cache: string;
  body?: string;
}

function get(agent: Agent, url: URL, target: LoadTarget, keepBody: boolean, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { agent, host: url.hostname, port: url.port, path: target.path, method: 'GET', headers: { ...headers, Authorization: `Bearer ${target.token}`, Accept: 'application/json' } },
      (res) => {
        const status = res.statusCode ?? 0;
        const cache = String(res.headers['x-lumbung-cache'] ?? 'none');
        const keep = keepBody || status < 200 || status >= 300;
        const chunks: Buffer[] = [];
        let bytes = 0;
        res.on('data', (c: Buffer) => {
          bytes += c.length;
          if (keep) chunks.push(c);
        });
        res.on('end', () => resolve({ status, bytes, cache, ...(keep ? { body: Buffer.concat(chunks).toString('utf8') } : {}) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

async function phase(spec: LoadSpec, agent: Agent, seconds: number, maxRequests: number, start: number): Promise<{ outcome: LoadOutcome; next: number }> {
  const url = new URL(spec.baseUrl);
  const outcome: LoadOutcome = { latencies: [], seconds: 0, statuses: {}, errors: 0, bytes: 0, busyMs: 0, cache: {} };
  const elu = performance.eventLoopUtilization();
  let next = start;
  let started = 0;
  const t0 = performance.now();
  const deadline = t0 + seconds * 1000;
  let last = t0;
  await Promise.all(
    Array.from({ length: spec.connections }, async () => {
      while (started < maxRequests && performance.now() < deadline) {
        started++;
        const target = spec.targets[next++ % spec.targets.length];
        const sent = performance.now();
        try {
          const a = await get(agent, url, target, outcome.sample === undefined, spec.headers);
          last = performance.now();
          outcome.latencies.push(last - sent);
          outcome.statuses[a.status] = (outcome.statuses[a.status] ?? 0) + 1;
          outcome.bytes += a.bytes;
          outcome.cache[a.cache] = (outcome.cache[a.cache] ?? 0) + 1;
          const ok = a.status >= 200 && a.status < 300;
          if (ok && !outcome.sample) outcome.sample = { path: target.path, status: a.status, body: a.body ?? '' };
          if (!ok && !outcome.failure) outcome.failure = { path: target.path, status: a.status, body: (a.body ?? '').slice(0, 2000) };
        } catch {
          last = performance.now();
          outcome.errors++;
        }
      }
    }),
  );
  outcome.seconds = (last - t0) / 1000;
  outcome.busyMs = performance.eventLoopUtilization(elu).active;
  return { outcome, next };
}

async function run(spec: LoadSpec): Promise<LoadOutcome> {
  const agent = new Agent({ keepAlive: true, maxSockets: spec.connections });
  try {
    const warm = spec.warmupSeconds > 0 ? await phase(spec, agent, spec.warmupSeconds, Number.MAX_SAFE_INTEGER, 0) : { next: 0 };
    return (await phase(spec, agent, spec.seconds, spec.maxRequests, warm.next)).outcome;
  } finally {
    agent.destroy();
  }
}

parentPort?.on('message', (spec: LoadSpec) => {
  run(spec).then(
    (outcome) => parentPort?.postMessage({ outcome }),
    (err: Error) => parentPort?.postMessage({ error: err.stack ?? err.message }),
  );
});
