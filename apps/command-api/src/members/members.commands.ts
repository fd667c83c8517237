import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { streamIds } from '@lumbung/domain';
import { ifMatchRevision } from '@lumbung/platform';
import { answer, ApiCommand, authorizeCommand, clusterTarget, CommandRunner, idFor, type CommandAnswer, type ReasonDto } from '../common';
import type { RegisterMemberDto, UpdateMemberDto } from './members.dto';

export class RegisterMemberCommand extends ApiCommand<RegisterMemberDto> {}
export class UpdateMemberCommand extends ApiCommand<UpdateMemberDto> {}
export class DeactivateMemberCommand extends ApiCommand<ReasonDto> {}

@CommandHandler(RegisterMemberCommand)
export class RegisterMemberHandler implements ICommandHandler<RegisterMemberCommand> {
  constructor(private readonly runner: CommandRunner) {}
  async execute({ ctx, dto }: RegisterMemberCommand): Promise<CommandAnswer> {
    authorizeCommand(ctx.principal, 'RegisterMember', clusterTarget);
    const { memberId: given, ...rest } = dto;
    const memberId = idFor(ctx, given, 'member');
    const r = await this.runner.run('member', memberId, { type: 'RegisterMember', data: { memberId, ...rest } }, ctx, { correlationId: memberId, expectedRevision: ifMatchRevision(ctx, streamIds.member(memberId)) });
    return answer(memberId, r);
  }
}

@CommandHandler(UpdateMemberCommand)
export class UpdateMemberHandler implements ICommandHandler<UpdateMemberCommand> {
  constructor(private readonly runner: CommandRunner) {}
  async execute({ ctx, dto, id }: UpdateMemberCommand): Promise<CommandAnswer> {
    authorizeCommand(ctx.principal, 'UpdateMember', clusterTarget);
    const r = await this.runner.run('member', id, { type: 'UpdateMember', data: { memberId: id, ...dto } }, ctx, { correlationId: id, expectedRevision: ifMatchRevision(ctx, streamIds.member(id)) });
    return answer(id, r);
  }
}

@CommandHandler(DeactivateMemberCommand)
export class DeactivateMemberHandler implements ICommandHandler<DeactivateMemberCommand> {
  constructor(private readonly runner: CommandRunner) {}
  async execute({ ctx, dto, id }: DeactivateMemberCommand): Promise<CommandAnswer> {
    authorizeCommand(ctx.principal, 'DeactivateMember', clusterTarget);
    const r = await this.runner.run('member', id, { type: 'DeactivateMember', data: { memberId: id, reason: dto.reason } }, ctx, {
      correlationId: id,
      reason: dto.reason,
      expectedRevision: ifMatchRevision(ctx, streamIds.member(id)),
    });
    return answer(id, r);
  }
}

export const memberHandlers = [RegisterMemberHandler, UpdateMemberHandler, DeactivateMemberHandler];
