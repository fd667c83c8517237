import { Controller, Get, Inject, Param, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString } from 'class-validator';
import type { IncomingMessage as Request, ServerResponse as Response } from 'node:http';
import { CurrentPrincipal, READ_MODEL, Roles, type Principal } from '@lumbung/platform';
import { queryRequestFulfilment } from '@lumbung/read-model';
import type { DataSource } from 'typeorm';
import { FormatQueryDto } from '../common/format-query.dto';
import { PageQueryDto, SortBy } from '../common/page-query.dto';
import { sendList, sendOne } from '../common/responder';
import { FULL_VIEW, notFound, outOfScope, seesAll } from '../common/scope';
import { CachedReads } from '../cache/read-cache.interceptor';

export const REQUEST_STATUSES = ['submitted', 'approved', 'rejected', 'cancelled', 'closed'];

export class RequestsQueryDto extends PageQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsString() incidentId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() siteId?: string;
  @ApiPropertyOptional({ enum: REQUEST_STATUSES }) @IsOptional() @IsIn(REQUEST_STATUSES) status?: string;
  @SortBy('submitted_at', 'needed_by', 'priority', 'status', 'request') sort?: string;
}

/** Requests with their lines and fulfilment (requested, approved, dispatched, received, outstanding, percent filled). A site officer reads its own site's. */
@ApiTags('requests')
@ApiBearerAuth('bearer')
@CachedReads()
@Controller('query/requests')
export class RequestsController {
  constructor(@Inject(READ_MODEL) private readonly ds: DataSource) {}

  @Get()
  @Roles(...FULL_VIEW, 'site')
  @ApiOperation({ summary: 'Requests and their fulfilment' })
  async list(@Query() q: RequestsQueryDto, @CurrentPrincipal() p: Principal, @Req() req: Request, @Res() res: Response): Promise<void> {
    let siteId = q.siteId;
    if (!seesAll(p)) {
      if (siteId && siteId !== p.site) throw outOfScope(p, 'site', siteId);
      siteId = p.site;
    }
    await sendList(req, res, q, 'requests', (page) => queryRequestFulfilment(this.ds, { incidentId: q.incidentId, siteId, status: q.status, ...page }));
  }

  @Get(':requestId')
  @Roles(...FULL_VIEW, 'site')
  @ApiOperation({ summary: 'One request with its lines and fulfilment' })
  async one(@Param('requestId') requestId: string, @Query() q: FormatQueryDto, @CurrentPrincipal() p: Principal, @Req() req: Request, @Res() res: Response): Promise<void> {
    const page = await queryRequestFulfilment(this.ds, { requestId, limit: 1 });
    const r = page.items[0];
    if (!r) throw notFound('request', requestId);
    if (!seesAll(p) && r.site_id !== p.site) throw outOfScope(p, 'site', r.site_id ?? '?');
    await sendOne(req, res, q.format, `request-${requestId}`, r);
  }
}
