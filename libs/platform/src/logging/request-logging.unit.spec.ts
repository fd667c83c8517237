import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { storage } from 'nestjs-pino/storage';
import pino from 'pino';
import { requestLoggingMiddleware } from './request-logging';

type Line = Record<string, any>;

function logger(level = 'info'): { lines: Line[]; root: pino.Logger } {
  const lines: Line[] = [];
  return { lines, root: pino({ level, base: { service: 'test' } }, { write: (l: string) => void lines.push(JSON.parse(l) as Line) }) };
}

function exchange(url: string, headers: Record<string, string> = {}): { req: IncomingMessage & { id?: unknown }; res: ServerResponse & { err?: Error } } {
  const req = Object.assign(new EventEmitter(), {
    method: 'GET',
    url,
    headers: { host: 'api', accept: 'application/json', ...headers },
    socket: { remoteAddress: '127.0.0.1', remotePort: 40000 },
  }) as unknown as IncomingMessage;
  const outgoing: Record<string, string> = {};
  const res = Object.assign(new EventEmitter(), {
    statusCode: 200,
    headersSent: false,
    setHeader: (name: string, value: string) => void (outgoing[name.toLowerCase()] = value),
    getHeader: (name: string) => outgoing[name.toLowerCase()],
    getHeaders: () => ({ ...outgoing }),
  }) as unknown as ServerResponse;
  return { req, res };
}

function answer(res: ServerResponse, status: number): void {
  Object.assign(res, { statusCode: status, headersSent: true });
  res.emit('finish');
  res.emit('close');
}

describe('requestLoggingMiddleware', () => {
  it('gives the request its correlation id, a logger bound to its async context, and one line when done', () => {
    const { lines, root } = logger();
    const { req, res } = exchange('/query/stock?limit=5', { authorization: 'Bearer sekret.token', cookie: 'session=sekret', 'x-correlation-id': 'corr-1' });
    requestLoggingMiddleware(root)(req, res, () => storage.getStore()?.logger.info('inside the handler'));
    expect(req.id).toBe('corr-1');
    expect(res.getHeader('x-correlation-id')).toBe('corr-1');
    res.setHeader('Content-Type', 'application/json');
    answer(res, 200);

    expect(lines.map((l) => [l.level, l.msg, l.correlationId, l.service])).toEqual([
      [30, 'inside the handler', 'corr-1', 'test'],
      [30, 'request completed', 'corr-1', 'test'],
    ]);
    const done = lines[1];
    expect(done.req).toEqual({
      id: 'corr-1',
      method: 'GET',
      url: '/query/stock?limit=5',
      headers: { host: 'api', accept: 'application/json', authorization: '[redacted]', cookie: '[redacted]', 'x-correlation-id': 'corr-1' },
      remoteAddress: '127.0.0.1',
      remotePort: 40000,
    });
    expect(done.res).toEqual({ statusCode: 200, headers: { 'x-correlation-id': 'corr-1', 'content-type': 'application/json' } });
    expect(done.responseTime).toEqual(expect.any(Number));
    expect(JSON.stringify(lines)).not.toContain('sekret');
  });

  it('logs a 4xx as a warning, a 5xx as an error with the error the filter left on the response', () => {
    const { lines, root } = logger();
    const mw = requestLoggingMiddleware(root);
    const notFound = exchange('/query/requests/nope');
    mw(notFound.req, notFound.res, () => undefined);
    answer(notFound.res, 404);
    const failed = exchange('/query/stock');
    mw(failed.req, failed.res, () => undefined);
    failed.res.err = new Error('database down');
    answer(failed.res, 500);
    const bare = exchange('/query/stock');
    mw(bare.req, bare.res, () => undefined);
    answer(bare.res, 503);

    expect(lines.map((l) => [l.level, l.msg, l.res.statusCode, l.err?.message])).toEqual([
      [40, 'request completed', 404, undefined],
      [50, 'request errored', 500, 'database down'],
      [50, 'request errored', 503, 'failed with status code 503'],
    ]);
  });

  it('keeps probes and scrapes out of the log, and writes nothing for a 2xx below its level', () => {
    const { lines, root } = logger('warn');
    const mw = requestLoggingMiddleware(root);
    for (const url of ['/health', '/health/ready', '/metrics', '/query/stock']) {
      const { req, res } = exchange(url, { 'x-correlation-id': 'has spaces {"and":"json"}' });
      mw(req, res, () => undefined);
      // An id that does not look like one is replaced by a UUID.
      expect(req.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      answer(res, 200);
    }
    const refused = exchange('/query/stock');
    mw(refused.req, refused.res, () => undefined);
    answer(refused.res, 403);
    expect(lines.map((l) => [l.level, l.req.url])).toEqual([[40, '/query/stock']]);
  });
});
