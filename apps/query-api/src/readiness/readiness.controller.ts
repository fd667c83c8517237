import { Controller, Get, Inject, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';
import type { IncomingMessage as Request, ServerResponse as Response } from 'node:http';
import { CurrentPrincipal, READ_MODEL, Roles, type Principal } from '@lumbung/platform';
import { queryMemberReadiness, queryPlanReadiness } from '@lumbung/read-model';
import type { DataSource } from 'typeorm';
import { FormatQueryDto } from '../common/format-query.dto';
import { PageQueryDto, SortBy } from '../common/page-query.dto';
import { sendList, sendRows } from '../common/responder';
import { FULL_VIEW, outOfScope, seesAll } from '../common/scope';
import { CachedReads } from '../cache/read-cache.interceptor';

export class PlanReadinessQueryDto extends PageQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsString() planId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() district?: string;
  @SortBy('plan', 'name', 'district') sort?: string;
}

export class MemberReadinessQueryDto extends FormatQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsString() memberId?: string;
}

/** Preparedness: operations plans' targets against stock, and members' declared capacity against what is deployed. */
@ApiTags('readiness')
@ApiBearerAuth('bearer')
@CachedReads()
@Controller('query/readiness')
export class ReadinessController {
  constructor(@Inject(READ_MODEL) private readonly ds: DataSource) {}

  @Get('plans')
  @Roles(...FULL_VIEW)
  @ApiOperation({ summary: "Each operations plan's pre-positioning targets vs available stock" })
  async plans(@Query() q: PlanReadinessQueryDto, @Req() req: Request, @Res() res: Response): Promise<void> {
    await sendList(req, res, q, 'plan-readiness', (page) => queryPlanReadiness(this.ds, { planId: q.planId, district: q.district, ...page }));
  }

  @Get('members')
  @Roles(...FULL_VIEW, 'member')
  @ApiOperation({ summary: "Members' declared capacity and what of it is deployed (a member: its own)" })
  async members(@Query() q: MemberReadinessQueryDto, @CurrentPrincipal() p: Principal, @Req() req: Request, @Res() res: Response): Promise<void> {
    let memberId = q.memberId;
    if (!seesAll(p)) {
      if (memberId && memberId !== p.member) throw outOfScope(p, 'member', memberId);
      memberId = p.member;
    }
    const rows = await queryMemberReadiness(this.ds, { memberId });
    await sendRows(req, res, q.format, 'member-readiness', rows as unknown as Array<Record<string, unknown>>);
  }
}
