import { randomUUID } from 'node:crypto';
import type { EventStore, RecordedEvent } from '@lumbung/event-store';
import { EVENT_STORE } from '@lumbung/platform';
import type { RunningApi } from './command-api.harness';
import { COUNTER_LIMIT } from './test-routes.module';

/**
 * The platform's behaviour over real HTTP, run once per store (sqlite.e2e / postgres.e2e):
 * health, docs, metrics, authentication, error shapes, correlation ids in responses and logs, and a
 * command through handleCommand with idempotency keys, ETag and If-Match.
 */
// Response bodies are checked field by field with expect(); a loose type keeps those checks readable.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;

export function platformSuite(start: () => Promise<RunningApi>, expectedStore: string): void {
  let api: RunningApi;
  let eoc: string;

  beforeAll(async () => {
    api = await start();
    eoc = api.token({ sub: 'dispatcher-1', role: 'eoc', member: 'bpbd-jambi' });
  });
  afterAll(() => api?.close());

  const json = async (r: Response): Promise<Record<string, Loose>> => (await r.json()) as Record<string, Loose>;
  const errorShape = (status: number, error: string) =>
    expect.objectContaining({ statusCode: status, error, message: expect.any(String), correlationId: expect.any(String) });
  const storeEvents = async (streamId: string): Promise<RecordedEvent[]> => {
    const out: RecordedEvent[] = [];
    for await (const e of api.app.get<EventStore>(EVENT_STORE).readStream(streamId)) out.push(e);
    return out;
  };

  describe('health', () => {
    it('answers liveness without a token', async () => {
      const r = await api.call('/health');
      expect(r.status).toBe(200);
      expect(await json(r)).toEqual({ status: 'ok', info: {}, error: {}, details: {} });
    });

    it('is ready when the store answers', async () => {
      expect(api.config.store.kind).toBe(expectedStore);
      const r = await api.call('/health/ready');
      expect(r.status).toBe(200);
      const body = await json(r);
      expect(body.status).toBe('ok');
      expect(body.info.eventStore).toEqual({ status: 'up', headPosition: expect.any(Number), latencyMs: expect.any(Number) });
    });
  });

  describe('OpenAPI', () => {
    it('serves a valid document at /docs-json with the bearer scheme', async () => {
      const r = await api.call('/docs-json');
      expect(r.status).toBe(200);
      const doc = await json(r);
      expect(doc.openapi).toMatch(/^3\.\d+\.\d+$/);
      expect(doc.info).toMatchObject({ title: 'lumbung command API', version: expect.any(String) });
      expect(doc.components.securitySchemes.bearer).toEqual({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
      expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/health', '/health/ready', '/test/counters/{id}']));
      expect(doc.paths['/metrics']).toBeUndefined();
      const methods = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];
      for (const [path, item] of Object.entries<Record<string, Loose>>(doc.paths)) {
        expect(path.startsWith('/')).toBe(true);
        for (const [method, op] of Object.entries<Record<string, Loose>>(item)) {
          expect(methods).toContain(method);
          expect(Object.keys(op.responses ?? {}).length).toBeGreaterThan(0);
        }
      }
      const counter = doc.paths['/test/counters/{id}'].post;
      expect(counter.security).toEqual([{ bearer: [] }]);
      expect(counter.responses['409'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/ErrorResponseDto' });
      expect(doc.components.schemas.ErrorResponseDto.required).toEqual(expect.arrayContaining(['statusCode', 'error', 'message', 'correlationId']));
      expect(counter.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['Idempotency-Key', 'If-Match', 'id']));
      // Every $ref points at something the document defines.
      const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
      expect(refs.length).toBeGreaterThan(0);
      for (const ref of refs) {
        const pointer = JSON.parse(`{${ref}}`).$ref as string;
        expect(pointer.startsWith('#/')).toBe(true);
        const target = pointer.slice(2).split('/').reduce<Loose>((node, key) => node?.[key], doc);
        expect(target).toBeDefined();
      }
    });

    it('serves the UI at /docs', async () => {
      const r = await api.call('/docs');
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toContain('text/html');
      expect(await r.text()).toContain('swagger');
    });
  });

  describe('authentication and roles', () => {
    it('refuses a request without a token with 401', async () => {
      const r = await api.call('/test/eoc-only');
      expect(r.status).toBe(401);
      expect(r.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(await json(r)).toEqual(errorShape(401, 'unauthorized'));
    });

    it('refuses a token signed with another secret, and an expired one', async () => {
      const { issueToken } = await import('@lumbung/platform');
      const forged = issueToken('f'.repeat(40), { sub: 'x', role: 'eoc' });
      const r = await api.call('/test/eoc-only', { token: forged });
      expect(r.status).toBe(401);
      expect((await json(r)).message).toBe('invalid token: invalid signature');
      const jwt = (await import('jsonwebtoken')).default;
      const expired = jwt.sign({ sub: 'x', role: 'eoc', exp: Math.floor(Date.now() / 1000) - 3600 }, api.config.tokenSecret, { algorithm: 'HS256', issuer: 'lumbung' });
      const e = await api.call('/test/eoc-only', { token: expired });
      expect(e.status).toBe(401);
      expect((await json(e)).message).toBe('token expired');
    });

    it('lets the right role in and hands the route its principal', async () => {
      const r = await api.call('/test/eoc-only', { token: eoc });
      expect(r.status).toBe(200);
      expect(await json(r)).toEqual({ sub: 'dispatcher-1', role: 'eoc', member: 'bpbd-jambi', warehouses: [] });
    });

    it('refuses a wrong role with 403 and a clear message', async () => {
      const r = await api.call('/test/eoc-only', { token: api.token({ sub: 'site-officer', role: 'site', site: 's1' }) });
      expect(r.status).toBe(403);
      const body = await json(r);
      expect(body).toEqual(errorShape(403, 'role-not-allowed'));
      expect(body.message).toBe('role site may not do this; allowed: eoc');
      expect(body.details).toEqual({ role: 'site', allowed: ['eoc'] });
    });

    it('answers an unknown route with 404 in the same shape', async () => {
      const r = await api.call('/nowhere', { token: eoc });
      expect(r.status).toBe(404);
      expect(await json(r)).toEqual(errorShape(404, 'not-found'));
    });
  });

  describe('input errors', () => {
    it('answers 400 with every field and reason, nested paths included', async () => {
      const r = await api.call('/test/validate', {
        token: eoc,
        json: { priority: 'someday', lines: [{ item: 'rice', quantity: 5 }, { item: 'tarp', quantity: -2 }], extra: 1 },
      });
      expect(r.status).toBe(400);
      const body = await json(r);
      expect(body).toEqual(errorShape(400, 'invalid-input'));
      expect(body.errors).toEqual(
        expect.arrayContaining([
          { field: 'priority', reason: 'must be one of the following values: life-saving, urgent, normal' },
          { field: 'lines[1].quantity', reason: 'must be a positive integer' },
          { field: 'extra', reason: 'should not exist' },
        ]),
      );
      expect(body.errors).toHaveLength(3);
    });

    it('passes a valid body through as the DTO', async () => {
      const input = { priority: 'urgent', lines: [{ item: 'rice', quantity: 5 }] };
      const r = await api.call('/test/validate', { token: eoc, json: input });
      expect(r.status).toBe(200);
      expect(await json(r)).toEqual(input);
    });

    it('answers malformed JSON with 400 in the same shape', async () => {
      const r = await api.call('/test/validate', { token: eoc, method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"priority": ' });
      expect(r.status).toBe(400);
      const body = await json(r);
      expect(body).toEqual(errorShape(400, 'malformed-json'));
      // The parser runs before the logging middleware; the correlation id is assigned before both.
      expect(body.correlationId).toMatch(/^[0-9a-f-]{36}$/);
      expect(r.headers.get('x-correlation-id')).toBe(body.correlationId);
    });

    it('refuses an overlong Idempotency-Key with 400', async () => {
      const r = await api.call(`/test/counters/${randomUUID()}`, { token: eoc, json: { by: 1 }, headers: { 'Idempotency-Key': 'k'.repeat(201) } });
      expect(r.status).toBe(400);
      expect(await json(r)).toEqual(errorShape(400, 'invalid-idempotency-key'));
    });
  });

  describe('a command through handleCommand', () => {
    it('answers with the revision as ETag, and a domain refusal with 409 and its numbers', async () => {
      const id = randomUUID();
      const first = await api.call(`/test/counters/${id}`, { token: eoc, json: { by: 7 } });
      expect(first.status).toBe(200);
      expect(first.headers.get('etag')).toBe(`"counter-${id}:0"`);
      expect(await json(first)).toMatchObject({ value: 7, revision: 0, replayed: false });

      const refused = await api.call(`/test/counters/${id}`, { token: eoc, json: { by: 5 } });
      expect(refused.status).toBe(409);
      const body = await json(refused);
      expect(body).toEqual(errorShape(409, 'counter-limit'));
      expect(body.message).toBe(`requested 5, available ${COUNTER_LIMIT - 7}`);
      expect(body.details).toEqual({ requested: 5, available: 3 });
      expect(await storeEvents(`counter-${id}`)).toHaveLength(1);
    });

    it('records who, when and which command in the event metadata', async () => {
      const id = randomUUID();
      const r = await api.call(`/test/counters/${id}`, { token: eoc, json: { by: 1 }, headers: { 'Idempotency-Key': 'meta-1', 'X-Correlation-Id': `corr-${id}` } });
      const { commandId } = await json(r);
      const [e] = await storeEvents(`counter-${id}`);
      expect(e.metadata).toMatchObject({
        actor: 'dispatcher-1',
        member: 'bpbd-jambi',
        role: 'eoc',
        correlationId: `corr-${id}`,
        causationId: commandId,
        reason: 'test',
        occurredAt: expect.any(String),
        extra: { idempotencyKey: 'meta-1', requestHash: expect.stringMatching(/^[0-9a-f]{64}$/), httpCorrelationId: `corr-${id}` },
      });
    });

    it('answers a retry with the same Idempotency-Key with the first result, and has its effect once', async () => {
      const id = randomUUID();
      const headers = { 'Idempotency-Key': `inc-${id}` };
      const first = await api.call(`/test/counters/${id}`, { token: eoc, json: { by: 2 }, headers });
      const firstBody = await json(first);
      const retry = await api.call(`/test/counters/${id}`, { token: eoc, json: { by: 2 }, headers });
      expect(retry.status).toBe(200);
      expect(retry.headers.get('idempotent-replayed')).toBe('true');
      expect(await json(retry)).toEqual({ ...firstBody, replayed: true });
      expect(retry.headers.get('etag')).toBe(first.headers.get('etag'));
      expect(await storeEvents(`counter-${id}`)).toHaveLength(1);

      // Another command in between does not turn a later retry into a second effect.
      await api.call(`/test/counters/${id}`, { token: eoc, json: { by: 1 } });
      const late = await api.call(`/test/counters/${id}`, { token: eoc, json: { by: 2 }, headers });
      expect(await json(late)).toMatchObject({ replayed: true, commandId: firstBody.commandId });
      expect(await storeEvents(`counter-${id}`)).toHaveLength(2);
    });

    it('has its effect once when retries with one key race each other', async () => {
      const id = randomUUID();
      const headers = { 'Idempotency-Key': `race-${id}` };
      const results = await Promise.all(Array.from({ length: 6 }, () => api.call(`/test/counters/${id}`, { token: eoc, json: { by: 1 }, headers })));
      expect(results.map((r) => r.status)).toEqual(Array(6).fill(200));
      const bodies = await Promise.all(results.map(json));
      expect(bodies.filter((b) => !b.replayed)).toHaveLength(1);
      expect(new Set(bodies.map((b) => b.commandId)).size).toBe(1);
      expect(await storeEvents(`counter-${id}`)).toHaveLength(1);
    });

    it('refuses a key reused for a different request with 422', async () => {
      const id = randomUUID();
      const headers = { 'Idempotency-Key': `reuse-${id}` };
      expect((await api.call(`/test/counters/${id}`, { token: eoc, json: { by: 1 }, headers })).status).toBe(200);
      const reused = await api.call(`/test/counters/${id}`, { token: eoc, json: { by: 3 }, headers });
      expect(reused.status).toBe(422);
      expect(await json(reused)).toEqual(errorShape(422, 'idempotency-key-reused'));
      expect(await storeEvents(`counter-${id}`)).toHaveLength(1);
    });

    it('honours If-Match: the ETag seen passes, a stale one gets 412 and appends nothing', async () => {
      const id = randomUUID();
      const first = await api.call(`/test/counters/${id}`, { token: eoc, json: { by: 1 } });
      const etag = first.headers.get('etag')!;
      const ok = await api.call(`/test/counters/${id}`, { token: eoc, json: { by: 1 }, headers: { 'If-Match': etag } });
      expect(ok.status).toBe(200);
      expect(ok.headers.get('etag')).toBe(`"counter-${id}:1"`);
      const stale = await api.call(`/test/counters/${id}`, { token: eoc, json: { by: 1 }, headers: { 'If-Match': etag } });
      expect(stale.status).toBe(412);
      expect(await json(stale)).toMatchObject({ statusCode: 412, error: 'precondition-failed', details: { streamId: `counter-${id}`, expected: '0', actual: 1 } });
      const other = await api.call(`/test/counters/${id}`, { token: eoc, json: { by: 1 }, headers: { 'If-Match': '"counter-other:1"' } });
      expect(other.status).toBe(412);
      const weak = await api.call(`/test/counters/${id}`, { token: eoc, json: { by: 1 }, headers: { 'If-Match': `W/${etag}` } });
      expect(weak.status).toBe(400);
      expect(await storeEvents(`counter-${id}`)).toHaveLength(2);
    });

    it('lets concurrent commands on one stream all land through the retries', async () => {
      const id = randomUUID();
      const results = await Promise.all(Array.from({ length: 8 }, () => api.call(`/test/counters/${id}`, { token: eoc, json: { by: 1 } })));
      const statuses = results.map((r) => r.status);
      // Each either lands, or (after the bounded retries) is told to retry: never a 500.
      expect(statuses.every((s) => s === 200 || s === 409)).toBe(true);
      const landed = statuses.filter((s) => s === 200).length;
      expect(landed).toBeGreaterThan(0);
      expect(await storeEvents(`counter-${id}`)).toHaveLength(landed);
    });

    it('hides an unexpected failure behind a 500 and logs it with the correlation id', async () => {
      const r = await api.call('/test/boom', { token: eoc, headers: { 'X-Correlation-Id': 'boom-1' } });
      expect(r.status).toBe(500);
      const text = await r.text();
      expect(text).not.toContain('10.1.2.3');
      expect(JSON.parse(text)).toEqual({ statusCode: 500, error: 'internal-error', message: expect.any(String), correlationId: 'boom-1' });
      const logged = api.logs.filter((l) => l.correlationId === 'boom-1' && l.level >= 50);
      expect(logged.length).toBeGreaterThan(0);
      expect(JSON.stringify(logged)).toContain('10.1.2.3');
    });
  });

  describe('correlation ids and logs', () => {
    it('echoes the caller’s X-Correlation-Id and puts it on every log line of the request', async () => {
      const corr = `e2e-${randomUUID()}`;
      const r = await api.call('/test/eoc-only', { token: eoc, headers: { 'X-Correlation-Id': corr } });
      expect(r.headers.get('x-correlation-id')).toBe(corr);
      const lines = api.logs.filter((l) => l.correlationId === corr);
      expect(lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['eoc-only route reached', 'request completed']));
      const completed = lines.find((l) => l.msg === 'request completed') as Record<string, Loose>;
      expect(completed.service).toBe('command-api');
      expect(completed.res.statusCode).toBe(200);
      // The bearer token never reaches the logs.
      expect(completed.req.headers.authorization).toBe('[redacted]');
      expect(JSON.stringify(api.logs)).not.toContain(eoc);
    });

    it('generates a UUID when the caller sends none, or one that does not look like an id', async () => {
      const none = await api.call('/health');
      expect(none.headers.get('x-correlation-id')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      const bad = await api.call('/test/eoc-only', { headers: { 'X-Correlation-Id': 'has spaces {"and":"json"}' } });
      const id = bad.headers.get('x-correlation-id');
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect((await json(bad)).correlationId).toBe(id);
    });
  });

  describe('metrics', () => {
    it('exposes command counts by outcome, latencies and process metrics at /metrics without a token', async () => {
      const id = randomUUID();
      await api.call(`/test/counters/${id}`, { token: eoc, json: { by: COUNTER_LIMIT } });
      await api.call(`/test/counters/${id}`, { token: eoc, json: { by: 1 } });
      await api.call(`/test/counters/${id}`, { token: eoc, json: { by: 0 } });
      const r = await api.call('/metrics');
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toContain('text/plain');
      const text = await r.text();
      const count = (outcome: string): number =>
        Number(new RegExp(`^lumbung_commands_total\\{command="IncrementCounter",outcome="${outcome}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
      expect(count('ok')).toBeGreaterThanOrEqual(1);
      expect(count('refused')).toBeGreaterThanOrEqual(1);
      expect(count('invalid')).toBeGreaterThanOrEqual(1);
      expect(text).toMatch(/^# TYPE lumbung_command_duration_seconds histogram$/m);
      expect(text).toMatch(/^lumbung_command_duration_seconds_bucket\{le="0\.05",command="IncrementCounter"\} \d+$/m);
      expect(text).toMatch(/^lumbung_command_duration_seconds_count\{command="IncrementCounter"\} \d+$/m);
      expect(text).toMatch(/^process_cpu_user_seconds_total /m);
      expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
    });
  });
}
