import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiPropertyOptional, ApiQuery, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import type { ServerResponse } from 'node:http';
import { ApiError, CredentialsValidUntil, CurrentPrincipal, Roles, type Principal } from '@lumbung/platform';
import { FULL_VIEW } from '../common/scope';
import { HEARTBEAT_MS, LiveFeed, RETRY_MS } from './live-feed';

export class EventStreamQueryDto {
  @ApiPropertyOptional({ description: 'only changes that may concern this incident (its own, and stock or reference data that feed every incident)' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  incident?: string;
}

/**
 * Server-sent events: one `event: changed` per committed read-model batch, its data a JSON summary
 * (position, at, projections, tables, and the incidents, warehouses, sites, members and requests the
 * touched rows name), so that a dashboard refreshes the panels concerned without polling.
 *
 * Roles: commander, auditor, eoc and admin hear of every change. Scoped roles may listen too, but hear
 * only of changes naming their own warehouses (warehouse officer), site (site officer) or member
 * organisation (member), with only those ids in the data; a truncated change ("something changed",
 * ids left out) reaches everyone so that screens can refresh. Other readers' data never leaks into a
 * scoped stream beyond the fact that something changed.
 *
 * Authentication: the usual bearer header, or `?access_token=` for this endpoint only, because a
 * browser's EventSource cannot set headers (the token is taken out of the URL before logging). A
 * stream ends with `event: expired` when its token expires: it never outlives its credentials.
 */
@ApiTags('live')
@ApiBearerAuth('bearer')
@Controller('events')
export class EventsController {
  constructor(private readonly feed: LiveFeed) {}

  @Get('stream')
  @Roles(...FULL_VIEW, 'warehouse', 'site', 'member')
  @ApiOperation({
    summary: 'Live read-model changes (text/event-stream)',
    description:
      `Sends \`event: changed\` with JSON data per committed read-model batch, \`retry: ${RETRY_MS}\`, and a comment every ${HEARTBEAT_MS / 1000} s; ` +
      '`event: expired` and the end of the stream when the token expires. ' +
      'Token as `Authorization: Bearer` or, for browsers\' EventSource, `?access_token=`. Scoped roles hear only of changes naming their own warehouses, site or member.',
  })
  @ApiProduces('text/event-stream')
  @ApiQuery({ name: 'access_token', required: false, description: 'the bearer token, for EventSource (this endpoint only)' })
  stream(@Query() q: EventStreamQueryDto, @CurrentPrincipal() principal: Principal, @CredentialsValidUntil() validUntilMs: number | undefined, @Res() res: ServerResponse): void {
    if (!this.feed.available) throw new ApiError(503, 'live-unavailable', 'live changes are not available (no change feed wired, or shutting down)');
    this.feed.open(res, { principal, incident: q.incident }, validUntilMs);
  }
}
