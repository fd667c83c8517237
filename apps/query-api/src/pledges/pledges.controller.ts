import { Controller, Get, Inject, Param, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString } from 'class-validator';
import type { IncomingMessage as Request, ServerResponse as Response } from 'node:http';
import { CurrentPrincipal, READ_MODEL, Roles, type Principal } from '@lumbung/platform';
import { queryMemberPledgeRecords, queryPledges } from '@lumbung/read-model';
import type { DataSource } from 'typeorm';
import { FormatQueryDto } from '../common/format-query.dto';
import { PageQueryDto, SortBy } from '../common/page-query.dto';
import { sendList, sendOne } from '../common/responder';
import { FULL_VIEW, notFound, outOfScope, seesAll } from '../common/scope';
import { queryPledgeById } from '../common/scoped.queries';
import { CachedReads } from '../cache/read-cache.interceptor';

export const PLEDGE_STATUSES = ['offered', 'accepted', 'declined', 'fulfilled', 'withdrawn', 'lapsed'];

export class PledgesQueryDto extends PageQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsString() memberId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() incidentId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() requestId?: string;
  @ApiPropertyOptional({ enum: PLEDGE_STATUSES }) @IsOptional() @IsIn(PLEDGE_STATUSES) status?: string;
  @SortBy('offered_at', 'expected_by', 'status', 'member') sort?: string;
}

export class MemberRecordsQueryDto extends PageQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsString() memberId?: string;
  @SortBy('member', 'delivery_ratio', 'lead_time', 'pledges') sort?: string;
}

/** The member whose data a member user may read: its own (naming another is a 403). */
function memberScope(p: Principal, asked: string | undefined): string | undefined {
  if (seesAll(p)) return asked;
  if (asked && asked !== p.member) throw outOfScope(p, 'member', asked);
  return p.member;
}

/** Pledges with their lines, and each member's delivery record. A member reads its own only. */
@ApiTags('pledges')
@ApiBearerAuth('bearer')
@CachedReads()
@Controller('query')
export class PledgesController {
  constructor(@Inject(READ_MODEL) private readonly ds: DataSource) {}

  @Get('pledges')
  @Roles(...FULL_VIEW, 'member')
  @ApiOperation({ summary: 'Pledges and their lines (offered, accepted, delivered, outstanding)' })
  async list(@Query() q: PledgesQueryDto, @CurrentPrincipal() p: Principal, @Req() req: Request, @Res() res: Response): Promise<void> {
    const memberId = memberScope(p, q.memberId);
    await sendList(req, res, q, 'pledges', (page) => queryPledges(this.ds, { memberId, incidentId: q.incidentId, requestId: q.requestId, status: q.status, ...page }));
  }

  @Get('pledges/:pledgeId')
  @Roles(...FULL_VIEW, 'member')
  @ApiOperation({ summary: 'One pledge with its lines' })
  async one(@Param('pledgeId') pledgeId: string, @Query() q: FormatQueryDto, @CurrentPrincipal() p: Principal, @Req() req: Request, @Res() res: Response): Promise<void> {
    const found = await queryPledgeById(this.ds, pledgeId);
    if (!found) throw notFound('pledge', pledgeId);
    if (!seesAll(p) && found.member_id !== p.member) throw outOfScope(p, 'member', String(found.member_id));
    await sendOne(req, res, q.format, `pledge-${pledgeId}`, found);
  }

  @Get('members/pledge-records')
  @Roles(...FULL_VIEW, 'member')
  @ApiOperation({ summary: "Members' delivery record: pledges, delivery ratio, mean lead time" })
  async records(@Query() q: MemberRecordsQueryDto, @CurrentPrincipal() p: Principal, @Req() req: Request, @Res() res: Response): Promise<void> {
    const memberId = memberScope(p, q.memberId);
    await sendList(req, res, q, 'member-pledge-records', (page) => queryMemberPledgeRecords(this.ds, { memberId, ...page }));
  }
}
