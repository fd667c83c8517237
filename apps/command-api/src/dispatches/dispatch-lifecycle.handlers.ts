import { Injectable } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { cmGet, streamIds, type DispatchDeliveredData, type DispatchState, type Target } from '@lumbung/domain';
import { ifMatchRevision } from '@lumbung/platform';
import {
  answer,
  ApiCommand,
  authorizeCommand,
  clusterTarget,
  CommandRunner,
  flowStep,
  idFor,
  incidentExtra,
  References,
  warehouseTarget,
  type CommandAnswer,
  type FlowStep,
  type ReasonDto,
  type StepOptions,
  type StepResult,
} from '../common';
import type { DepartDispatchDto, RecordReceiptDto } from './dispatches.dto';
import { dispatchCorrelation } from './plan-dispatch.handler';

export class DepartDispatchCommand extends ApiCommand<DepartDispatchDto> {}
export class CancelDispatchCommand extends ApiCommand<ReasonDto> {}
export class MarkDispatchLostCommand extends ApiCommand<ReasonDto> {}
export class RecordReceiptCommand extends ApiCommand<RecordReceiptDto> {}

/**
 * The flows after planning (libs/domain/src/README.md). Each writes the dispatch and the streams that
 * follow from it in one atomic append: the dispatch stream decides (between a departure and a
 * concurrent cancellation, a receipt at most once) and the loser's whole append is refused; the other
 * steps are keyed by the dispatch or receipt id, so a repeated command decides nothing twice.
 */
// Injectable so that its constructor parameters are recorded for the subclasses Nest builds.
@Injectable()
abstract class DispatchFlow {
  constructor(
    protected readonly runner: CommandRunner,
    protected readonly refs: References,
  ) {}

  protected async dispatch(id: string): Promise<DispatchState> {
    return (await this.refs.existing('dispatch', id)).state;
  }

  /** The origin: its warehouse (with owner), or the member delivering directly. */
  protected async originTarget(d: DispatchState): Promise<Target> {
    if (d.warehouseId !== undefined) return warehouseTarget(d.warehouseId, await this.refs.known('warehouse', d.warehouseId));
    return { kind: 'member', memberId: d.memberId as string };
  }

  protected async options(d: DispatchState, dispatchId: string): Promise<{ correlationId: string; extra: Record<string, string> }> {
    return { correlationId: dispatchCorrelation(dispatchId, d.requestId), extra: { ...(await incidentExtra(this.runner, d.incidentId)), dispatchId } };
  }

}

@CommandHandler(DepartDispatchCommand)
export class DepartDispatchHandler extends DispatchFlow implements ICommandHandler<DepartDispatchCommand> {
  async execute({ ctx, dto, id }: DepartDispatchCommand): Promise<CommandAnswer> {
    const d = await this.dispatch(id);
    authorizeCommand(ctx.principal, 'DepartDispatch', await this.originTarget(d));
    const options = await this.options(d, id);
    // The departure and the stock leaving the origin in one atomic append: consumables leave as
    // StockIssued, equipment as EquipmentDeployed.
    const steps: FlowStep[] = [flowStep('dispatch', id, { type: 'DepartDispatch', data: { dispatchId: id, ...dto } }, { ...options, expectedRevision: ifMatchRevision(ctx, streamIds.dispatch(id)) })];
    if (d.warehouseId !== undefined && cmGet((await this.runner.load('stock', d.warehouseId)).state.reservations, id)?.status === 'reserved') {
      steps.push(flowStep('stock', d.warehouseId, { type: 'IssueStock', data: { warehouseId: d.warehouseId, dispatchId: id } }, { ...options, step: 'issue' }));
    }
    const [departed] = (await this.runner.runAll(steps, ctx)) as [StepResult<DispatchState>];
    return answer(id, departed, { waybillNumber: dto.waybillNumber });
  }
}

@CommandHandler(CancelDispatchCommand)
export class CancelDispatchHandler extends DispatchFlow implements ICommandHandler<CancelDispatchCommand> {
  async execute({ ctx, dto, id }: CancelDispatchCommand): Promise<CommandAnswer> {
    const d = await this.dispatch(id);
    authorizeCommand(ctx.principal, 'CancelDispatch', clusterTarget);
    const options = { ...(await this.options(d, id)), reason: dto.reason };
    const reason = `dispatch cancelled: ${dto.reason}`;
    // The cancellation, the release of its stock and of its claim on the request: one atomic append.
    const steps: FlowStep[] = [flowStep('dispatch', id, { type: 'CancelDispatch', data: { dispatchId: id, reason: dto.reason } }, { ...options, expectedRevision: ifMatchRevision(ctx, streamIds.dispatch(id)) })];
    if (d.warehouseId !== undefined) {
      steps.push(flowStep('stock', d.warehouseId, { type: 'ReleaseStock', data: { warehouseId: d.warehouseId, dispatchId: id, reason } }, { ...options, step: 'release-stock' }));
    }
    if (d.requestId !== undefined) {
      steps.push(flowStep('request', d.requestId, { type: 'ReleaseDispatchFromRequest', data: { requestId: d.requestId, dispatchId: id, reason } }, { ...options, step: 'release-claim' }));
    }
    const [cancelled] = (await this.runner.runAll(steps, ctx)) as [StepResult<DispatchState>];
    return answer(id, cancelled);
  }
}

@CommandHandler(MarkDispatchLostCommand)
export class MarkDispatchLostHandler extends DispatchFlow implements ICommandHandler<MarkDispatchLostCommand> {
  async execute({ ctx, dto, id }: MarkDispatchLostCommand): Promise<CommandAnswer> {
    const d = await this.dispatch(id);
    authorizeCommand(ctx.principal, 'MarkDispatchLost', await this.originTarget(d));
    const options = { ...(await this.options(d, id)), reason: dto.reason };
    // The loss, the need re-opened on the request (so that a replacement can be sent) and the
    // equipment on loan written off, in one atomic append. Consumables were issued at departure and
    // do not come back.
    const steps: FlowStep[] = [flowStep('dispatch', id, { type: 'MarkDispatchLost', data: { dispatchId: id, reason: dto.reason } }, { ...options, expectedRevision: ifMatchRevision(ctx, streamIds.dispatch(id)) })];
    if (d.requestId !== undefined) {
      steps.push(flowStep('request', d.requestId, { type: 'ReleaseDispatchFromRequest', data: { requestId: d.requestId, dispatchId: id, reason: `dispatch lost: ${dto.reason}` } }, { ...options, step: 'release-claim' }));
    }
    if (d.warehouseId !== undefined) {
      const { state } = await this.runner.load('stock', d.warehouseId);
      const deployed = Object.entries(state.deployments[id] ?? {}).map(([itemId, quantity]) => ({ itemId, quantity }));
      if (deployed.length > 0) {
        steps.push(
          flowStep('stock', d.warehouseId, { type: 'WriteOffDeployedEquipment', data: { warehouseId: d.warehouseId, dispatchId: id, lines: deployed, reason: 'lost', note: dto.reason } }, { ...options, step: 'write-off' }),
        );
      }
    }
    const [lost] = (await this.runner.runAll(steps, ctx)) as [StepResult<DispatchState>];
    return answer(id, lost);
  }
}

@CommandHandler(RecordReceiptCommand)
export class RecordReceiptHandler extends DispatchFlow implements ICommandHandler<RecordReceiptCommand> {
  async execute({ ctx, dto, id }: RecordReceiptCommand): Promise<CommandAnswer> {
    const d = await this.dispatch(id);
    const destination = d.destination;
    const target: Target =
      destination?.kind === 'warehouse'
        ? warehouseTarget(destination.warehouseId, await this.refs.known('warehouse', destination.warehouseId))
        : { kind: 'site', siteId: destination?.kind === 'site' ? destination.siteId : '' };
    authorizeCommand(ctx.principal, 'RecordReceipt', target);
    const receiptId = idFor(ctx, dto.receiptId, 'receipt');
    const differences = dto.lines.filter((l) => l.reason !== undefined).map((l) => `${l.itemId}: ${l.reason}`);
    const base = await this.options(d, id);
    const options = { ...base, ...(differences.length > 0 ? { reason: differences.join('; ') } : {}), extra: { ...base.extra, receiptId } };
    const lines = dto.lines.map((l) => ({ itemId: l.itemId, received: l.received, ...(l.damaged !== undefined ? { damaged: l.damaged } : {}), ...(l.reason !== undefined ? { reason: l.reason } : {}) }));
    // The receipt and everything that follows from it, in one atomic append: the goods entering the
    // destination warehouse, the member's pledge delivery.
    const steps: FlowStep[] = [
      flowStep('dispatch', id, { type: 'RecordReceipt', data: { dispatchId: id, receiptId, receivedBy: dto.receivedBy, lines, ...(dto.note !== undefined ? { note: dto.note } : {}) } }, {
        ...options,
        expectedRevision: ifMatchRevision(ctx, streamIds.dispatch(id)),
      }),
      ...(await this.followUps(d, id, receiptId, dto.lines, options)),
    ];
    const [receipt] = (await this.runner.runAll(steps, ctx)) as [StepResult<DispatchState>];
    const delivered = receipt.events.find((e) => e.type === 'DispatchDelivered')?.data as DispatchDeliveredData | undefined;
    return answer(id, receipt, { receiptId: delivered?.receiptId ?? receiptId });
  }

  /**
   * Only what arrived in good order enters the destination's stock (damaged goods are the sender's
   * loss); against a pledge, everything the member brought counts as delivered, damaged included:
   * the receipt says what was damaged, and the member did deliver it. Both keyed by the receipt id,
   * so they decide nothing when repeated.
   */
  private async followUps(d: DispatchState, dispatchId: string, receiptId: string, given: Array<{ itemId: string; received: number; damaged?: number }>, options: StepOptions): Promise<FlowStep[]> {
    const steps: FlowStep[] = [];
    if (d.destination?.kind === 'warehouse' && d.warehouseId !== undefined) {
      const good = given.filter((l) => l.received > 0).map((l) => ({ itemId: l.itemId, quantity: l.received }));
      if (good.length > 0) {
        const items = await this.refs.items(good.map((l) => l.itemId)).catch(() => new Map<string, { consumable?: boolean }>());
        const warehouseId = d.destination.warehouseId;
        steps.push(
          flowStep(
            'stock',
            warehouseId,
            {
              type: 'ReceiveStock',
              data: {
                warehouseId,
                receiptId,
                source: { kind: 'transfer', transferId: dispatchId, fromWarehouseId: d.warehouseId },
                lines: good.map((l) => ({ ...l, consumable: items.get(l.itemId)?.consumable !== false })),
              },
            },
            { ...options, step: 'receive-at-destination' },
          ),
        );
      }
    }
    if (d.memberId !== undefined && d.pledgeId !== undefined) {
      const arrived = given.filter((l) => l.received + (l.damaged ?? 0) > 0).map((l) => ({ itemId: l.itemId, quantity: l.received + (l.damaged ?? 0) }));
      if (arrived.length > 0) {
        steps.push(flowStep('pledge', d.pledgeId, { type: 'RecordPledgeDelivery', data: { pledgeId: d.pledgeId, receiptId, dispatchId, lines: arrived } }, { ...options, step: 'pledge-delivery' }));
      }
    }
    return steps;
  }
}

export const dispatchLifecycleHandlers = [DepartDispatchHandler, CancelDispatchHandler, MarkDispatchLostHandler, RecordReceiptHandler];
