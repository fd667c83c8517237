import { Controller, Get, Inject, Param, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import type { IncomingMessage as Request, ServerResponse as Response } from 'node:http';
import { READ_MODEL, Roles } from '@lumbung/platform';
import { queryGapMatrix } from '@lumbung/read-model';
import type { DataSource } from 'typeorm';
import { FormatQueryDto } from '../common/format-query.dto';
import { sendJson, sendRows, wantsCsv } from '../common/responder';
import { FULL_VIEW, notFound } from '../common/scope';
import { incidentExists } from '../common/scoped.queries';
import { CachedReads } from '../cache/read-cache.interceptor';

export class GapMatrixQueryDto extends FormatQueryDto {
  @ApiPropertyOptional({ enum: ['items', 'cells'], description: 'CSV only: the per-item totals (default) or the per district, site and item cells' })
  @IsOptional()
  @IsIn(['items', 'cells'])
  part?: 'items' | 'cells';
}

/**
 * The gap matrix of an incident: need against stock in the affected districts and pledges. Coordination
 * data of the whole cluster (every member's stock summed): for the roles that see all.
 */
@ApiTags('incidents')
@ApiBearerAuth('bearer')
@CachedReads()
@Controller('query/incidents')
export class GapMatrixController {
  constructor(@Inject(READ_MODEL) private readonly ds: DataSource) {}

  @Get(':incidentId/gap-matrix')
  @Roles(...FULL_VIEW)
  @ApiOperation({ summary: 'Need vs available vs pledged per item, and per district, site and item' })
  async gapMatrix(@Param('incidentId') incidentId: string, @Query() q: GapMatrixQueryDto, @Req() req: Request, @Res() res: Response): Promise<void> {
    if (!(await incidentExists(this.ds, incidentId))) throw notFound('incident', incidentId);
    const m = await queryGapMatrix(this.ds, incidentId);
    if (!wantsCsv(req, q.format)) {
      sendJson(res, m);
      return;
    }
    const rows = q.part === 'cells' ? m.cells : m.items;
    await sendRows(req, res, 'csv', `gap-matrix-${incidentId}-${q.part ?? 'items'}`, rows as unknown as Array<Record<string, unknown>>);
  }
}
