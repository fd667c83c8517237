import { Controller, Get, Inject, Param, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsISO8601, IsOptional, IsString } from 'class-validator';
import type { IncomingMessage as Request, ServerResponse as Response } from 'node:http';
import { CurrentPrincipal, READ_MODEL, Roles, type Principal } from '@lumbung/platform';
import { queryShipmentLines } from '@lumbung/read-model';
import type { DataSource } from 'typeorm';
import { FormatQueryDto } from '../common/format-query.dto';
import { PageQueryDto, SortBy } from '../common/page-query.dto';
import { sendList, sendOne } from '../common/responder';
import { FULL_VIEW, notFound, outOfScope, seesAll } from '../common/scope';
import { queryShipmentsScoped, SHIPMENT_SORT_FIELDS, warehouseOwner, type ScopedShipmentFilter } from '../common/scoped.queries';
import { CachedReads } from '../cache/read-cache.interceptor';

export const SHIPMENT_STATUSES = ['planned', 'in-transit', 'delivered', 'cancelled', 'lost'];

export class ShipmentsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: SHIPMENT_STATUSES }) @IsOptional() @IsIn(SHIPMENT_STATUSES) status?: string;
  @ApiPropertyOptional({ description: 'only shipments in transit past their expected arrival (as of asOf, default now)' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  overdue?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsISO8601() asOf?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() warehouseId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() requestId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() incidentId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() destinationId?: string;
  @SortBy(...SHIPMENT_SORT_FIELDS) sort?: string;
}

/**
 * The shipments board (planned, in transit, overdue, delivered). Scoped roles see the shipments that
 * concern them: a warehouse officer those from its warehouses, a member those it sends or that leave
 * its warehouses, a site officer those to its site.
 */
@ApiTags('shipments')
@ApiBearerAuth('bearer')
@CachedReads()
@Controller('query/shipments')
export class ShipmentsController {
  constructor(@Inject(READ_MODEL) private readonly ds: DataSource) {}

  @Get()
  @Roles(...FULL_VIEW, 'warehouse', 'member', 'site')
  @ApiOperation({ summary: 'Shipments (status, in transit, overdue, by warehouse, request, incident, destination)' })
  async list(@Query() q: ShipmentsQueryDto, @CurrentPrincipal() p: Principal, @Req() req: Request, @Res() res: Response): Promise<void> {
    const f: ScopedShipmentFilter = {
      status: q.status, warehouseId: q.warehouseId, requestId: q.requestId, incidentId: q.incidentId, destinationId: q.destinationId,
      ...(q.overdue ? { overdueAsOf: q.asOf ?? new Date().toISOString() } : {}),
    };
    if (!seesAll(p)) await this.scope(p, q, f);
    await sendList(req, res, q, 'shipments', (page) => queryShipmentsScoped(this.ds, { ...f, ...page }));
  }

  @Get(':dispatchId')
  @Roles(...FULL_VIEW, 'warehouse', 'member', 'site')
  @ApiOperation({ summary: 'One shipment with its lines (sent, received, damaged, short, over)' })
  async one(@Param('dispatchId') dispatchId: string, @Query() q: FormatQueryDto, @CurrentPrincipal() p: Principal, @Req() req: Request, @Res() res: Response): Promise<void> {
    const page = await queryShipmentsScoped(this.ds, { dispatchId, limit: 1 });
    const shipment = page.items[0];
    if (!shipment) throw notFound('dispatch', dispatchId);
    if (!seesAll(p) && !(await this.concerns(p, shipment))) throw outOfScope(p, p.role === 'site' ? 'site' : p.role === 'member' ? 'member' : 'warehouse', dispatchId);
    await sendOne(req, res, q.format, `shipment-${dispatchId}`, { ...shipment, lines: await queryShipmentLines(this.ds, dispatchId) });
  }

  private async scope(p: Principal, q: ShipmentsQueryDto, f: ScopedShipmentFilter): Promise<void> {
    if (p.role === 'warehouse') {
      if (q.warehouseId && !p.warehouses.includes(q.warehouseId)) throw outOfScope(p, 'warehouse', q.warehouseId);
      f.warehouseIds = p.warehouses;
    } else if (p.role === 'member') {
      if (q.warehouseId && (await warehouseOwner(this.ds, q.warehouseId)) !== p.member) throw outOfScope(p, 'warehouse', q.warehouseId);
      f.memberId = p.member;
    } else {
      if (q.destinationId && q.destinationId !== p.site) throw outOfScope(p, 'site', q.destinationId);
      f.siteId = p.site;
    }
  }

  private async concerns(p: Principal, s: Record<string, unknown>): Promise<boolean> {
    if (p.role === 'warehouse') return typeof s.warehouse_id === 'string' && p.warehouses.includes(s.warehouse_id);
    if (p.role === 'site') return s.destination_kind === 'site' && s.destination_id === p.site;
    if (p.role === 'member') return s.member_id === p.member || (typeof s.warehouse_id === 'string' && (await warehouseOwner(this.ds, s.warehouse_id)) === p.member);
    return false;
  }
}
