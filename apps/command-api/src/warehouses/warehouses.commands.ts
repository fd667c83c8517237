import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { DomainError, streamIds } from '@lumbung/domain';
import { ifMatchRevision } from '@lumbung/platform';
import { answer, ApiCommand, authorizeCommand, clusterTarget, CommandRunner, idFor, References, warehouseTarget, type CommandAnswer, type ReasonDto } from '../common';
import type { RegisterWarehouseDto, UpdateWarehouseDto } from './warehouses.dto';

export class RegisterWarehouseCommand extends ApiCommand<RegisterWarehouseDto> {}
export class UpdateWarehouseCommand extends ApiCommand<UpdateWarehouseDto> {}
export class DeactivateWarehouseCommand extends ApiCommand<ReasonDto> {}

@CommandHandler(RegisterWarehouseCommand)
export class RegisterWarehouseHandler implements ICommandHandler<RegisterWarehouseCommand> {
  constructor(
    private readonly runner: CommandRunner,
    private readonly refs: References,
  ) {}
  async execute({ ctx, dto }: RegisterWarehouseCommand): Promise<CommandAnswer> {
    authorizeCommand(ctx.principal, 'RegisterWarehouse', clusterTarget);
    await this.refs.active('member', dto.ownerMemberId);
    const { warehouseId: given, ...rest } = dto;
    const warehouseId = idFor(ctx, given, 'warehouse');
    const r = await this.runner.run('warehouse', warehouseId, { type: 'RegisterWarehouse', data: { warehouseId, ...rest } }, ctx, {
      correlationId: warehouseId,
      expectedRevision: ifMatchRevision(ctx, streamIds.warehouse(warehouseId)),
    });
    return answer(warehouseId, r);
  }
}

@CommandHandler(UpdateWarehouseCommand)
export class UpdateWarehouseHandler implements ICommandHandler<UpdateWarehouseCommand> {
  constructor(
    private readonly runner: CommandRunner,
    private readonly refs: References,
  ) {}
  async execute({ ctx, dto, id }: UpdateWarehouseCommand): Promise<CommandAnswer> {
    const warehouse = await this.refs.active('warehouse', id);
    // A member may keep its own warehouse's details up to date, but not give the warehouse away.
    authorizeCommand(ctx.principal, 'UpdateWarehouse', warehouseTarget(id, warehouse));
    if (dto.ownerMemberId !== undefined && dto.ownerMemberId !== warehouse.ownerMemberId) {
      if (ctx.principal.role === 'member') {
        throw DomainError.forbidden('owner-change-not-allowed', `a member cannot hand warehouse ${id} over to ${dto.ownerMemberId}; the EOC does that`, { warehouseId: id });
      }
      await this.refs.active('member', dto.ownerMemberId);
    }
    const r = await this.runner.run('warehouse', id, { type: 'UpdateWarehouse', data: { warehouseId: id, ...dto } }, ctx, {
      correlationId: id,
      expectedRevision: ifMatchRevision(ctx, streamIds.warehouse(id)),
    });
    return answer(id, r);
  }
}

@CommandHandler(DeactivateWarehouseCommand)
export class DeactivateWarehouseHandler implements ICommandHandler<DeactivateWarehouseCommand> {
  constructor(private readonly runner: CommandRunner) {}
  async execute({ ctx, dto, id }: DeactivateWarehouseCommand): Promise<CommandAnswer> {
    authorizeCommand(ctx.principal, 'DeactivateWarehouse', clusterTarget);
    const r = await this.runner.run('warehouse', id, { type: 'DeactivateWarehouse', data: { warehouseId: id, reason: dto.reason } }, ctx, {
      correlationId: id,
      reason: dto.reason,
      expectedRevision: ifMatchRevision(ctx, streamIds.warehouse(id)),
    });
    return answer(id, r);
  }
}

export const warehouseHandlers = [RegisterWarehouseHandler, UpdateWarehouseHandler, DeactivateWarehouseHandler];
