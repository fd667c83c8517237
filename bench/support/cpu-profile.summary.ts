import { readFileSync } from 'node:fs';

/**
 * Summary of a V8 .cpuprofile (node --cpu-prof) over a time window: self time by package (which code
 * burns the CPU), inclusive time by package (which layer a sample was inside), and the functions with
 * the most self and inclusive time. The window is in microseconds of the monotonic clock, which V8's
 * profile timestamps and process.hrtime share on Linux, so that the seeding can be left out.
 *
 * CLI: ts-node bench/support/cpu-profile.summary.ts <file.cpuprofile> [fromUs toUs]
 */

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const IDLE = new Set(['(idle)', '(root)']);

/** Which code a frame belongs to: a package, a lumbung library or app, node's own code, or V8. */
export function categoryOf(f: CallFrame): string {
  const url = f.url;
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const lib = /\/(?:dist\/)?(libs|apps)\/([^/]+)\//.exec(url);
  if (lib) return `lumbung ${lib[1] === 'apps' ? 'app ' : ''}${lib[2]}`;
  if (url.startsWith('node:')) {
    const parts = url.slice(5).split('/');
    return `node ${parts[0] === 'internal' ? parts.slice(1, 2).join('/') : parts[0]}`.replace(/\.js$/, '');
  }
  if (url === '') return f.functionName.startsWith('(') ? f.functionName : `V8 builtin ${f.functionName || '(anonymous)'}`;
  return url;
}

const LAYERS: Array<[string, RegExp]> = [
  ['pg driver (pg, pg-protocol, pg-pool)', /^(pg|pg-protocol|pg-pool|pg-types|postgres-\w+|pgpass|buffer-writer|packet-reader)$/],
  ['validation (class-validator, class-transformer)', /^(class-validator|class-transformer|validator|libphonenumber-js)$/],
  ['logging (pino, pino-http, nestjs-pino)', /^(pino|pino-http|nestjs-pino|pino-std-serializers|sonic-boom|thread-stream|fast-redact|quick-format-unescaped|on-exit-leak-free)$/],
  ['Nest (core, common, cqrs, platform-express) and rxjs', /^(@nestjs\/.*|rxjs|reflect-metadata|tslib|iterare)$/],
  ['HTTP: node http, express, router, body parsing', /^(express|router|body-parser|raw-body|iconv-lite|type-is|content-type|on-finished|finalhandler|send|qs|mime-types|media-typer|depd|statuses|http-errors|parseurl|encodeurl|etag|fresh|cookie|vary|path-to-regexp|node _http_\w+|node http|node net|node streams|node stream_base_commons|node dns|node url|node querystring)$/],
  ['hashing and ids (node crypto: sha256, uuid)', /^node crypto$/],
  ['async context (async_hooks)', /^node async_hooks$/],
  ['lumbung event-store (handleCommand, chain, cache)', /^lumbung event-store$/],
  ['lumbung event-store-postgres', /^lumbung event-store-postgres$/],
  ['lumbung domain (deciders)', /^lumbung domain$/],
  ['lumbung platform (auth, context, errors)', /^lumbung platform$/],
  ['lumbung command-api (handlers, runner)', /^lumbung app command-api$/],
];

/** The layer a sample's CPU goes to: by its leaf's package, JWT and socket writes by the stack above it. */
function layerOf(leaf: CallFrame, stack: CallFrame[]): string {
  const cats = stack.map(categoryOf);
  if (leaf.functionName === '(garbage collector)') return 'garbage collection';
  if (cats.some((c) => c === 'jsonwebtoken' || c === 'jws' || c === 'jwa')) return 'JWT verification (jsonwebtoken)';
  const leafCat = categoryOf(leaf);
  if (/^V8 builtin (writev|writeBuffer|writeUtf8String|writeLatin1String|writeAsciiString)$/.test(leafCat)) {
    return cats.some((c) => c === 'pg' || c === 'pg-protocol') ? 'socket writes to PostgreSQL (syscalls)' : 'socket writes of HTTP responses (syscalls)';
  }
  if (/^V8 builtin (parse|stringify)$/.test(leafCat)) return 'JSON parse/stringify';
  for (const [layer, re] of LAYERS) if (re.test(leafCat)) return layer;
  return 'other (V8 builtins, node internals)';
}

const frameName = (f: CallFrame) => `${f.functionName || '(anonymous)'} ${categoryOf(f)}${f.url ? `:${f.lineNumber + 1}` : ''}`;

export interface ProfileSummary {
  /** sampled milliseconds in the window (idle excluded) */
  busyMs: number;
  idleMs: number;
  windowMs: number;
  windowMatched: boolean;
  byLayer: Array<[string, number]>;
  selfByCategory: Array<[string, number]>;
  inclusiveByCategory: Array<[string, number]>;
  selfByFunction: Array<[string, number]>;
  inclusiveByFunction: Array<[string, number]>;
}

export function summarizeCpuProfile(file: string, window?: { fromUs: number; toUs: number }): ProfileSummary {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  const inWindow: Array<{ id: number; us: number }> = [];
  let t = p.startTime;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i];
    // The sample's duration: the time to the next sample.
    const us = p.timeDeltas[i + 1] ?? 0;
    if (window === undefined || (t >= window.fromUs && t <= window.toUs)) inWindow.push({ id: p.samples[i], us });
  }
  const windowMatched = window === undefined || inWindow.length > 0;
  const samples = windowMatched ? inWindow : p.samples.map((id, i) => ({ id, us: p.timeDeltas[i + 1] ?? 0 }));

  const add = (m: Map<string, number>, k: string, us: number) => m.set(k, (m.get(k) ?? 0) + us);
  const selfCat = new Map<string, number>();
  const inclCat = new Map<string, number>();
  const selfFn = new Map<string, number>();
  const inclFn = new Map<string, number>();
  const layers = new Map<string, number>();
  let busy = 0;
  let idle = 0;
  for (const s of samples) {
    const leaf = byId.get(s.id) as ProfileNode;
    if (IDLE.has(leaf.callFrame.functionName)) {
      idle += s.us;
      continue;
    }
    busy += s.us;
    add(selfCat, categoryOf(leaf.callFrame), s.us);
    add(selfFn, frameName(leaf.callFrame), s.us);
    const cats = new Set<string>();
    const fns = new Set<string>();
    const stack: CallFrame[] = [];
    for (let id: number | undefined = s.id; id !== undefined; id = parent.get(id)) {
      const f = (byId.get(id) as ProfileNode).callFrame;
      if (IDLE.has(f.functionName)) continue;
      stack.push(f);
      cats.add(categoryOf(f));
      fns.add(frameName(f));
    }
    add(layers, layerOf(leaf.callFrame, stack), s.us);
    for (const c of cats) add(inclCat, c, s.us);
    for (const f of fns) add(inclFn, f, s.us);
  }
  const top = (m: Map<string, number>, n: number): Array<[string, number]> =>
    [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, us]) => [k, us / 1000]);
  const windowUs = window && windowMatched ? window.toUs - window.fromUs : p.endTime - p.startTime;
  return {
    busyMs: busy / 1000,
    idleMs: idle / 1000,
    windowMs: windowUs / 1000,
    windowMatched,
    byLayer: top(layers, 30),
    selfByCategory: top(selfCat, 25),
    inclusiveByCategory: top(inclCat, 25),
    selfByFunction: top(selfFn, 30),
    inclusiveByFunction: top(inclFn, 60),
  };
}

export function formatProfileSummary(s: ProfileSummary, commands?: number): string {
  const pct = (ms: number) => `${((100 * ms) / Math.max(1, s.busyMs)).toFixed(1)}%`;
  const per = (ms: number) => (commands ? ` | ${((1000 * ms) / commands).toFixed(0)} µs` : '');
  const head = commands ? '| | ms | share of busy | per command |\n|---|---:|---:|---:|' : '| | ms | share of busy |\n|---|---:|---:|';
  const rows = (list: Array<[string, number]>) => list.map(([k, ms]) => `| ${k.replace(/\|/g, '\\|')} | ${ms.toFixed(0)} | ${pct(ms)}${per(ms)} |`).join('\n');
  return [
    `API process CPU profile${s.windowMatched ? ' (measured phase only)' : ' (whole run: the window did not match the profile clock)'}: ${s.busyMs.toFixed(0)} ms busy, ${s.idleMs.toFixed(0)} ms idle of ${s.windowMs.toFixed(0)} ms`,
    '',
    '**CPU by layer** (self time; JWT and socket writes attributed by the stack above them)',
    '',
    head,
    rows(s.byLayer),
    '',
    '**Self time by package** (where the CPU is spent)',
    '',
    head,
    rows(s.selfByCategory),
    '',
    '**Inclusive time by package** (a sample counts for every package on its stack)',
    '',
    head,
    rows(s.inclusiveByCategory),
    '',
    '**Self time by function**',
    '',
    head,
    rows(s.selfByFunction),
    '',
    '**Inclusive time by function**',
    '',
    head,
    rows(s.inclusiveByFunction),
  ].join('\n');
}

if (require.main === module) {
  const [file, from, to] = process.argv.slice(2);
  if (!file) {
    console.error('usage: cpu-profile.summary.ts <file.cpuprofile> [fromUs toUs]');
    process.exit(2);
  }
  console.log(formatProfileSummary(summarizeCpuProfile(file, from && to ? { fromUs: Number(from), toUs: Number(to) } : undefined)));
}
