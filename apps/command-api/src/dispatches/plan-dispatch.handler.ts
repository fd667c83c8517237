import { Logger } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  dispatchDecider,
  DomainError,
  isDomainError,
  outstandingOf,
  streamIds,
  type DispatchDestination,
  type PlanDispatch,
  type Target,
} from '@lumbung/domain';
import { ifMatchRevision, type CommandContext } from '@lumbung/platform';
import { answer, ApiCommand, authorizeCommand, CommandRunner, domainMetadata, idFor, incidentExtra, References, warehouseTarget, type CommandAnswer, type StateOf } from '../common';
import type { PlanDispatchDto } from './dispatches.dto';

export class PlanDispatchCommand extends ApiCommand<PlanDispatchDto> {}

/** A dispatch against a request belongs to the request's conversation; otherwise to its own. */
export const dispatchCorrelation = (dispatchId: string, requestId?: string): string => requestId ?? `dispatch-${dispatchId}`;

/**
 * The plan-dispatch flow of libs/domain/src/README.md: read-only checks, then ReserveStock (the hot
 * step first, so that the losers of a race are refused before they write anything), then the claim
 * against the request, then PlanDispatch, with compensations when a later step is refused. Every
 * step is keyed by the dispatch id and by a command id derived from the HTTP command's, so a retry
 * with the same Idempotency-Key repeats the done steps as no-ops and finishes the rest.
 */
@CommandHandler(PlanDispatchCommand)
export class PlanDispatchHandler implements ICommandHandler<PlanDispatchCommand> {
  private readonly logger = new Logger('PlanDispatch');

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

    // 2. Reserve the stock: the contended step.
    let reserved = false;
    let claimed = false;
    if (dto.warehouseId !== undefined) {
      const r = await this.runner.run('stock', dto.warehouseId, { type: 'ReserveStock', data: { warehouseId: dto.warehouseId, dispatchId, lines } }, ctx, { step: 'reserve', correlationId, extra });
      if (r.state.reservations[dispatchId]?.status === 'released') {
        throw DomainError.rule('reservation-released', `the reservation for dispatch ${dispatchId} was released (an earlier attempt of this command was refused or cancelled); plan it again with a new Idempotency-Key`, {
          dispatchId,
          warehouseId: dto.warehouseId,
        });
      }
      reserved = r.wrote;
    }
    try {
      // 3. Claim the approved outstanding quantity of the request.
      if (dto.requestId !== undefined) {
        const c = await this.runner.run('request', dto.requestId, { type: 'RecordDispatchAgainstRequest', data: { requestId: dto.requestId, dispatchId, lines } }, ctx, {
          step: 'claim',
          correlationId,
          extra,
        });
        claimed = c.wrote;
      }
      // 4. The dispatch itself, last: a dispatch that exists always has its stock and its claim.
      return answer(dispatchId, await last(command), this.refsOf(dispatchId, dto));
    } catch (err) {
      if (isDomainError(err)) await this.compensate(ctx, err, { dispatchId, warehouseId: reserved ? dto.warehouseId : undefined, requestId: claimed ? dto.requestId : undefined, correlationId, extra });
      throw err;
    }
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

  /** Undoes the steps this command wrote (never a step that decided nothing: that was someone else's). */
  private async compensate(
    ctx: CommandContext,
    err: DomainError,
    s: { dispatchId: string; warehouseId?: string; requestId?: string; correlationId: string; extra: Record<string, string> },
  ): Promise<void> {
    const reason = `compensation: ${err.code}`;
    try {
      if (s.requestId !== undefined) {
        await this.runner.run('request', s.requestId, { type: 'ReleaseDispatchFromRequest', data: { requestId: s.requestId, dispatchId: s.dispatchId, reason } }, ctx, {
          step: 'compensate-claim',
          correlationId: s.correlationId,
          reason,
          extra: s.extra,
        });
      }
      if (s.warehouseId !== undefined) {
        await this.runner.run('stock', s.warehouseId, { type: 'ReleaseStock', data: { warehouseId: s.warehouseId, dispatchId: s.dispatchId, reason } }, ctx, {
          step: 'compensate-reserve',
          correlationId: s.correlationId,
          reason,
          extra: s.extra,
        });
      }
    } catch (e) {
      // The refusal is still the answer; what is left held is released by the reconciler or a retry.
      this.logger.error({ err: e, dispatchId: s.dispatchId }, 'compensation of a refused dispatch plan failed');
    }
  }
}
