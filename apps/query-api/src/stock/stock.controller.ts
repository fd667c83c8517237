import { Controller, Get, Inject, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsISO8601, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import type { IncomingMessage as Request, ServerResponse as Response } from 'node:http';
import { CurrentPrincipal, READ_MODEL, Roles, type Principal } from '@lumbung/platform';
import { queryItems, queryStockByDistrict } from '@lumbung/read-model';
import type { DataSource } from 'typeorm';
import { PageQueryDto, SortBy } from '../common/page-query.dto';
import { sendJson, sendList, sendRows } from '../common/responder';
import { FULL_VIEW, outOfScope, seesAll } from '../common/scope';
import { queryStockScoped, STOCK_SORT_FIELDS, warehouseOwner, type ScopedStockFilter } from '../common/scoped.queries';
import { CachedReads } from '../cache/read-cache.interceptor';

export class StockQueryDto extends PageQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsString() warehouseId?: string;
  @ApiPropertyOptional({ description: 'district name (case-insensitive)' }) @IsOptional() @IsString() district?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() itemId?: string;
  @ApiPropertyOptional({ description: 'food, non-food, shelter, wash, health, equipment' }) @IsOptional() @IsString() category?: string;
  @ApiPropertyOptional({ description: 'only stock with a batch expiring within N days of asOf' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(3650)
  expiringWithinDays?: number;
  @ApiPropertyOptional({ description: 'ISO time the expiry window starts (default now)' }) @IsOptional() @IsISO8601() asOf?: string;
  @SortBy(...STOCK_SORT_FIELDS) sort?: string;
}

export class DistrictStockQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsString() district?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() itemId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() category?: string;
  @ApiPropertyOptional({ enum: ['json', 'csv'] }) @IsOptional() @IsIn(['json', 'csv']) format?: 'json' | 'csv';
}

/**
 * Stock per warehouse and item. A warehouse officer reads its warehouses, a member the warehouses it
 * owns; everyone else in FULL_VIEW reads all. Naming a warehouse outside one's scope is a 403, not an
 * empty list, so a client can tell "nothing there" from "not yours".
 */
@ApiTags('stock')
@ApiBearerAuth('bearer')
@CachedReads()
@Controller('query/stock')
export class StockController {
  constructor(@Inject(READ_MODEL) private readonly ds: DataSource) {}

  @Get()
  @Roles(...FULL_VIEW, 'warehouse', 'member')
  @ApiOperation({ summary: 'Stock per warehouse and item (filters: warehouse, district, item, category, expiring within N days)' })
  async list(@Query() q: StockQueryDto, @CurrentPrincipal() p: Principal, @Req() req: Request, @Res() res: Response): Promise<void> {
    const f: ScopedStockFilter = { warehouseId: q.warehouseId, district: q.district, itemId: q.itemId, category: q.category, expiringWithinDays: q.expiringWithinDays, asOf: q.asOf };
    if (!seesAll(p)) {
      if (p.role === 'warehouse') {
        if (q.warehouseId && !p.warehouses.includes(q.warehouseId)) throw outOfScope(p, 'warehouse', q.warehouseId);
        f.warehouseIds = p.warehouses;
      } else {
        if (q.warehouseId && (await warehouseOwner(this.ds, q.warehouseId)) !== p.member) throw outOfScope(p, 'warehouse', q.warehouseId);
        f.ownerMemberId = p.member;
      }
    }
    await sendList(req, res, q, 'stock', (page) => queryStockScoped(this.ds, { ...f, ...page }));
  }

  @Get('by-district')
  @Roles(...FULL_VIEW)
  @ApiOperation({ summary: 'Stock totals per district and item' })
  async byDistrict(@Query() q: DistrictStockQueryDto, @Req() req: Request, @Res() res: Response): Promise<void> {
    const rows = await queryStockByDistrict(this.ds, { district: q.district, itemId: q.itemId, category: q.category });
    await sendRows(req, res, q.format, 'stock-by-district', rows as unknown as Array<Record<string, unknown>>);
  }

  @Get('items')
  @Roles(...FULL_VIEW, 'warehouse', 'member')
  @ApiOperation({ summary: 'The items stock is kept of: id, name, category, unit (to name the items other answers give by id)' })
  async items(@Res() res: Response): Promise<void> {
    sendJson(res, { items: await queryItems(this.ds) });
  }
}
