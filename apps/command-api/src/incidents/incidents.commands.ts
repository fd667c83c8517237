import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { streamIds } from '@lumbung/domain';
import { ifMatchRevision } from '@lumbung/platform';
import { answer, ApiCommand, authorizeCommand, clusterTarget, CommandRunner, idFor, type CommandAnswer, type ReasonDto } from '../common';
import type { ChangeIncidentPhaseDto, RegisterIncidentDto, UpdateIncidentDto } from './incidents.dto';

export class RegisterIncidentCommand extends ApiCommand<RegisterIncidentDto> {}
export class UpdateIncidentCommand extends ApiCommand<UpdateIncidentDto> {}
export class ChangeIncidentPhaseCommand extends ApiCommand<ChangeIncidentPhaseDto> {}
export class DeactivateIncidentCommand extends ApiCommand<ReasonDto> {}

@CommandHandler(RegisterIncidentCommand)
export class RegisterIncidentHandler implements ICommandHandler<RegisterIncidentCommand> {
  constructor(private readonly runner: CommandRunner) {}
  async execute({ ctx, dto }: RegisterIncidentCommand): Promise<CommandAnswer> {
    authorizeCommand(ctx.principal, 'RegisterIncident', clusterTarget);
    const { incidentId: given, ...rest } = dto;
    const incidentId = idFor(ctx, given, 'incident');
    const r = await this.runner.run('incident', incidentId, { type: 'RegisterIncident', data: { incidentId, ...rest } }, ctx, {
      correlationId: incidentId,
      extra: { incidentId, phase: dto.phase ?? 'preparedness' },
      expectedRevision: ifMatchRevision(ctx, streamIds.incident(incidentId)),
    });
    return answer(incidentId, r);
  }
}

@CommandHandler(UpdateIncidentCommand)
export class UpdateIncidentHandler implements ICommandHandler<UpdateIncidentCommand> {
  constructor(private readonly runner: CommandRunner) {}
  async execute({ ctx, dto, id }: UpdateIncidentCommand): Promise<CommandAnswer> {
    authorizeCommand(ctx.principal, 'UpdateIncident', clusterTarget);
    const r = await this.runner.run('incident', id, { type: 'UpdateIncident', data: { incidentId: id, ...dto } }, ctx, {
      correlationId: id,
      extra: { incidentId: id },
      expectedRevision: ifMatchRevision(ctx, streamIds.incident(id)),
    });
    return answer(id, r);
  }
}

@CommandHandler(ChangeIncidentPhaseCommand)
export class ChangeIncidentPhaseHandler implements ICommandHandler<ChangeIncidentPhaseCommand> {
  constructor(private readonly runner: CommandRunner) {}
  async execute({ ctx, dto, id }: ChangeIncidentPhaseCommand): Promise<CommandAnswer> {
    authorizeCommand(ctx.principal, 'ChangeIncidentPhase', clusterTarget);
    const r = await this.runner.run('incident', id, { type: 'ChangeIncidentPhase', data: { incidentId: id, phase: dto.phase, reason: dto.reason } }, ctx, {
      correlationId: id,
      reason: dto.reason,
      extra: { incidentId: id, phase: dto.phase },
      expectedRevision: ifMatchRevision(ctx, streamIds.incident(id)),
    });
    return answer(id, r);
  }
}

@CommandHandler(DeactivateIncidentCommand)
export class DeactivateIncidentHandler implements ICommandHandler<DeactivateIncidentCommand> {
  constructor(private readonly runner: CommandRunner) {}
  async execute({ ctx, dto, id }: DeactivateIncidentCommand): Promise<CommandAnswer> {
    authorizeCommand(ctx.principal, 'DeactivateIncident', clusterTarget);
    const r = await this.runner.run('incident', id, { type: 'DeactivateIncident', data: { incidentId: id, reason: dto.reason } }, ctx, {
      correlationId: id,
      reason: dto.reason,
      extra: { incidentId: id },
      expectedRevision: ifMatchRevision(ctx, streamIds.incident(id)),
    });
    return answer(id, r);
  }
}

export const incidentHandlers = [RegisterIncidentHandler, UpdateIncidentHandler, ChangeIncidentPhaseHandler, DeactivateIncidentHandler];
