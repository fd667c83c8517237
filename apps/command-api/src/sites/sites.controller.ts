import { Body, Controller, Param, Patch, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import type { ServerResponse } from 'node:http';
import { CommandCtx, type CommandContext } from '@lumbung/platform';
import { CommandRoute, IdParamPipe, ReasonDto, send, type CommandResultDto } from '../common';
import { DeactivateSiteCommand, RegisterSiteCommand, UpdateSiteCommand } from './sites.commands';
import { RegisterSiteDto, UpdateSiteDto } from './sites.dto';

@ApiTags('sites')
@Controller('sites')
export class SitesController {
  constructor(private readonly bus: CommandBus) {}

  @Post()
  @CommandRoute('RegisterSite', 'Register a site: command post (posko), evacuation site or village', 201)
  async register(@Body() dto: RegisterSiteDto, @CommandCtx() ctx: CommandContext, @Res({ passthrough: true }) res: ServerResponse): Promise<CommandResultDto> {
    return send(res, await this.bus.execute(new RegisterSiteCommand(ctx, dto)));
  }

  @Patch(':siteId')
  @CommandRoute('UpdateSite', 'Change a site')
  async update(
    @Param('siteId', IdParamPipe) id: string,
    @Body() dto: UpdateSiteDto,
    @CommandCtx() ctx: CommandContext,
    @Res({ passthrough: true }) res: ServerResponse,
  ): Promise<CommandResultDto> {
    return send(res, await this.bus.execute(new UpdateSiteCommand(ctx, dto, id)));
  }

  @Post(':siteId/deactivate')
  @CommandRoute('DeactivateSite', 'Deactivate a site (with a reason)')
  async deactivate(
    @Param('siteId', IdParamPipe) id: string,
    @Body() dto: ReasonDto,
    @CommandCtx() ctx: CommandContext,
    @Res({ passthrough: true }) res: ServerResponse,
  ): Promise<CommandResultDto> {
    return send(res, await this.bus.execute(new DeactivateSiteCommand(ctx, dto, id)));
  }
}
