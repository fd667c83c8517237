import { Body, Controller, Param, Patch, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import type { ServerResponse } from 'node:http';
import { CommandCtx, type CommandContext } from '@lumbung/platform';
import { CommandRoute, IdParamPipe, ReasonDto, send, type CommandResultDto } from '../common';
import { ChangeIncidentPhaseCommand, DeactivateIncidentCommand, RegisterIncidentCommand, UpdateIncidentCommand } from './incidents.commands';
import { ChangeIncidentPhaseDto, RegisterIncidentDto, UpdateIncidentDto } from './incidents.dto';

@ApiTags('incidents')
@Controller('incidents')
export class IncidentsController {
  constructor(private readonly bus: CommandBus) {}

  @Post()
  @CommandRoute('RegisterIncident', 'Register an incident (kejadian bencana): type, districts, phase', 201)
  async register(@Body() dto: RegisterIncidentDto, @CommandCtx() ctx: CommandContext, @Res({ passthrough: true }) res: ServerResponse): Promise<CommandResultDto> {
    return send(res, await this.bus.execute(new RegisterIncidentCommand(ctx, dto)));
  }

  @Patch(':incidentId')
  @CommandRoute('UpdateIncident', 'Change an incident (name, affected districts)')
  async update(
    @Param('incidentId', IdParamPipe) id: string,
    @Body() dto: UpdateIncidentDto,
    @CommandCtx() ctx: CommandContext,
    @Res({ passthrough: true }) res: ServerResponse,
  ): Promise<CommandResultDto> {
    return send(res, await this.bus.execute(new UpdateIncidentCommand(ctx, dto, id)));
  }

  @Post(':incidentId/phase')
  @CommandRoute('ChangeIncidentPhase', 'Move an incident to another phase: preparedness, emergency, recovery (with a reason)')
  async phase(
    @Param('incidentId', IdParamPipe) id: string,
    @Body() dto: ChangeIncidentPhaseDto,
    @CommandCtx() ctx: CommandContext,
    @Res({ passthrough: true }) res: ServerResponse,
  ): Promise<CommandResultDto> {
    return send(res, await this.bus.execute(new ChangeIncidentPhaseCommand(ctx, dto, id)));
  }

  @Post(':incidentId/deactivate')
  @CommandRoute('DeactivateIncident', 'Deactivate an incident (with a reason)')
  async deactivate(
    @Param('incidentId', IdParamPipe) id: string,
    @Body() dto: ReasonDto,
    @CommandCtx() ctx: CommandContext,
    @Res({ passthrough: true }) res: ServerResponse,
  ): Promise<CommandResultDto> {
    return send(res, await this.bus.execute(new DeactivateIncidentCommand(ctx, dto, id)));
  }
}
