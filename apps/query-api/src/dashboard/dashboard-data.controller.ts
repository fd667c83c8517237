import { Controller, Get, Inject, Param, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDivisibleBy, IsInt, IsISO8601, IsOptional, Max, Min } from 'class-validator';
import type { ServerResponse } from 'node:http';
import { READ_MODEL, Roles } from '@lumbung/platform';
import { queryIncidentFigures, queryIncidentList, queryIncidentTimeline, queryMapPlaces, queryStockByCategory } from '@lumbung/read-model';
import type { DataSource } from 'typeorm';
import { sendJson } from '../common/responder';
import { FULL_VIEW, notFound } from '../common/scope';
import { incidentExists } from '../common/scoped.queries';
import { PlacePositions } from './positions';
import { CachedReads } from '../cache/read-cache.interceptor';

export class FiguresQueryDto {
  @ApiPropertyOptional({ description: 'ISO time "overdue" is judged at (default now)' }) @IsOptional() @IsISO8601() asOf?: string;
}

export class TimelineQueryDto extends FiguresQueryDto {
  @ApiPropertyOptional({ description: "minutes east of UTC the days are counted in (the browser's; WIB is 420): whole quarter hours, as every time zone is", default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @IsDivisibleBy(15, { message: 'utcOffsetMinutes must be a whole number of quarter hours (time zones are)' })
  @Min(-720)
  @Max(840)
  utcOffsetMinutes?: number;
}

/**
 * The commander dashboard's figures that the other endpoints do not give directly. Coordination data
 * of the whole cluster: for the roles that see all.
 */
@ApiTags('dashboard')
@ApiBearerAuth('bearer')
@Roles(...FULL_VIEW)
@CachedReads()
@Controller('query/dashboard')
export class DashboardDataController {
  constructor(
    @Inject(READ_MODEL) private readonly ds: DataSource,
    private readonly positions: PlacePositions,
  ) {}

  @Get('incidents')
  @ApiOperation({ summary: 'Incidents (active first) with their phase and districts' })
  async incidents(@Res() res: ServerResponse): Promise<void> {
    sendJson(res, { items: await queryIncidentList(this.ds) });
  }

  @Get('incidents/:incidentId/figures')
  @ApiOperation({ summary: "An incident's key figures: open requests, percent of approved need delivered, mean time to delivery, shipments in transit and overdue, pledges outstanding" })
  async figures(@Param('incidentId') incidentId: string, @Query() q: FiguresQueryDto, @Res() res: ServerResponse): Promise<void> {
    if (!(await incidentExists(this.ds, incidentId))) throw notFound('incident', incidentId);
    sendJson(res, await queryIncidentFigures(this.ds, incidentId, q.asOf));
  }

  @Get('incidents/:incidentId/timeline')
  @ApiOperation({ summary: "An incident's deliveries per day and fill rate over time (cumulative, within approved quantities)" })
  async timeline(@Param('incidentId') incidentId: string, @Query() q: TimelineQueryDto, @Res() res: ServerResponse): Promise<void> {
    if (!(await incidentExists(this.ds, incidentId))) throw notFound('incident', incidentId);
    sendJson(res, await queryIncidentTimeline(this.ds, incidentId, q.utcOffsetMinutes ?? 0, q.asOf));
  }

  @Get('stock-by-category')
  @ApiOperation({ summary: 'Stock available per warehouse and item category (one row per warehouse: { warehouse_id, warehouse_name, district, available: { category: quantity } })' })
  async stockByCategory(@Res() res: ServerResponse): Promise<void> {
    sendJson(res, { items: await queryStockByCategory(this.ds) });
  }

  @Get('places')
  @ApiOperation({
    summary: 'The map: warehouses and sites with district and coordinates ({ id, name, district, lat, lon }), and the shipments in transit from a warehouse (soonest expected first, at most 500)',
  })
  async places(@Res() res: ServerResponse): Promise<void> {
    const map = await queryMapPlaces(this.ds);
    await this.positions.complete('warehouse', map.warehouses);
    await this.positions.complete('site', map.sites);
    sendJson(res, map);
  }
}
