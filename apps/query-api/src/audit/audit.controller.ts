import { Controller, Get, Inject, Param, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsISO8601, IsOptional, Max, Min } from 'class-validator';
import type { IncomingMessage as Request, ServerResponse as Response } from 'node:http';
import type { EventStore, RecordedEvent, VerifyReport } from '@lumbung/event-store';
import { EVENT_STORE, Roles } from '@lumbung/platform';
import { FormatQueryDto } from '../common/format-query.dto';
import { sendJson } from '../common/responder';
import { AUDIT, notFound } from '../common/scope';
import { auditEntry } from './audit-entry';
import { AuditWriter } from './audit-writer';

/** Matches a page may hold, and events one answer may scan before it hands back a cursor. */
export const MAX_AUDIT_PAGE = 10_000;
export const DEFAULT_SCAN_BUDGET = 100_000;

export class LogScanQueryDto extends FormatQueryDto {
  @ApiPropertyOptional({ description: 'exclusive global position to continue after (the `next.after` of the previous page)', default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  after?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_AUDIT_PAGE, default: 1000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_AUDIT_PAGE)
  limit?: number;

  @ApiPropertyOptional({ description: 'events scanned at most before answering with a cursor', minimum: 1, maximum: 1_000_000, default: DEFAULT_SCAN_BUDGET })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  scanLimit?: number;
}

export class ActorHistoryQueryDto extends LogScanQueryDto {
  @ApiPropertyOptional({ description: 'occurred at or after (ISO-8601)' }) @IsOptional() @IsISO8601() from?: string;
  @ApiPropertyOptional({ description: 'occurred before (ISO-8601)' }) @IsOptional() @IsISO8601() to?: string;
}

export class StreamHistoryQueryDto extends FormatQueryDto {
  @ApiPropertyOptional({ default: 0 }) @IsOptional() @Type(() => Number) @IsInt() @Min(0) fromRevision?: number;
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_AUDIT_PAGE, default: 1000 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(MAX_AUDIT_PAGE) limit?: number;
}

/**
 * The auditor's reads over the event store itself (not the read models): what was recorded is what is
 * shown. The trail and the actor history scan the global log for now (no index on correlation id or
 * actor): each answer is one page of matches, streamed as found, bounded by `limit` matches and
 * `scanLimit` events scanned, with a cursor to go on.
 */
@ApiTags('audit')
@ApiBearerAuth('bearer')
@Roles(...AUDIT)
@Controller('audit')
export class AuditController {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  @Get('requests/:requestId/trail')
  @ApiOperation({ summary: "Trail of a request: every event with the request's correlation id, across streams, in global order" })
  async trail(@Param('requestId') requestId: string, @Query() q: LogScanQueryDto, @Req() req: Request, @Res() res: Response): Promise<void> {
    await this.scan(req, res, q, `trail-${requestId}`, { correlationId: requestId }, (e) => e.metadata.correlationId === requestId, () => notFound('request', requestId));
  }

  @Get('actors/:actor')
  @ApiOperation({ summary: 'Everything one user did (by occurred time, optionally within from/to)' })
  async actor(@Param('actor') actor: string, @Query() q: ActorHistoryQueryDto, @Req() req: Request, @Res() res: Response): Promise<void> {
    const inRange = timeRange(q);
    await this.scan(req, res, q, `actor-${actor}`, { actor, from: q.from ?? null, to: q.to ?? null }, (e) => e.metadata.actor === actor && inRange(e));
  }

  @Get('members/:memberId')
  @ApiOperation({ summary: "Everything done for one member organisation (the events' member), optionally within from/to" })
  async member(@Param('memberId') memberId: string, @Query() q: ActorHistoryQueryDto, @Req() req: Request, @Res() res: Response): Promise<void> {
    const inRange = timeRange(q);
    await this.scan(req, res, q, `member-${memberId}`, { member: memberId, from: q.from ?? null, to: q.to ?? null }, (e) => e.metadata.member === memberId && inRange(e));
  }

  @Get('streams/:streamId')
  @ApiOperation({ summary: 'History of one stream, by revision' })
  async stream(@Param('streamId') streamId: string, @Query() q: StreamHistoryQueryDto, @Req() req: Request, @Res() res: Response): Promise<void> {
    const head = await this.store.streamHead(streamId);
    if (!head) throw notFound('stream', streamId);
    const limit = q.limit ?? 1000;
    const fromRevision = q.fromRevision ?? 0;
    const out = new AuditWriter(req, res, q.format, `stream-${streamId}`, { streamId, headRevision: head.revision, fromRevision });
    let last = -1;
    let n = 0;
    if (fromRevision <= head.revision) {
      for await (const e of this.store.readStream(streamId, { fromRevision, maxCount: limit })) {
        last = e.revision;
        n++;
        if (!(await out.entry(auditEntry(e)))) return;
      }
    }
    await out.end({ next: n === limit && last < head.revision ? { fromRevision: last + 1 } : null });
  }

  @Get('verify')
  @ApiOperation({ summary: "Walks the integrity chains: events checked, the head position and log hash, or the first problem" })
  async verify(@Res() res: Response): Promise<void> {
    const started = Date.now();
    const report: VerifyReport = await this.store.verify();
    sendJson(res, { ...report, elapsedMs: Date.now() - started });
  }

  private async scan(
    req: Request,
    res: Response,
    q: LogScanQueryDto,
    name: string,
    head: Record<string, unknown>,
    match: (e: RecordedEvent) => boolean,
    whenNone?: () => Error,
  ): Promise<void> {
    const after = q.after ?? 0;
    const limit = q.limit ?? 1000;
    const budget = q.scanLimit ?? DEFAULT_SCAN_BUDGET;
    const out = new AuditWriter(req, res, q.format, name, head);
    let scanned = 0;
    let found = 0;
    let position = after;
    let next: number | null = null;
    for await (const e of this.store.readAll({ after })) {
      scanned++;
      position = e.position;
      if (match(e)) {
        found++;
        if (!(await out.entry(auditEntry(e)))) return;
        if (found >= limit) {
          next = position;
          break;
        }
      }
      if (scanned >= budget) {
        next = position;
        break;
      }
    }
    if (found === 0 && after === 0 && next === null && whenNone) throw whenNone();
    await out.end({ scanned, scannedTo: position, next: next === null ? null : { after: next } });
  }
}

function timeRange(q: ActorHistoryQueryDto): (e: RecordedEvent) => boolean {
  const from = q.from ? Date.parse(q.from) : -Infinity;
  const to = q.to ? Date.parse(q.to) : Infinity;
  return (e) => {
    const t = Date.parse(e.metadata.occurredAt);
    return t >= from && t < to;
  };
}
