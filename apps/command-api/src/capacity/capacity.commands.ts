import { Injectable } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { DomainError, streamIds, type CapacityCommand, type Target } from '@lumbung/domain';
import { ifMatchRevision, type CommandContext } from '@lumbung/platform';
import { answer, ApiCommand, authorizeCommand, CommandRunner, References, type CommandAnswer, type CommandOf } from '../common';
import type { DeclareEquipmentDto, DeclarePeopleDto, DeclareVehiclesDto, DeclareWarehouseCapacityDto } from './capacity.dto';

export class DeclareWarehouseCapacityCommand extends ApiCommand<DeclareWarehouseCapacityDto> {}
export class DeclareVehiclesCommand extends ApiCommand<DeclareVehiclesDto> {}
export class DeclareEquipmentCommand extends ApiCommand<DeclareEquipmentDto> {}
export class DeclarePeopleCommand extends ApiCommand<DeclarePeopleDto> {}

/** The capacity register (sumber daya logistik dan peralatan) of one member: a member declares only its own. */
// Injectable so that its constructor parameters are recorded for the subclasses Nest builds.
@Injectable()
abstract class DeclareHandler {
  constructor(
    protected readonly runner: CommandRunner,
    protected readonly refs: References,
  ) {}

  protected async declare(ctx: CommandContext, memberId: string, command: CommandOf<'capacity'>): Promise<CommandAnswer> {
    const target: Target = { kind: 'member', memberId };
    authorizeCommand(ctx.principal, command.type as CapacityCommand['type'], target);
    await this.refs.active('member', memberId);
    const r = await this.runner.run('capacity', memberId, command, ctx, { correlationId: memberId, expectedRevision: ifMatchRevision(ctx, streamIds.capacity(memberId)) });
    return answer(memberId, r);
  }
}

@CommandHandler(DeclareWarehouseCapacityCommand)
export class DeclareWarehouseCapacityHandler extends DeclareHandler implements ICommandHandler<DeclareWarehouseCapacityCommand> {
  async execute({ ctx, dto, id }: DeclareWarehouseCapacityCommand): Promise<CommandAnswer> {
    // Who may declare for this member comes first: a stranger learns nothing about its warehouses.
    authorizeCommand(ctx.principal, 'DeclareWarehouseCapacity', { kind: 'member', memberId: id });
    const warehouse = await this.refs.active('warehouse', dto.warehouseId);
    if (warehouse.ownerMemberId !== id) {
      throw DomainError.rule('warehouse-not-owned', `warehouse ${dto.warehouseId} belongs to ${warehouse.ownerMemberId}, not to member ${id}`, {
        warehouseId: dto.warehouseId,
        memberId: id,
        ownerMemberId: warehouse.ownerMemberId ?? null,
      });
    }
    return this.declare(ctx, id, { type: 'DeclareWarehouseCapacity', data: { memberId: id, ...dto } });
  }
}

@CommandHandler(DeclareVehiclesCommand)
export class DeclareVehiclesHandler extends DeclareHandler implements ICommandHandler<DeclareVehiclesCommand> {
  execute({ ctx, dto, id }: DeclareVehiclesCommand): Promise<CommandAnswer> {
    return this.declare(ctx, id, { type: 'DeclareVehicles', data: { memberId: id, ...dto } });
  }
}

@CommandHandler(DeclareEquipmentCommand)
export class DeclareEquipmentHandler extends DeclareHandler implements ICommandHandler<DeclareEquipmentCommand> {
  execute({ ctx, dto, id }: DeclareEquipmentCommand): Promise<CommandAnswer> {
    return this.declare(ctx, id, { type: 'DeclareEquipment', data: { memberId: id, ...dto } });
  }
}

@CommandHandler(DeclarePeopleCommand)
export class DeclarePeopleHandler extends DeclareHandler implements ICommandHandler<DeclarePeopleCommand> {
  execute({ ctx, dto, id }: DeclarePeopleCommand): Promise<CommandAnswer> {
    return this.declare(ctx, id, { type: 'DeclarePeople', data: { memberId: id, ...dto } });
  }
}

export const capacityHandlers = [DeclareWarehouseCapacityHandler, DeclareVehiclesHandler, DeclareEquipmentHandler, DeclarePeopleHandler];
