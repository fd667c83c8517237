import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { streamIds } from '@lumbung/domain';
import { ifMatchRevision } from '@lumbung/platform';
import { answer, ApiCommand, authorizeCommand, clusterTarget, CommandRunner, idFor, References, type CommandAnswer } from '../common';
import type { ActivateOperationsPlanDto, DraftOperationsPlanDto, PlanLineDto, ReviseOperationsPlanDto } from './operations-plans.dto';

export class DraftOperationsPlanCommand extends ApiCommand<DraftOperationsPlanDto> {}
export class ReviseOperationsPlanCommand extends ApiCommand<ReviseOperationsPlanDto> {}
export class ActivateOperationsPlanCommand extends ApiCommand<ActivateOperationsPlanDto> {}

const plainLines = (lines: PlanLineDto[]) => lines.map((l) => ({ itemId: l.itemId, quantity: l.quantity, warehouseId: l.warehouseId }));

/** Targets name catalogue items and registered warehouses. */
async function checkLines(refs: References, lines: PlanLineDto[]): Promise<void> {
  await Promise.all([refs.items(lines.map((l) => l.itemId)), ...[...new Set(lines.map((l) => l.warehouseId))].map((w) => refs.active('warehouse', w))]);
}

@CommandHandler(DraftOperationsPlanCommand)
export class DraftOperationsPlanHandler implements ICommandHandler<DraftOperationsPlanCommand> {
  constructor(
    private readonly runner: CommandRunner,
    private readonly refs: References,
  ) {}
  async execute({ ctx, dto }: DraftOperationsPlanCommand): Promise<CommandAnswer> {
    authorizeCommand(ctx.principal, 'DraftOperationsPlan', clusterTarget);
    await checkLines(this.refs, dto.lines);
    const planId = idFor(ctx, dto.planId, 'operations-plan');
    const r = await this.runner.run(
      'operationsPlan',
      planId,
      { type: 'DraftOperationsPlan', data: { planId, name: dto.name, hazard: dto.hazard, district: dto.district, lines: plainLines(dto.lines), ...(dto.note !== undefined ? { note: dto.note } : {}) } },
      ctx,
      { correlationId: planId, expectedRevision: ifMatchRevision(ctx, streamIds.operationsPlan(planId)) },
    );
    return answer(planId, r);
  }
}

@CommandHandler(ReviseOperationsPlanCommand)
export class ReviseOperationsPlanHandler implements ICommandHandler<ReviseOperationsPlanCommand> {
  constructor(
    private readonly runner: CommandRunner,
    private readonly refs: References,
  ) {}
  async execute({ ctx, dto, id }: ReviseOperationsPlanCommand): Promise<CommandAnswer> {
    authorizeCommand(ctx.principal, 'ReviseOperationsPlan', clusterTarget);
    await this.refs.existing('operationsPlan', id);
    await checkLines(this.refs, dto.lines);
    const r = await this.runner.run('operationsPlan', id, { type: 'ReviseOperationsPlan', data: { planId: id, lines: plainLines(dto.lines), reason: dto.reason } }, ctx, {
      correlationId: id,
      reason: dto.reason,
      expectedRevision: ifMatchRevision(ctx, streamIds.operationsPlan(id)),
    });
    return answer(id, r);
  }
}

@CommandHandler(ActivateOperationsPlanCommand)
export class ActivateOperationsPlanHandler implements ICommandHandler<ActivateOperationsPlanCommand> {
  constructor(
    private readonly runner: CommandRunner,
    private readonly refs: References,
  ) {}
  async execute({ ctx, dto, id }: ActivateOperationsPlanCommand): Promise<CommandAnswer> {
    authorizeCommand(ctx.principal, 'ActivateOperationsPlan', clusterTarget);
    await this.refs.existing('operationsPlan', id);
    const incident = await this.refs.active('incident', dto.incidentId);
    // The incident as read now goes into the command, so the event records what the decider knew.
    const r = await this.runner.run(
      'operationsPlan',
      id,
      { type: 'ActivateOperationsPlan', data: { planId: id, incidentId: dto.incidentId, incidentType: incident.type, incidentDistricts: incident.districts } },
      ctx,
      { correlationId: dto.incidentId, extra: { incidentId: dto.incidentId, phase: incident.phase ?? null }, expectedRevision: ifMatchRevision(ctx, streamIds.operationsPlan(id)) },
    );
    return answer(id, r, { incidentId: dto.incidentId });
  }
}

export const operationsPlanHandlers = [DraftOperationsPlanHandler, ReviseOperationsPlanHandler, ActivateOperationsPlanHandler];
