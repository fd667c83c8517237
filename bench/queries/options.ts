import { parseArgs } from 'node:util';

export interface BenchOptions {
  url: string;
  /** a kept schema to measure again (BENCH_REUSE), or undefined to generate one */
  reuse?: string;
  requests: number;
  events: number;
  connections: number;
  /** measured seconds per endpoint, at most */
  seconds: number;
  /** measured answers per endpoint, at most */
  maxRequests: number;
  warmupSeconds: number;
  /** only the endpoints whose name or route contains one of these */
  only: string[];
  /** not the endpoints whose name or route contains one of these */
  skip: string[];
  /** rebuild the read models of a reused store even when they are at its head */
  rebuild: boolean;
  /** drop the generated schema at the end (it is kept by default: generating it is the long part) */
  drop: boolean;
  /** generate (or reuse) and rebuild, describe the data, and stop before measuring */
  prepareOnly: boolean;
  /** false (--no-cache): every request says Cache-Control: no-cache, so the query API computes every answer */
  cache: boolean;
}

export const USAGE = `npm run bench:queries -- [--requests 100000] [--events 1000000] [--seconds 10] [--max 20000] [--warmup 2]
                            [--connections 16] [--only <endpoint name or route part>]... [--skip <part>]... [--rebuild] [--drop] [--prepare-only] [--no-cache]
  env: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test), BENCH_REUSE=<schema> (measure a kept store again),
       BENCH_REQUESTS, BENCH_EVENTS, BENCH_SECONDS, BENCH_MAX, BENCH_CONNECTIONS (the flags win)`;

function positive(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw.replace(/[_,]/g, ''));
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name}: a positive number, got ${JSON.stringify(raw)}\n${USAGE}`);
  return n;
}

export function readOptions(argv: string[], env: NodeJS.ProcessEnv): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      requests: { type: 'string' },
      events: { type: 'string' },
      seconds: { type: 'string' },
      max: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      only: { type: 'string', multiple: true },
      skip: { type: 'string', multiple: true },
      rebuild: { type: 'boolean' },
      drop: { type: 'boolean' },
      'prepare-only': { type: 'boolean' },
      'no-cache': { type: 'boolean' },
    },
    strict: true,
    allowPositionals: false,
  });
  const reuse = env.BENCH_REUSE?.trim() || undefined;
  if (reuse !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(reuse)) throw new Error(`BENCH_REUSE: a schema name (a-z, 0-9, _), got ${JSON.stringify(reuse)}`);
  return {
    url: env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    reuse,
    requests: Math.round(positive('--requests', values.requests ?? env.BENCH_REQUESTS, 100_000)),
    events: Math.round(positive('--events', values.events ?? env.BENCH_EVENTS, 1_000_000)),
    connections: Math.round(positive('--connections', values.connections ?? env.BENCH_CONNECTIONS, 16)),
    seconds: positive('--seconds', values.seconds ?? env.BENCH_SECONDS, 10),
    maxRequests: Math.round(positive('--max', values.max ?? env.BENCH_MAX, 20_000)),
    warmupSeconds: values.warmup === '0' ? 0 : positive('--warmup', values.warmup, 2),
    only: values.only ?? [],
    skip: values.skip ?? [],
    rebuild: values.rebuild ?? false,
    drop: values.drop ?? false,
    prepareOnly: values['prepare-only'] ?? false,
    cache: !(values['no-cache'] ?? false),
  };
}
