import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  dispatchDecider,
  DomainError,
  outstandingOf,
  streamIds,
  type DispatchDestination,
  type DispatchState,
  type PlanDispatch,
  type Target,
} from '@lumbung/domain';
import { ifMatchRevision } from '@lumbung/platform';
import { answer, ApiCommand, authorizeCommand, CommandRunner, domainMetadata, flowStep, idFor, incidentExtra, References, warehouseTarget, type CommandAnswer, type FlowStep, type StateOf, type StepResult } from '../common';
import type { PlanDispatchDto } from './dispatches.dto';

export class PlanDispatchCommand extends ApiCommand<PlanDispatchDto> {}

/** A dispatch against a request belongs to the request's conversation; otherwise to its own. */
export const dispatchCorrelation = (dispatchId: string, requestId?: string): string => requestId ?? `dispatch-${dispatchId}`;

/**
 * The plan-dispatch flow of libs/domain/src/README.md: read-only checks, then ReserveStock, the claim
 * against the request and PlanDispatch decided each on its own stream and written in one atomic
 * appendMultiple (one transaction): all three or none, so a crash or a refusal can never leave a
 * reservation without its dispatch, and no compensation is needed. Every step is keyed by the
 * dispatch id and by a command id derived from the HTTP command's, so a retry with the same
 * Idempotency-Key is answered with what the first call wrote.
 */
@CommandHandler(PlanDispatchCommand)
export class PlanDispatchHandler implements ICommandHandler<PlanDispatchCommand> {
  constructor(
    private readonly runner: CommandRunner,
    private readonly refs: References,
  ) {}

  async execute({ ctx, dto }: PlanDispatchCommand): Promise<CommandAnswer> {
    const dispatchId = idFor(ctx, dto.dispatchId, 'dispatch');
    const lines = dto.lines.map((l) => ({ itemId: l.itemId, quantity: l.quantity }));
    const destination: DispatchDestination =
      dto.destination.kind === 'site' ? { kind: 'site', siteId: dto.destination.siteId as string } : { kind: 'warehouse', warehouseId: dto.destination.warehouseId as string };
    if ((dto.warehouseId === undefined) === (dto.memberId === undefined)) {
      throw DomainError.invalid('warehouseId', 'a dispatch leaves from one warehouse (warehouseId), or straight from a member (memberId with pledgeId)');
    }

    // 1. Read without writing: a refusal here appends nothing anywhere.
    const [origin, dispatch, requestRead] = await Promise.all([
      dto.warehouseId !== undefined ? this.refs.active('warehouse', dto.warehouseId) : undefined,
      this.runner.load('dispatch', dispatchId),
      dto.requestId !== undefined ? this.refs.existing('request', dto.requestId) : undefined,
    ]);
    const target: Target = dto.warehouseId !== undefined ? warehouseTarget(dto.warehouseId, origin ?? {}) : { kind: 'member', memberId: dto.memberId as string };
    authorizeCommand(ctx.principal, 'PlanDispatch', target);
    const request = requestRead?.state;
    const incidentId = request?.incidentId ?? dto.incidentId;
    const planned = (incidentPhase?: PlanDispatch['data']['incidentPhase']): Omit<PlanDispatch, 'metadata'> => ({
      type: 'PlanDispatch',
      data: {
        dispatchId,
        ...(dto.warehouseId !== undefined ? { warehouseId: dto.warehouseId } : {}),
        ...(dto.memberId !== undefined ? { memberId: dto.memberId } : {}),
        ...(dto.pledgeId !== undefined ? { pledgeId: dto.pledgeId } : {}),
        destination,
        ...(dto.requestId !== undefined ? { requestId: dto.requestId } : {}),
        ...(incidentId !== undefined ? { incidentId } : {}),
        ...(incidentPhase !== undefined ? { incidentPhase } : {}),
        ...(dto.planId !== undefined ? { planId: dto.planId } : {}),
        lines,
      },
    });
    const correlationId = dispatchCorrelation(dispatchId, dto.requestId);
    const extra = { ...(await incidentExtra(this.runner, incidentId)), dispatchId };
    const last = (command: Omit<PlanDispatch, 'metadata'>) =>
      this.runner.run('dispatch', dispatchId, command, ctx, { correlationId, extra, expectedRevision: ifMatchRevision(ctx, streamIds.dispatch(dispatchId)) });

    // A retry of a flow that finished: the last step answers as it did the first time.
    if (this.runner.applied(dispatch, ctx)) return answer(dispatchId, await last(planned()), this.refsOf(dispatchId, dto));

    const [incident] = await Promise.all([
      incidentId !== undefined ? this.refs.active('incident', incidentId) : undefined,
      this.refs.items(lines.map((l) => l.itemId)),
      destination.kind === 'site' ? this.refs.active('site', destination.siteId) : this.refs.active('warehouse', destination.warehouseId),
      dto.planId !== undefined ? this.refs.existing('operationsPlan', dto.planId) : undefined,
      dto.memberId !== undefined ? this.checkPledge(dto.memberId, dto.pledgeId, lines) : undefined,
    ]);
    if (request && dto.requestId !== undefined) this.checkRequest(request, dto.requestId, dispatchId, destination, lines);
    const command = planned(incident?.phase);
    // The dispatch decider's own checks (input, pre-positioning only in preparedness, the id planned
    // with other content), run on the state just read, before the flow writes anything.
    dispatchDecider.decide({ ...command, metadata: domainMetadata(ctx, correlationId) }, dispatch.state);

    // 2. One atomic append of the flow's steps: the stock reservation (the contended stream), the claim
    // against the request, and the dispatch itself. A refusal by any of them (insufficient stock,
    // the request's outstanding taken by another dispatch since step 1) writes nothing anywhere.
    const steps: FlowStep[] = [];
    if (dto.warehouseId !== undefined) {
      steps.push(flowStep('stock', dto.warehouseId, { type: 'ReserveStock', data: { warehouseId: dto.warehouseId, dispatchId, lines } }, { step: 'reserve', correlationId, extra }));
    }
    if (dto.requestId !== undefined) {
      steps.push(flowStep('request', dto.requestId, { type: 'RecordDispatchAgainstRequest', data: { requestId: dto.requestId, dispatchId, lines } }, { step: 'claim', correlationId, extra }));
    }
    steps.push(flowStep('dispatch', dispatchId, command, { correlationId, extra, expectedRevision: ifMatchRevision(ctx, streamIds.dispatch(dispatchId)) }));
    const results = await this.runner.runAll(steps, ctx);
    return answer(dispatchId, results[results.length - 1] as StepResult<DispatchState>, this.refsOf(dispatchId, dto));
  }

  private refsOf(dispatchId: string, dto: PlanDispatchDto): Record<string, string> {
    return { dispatchId, ...(dto.requestId !== undefined ? { requestId: dto.requestId } : {}), ...(dto.warehouseId !== undefined ? { warehouseId: dto.warehouseId } : {}) };
  }

  /** The request is approved, for this site, and has enough approved outstanding for each line. */
  private checkRequest(request: StateOf<'request'>, requestId: string, dispatchId: string, destination: DispatchDestination, lines: Array<{ itemId: string; quantity: number }>): void {
    if (request.status !== 'approved') {
      throw DomainError.rule(`request-${request.status}`, `request ${requestId} is ${request.status}; only an approved request is dispatched against`, { requestId, status: request.status });
    }
    if (destination.kind !== 'site' || destination.siteId !== request.siteId) {
      throw DomainError.rule('destination-mismatch', `request ${requestId} is for site ${request.siteId}; the dispatch goes to ${destination.kind === 'site' ? `site ${destination.siteId}` : `warehouse ${destination.warehouseId}`}`, {
        requestId,
        siteId: request.siteId ?? null,
      });
    }
    // A retry that finds its own claim already there is not short of anything.
    if (request.dispatches[dispatchId]?.status === 'active') return;
    lines.forEach((l, i) => {
      const line = request.lines.find((x) => x.itemId === l.itemId);
      if (!line) throw DomainError.rule('item-not-requested', `${l.itemId} is not requested in request ${requestId}`, { requestId, itemId: l.itemId, field: `lines[${i}].itemId` });
      const outstanding = outstandingOf(line);
      if (l.quantity > outstanding) {
        throw DomainError.rule(
          'exceeds-approved-outstanding',
          `${l.itemId}: dispatching ${l.quantity} exceeds the approved outstanding quantity ${outstanding} (approved ${line.approved ?? 0}, already dispatched ${line.dispatched})`,
          { requestId, itemId: l.itemId, requested: l.quantity, outstanding, approved: line.approved ?? 0, dispatched: line.dispatched },
        );
      }
    });
  }

  /** A member's direct delivery: its own accepted pledge, of the items it pledged. */
  private async checkPledge(memberId: string, pledgeId: string | undefined, lines: Array<{ itemId: string }>): Promise<void> {
    await this.refs.active('member', memberId);
    if (pledgeId === undefined) throw DomainError.invalid('pledgeId', "a member's direct delivery is made against its pledge");
    const { state: pledge } = await this.refs.existing('pledge', pledgeId);
    if (pledge.memberId !== memberId) {
      throw DomainError.rule('pledge-member-mismatch', `pledge ${pledgeId} was made by ${pledge.memberId}, not by ${memberId}`, { pledgeId, memberId });
    }
    if (pledge.status !== 'accepted') {
      throw DomainError.rule(`pledge-${pledge.status}`, `pledge ${pledgeId} is ${pledge.status}; only an accepted pledge is delivered against`, { pledgeId, status: pledge.status });
    }
    lines.forEach((l, i) => {
      if (!pledge.lines.some((p) => p.itemId === l.itemId)) {
        throw DomainError.rule('item-not-pledged', `${l.itemId} is not in pledge ${pledgeId}`, { pledgeId, itemId: l.itemId, field: `lines[${i}].itemId` });
      }
    });
  }
}
