import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const CORRELATION_ID_HEADER = 'x-correlation-id';

/**
 * A caller's correlation id is kept (so a client or gateway can follow its request through our logs),
 * but only when it looks like an id: anything else would let a client write arbitrary text into
 * every log line of its request.
 */
const ACCEPTABLE = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

export function acceptCorrelationId(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && ACCEPTABLE.test(value) ? value : undefined;
}

export function newCorrelationId(header: string | string[] | undefined): string {
  return acceptCorrelationId(header) ?? randomUUID();
}

/** The request's correlation id, as the logging middleware assigned it (req.id). */
export function correlationIdOf(req: IncomingMessage | { id?: unknown; headers?: IncomingMessage['headers'] }): string {
  const id = (req as { id?: unknown }).id;
  if (typeof id === 'string' && id !== '') return id;
  return acceptCorrelationId(req.headers?.[CORRELATION_ID_HEADER]) ?? 'none';
}
