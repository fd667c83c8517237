import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@lumbung/event-store-sqlite';
import { EVENT_STORE } from '@lumbung/platform';
import type { EventStore } from '@lumbung/event-store';
import { startCommandApi } from './support/command-api.harness';
import { platformSuite } from './support/platform.suite';

describe('command API platform on SQLite', () => {
  platformSuite(() => startCommandApi({ LUMBUNG_STORE: 'sqlite' }), 'sqlite');
});

describe('command API on SQLite: start and shutdown', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lumbung-e2e-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('starts on a fresh data directory with no secret: creates the database and a 0600 token secret', async () => {
    const api = await startCommandApi({ LUMBUNG_DATA: dir });
    try {
      expect(statSync(join(dir, 'lumbung.db')).isFile()).toBe(true);
      expect(statSync(join(dir, 'token-secret')).mode & 0o777).toBe(0o600);
      expect(api.config.tokenSecretSource).toBe('generated');
      expect(api.logs.some((l) => l.level === 40 && String(l.msg).includes('token-secret'))).toBe(true);
      const r = await api.call('/test/eoc-only', { token: api.token({ sub: 'u', role: 'eoc' }) });
      expect(r.status).toBe(200);
    } finally {
      await api.close();
    }
  });

  it('is not ready when the store does not answer', async () => {
    const store = SqliteEventStore.open({ file: join(dir, 'closed.db') });
    const api = await startCommandApi({ LUMBUNG_DATA: dir }, { store });
    try {
      expect((await api.call('/health/ready')).status).toBe(200);
      await store.close();
      const r = await api.call('/health/ready');
      expect(r.status).toBe(503);
      const body = (await r.json()) as Record<string, any>;
      expect(body).toMatchObject({ statusCode: 503, error: 'unavailable', correlationId: expect.any(String) });
      expect(body.details.error.eventStore).toEqual({ status: 'down', message: expect.any(String) });
      expect((await api.call('/health')).status).toBe(200);
    } finally {
      await api.close();
    }
  });

  it('shuts down gracefully: the request in flight finishes, then the store closes', async () => {
    const api = await startCommandApi({ LUMBUNG_DATA: dir });
    const store = api.app.get<EventStore>(EVENT_STORE);
    const token = api.token({ sub: 'u', role: 'eoc' });
    const inFlight = api.call('/test/counters/slow', { token, json: { by: 1, delayMs: 400 } });
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    const closing = api.close();
    const r = await inFlight;
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ value: 1, revision: 0 });
    await closing;
    // Closed once the request was done, not when the client's keep-alive connection timed out.
    expect(Date.now() - started).toBeLessThan(2000);
    await expect(fetch(`${api.baseUrl}/health`)).rejects.toThrow();
    await expect(store.headPosition()).rejects.toThrow(/closed/);
    // What was acknowledged is on disk.
    const reopened = SqliteEventStore.open({ file: join(dir, 'lumbung.db') });
    try {
      expect((await reopened.streamHead('counter-slow'))?.revision).toBe(0);
    } finally {
      await reopened.close();
    }
  });
});
