import { Injectable, UseInterceptors, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { defer, from, mergeMap, of, type Observable } from 'rxjs';
import { finalize } from 'rxjs/operators';
import type { AuthenticatedRequest, Principal } from '@lumbung/platform';
import { seesAll } from '../common/scope';
import { ReadCache } from './read-cache';

/** The response header that says how an answer was served: hit, miss (computed and kept), or bypass. */
export const CACHE_HEADER = 'X-Lumbung-Cache';

/**
 * Whose answer this is: everyone who sees all gets the same answers; a scoped reader (warehouse
 * officer, member, site officer) gets answers of its own scope, so its key names the scope.
 */
export function scopeKey(p: Principal | undefined): string {
  if (!p) return 'anonymous';
  if (seesAll(p)) return 'all';
  return JSON.stringify([p.role, p.member ?? null, p.site ?? null, [...p.warehouses].sort()]);
}

/** Requests the cache must not answer: not a GET, `Cache-Control: no-cache`, or CSV asked by Accept (the URL names ?format=csv itself). */
function bypasses(req: IncomingMessage): boolean {
  if (req.method !== 'GET') return true;
  if (/\bno-cache\b|\bno-store\b|\bmax-age=0\b/i.test(req.headers['cache-control'] ?? '')) return true;
  return /\btext\/csv\b/i.test(req.headers.accept ?? '');
}

function answer(res: ServerResponse, body: string): void {
  res.statusCode = 200;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader(CACHE_HEADER, 'hit');
  res.end(body);
}

/**
 * Serves the JSON answers of the routes it decorates from the ReadCache (read-cache.ts): a hit is
 * written here and the handler does not run; on a miss the handler runs as always and the JSON body it
 * ends its response with (status 200) is kept. Runs after the guards, so the principal is known.
 */
@Injectable()
export class ReadCacheInterceptor implements NestInterceptor {
  constructor(private readonly cache: ReadCache) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const req = context.switchToHttp().getRequest<IncomingMessage & AuthenticatedRequest>();
    const res = context.switchToHttp().getResponse<ServerResponse>();
    if (!this.cache.active || bypasses(req)) {
      res.setHeader(CACHE_HEADER, 'bypass');
      return next.handle();
    }
    const url = (req as { originalUrl?: string }).originalUrl ?? req.url ?? '';
    const found = this.cache.lookup(`${scopeKey(req.principal)} ${url}`);
    if (found.kind === 'hit') {
      answer(res, found.body);
      return of(undefined);
    }
    if (found.kind === 'wait') {
      // The first reader's answer, when it gives one; otherwise (an error, a CSV) compute as usual.
      return from(found.body).pipe(
        mergeMap((body) => {
          if (body === undefined) return next.handle();
          answer(res, body);
          return of(undefined);
        }),
      );
    }
    const slot = found.slot;
    res.setHeader(CACHE_HEADER, 'miss');
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    res.end = ((...args: unknown[]) => {
      const chunk = args[0];
      if (res.statusCode === 200 && typeof chunk === 'string' && /^application\/json\b/i.test(String(res.getHeader('content-type') ?? ''))) slot.store(chunk);
      return end(...args);
    }) as ServerResponse['end'];
    return defer(() => next.handle()).pipe(finalize(() => slot.settle()));
  }
}

/** Decorates a controller (or a route) whose JSON answers depend only on the read models, the URL and the reader's scope. */
export const CachedReads = (): ClassDecorator & MethodDecorator => UseInterceptors(ReadCacheInterceptor);
