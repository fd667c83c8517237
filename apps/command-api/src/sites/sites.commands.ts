import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { streamIds } from '@lumbung/domain';
import { ifMatchRevision } from '@lumbung/platform';
import { answer, ApiCommand, authorizeCommand, clusterTarget, CommandRunner, idFor, type CommandAnswer, type ReasonDto } from '../common';
import type { RegisterSiteDto, UpdateSiteDto } from './sites.dto';

export class RegisterSiteCommand extends ApiCommand<RegisterSiteDto> {}
export class UpdateSiteCommand extends ApiCommand<UpdateSiteDto> {}
export class DeactivateSiteCommand extends ApiCommand<ReasonDto> {}

@CommandHandler(RegisterSiteCommand)
export class RegisterSiteHandler implements ICommandHandler<RegisterSiteCommand> {
  constructor(private readonly runner: CommandRunner) {}
  async execute({ ctx, dto }: RegisterSiteCommand): Promise<CommandAnswer> {
    authorizeCommand(ctx.principal, 'RegisterSite', clusterTarget);
    const { siteId: given, ...rest } = dto;
    const siteId = idFor(ctx, given, 'site');
    const r = await this.runner.run('site', siteId, { type: 'RegisterSite', data: { siteId, ...rest } }, ctx, { correlationId: siteId, expectedRevision: ifMatchRevision(ctx, streamIds.site(siteId)) });
    return answer(siteId, r);
  }
}

@CommandHandler(UpdateSiteCommand)
export class UpdateSiteHandler implements ICommandHandler<UpdateSiteCommand> {
  constructor(private readonly runner: CommandRunner) {}
  async execute({ ctx, dto, id }: UpdateSiteCommand): Promise<CommandAnswer> {
    authorizeCommand(ctx.principal, 'UpdateSite', clusterTarget);
    const r = await this.runner.run('site', id, { type: 'UpdateSite', data: { siteId: id, ...dto } }, ctx, { correlationId: id, expectedRevision: ifMatchRevision(ctx, streamIds.site(id)) });
    return answer(id, r);
  }
}

@CommandHandler(DeactivateSiteCommand)
export class DeactivateSiteHandler implements ICommandHandler<DeactivateSiteCommand> {
  constructor(private readonly runner: CommandRunner) {}
  async execute({ ctx, dto, id }: DeactivateSiteCommand): Promise<CommandAnswer> {
    authorizeCommand(ctx.principal, 'DeactivateSite', clusterTarget);
    const r = await this.runner.run('site', id, { type: 'DeactivateSite', data: { siteId: id, reason: dto.reason } }, ctx, {
      correlationId: id,
      reason: dto.reason,
      expectedRevision: ifMatchRevision(ctx, streamIds.site(id)),
    });
    return answer(id, r);
  }
}

export const siteHandlers = [RegisterSiteHandler, UpdateSiteHandler, DeactivateSiteHandler];
