import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Principal } from '@lumbung/platform';
import { InProcessReadModelChanges, type ReadModelChange } from '@lumbung/read-model';
import type { DataSource } from 'typeorm';
import { moveAccessToken, stripAccessToken } from './access-token';
import { sseMessage, viewOf } from './change-view';
import { HEARTBEAT_MS, LiveFeed } from './live-feed';

const who = (p: Partial<Principal>): Principal => ({ sub: 'u', role: 'commander', warehouses: [], ...p });
const change = (over: Partial<ReadModelChange> = {}): ReadModelChange => ({
  v: 1, source: 'store', partition: 0, checkpoint: 5, position: 5, events: 2, at: 'T',
  projections: ['shipments', 'fulfilment'], tables: ['rm_requests', 'rm_shipments'],
  incidents: ['banjir'], warehouses: ['gd-prov'], sites: ['posko-1'], members: ['bpbd'], requests: ['R1'], ...over,
});

describe('viewOf', () => {
  it('gives the roles that see all the whole summary', () => {
    for (const role of ['commander', 'auditor', 'eoc', 'admin'] as const) {
      expect(viewOf(change(), { principal: who({ role }) })).toEqual({
        position: 5, at: 'T', projections: ['shipments', 'fulfilment'], tables: ['rm_requests', 'rm_shipments'],
        incidents: ['banjir'], warehouses: ['gd-prov'], sites: ['posko-1'], members: ['bpbd'], requests: ['R1'],
      });
    }
  });

  it('filters by incident: another incident’s own rows are left out, stock and truncated changes pass', () => {
    const a = { principal: who({}), incident: 'longsor' };
    expect(viewOf(change(), a)).toBeUndefined();
    expect(viewOf(change({ tables: ['rm_shipments', 'rm_stock'] }), a)).toBeDefined();
    expect(viewOf(change({ incidents: [] }), a)).toBeDefined();
    expect(viewOf(change({ truncated: true, incidents: [] }), a)).toMatchObject({ truncated: true });
    expect(viewOf(change(), { principal: who({}), incident: 'banjir' })).toBeDefined();
  });

  it('lets scoped roles hear only of their own warehouses, site or member, with only those ids', () => {
    expect(viewOf(change(), { principal: who({ role: 'warehouse', warehouses: ['gd-prov', 'gd-x'] }) })).toEqual({
      position: 5, at: 'T', projections: ['shipments', 'fulfilment'], tables: ['rm_requests', 'rm_shipments'], warehouses: ['gd-prov'],
    });
    expect(viewOf(change(), { principal: who({ role: 'warehouse', warehouses: ['gd-tebo'] }) })).toBeUndefined();
    expect(viewOf(change(), { principal: who({ role: 'site', site: 'posko-1' }) })).toMatchObject({ sites: ['posko-1'] });
    expect(viewOf(change(), { principal: who({ role: 'site', site: 'posko-2' }) })).toBeUndefined();
    expect(viewOf(change(), { principal: who({ role: 'member', member: 'bpbd' }) })).toMatchObject({ members: ['bpbd'] });
    expect(viewOf(change(), { principal: who({ role: 'member', member: 'pmi' }) })).toBeUndefined();
    const truncated = viewOf(change({ truncated: true }), { principal: who({ role: 'member', member: 'pmi' }) });
    expect(truncated).toEqual({ position: 5, at: 'T', projections: ['shipments', 'fulfilment'], tables: ['rm_requests', 'rm_shipments'], truncated: true });
  });
});

describe('sseMessage', () => {
  it('writes id, event and one data line', () => {
    expect(sseMessage('changed', { a: 'x\ny' }, 7)).toBe('id: 7\nevent: changed\ndata: {"a":"x\\ny"}\n\n');
    expect(sseMessage('ready', {})).toBe('event: ready\ndata: {}\n\n');
  });
});

describe('moveAccessToken', () => {
  const run = (url: string, headers: Record<string, string> = {}) => {
    const req = { url, headers } as unknown as IncomingMessage;
    moveAccessToken(req);
    return req;
  };

  it('moves the token of a stream request into the Authorization header and out of the URL', () => {
    const req = run('/events/stream?incident=banjir&access_token=abc.def.ghi');
    expect(req.headers.authorization).toBe('Bearer abc.def.ghi');
    expect(req.url).toBe('/events/stream?incident=banjir');
  });

  it('keeps a header already there, still removing the parameter', () => {
    const req = run('/events/stream/?access_token=zzz', { authorization: 'Bearer header-wins' });
    expect(req.headers.authorization).toBe('Bearer header-wins');
    expect(req.url).toBe('/events/stream/');
  });

  it('leaves every other route alone, so no other endpoint takes a token from its URL', () => {
    const other = run('/query/stock?access_token=abc');
    expect(other.url).toBe('/query/stock?access_token=abc');
    expect(other.headers.authorization).toBeUndefined();
    expect(run('/events/stream?incident=x').url).toBe('/events/stream?incident=x');
    expect(stripAccessToken('/events/stream')).toBeUndefined();
  });
});

/** A response as far as the feed writes to it: what was written, and whether it ended. */
function response() {
  const chunks: string[] = [];
  const listeners: Array<() => void> = [];
  const res = {
    statusCode: 0, headers: {} as Record<string, string>, destroyed: false, writableEnded: false, writableLength: 0,
    setHeader(k: string, v: string) { this.headers[k.toLowerCase()] = v; },
    flushHeaders() {},
    write(c: string) { chunks.push(c); return true; },
    end(c?: string) { if (c) chunks.push(c); this.writableEnded = true; listeners.forEach((l) => l()); },
    on(event: string, l: () => void) { if (event === 'close') listeners.push(l); return this; },
  };
  return { res: res as unknown as ServerResponse & typeof res, text: () => chunks.join(''), close: () => listeners.forEach((l) => l()) };
}

describe('LiveFeed', () => {
  afterEach(() => jest.useRealTimers());

  it('streams changes, a heartbeat comment every 15 s, and ends every stream before shutdown', async () => {
    jest.useFakeTimers();
    const changes = new InProcessReadModelChanges();
    // no ids to look up: the read models are not touched
    const feed = new LiveFeed({} as DataSource, changes);
    const a = response();
    const b = response();
    feed.open(a.res, { principal: who({}) });
    feed.open(b.res, { principal: who({ role: 'warehouse', warehouses: ['gd-x'] }) });
    await jest.advanceTimersByTimeAsync(0);
    expect(a.res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(a.text()).toMatch(/^retry: \d+\n/);
    expect(a.text()).toContain('event: ready\n');
    expect(feed.connections).toBe(2);

    changes.publishCommitted(change({ requests: [], warehouses: [], members: [] }));
    await jest.advanceTimersByTimeAsync(0);
    expect(a.text()).toContain('id: 5\nevent: changed\n');
    expect(b.text()).not.toContain('event: changed');

    expect(a.text()).not.toContain(': heartbeat');
    await jest.advanceTimersByTimeAsync(HEARTBEAT_MS);
    expect(a.text()).toContain(': heartbeat');
    expect(b.text()).toContain(': heartbeat');

    b.close();
    expect(feed.connections).toBe(1);
    feed.beforeApplicationShutdown();
    expect(a.res.writableEnded).toBe(true);
    expect(a.text()).toContain('event: shutdown\n');
    expect(feed.connections).toBe(0);
    expect(feed.available).toBe(false);
  });

  it('ends a stream with `event: expired` when the token it was opened with expires, however far off', async () => {
    jest.useFakeTimers();
    const feed = new LiveFeed({} as DataSource, new InProcessReadModelChanges());
    const soon = response();
    const later = response();
    const gone = response();
    feed.open(soon.res, { principal: who({}) }, Date.now() + 60_000);
    // beyond the longest a Node timer waits (24.8 days): reached in steps
    feed.open(later.res, { principal: who({}) }, Date.now() + 30 * 86_400_000);
    // already expired when it opens (verified a moment before)
    feed.open(gone.res, { principal: who({}) }, Date.now() - 1);
    expect(gone.text()).toContain('event: expired\n');
    expect(gone.res.writableEnded).toBe(true);
    expect(feed.connections).toBe(2);

    await jest.advanceTimersByTimeAsync(59_000);
    expect(soon.text()).not.toContain('event: expired');
    await jest.advanceTimersByTimeAsync(1_000);
    expect(soon.text()).toContain('event: expired\n');
    expect(soon.res.writableEnded).toBe(true);
    expect(feed.connections).toBe(1);

    await jest.advanceTimersByTimeAsync(29 * 86_400_000);
    expect(later.res.writableEnded).toBe(false);
    await jest.advanceTimersByTimeAsync(86_400_000);
    expect(later.text()).toContain('event: expired\n');
    expect(feed.connections).toBe(0);
  });
});
