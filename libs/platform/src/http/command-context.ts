import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { AppendMetadata, JsonObject } from '@lumbung/event-store';
import { principalOf } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { correlationIdOf } from '../logging/correlation-id';
import { parseIfMatch } from './etag';
import { commandIdentity, type CommandIdentity, type RequestForIdentity } from './idempotency';

/** Everything a command handler needs from the HTTP request, read once by @CommandCtx() below. */
export interface CommandContext extends CommandIdentity {
  principal: Principal;
  /** the HTTP request's correlation id (X-Correlation-Id), as in the logs */
  httpCorrelationId: string;
  /** when the API received the command (ISO-8601): the command's time, never the decider's clock */
  receivedAt: string;
  /** the raw If-Match header; resolve it against the target stream with `ifMatchRevision` */
  ifMatch?: string;
}

export function commandContextOf(req: RequestForIdentity & { id?: unknown }, now: Date = new Date()): CommandContext {
  const principal = principalOf(req);
  if (!principal) throw new Error('a command route needs authentication: it must not be @Public()');
  const ifMatch = req.headers['if-match'];
  return {
    ...commandIdentity(req, principal),
    principal,
    httpCorrelationId: correlationIdOf(req as Parameters<typeof correlationIdOf>[0]),
    receivedAt: now.toISOString(),
    ...(ifMatch !== undefined ? { ifMatch: Array.isArray(ifMatch) ? ifMatch.join(',') : ifMatch } : {}),
  };
}

/** The command's context: `create(@Body() dto: X, @CommandCtx() ctx: CommandContext)`. */
export const CommandCtx = createParamDecorator((_data: unknown, ctx: ExecutionContext): CommandContext =>
  commandContextOf(ctx.switchToHttp().getRequest()),
);

/** The expected revision for handleCommand's `expectedRevision`, from If-Match. */
export function ifMatchRevision(ctx: CommandContext, streamId: string): number | undefined {
  return parseIfMatch(ctx.ifMatch, streamId);
}

export interface MetadataOptions {
  /**
   * The business conversation this command belongs to (a request's id flows through its approval,
   * dispatches and receipts); defaults to the HTTP correlation id.
   */
  correlationId?: string;
  reason?: string;
  extra?: JsonObject;
}

/** Event metadata for a command (DESIGN.md invariant 5): who, when, why, which command and conversation. */
export function commandMetadata(ctx: CommandContext, options: MetadataOptions = {}): AppendMetadata {
  const p = ctx.principal;
  return {
    actor: p.sub,
    ...(p.member !== undefined ? { member: p.member } : {}),
    role: p.role,
    correlationId: options.correlationId ?? ctx.httpCorrelationId,
    causationId: ctx.commandId,
    ...(options.reason !== undefined ? { reason: options.reason } : {}),
    occurredAt: ctx.receivedAt,
    extra: {
      ...options.extra,
      requestHash: ctx.requestHash,
      httpCorrelationId: ctx.httpCorrelationId,
      ...(ctx.idempotencyKey !== undefined ? { idempotencyKey: ctx.idempotencyKey } : {}),
    },
  };
}
