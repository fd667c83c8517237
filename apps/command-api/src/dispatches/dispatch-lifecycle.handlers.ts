import { Injectable } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { streamIds, type DispatchDeliveredData, type DispatchState, type Target } from '@lumbung/domain';
import { ifMatchRevision, type CommandContext } from '@lumbung/platform';
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
  type CommandOf,
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

const DEPARTED: ReadonlyArray<DispatchState['status']> = ['in-transit', 'delivered', 'lost'];

/**
 * The flows after planning (libs/domain/src/README.md). Departure and cancellation write the dispatch
 * and the streams that follow from it in one atomic append (the dispatch stream decides between a
 * departure and a concurrent cancellation: the loser's whole append is refused). A receipt and a loss
 * still run step by step, since what follows is built from the dispatch's recorded events: the
 * dispatch first, then the other streams, each step a no-op when repeated, so a retry finishes an
 * interrupted flow.
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

  protected main(ctx: CommandContext, dispatchId: string, command: CommandOf<'dispatch'>, options: StepOptions): Promise<StepResult<DispatchState>> {
    return this.runner.run('dispatch', dispatchId, command, ctx, { ...options, expectedRevision: ifMatchRevision(ctx, streamIds.dispatch(dispatchId)) });
  }

  /**
   * Finishes a departure whose stock step did not happen (a crash between the two): a no-op otherwise.
   * Only for a dispatch that has left (a planned one keeps its reservation).
   */
  protected async issue(ctx: CommandContext, d: DispatchState, dispatchId: string, options: StepOptions, departed = DEPARTED.includes(d.status)): Promise<void> {
    if (d.warehouseId === undefined || !departed) return;
    const { state } = await this.runner.load('stock', d.warehouseId);
    if (state.reservations[dispatchId]?.status !== 'reserved') return;
    await this.runner.run('stock', d.warehouseId, { type: 'IssueStock', data: { warehouseId: d.warehouseId, dispatchId } }, ctx, { ...options, step: 'issue' });
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
    if (d.warehouseId !== undefined && (await this.runner.load('stock', d.warehouseId)).state.reservations[id]?.status === 'reserved') {
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
    const lost = await this.main(ctx, id, { type: 'MarkDispatchLost', data: { dispatchId: id, reason: dto.reason } }, options);
    // The need is outstanding again, so that a replacement can be sent.
    if (d.requestId !== undefined) {
      await this.runner.run('request', d.requestId, { type: 'ReleaseDispatchFromRequest', data: { requestId: d.requestId, dispatchId: id, reason: `dispatch lost: ${dto.reason}` } }, ctx, {
        ...options,
        step: 'release-claim',
      });
    }
    // Consumables were issued at departure and do not come back; equipment on loan is written off.
    await this.issue(ctx, d, id, options);
    if (d.warehouseId !== undefined) {
      const { state } = await this.runner.load('stock', d.warehouseId);
      const deployed = Object.entries(state.deployments[id] ?? {}).map(([itemId, quantity]) => ({ itemId, quantity }));
      if (deployed.length > 0) {
        await this.runner.run(
          'stock',
          d.warehouseId,
          { type: 'WriteOffDeployedEquipment', data: { warehouseId: d.warehouseId, dispatchId: id, lines: deployed, reason: 'lost', note: dto.reason } },
          ctx,
          { ...options, step: 'write-off' },
        );
      }
    }
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
    const options = { ...(await this.options(d, id)), ...(differences.length > 0 ? { reason: differences.join('; ') } : {}) };
    // A departure interrupted before its stock step is finished first: the goods did leave.
    await this.issue(ctx, d, id, options);
    const lines = dto.lines.map((l) => ({ itemId: l.itemId, received: l.received, ...(l.damaged !== undefined ? { damaged: l.damaged } : {}), ...(l.reason !== undefined ? { reason: l.reason } : {}) }));
    const receipt = await this.main(ctx, id, { type: 'RecordReceipt', data: { dispatchId: id, receiptId, receivedBy: dto.receivedBy, lines, ...(dto.note !== undefined ? { note: dto.note } : {}) } }, {
      ...options,
      extra: { ...options.extra, receiptId },
    });
    // What follows is built from the recorded receipt (the first call's, on a retry).
    const delivered = receipt.events.find((e) => e.type === 'DispatchDelivered')?.data as DispatchDeliveredData | undefined;
    if (delivered) await this.afterReceipt(ctx, d, id, delivered, { ...options, extra: { ...options.extra, receiptId: delivered.receiptId } });
    return answer(id, receipt, { receiptId: delivered?.receiptId ?? receiptId });
  }

  /**
   * Only what arrived in good order enters the destination's stock (damaged goods are the sender's
   * loss); against a pledge, everything the member brought counts as delivered, damaged included:
   * the receipt says what was damaged, and the member did deliver it.
   */
  private async afterReceipt(ctx: CommandContext, d: DispatchState, dispatchId: string, delivered: DispatchDeliveredData, options: StepOptions): Promise<void> {
    if (d.destination?.kind === 'warehouse' && d.warehouseId !== undefined) {
      const good = delivered.lines.filter((l) => l.received > 0).map((l) => ({ itemId: l.itemId, quantity: l.received }));
      if (good.length > 0) {
        const items = await this.refs.items(good.map((l) => l.itemId)).catch(() => new Map<string, { consumable?: boolean }>());
        const warehouseId = d.destination.warehouseId;
        await this.runner.run(
          'stock',
          warehouseId,
          {
            type: 'ReceiveStock',
            data: {
              warehouseId,
              receiptId: delivered.receiptId,
              source: { kind: 'transfer', transferId: dispatchId, fromWarehouseId: d.warehouseId },
              lines: good.map((l) => ({ ...l, consumable: items.get(l.itemId)?.consumable !== false })),
            },
          },
          ctx,
          { ...options, step: 'receive-at-destination' },
        );
      }
    }
    if (d.memberId !== undefined && d.pledgeId !== undefined) {
      const arrived = delivered.lines.filter((l) => l.received + l.damaged > 0).map((l) => ({ itemId: l.itemId, quantity: l.received + l.damaged }));
      if (arrived.length > 0) {
        await this.runner.run('pledge', d.pledgeId, { type: 'RecordPledgeDelivery', data: { pledgeId: d.pledgeId, receiptId: delivered.receiptId, dispatchId, lines: arrived } }, ctx, {
          ...options,
          step: 'pledge-delivery',
        });
      }
    }
  }
}

export const dispatchLifecycleHandlers = [DepartDispatchHandler, CancelDispatchHandler, MarkDispatchLostHandler, RecordReceiptHandler];
