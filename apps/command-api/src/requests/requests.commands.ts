import { Injectable } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { streamIds, type Target } from '@lumbung/domain';
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
  type ReasonDto,
  type StepOptions,
} from '../common';
import type { ApproveRequestDto, CloseRequestDto, SubmitRequestDto } from './requests.dto';

export class SubmitRequestCommand extends ApiCommand<SubmitRequestDto> {}
export class ApproveRequestCommand extends ApiCommand<ApproveRequestDto> {}
export class RejectRequestCommand extends ApiCommand<ReasonDto> {}
export class CancelRequestCommand extends ApiCommand<ReasonDto> {}
export class CloseRequestCommand extends ApiCommand<CloseRequestDto> {}

@CommandHandler(SubmitRequestCommand)
export class SubmitRequestHandler implements ICommandHandler<SubmitRequestCommand> {
  constructor(
    private readonly runner: CommandRunner,
    private readonly refs: References,
  ) {}
  async execute({ ctx, dto }: SubmitRequestCommand): Promise<CommandAnswer> {
    authorizeCommand(ctx.principal, 'SubmitRequest', { kind: 'site', siteId: dto.siteId });
    const [, incident] = await Promise.all([this.refs.active('site', dto.siteId), this.refs.active('incident', dto.incidentId), this.refs.items(dto.lines.map((l) => l.itemId))]);
    const requestId = idFor(ctx, dto.requestId, 'request');
    const r = await this.runner.run(
      'request',
      requestId,
      {
        type: 'SubmitRequest',
        data: {
          requestId,
          siteId: dto.siteId,
          incidentId: dto.incidentId,
          priority: dto.priority,
          neededBy: dto.neededBy,
          lines: dto.lines.map((l) => ({ itemId: l.itemId, quantity: l.quantity })),
          ...(dto.note !== undefined ? { note: dto.note } : {}),
        },
      },
      ctx,
      { correlationId: requestId, extra: { incidentId: dto.incidentId, ...(incident.phase ? { phase: incident.phase } : {}) }, expectedRevision: ifMatchRevision(ctx, streamIds.request(requestId)) },
    );
    return answer(requestId, r, { requestId, siteId: dto.siteId });
  }
}

/** The later commands on a request: it must exist; its id is the correlation id of all of them. */
// Injectable so that its constructor parameters are recorded for the subclasses Nest builds.
@Injectable()
abstract class RequestDecisionHandler {
  constructor(
    protected readonly runner: CommandRunner,
    protected readonly refs: References,
  ) {}

  protected async decide(ctx: CommandContext, requestId: string, command: CommandOf<'request'>, target: (siteId: string) => Target, options: StepOptions = {}): Promise<CommandAnswer> {
    const { state } = await this.refs.existing('request', requestId);
    authorizeCommand(ctx.principal, command.type, target(state.siteId as string));
    const r = await this.runner.run('request', requestId, command, ctx, {
      ...options,
      correlationId: requestId,
      extra: await incidentExtra(this.runner, state.incidentId),
      expectedRevision: ifMatchRevision(ctx, streamIds.request(requestId)),
    });
    return answer(requestId, r);
  }
}

@CommandHandler(ApproveRequestCommand)
export class ApproveRequestHandler extends RequestDecisionHandler implements ICommandHandler<ApproveRequestCommand> {
  execute({ ctx, dto, id }: ApproveRequestCommand): Promise<CommandAnswer> {
    const lines = dto.lines?.map((l) => ({ itemId: l.itemId, approved: l.approved, ...(l.reason !== undefined ? { reason: l.reason } : {}) }));
    const reasons = (dto.lines ?? []).filter((l) => l.reason).map((l) => `${l.itemId}: ${l.reason}`);
    const reason = [...reasons, ...(dto.note ? [dto.note] : [])].join('; ');
    return this.decide(
      ctx,
      id,
      { type: 'ApproveRequest', data: { requestId: id, ...(lines ? { lines } : {}), ...(dto.note !== undefined ? { note: dto.note } : {}) } },
      () => clusterTarget,
      reason ? { reason } : {},
    );
  }
}

@CommandHandler(RejectRequestCommand)
export class RejectRequestHandler extends RequestDecisionHandler implements ICommandHandler<RejectRequestCommand> {
  execute({ ctx, dto, id }: RejectRequestCommand): Promise<CommandAnswer> {
    return this.decide(ctx, id, { type: 'RejectRequest', data: { requestId: id, reason: dto.reason } }, () => clusterTarget, { reason: dto.reason });
  }
}

@CommandHandler(CancelRequestCommand)
export class CancelRequestHandler extends RequestDecisionHandler implements ICommandHandler<CancelRequestCommand> {
  execute({ ctx, dto, id }: CancelRequestCommand): Promise<CommandAnswer> {
    // A site officer withdraws its own site's requests only.
    return this.decide(ctx, id, { type: 'CancelRequest', data: { requestId: id, reason: dto.reason } }, (siteId) => ({ kind: 'site', siteId }), { reason: dto.reason });
  }
}

@CommandHandler(CloseRequestCommand)
export class CloseRequestHandler extends RequestDecisionHandler implements ICommandHandler<CloseRequestCommand> {
  execute({ ctx, dto, id }: CloseRequestCommand): Promise<CommandAnswer> {
    return this.decide(
      ctx,
      id,
      { type: 'CloseRequest', data: { requestId: id, ...(dto.reason !== undefined ? { reason: dto.reason } : {}) } },
      () => clusterTarget,
      dto.reason !== undefined ? { reason: dto.reason } : {},
    );
  }
}

export const requestHandlers = [SubmitRequestHandler, ApproveRequestHandler, RejectRequestHandler, CancelRequestHandler, CloseRequestHandler];
