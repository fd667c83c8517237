/**
 * An immutable string-keyed map whose update copies one bucket instead of every entry.
 *
 * A warehouse's stock state keeps every dispatch's reservation and every receipt's fingerprint for
 * the life of the operation (retries are recognised by them). As plain objects, each event copied
 * the whole map, so folding a warehouse with n dispatches cost O(n²): seconds for a warehouse of a
 * long emergency. Here an update copies the bucket index (BUCKETS slots) and one bucket (about
 * n / BUCKETS entries). Still a plain, frozen-by-convention value: deciders stay pure, and an old
 * state is never changed by a new one.
 */
export interface ChunkedMap<V> {
  readonly size: number;
  readonly buckets: ReadonlyArray<Readonly<Record<string, V>> | undefined>;
}

const BUCKETS = 64;

/** FNV-1a over UTF-16 code units: cheap, and spreads ids like `DSP-0001`..`DSP-9999` evenly. */
function bucketOf(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % BUCKETS;
}

export function emptyChunkedMap<V>(): ChunkedMap<V> {
  return { size: 0, buckets: [] };
}

export function cmGet<V>(m: ChunkedMap<V>, key: string): V | undefined {
  const b = m.buckets[bucketOf(key)];
  return b !== undefined && Object.prototype.hasOwnProperty.call(b, key) ? b[key] : undefined;
}

export function cmSet<V>(m: ChunkedMap<V>, key: string, value: V): ChunkedMap<V> {
  const i = bucketOf(key);
  const old = m.buckets[i];
  const had = old !== undefined && Object.prototype.hasOwnProperty.call(old, key);
  const buckets = m.buckets.slice();
  buckets[i] = { ...old, [key]: value };
  return { size: had ? m.size : m.size + 1, buckets };
}

export function cmEntries<V>(m: ChunkedMap<V>): Array<[string, V]> {
  const out: Array<[string, V]> = [];
  for (const b of m.buckets) if (b !== undefined) for (const k of Object.keys(b)) out.push([k, b[k]]);
  return out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

export function cmFromEntries<V>(entries: Iterable<[string, V]>): ChunkedMap<V> {
  let m = emptyChunkedMap<V>();
  for (const [k, v] of entries) m = cmSet(m, k, v);
  return m;
}
