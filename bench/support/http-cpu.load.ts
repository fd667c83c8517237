import { Agent, request } from 'node:http';

/**
 * The load side of http-cpu.profile.ts, forked as a child process so that its CPU is not counted in the
 * API's process.cpuUsage(). For each LoadSpec message: `inflight` keep-alive connections, each with one
 * request at a time, send `count` requests taken from `targets` in turn; the LoadResult goes back as a
 * message. `{n}` in a target's path, headers or body becomes the request's number (fresh ids, keys).
 * Only node:* modules here.
 */

export interface LoadTarget {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  /** a JSON text */
  body?: string;
}

export interface LoadSpec {
  baseUrl: string;
  inflight: number;
  count: number;
  /** numbers requests from here (so that `{n}` stays fresh across phases) */
  firstN?: number;
  targets: LoadTarget[];
}

export interface LoadResult {
  statuses: Record<string, number>;
  errors: number;
  bytes: number;
  /** the first answer that was not 2xx, to say why */
  failure?: { path: string; status: number; body: string };
}

const fill = (s: string, n: number) => s.split('{n}').join(String(n));

function send(agent: Agent, url: URL, t: LoadTarget, n: number): Promise<{ status: number; bytes: number; body?: string }> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(t.headers)) headers[k] = fill(v, n);
  const body = t.body === undefined ? undefined : fill(t.body, n);
  if (body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(body));
  return new Promise((resolve, reject) => {
    const req = request({ agent, host: url.hostname, port: url.port, path: fill(t.path, n), method: t.method, headers }, (res) => {
      const status = res.statusCode ?? 0;
      const chunks: Buffer[] = [];
      let bytes = 0;
      res.on('data', (c: Buffer) => {
        bytes += c.length;
        if (status >= 300) chunks.push(c);
      });
      res.on('end', () => resolve({ status, bytes, ...(status >= 300 ? { body: Buffer.concat(chunks).toString('utf8').slice(0, 500) } : {}) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const url = new URL(spec.baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: spec.inflight });
  const out: LoadResult = { statuses: {}, errors: 0, bytes: 0 };
  const first = spec.firstN ?? 0;
  let next = 0;
  const reader = async () => {
    for (;;) {
      const i = next++;
      if (i >= spec.count) return;
      const t = spec.targets[i % spec.targets.length];
      try {
        const a = await send(agent, url, t, first + i);
        out.statuses[a.status] = (out.statuses[a.status] ?? 0) + 1;
        out.bytes += a.bytes;
        if (a.body !== undefined && !out.failure) out.failure = { path: t.path, status: a.status, body: a.body };
      } catch {
        out.errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: spec.inflight }, reader));
  agent.destroy();
  return out;
}

if (require.main === module && process.send) {
  process.on('message', (spec: LoadSpec) => {
    runLoad(spec).then(
      (r) => process.send?.(r),
      (e: unknown) => {
        console.error(e);
        process.exit(1);
      },
    );
  });
  process.on('disconnect', () => process.exit(0));
  process.send('ready');
}
