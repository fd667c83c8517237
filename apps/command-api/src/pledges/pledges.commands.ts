import { Injectable } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { DomainError, streamIds, type Target } from '@lumbung/domain';
import { ifMatchRevision, type CommandContext } from '@lumbung/platform';
import {
  answer,
  ApiCommand,
  authorizeCommand,
  clusterTarget,
  CommandRunner,
  idFor,
  incidentExtra,
  References,
  type CommandAnswer,
  type CommandOf,
  type OptionalNoteDto,
  type ReasonDto,
  type StepOptions,
} from '../common';
import type { AcceptPledgeDto, OfferPledgeDto } from './pledges.dto';

export class OfferPledgeCommand extends ApiCommand<OfferPledgeDto> {}
export class AcceptPledgeCommand extends ApiCommand<AcceptPledgeDto> {}
export class DeclinePledgeCommand extends ApiCommand<ReasonDto> {}
export class WithdrawPledgeCommand extends ApiCommand<ReasonDto> {}
export class LapsePledgeCommand extends ApiCommand<OptionalNoteDto> {}

/** A pledge made for a request belongs to that request's conversation; otherwise to its own. */
export const pledgeCorrelation = (pledgeId: string, requestId?: string): string => requestId ?? `pledge-${pledgeId}`;

@CommandHandler(OfferPledgeCommand)
export class OfferPledgeHandler implements ICommandHandler<OfferPledgeCommand> {
  constructor(
    private readonly runner: CommandRunner,
    private readonly refs: References,
  ) {}
  async execute({ ctx, dto }: OfferPledgeCommand): Promise<CommandAnswer> {
    authorizeCommand(ctx.principal, 'OfferPledge', { kind: 'member', memberId: dto.memberId });
    if (dto.incidentId === undefined && dto.requestId === undefined) {
      throw DomainError.invalid('incidentId', 'a pledge is made for an incident or for a request (give incidentId or requestId)');
    }
    const [, request] = await Promise.all([
      this.refs.active('member', dto.memberId),
      dto.requestId !== undefined ? this.refs.existing('request', dto.requestId) : undefined,
      dto.incidentId !== undefined ? this.refs.active('incident', dto.incidentId) : undefined,
      this.refs.items(dto.lines.map((l) => l.itemId)),
    ]);
    const incidentId = dto.incidentId ?? request?.state.incidentId;
    const pledgeId = idFor(ctx, dto.pledgeId, 'pledge');
    const r = await this.runner.run(
      'pledge',
      pledgeId,
      {
        type: 'OfferPledge',
        data: {
          pledgeId,
          memberId: dto.memberId,
          ...(dto.incidentId !== undefined ? { incidentId: dto.incidentId } : {}),
          ...(dto.requestId !== undefined ? { requestId: dto.requestId } : {}),
          lines: dto.lines.map((l) => ({ itemId: l.itemId, quantity: l.quantity })),
          expectedBy: dto.expectedBy,
          ...(dto.note !== undefined ? { note: dto.note } : {}),
        },
      },
      ctx,
      { correlationId: pledgeCorrelation(pledgeId, dto.requestId), extra: await incidentExtra(this.runner, incidentId), expectedRevision: ifMatchRevision(ctx, streamIds.pledge(pledgeId)) },
    );
    return answer(pledgeId, r, { pledgeId, memberId: dto.memberId });
  }
}

// Injectable so that its constructor parameters are recorded for the subclasses Nest builds.
@Injectable()
abstract class PledgeDecisionHandler {
  constructor(
    protected readonly runner: CommandRunner,
    protected readonly refs: References,
  ) {}

  protected async decide(ctx: CommandContext, pledgeId: string, command: CommandOf<'pledge'>, target: (memberId: string) => Target, options: StepOptions = {}): Promise<CommandAnswer> {
    const { state } = await this.refs.existing('pledge', pledgeId);
    authorizeCommand(ctx.principal, command.type, target(state.memberId as string));
    const r = await this.runner.run('pledge', pledgeId, command, ctx, {
      ...options,
      correlationId: pledgeCorrelation(pledgeId, state.requestId),
      extra: await incidentExtra(this.runner, state.incidentId),
      expectedRevision: ifMatchRevision(ctx, streamIds.pledge(pledgeId)),
    });
    return answer(pledgeId, r);
  }
}

@CommandHandler(AcceptPledgeCommand)
export class AcceptPledgeHandler extends PledgeDecisionHandler implements ICommandHandler<AcceptPledgeCommand> {
  execute({ ctx, dto, id }: AcceptPledgeCommand): Promise<CommandAnswer> {
    return this.decide(ctx, id, { type: 'AcceptPledge', data: { pledgeId: id, ...(dto.note !== undefined ? { note: dto.note } : {}) } }, () => clusterTarget);
  }
}

@CommandHandler(DeclinePledgeCommand)
export class DeclinePledgeHandler extends PledgeDecisionHandler implements ICommandHandler<DeclinePledgeCommand> {
  execute({ ctx, dto, id }: DeclinePledgeCommand): Promise<CommandAnswer> {
    return this.decide(ctx, id, { type: 'DeclinePledge', data: { pledgeId: id, reason: dto.reason } }, () => clusterTarget, { reason: dto.reason });
  }
}

@CommandHandler(WithdrawPledgeCommand)
export class WithdrawPledgeHandler extends PledgeDecisionHandler implements ICommandHandler<WithdrawPledgeCommand> {
  execute({ ctx, dto, id }: WithdrawPledgeCommand): Promise<CommandAnswer> {
    // The pledging member withdraws its own pledges only.
    return this.decide(ctx, id, { type: 'WithdrawPledge', data: { pledgeId: id, reason: dto.reason } }, (memberId) => ({ kind: 'member', memberId }), { reason: dto.reason });
  }
}

/**
 * The EOC records that a pledge's expected delivery date has passed with something still outstanding:
 * the outstanding quantities stop counting as coming (gap matrix, pledges read model). Refused before
 * the expected date (the decider compares with the command's time, never a clock of its own).
 */
@CommandHandler(LapsePledgeCommand)
export class LapsePledgeHandler extends PledgeDecisionHandler implements ICommandHandler<LapsePledgeCommand> {
  execute({ ctx, dto, id }: LapsePledgeCommand): Promise<CommandAnswer> {
    return this.decide(ctx, id, { type: 'LapsePledge', data: { pledgeId: id } }, () => clusterTarget, dto.note !== undefined ? { reason: dto.note } : {});
  }
}

export const pledgeHandlers = [OfferPledgeHandler, AcceptPledgeHandler, DeclinePledgeHandler, WithdrawPledgeHandler, LapsePledgeHandler];
