import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { answer, ApiCommand, authorizeCommand, clusterTarget, CommandRunner, idFor, type CommandAnswer, type ReasonDto } from '../common';
import { ifMatchRevision } from '@lumbung/platform';
import { streamIds } from '@lumbung/domain';
import type { RegisterItemDto, UpdateItemDto } from './items.dto';

export class RegisterItemCommand extends ApiCommand<RegisterItemDto> {}
export class UpdateItemCommand extends ApiCommand<UpdateItemDto> {}
export class DeactivateItemCommand extends ApiCommand<ReasonDto> {}

@CommandHandler(RegisterItemCommand)
export class RegisterItemHandler implements ICommandHandler<RegisterItemCommand> {
  constructor(private readonly runner: CommandRunner) {}
  async execute({ ctx, dto }: RegisterItemCommand): Promise<CommandAnswer> {
    authorizeCommand(ctx.principal, 'RegisterItem', clusterTarget);
    const { itemId: given, ...rest } = dto;
    const itemId = idFor(ctx, given, 'item');
    const r = await this.runner.run('item', itemId, { type: 'RegisterItem', data: { itemId, ...rest } }, ctx, { correlationId: itemId, expectedRevision: ifMatchRevision(ctx, streamIds.item(itemId)) });
    return answer(itemId, r);
  }
}

@CommandHandler(UpdateItemCommand)
export class UpdateItemHandler implements ICommandHandler<UpdateItemCommand> {
  constructor(private readonly runner: CommandRunner) {}
  async execute({ ctx, dto, id }: UpdateItemCommand): Promise<CommandAnswer> {
    authorizeCommand(ctx.principal, 'UpdateItem', clusterTarget);
    const r = await this.runner.run('item', id, { type: 'UpdateItem', data: { itemId: id, ...dto } }, ctx, { correlationId: id, expectedRevision: ifMatchRevision(ctx, streamIds.item(id)) });
    return answer(id, r);
  }
}

@CommandHandler(DeactivateItemCommand)
export class DeactivateItemHandler implements ICommandHandler<DeactivateItemCommand> {
  constructor(private readonly runner: CommandRunner) {}
  async execute({ ctx, dto, id }: DeactivateItemCommand): Promise<CommandAnswer> {
    authorizeCommand(ctx.principal, 'DeactivateItem', clusterTarget);
    const r = await this.runner.run('item', id, { type: 'DeactivateItem', data: { itemId: id, reason: dto.reason } }, ctx, {
      correlationId: id,
      reason: dto.reason,
      expectedRevision: ifMatchRevision(ctx, streamIds.item(id)),
    });
    return answer(id, r);
  }
}

export const itemHandlers = [RegisterItemHandler, UpdateItemHandler, DeactivateItemHandler];
