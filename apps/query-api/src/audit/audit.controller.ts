import { applyDecorators, Controller, Get, Inject, Param, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, Max, Min } from 'class-validator';
import type { IncomingMessage as Request, ServerResponse as Response } from 'node:http';
import { streamIds } from '@lumbung/domain';
import type { EventStore, RecordedEvent, VerifyReport } from '@lumbung/event-store';
import { EVENT_STORE, Roles } from '@lumbung/platform';
import { incidentsTable, itemsTable, sitesTable } from '@lumbung/projections';
import { resolveCut, type AsOfCut } from '../as-of/as-of-cut';
import { AsOfQueryDto } from '../as-of/as-of-query.dto';
import { AsOfReplays } from '../as-of/as-of.replays';
import { referenceRowAsOf } from '../as-of/stream-replay';
import { FormatQueryDto } from '../common/format-query.dto';
import { sendJson } from '../common/responder';
import { AUDIT, notFound } from '../common/scope';
import { auditEntry, type AuditEntry } from './audit-entry';
import { AuditWriter } from './audit-writer';
import { sendHtml } from './html';
import { renderTrailHtml } from './trail-html';

/** Matches a page may hold, and events one answer may scan before it hands back a cursor. */
export const MAX_AUDIT_PAGE = 10_000;
export const DEFAULT_SCAN_BUDGET = 100_000;

/** `after`: the cursor of the scans and the trail. */
const AfterField = () =>
  applyDecorators(
    ApiPropertyOptional({ description: 'exclusive global position to continue after (the `next.after` of the previous page)', default: 0 }),
    IsOptional(),
    Type(() => Number),
    IsInt(),
    Min(0),
  );

/** `limit`: matches one page may hold. */
const PageLimitField = () => applyDecorators(ApiPropertyOptional({ minimum: 1, maximum: MAX_AUDIT_PAGE, default: 1000 }), IsOptional(), Type(() => Number), IsInt(), Min(1), Max(MAX_AUDIT_PAGE));

export class LogScanQueryDto extends FormatQueryDto {
  @AfterField() after?: number;

  @PageLimitField() limit?: number;

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

/** The trail: paged by position like the scans, cut by position or time like the as-of reads, and printable. */
export class TrailQueryDto extends AsOfQueryDto {
  @AfterField() after?: number;

  @PageLimitField() limit?: number;

  @ApiPropertyOptional({ description: 'accepted for older clients and ignored: the trail reads the correlation index, it scans nothing', deprecated: true })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  scanLimit?: number;

  @ApiPropertyOptional({ enum: ['json', 'csv', 'html'], description: 'html: a printable page (request header, events in order)' })
  @IsOptional()
  @IsIn(['json', 'csv', 'html'])
  format?: 'json' | 'csv' | 'html';
}

export class StreamHistoryQueryDto extends FormatQueryDto {
  @ApiPropertyOptional({ default: 0 }) @IsOptional() @Type(() => Number) @IsInt() @Min(0) fromRevision?: number;
  @PageLimitField() limit?: number;
}

/**
 * The auditor's reads over the event store itself (not the read models): what was recorded is what is
 * shown. The trail reads the store's correlation index (readByCorrelationId: only that request's
 * events, in global order). The actor and member histories scan the global log (no index on actor or
 * member): each answer is one page of matches, streamed as found, bounded by `limit` matches and
 * `scanLimit` events scanned, with a cursor to go on.
 */
@ApiTags('audit')
@ApiBearerAuth('bearer')
@Roles(...AUDIT)
@Controller('audit')
export class AuditController {
  private readonly replays: AsOfReplays;

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {
    this.replays = new AsOfReplays(store);
  }

  @Get('requests/:requestId/trail')
  @ApiOperation({
    summary: "Trail of a request: every event with the request's correlation id, across streams, in global order",
    description: 'JSON (streamed), CSV, or a printable HTML page (`format=html`). `position` or `at` cut the trail at that point of the log (as of then). Paged by `after`/`limit`.',
  })
  async trail(@Param('requestId') requestId: string, @Query() q: TrailQueryDto, @Req() req: Request, @Res() res: Response): Promise<void> {
    const cut = q.position !== undefined || q.at !== undefined ? await resolveCut(this.store, q) : undefined;
    const after = q.after ?? 0;
    const limit = q.limit ?? 1000;
    // One more than the page: whether there is a next page is known without a second read.
    const events = this.store.readByCorrelationId(requestId, { after, maxCount: limit + 1, ...(cut ? { toPosition: cut.position } : {}) });
    if (q.format === 'html') {
      await this.trailHtml(requestId, events, limit, cut, res);
      return;
    }
    const out = new AuditWriter(req, res, q.format, `trail-${requestId}`, { correlationId: requestId, ...(cut ? { asOf: cut } : {}) });
    let found = 0;
    let last = after;
    let next: { after: number } | null = null;
    for await (const e of events) {
      if (found === limit) {
        next = { after: last };
        break;
      }
      found++;
      last = e.position;
      if (!(await out.entry(auditEntry(e)))) return;
    }
    if (found === 0 && after === 0 && !(await this.requestExisted(requestId, cut))) throw notFound('request', requestId);
    await out.end({ next });
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

  /** A trail with no event is a 404 unless the request exists (a cut before its first event shows an empty trail). */
  private async requestExisted(requestId: string, cut: AsOfCut | undefined): Promise<boolean> {
    return cut !== undefined && (await this.store.streamHead(streamIds.request(requestId))) !== null;
  }

  private async trailHtml(requestId: string, events: AsyncIterable<RecordedEvent>, limit: number, cut: AsOfCut | undefined, res: Response): Promise<void> {
    const entries: AuditEntry[] = [];
    let next: { after: number } | null = null;
    for await (const e of events) {
      if (entries.length === limit) {
        next = { after: entries[entries.length - 1].position };
        break;
      }
      entries.push(auditEntry(e));
    }
    if (entries.length === 0 && !(await this.requestExisted(requestId, cut))) throw notFound('request', requestId);
    const position = cut?.position ?? (await this.store.headPosition());
    const request = await this.replays.request(requestId, position);
    const [site, incident] = request
      ? await Promise.all([
          request.site_id ? referenceRowAsOf(this.store, streamIds.site(request.site_id), sitesTable, { site_id: request.site_id }, position) : undefined,
          request.incident_id ? referenceRowAsOf(this.store, streamIds.incident(request.incident_id), incidentsTable, { incident_id: request.incident_id }, position) : undefined,
        ])
      : [];
    const itemNames = new Map<string, string | null>();
    for (const l of request?.lines ?? []) {
      const item = await referenceRowAsOf(this.store, streamIds.item(l.item_id), itemsTable, { item_id: l.item_id }, position);
      itemNames.set(l.item_id, (item?.name as string | null | undefined) ?? null);
    }
    sendHtml(
      res,
      renderTrailHtml({
        requestId, request, siteName: (site?.name as string | null | undefined) ?? null, incidentName: (incident?.name as string | null | undefined) ?? null,
        itemNames, entries, cut, next, printedAt: new Date().toISOString(),
      }),
    );
  }

  private async scan(
    req: Request,
    res: Response,
    q: LogScanQueryDto,
    name: string,
    head: Record<string, unknown>,
    match: (e: RecordedEvent) => boolean,
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
