import { escapeIdentifier, type Pool } from 'pg';
import type { EndpointSpec } from './endpoints';
import type { QueryApiHost } from './query-api.host';

const fmt = (n: number) => Math.round(n).toLocaleString('en');

/** What the measured store holds: events, streams, the mix, and whether the trail's lookup is indexed. */
export async function describeStore(admin: Pool, schema: string): Promise<string> {
  const t = (name: string) => `${escapeIdentifier(schema)}.${escapeIdentifier(name)}`;
  const events = Number((await admin.query<{ n: string }>(`SELECT count(*) AS n FROM ${t('log')}`)).rows[0].n);
  const streams = Number((await admin.query<{ n: string }>(`SELECT count(*) AS n FROM ${t('streams')}`)).rows[0].n);
  const mix = await admin.query<{ type: string; n: string }>(`SELECT type, count(*) AS n FROM ${t('events')} GROUP BY type ORDER BY count(*) DESC LIMIT 12`);
  const index = await admin.query<{ indexname: string; indexdef: string }>(
    `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = 'events' AND indexdef ILIKE '%correlation%'`,
    [schema],
  );
  const size = (await admin.query<{ s: string }>(`SELECT pg_size_pretty(sum(pg_total_relation_size(c.oid))) AS s FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r'`, [schema])).rows[0].s;
  return [
    `store: ${fmt(events)} events in ${fmt(streams)} streams (schema ${schema}, ${size} with the read models and indexes)`,
    `mix: ${mix.rows.map((r) => `${r.type} ${((100 * Number(r.n)) / Math.max(1, events)).toFixed(1)}%`).join(', ')}, ...`,
    index.rows.length
      ? `correlation id index: ${index.rows.map((r) => r.indexname).join(', ')}`
      : 'correlation id index: NONE (the raw trail read scans the events table)',
  ].join('\n');
}

interface TrailAnswer {
  count?: number;
  next?: unknown;
  scanned?: number;
}

/**
 * The trail's answers beside the raw read for the same requests: a log scan with a budget answers with
 * a cursor and only part of the trail, an indexed read with all of it. Says which one was measured.
 */
export async function trailCheck(host: QueryApiHost, raw: Pool, trail: EndpointSpec, n = 20): Promise<string> {
  let apiEvents = 0;
  let rawEvents = 0;
  let partial = 0;
  let scanned = 0;
  const variants = trail.variants.slice(0, n);
  for (const v of variants) {
    const r = await fetch(`${host.baseUrl}${v.path}`, { headers: { Authorization: `Bearer ${host.tokens[trail.reader]}` } });
    const body = (await r.json()) as TrailAnswer;
    apiEvents += body.count ?? 0;
    if (body.next) partial++;
    scanned += body.scanned ?? 0;
    rawEvents += await v.raw(raw);
  }
  return (
    `trail check on ${variants.length} dispatched requests: the API answered ${fmt(apiEvents)} events in all, the raw indexed read ${fmt(rawEvents)} ` +
    `(${(rawEvents / Math.max(1, variants.length)).toFixed(1)} per trail)` +
    (partial ? `; ${partial} answers were partial (a cursor after scanning ${fmt(scanned / variants.length)} events each: a log scan, not an indexed read)` : '; every answer complete')
  );
}
